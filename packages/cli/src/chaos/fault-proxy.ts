import { timingSafeEqual } from 'node:crypto';
import { createServer as createHttpServer, type Server as HttpServer, type IncomingMessage } from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { z } from 'zod';

/**
 * The TCP fault proxy: one listener in front of each service; `vigil start` points the
 * service-to-service URLs at it, so every call between services crosses it. With no fault it
 * pipes bytes both ways. A fault (one per route, each with a TTL enforced here, so it ends even
 * if the chaos runner dies) adds latency and jitter, limits bandwidth, resets connections,
 * blackholes them (accepted, never answered: a partition) or refuses them (listener closed).
 */

export const proxyFaultSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('latency'),
    latency_ms: z.number().int().min(0).max(60_000),
    jitter_ms: z.number().int().min(0).max(60_000).default(0),
  }),
  z.strictObject({ kind: z.literal('bandwidth'), bytes_per_second: z.number().int().min(64).max(1e9) }),
  z.strictObject({ kind: z.literal('reset'), probability: z.number().min(0).max(1).default(1) }),
  z.strictObject({ kind: z.literal('blackhole') }),
  z.strictObject({ kind: z.literal('refused') }),
]);
export const proxyFaultRequestSchema = z.intersection(
  proxyFaultSchema,
  z.object({ route: z.string().min(1), ttl_seconds: z.number().int().min(1).max(3600) }),
);
export type ProxyFault = z.output<typeof proxyFaultSchema>;
export type ProxyFaultRequest = z.output<typeof proxyFaultRequestSchema>;

export interface ProxyRoute {
  /** The service behind it, e.g. payment-service. */
  readonly name: string;
  readonly listenPort: number;
  readonly upstreamHost: string;
  readonly upstreamPort: number;
}

interface ActiveFault {
  readonly fault: ProxyFault;
  readonly expiresAt: number;
  readonly timer: NodeJS.Timeout;
}

interface RouteState {
  readonly route: ProxyRoute;
  server: Server | undefined;
  readonly sockets: Set<Socket>;
  fault: ActiveFault | undefined;
  connections: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface FaultProxy {
  readonly host: string;
  set(request: ProxyFaultRequest): Promise<{ route: string; kind: string; expires_at: string }>;
  clear(route?: string): Promise<number>;
  list(): Array<{ route: string; listen: number; upstream: string; connections: number; fault: unknown }>;
  close(): Promise<void>;
}

export async function startFaultProxy(
  routes: readonly ProxyRoute[],
  host = '127.0.0.1',
): Promise<FaultProxy> {
  const states = new Map<string, RouteState>();
  for (const route of routes)
    states.set(route.name, {
      route,
      server: undefined,
      sockets: new Set(),
      fault: undefined,
      connections: 0,
    });

  /** Writes `chunk` to `to` after what the route's current fault asks for; order is kept per direction. */
  function pipeWithFaults(state: RouteState, from: Socket, to: Socket): { after(fn: () => void): void } {
    let chain = Promise.resolve();
    from.on('data', (chunk: Buffer) => {
      const f = state.fault?.fault;
      if (f?.kind === 'blackhole') return; // accepted, never forwarded
      if (!f || (f.kind !== 'latency' && f.kind !== 'bandwidth')) {
        chain = chain.then(() => {
          if (!to.destroyed) to.write(chunk);
        });
        return;
      }
      from.pause();
      chain = chain.then(async () => {
        const now = state.fault?.fault;
        if (now?.kind === 'latency') await sleep(now.latency_ms + Math.round(Math.random() * now.jitter_ms));
        else if (now?.kind === 'bandwidth') await sleep((chunk.length / now.bytes_per_second) * 1000);
        if (!to.destroyed) to.write(chunk);
        if (!from.destroyed) from.resume();
      });
    });
    from.on('end', () => {
      chain = chain.then(() => {
        if (!to.destroyed) to.end();
      });
    });
    return {
      after(fn) {
        chain = chain.then(fn);
      },
    };
  }

  function onConnection(state: RouteState, client: Socket): void {
    const f = state.fault?.fault;
    if (f?.kind === 'reset' && (f.probability >= 1 || Math.random() < f.probability)) {
      client.resetAndDestroy();
      return;
    }
    state.connections += 1;
    state.sockets.add(client);
    client.on('close', () => state.sockets.delete(client));
    client.on('error', () => undefined);
    if (f?.kind === 'blackhole') {
      client.on('data', () => undefined);
      return;
    }
    const upstream = connect({ host: state.route.upstreamHost, port: state.route.upstreamPort });
    state.sockets.add(upstream);
    client.on('close', () => {
      if (!upstream.destroyed) upstream.destroy();
    });
    upstream.on('error', () => {
      // The service is down: the caller sees its connection reset, as with a direct call.
      if (!client.destroyed) client.resetAndDestroy();
    });
    pipeWithFaults(state, client, upstream);
    const back = pipeWithFaults(state, upstream, client);
    // Bytes still delayed in the chain are delivered before the client side closes.
    upstream.on('close', () => {
      state.sockets.delete(upstream);
      back.after(() => {
        if (!client.destroyed) client.end();
      });
    });
  }

  function listen(state: RouteState): Promise<void> {
    return new Promise((resolve, reject) => {
      const server = createServer((socket) => onConnection(state, socket));
      server.once('error', reject);
      server.listen({ host, port: state.route.listenPort, exclusive: true }, () => {
        server.off('error', reject);
        state.server = server;
        resolve();
      });
    });
  }

  function dropConnections(state: RouteState, reset: boolean): void {
    for (const s of state.sockets) {
      if (reset) s.resetAndDestroy();
      else s.destroy();
    }
    state.sockets.clear();
  }

  /** Stops accepting at once (connection refused); open connections are dropped by the caller. */
  function closeListener(state: RouteState): void {
    state.server?.close();
    state.server = undefined;
  }

  async function remove(state: RouteState): Promise<boolean> {
    const active = state.fault;
    if (!active) return false;
    clearTimeout(active.timer);
    state.fault = undefined;
    // Hung connections are dropped so callers reconnect to a healthy path.
    if (active.fault.kind === 'blackhole') dropConnections(state, true);
    if (active.fault.kind === 'refused' && !state.server) await listen(state);
    return true;
  }

  for (const state of states.values()) await listen(state);

  return {
    host,
    async set(request) {
      const state = states.get(request.route);
      if (!state) throw Object.assign(new Error(`no route '${request.route}'`), { code: 'UNKNOWN_ROUTE' });
      await remove(state);
      const { route: _r, ttl_seconds, ...fault } = request;
      const expiresAt = Date.now() + ttl_seconds * 1000;
      const timer = setTimeout(() => void remove(state), ttl_seconds * 1000);
      timer.unref();
      state.fault = { fault: fault as ProxyFault, expiresAt, timer };
      // Pooled keep-alive connections would bypass a connection-level fault: cut them.
      if (fault.kind === 'reset' || fault.kind === 'blackhole') dropConnections(state, true);
      if (fault.kind === 'refused') {
        closeListener(state);
        dropConnections(state, true);
      }
      return { route: state.route.name, kind: fault.kind, expires_at: new Date(expiresAt).toISOString() };
    },
    async clear(route) {
      let n = 0;
      for (const state of states.values())
        if ((!route || state.route.name === route) && (await remove(state))) n++;
      return n;
    },
    list() {
      return [...states.values()].map((s) => ({
        route: s.route.name,
        listen: s.route.listenPort,
        upstream: `${s.route.upstreamHost}:${s.route.upstreamPort}`,
        connections: s.connections,
        fault: s.fault ? { ...s.fault.fault, expires_at: new Date(s.fault.expiresAt).toISOString() } : null,
      }));
    },
    async close() {
      for (const state of states.values()) {
        if (state.fault) clearTimeout(state.fault.timer);
        state.fault = undefined;
        dropConnections(state, false);
        closeListener(state);
      }
    },
  };
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 16_384)
      throw Object.assign(new Error('body too large'), { status: 413, code: 'BODY_TOO_LARGE' });
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw Object.assign(new Error('body is not JSON'), { status: 400, code: 'INVALID_JSON' });
  }
}

function authorized(req: IncomingMessage, token: string): boolean {
  const given = Buffer.from(req.headers.authorization ?? '');
  const expected = Buffer.from(`Bearer ${token}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * The control API (admin token required except for health): GET /faults, POST /faults
 * `{route, kind, …, ttl_seconds}`, DELETE /faults[/<route>]; GET /health/ready.
 */
export function startControlApi(proxy: FaultProxy, port: number, token: string): Promise<HttpServer> {
  const server = createHttpServer(async (req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const fail = (status: number, code: string, message: string) =>
      send(status, { error: { code, message } });
    try {
      const url = new URL(req.url ?? '/', 'http://proxy');
      if (url.pathname === '/health/ready' || url.pathname === '/health/live')
        return send(200, { status: 'ok' });
      if (!authorized(req, token)) return fail(401, 'UNAUTHORIZED', 'admin token required');
      if (url.pathname === '/faults' && req.method === 'GET') return send(200, { items: proxy.list() });
      if (url.pathname === '/faults' && req.method === 'POST') {
        const parsed = proxyFaultRequestSchema.safeParse(await readJson(req));
        if (!parsed.success) {
          const i = parsed.error.issues[0]!;
          return fail(400, 'VALIDATION_FAILED', `${i.path.join('.') || 'body'}: ${i.message}`);
        }
        return send(201, await proxy.set(parsed.data));
      }
      const m = /^\/faults(?:\/([^/]+))?$/.exec(url.pathname);
      if (m && req.method === 'DELETE')
        return send(200, { cleared: await proxy.clear(m[1] && decodeURIComponent(m[1])) });
      return fail(404, 'NOT_FOUND', `${req.method} ${url.pathname}`);
    } catch (err) {
      const e = err as Error & { status?: number; code?: string };
      if (e.code === 'UNKNOWN_ROUTE') return fail(404, e.code, e.message);
      return fail(e.status ?? 500, e.code ?? 'INTERNAL', e.message);
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: proxy.host, port }, () => resolve(server));
  });
}
