import type { FastifyInstance } from 'fastify';
import type { HubMetrics } from '../metrics.ts';
import { parseTraceIdParam } from '../otlp/ids.ts';
import { isLevelName, type LevelName } from '../query/log-levels.ts';
import { decodeCursor, type LogSearch, type LogStore, logMatcher, toLogRecord } from '../query/log-store.ts';
import { checkQuery, parseIntParam, parseTimeNs, QueryError, single } from '../query/params.ts';
import type { StoredLog, StoreWriter } from '../storage/writer.ts';

const ATTR_KEY = /^[A-Za-z0-9_.\-:/@]{1,256}$/;
const HEARTBEAT_MS = 15_000;

export function parseLogSearch(query: unknown): LogSearch {
  const raw = (query ?? {}) as Record<string, unknown>;
  const attrs: [string, string][] = [];
  const plain: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (!k.startsWith('attr.')) {
      plain[k] = v;
      continue;
    }
    const key = k.slice(5);
    if (!ATTR_KEY.test(key))
      throw new QueryError(k.slice(0, 100), 'attribute key must be 1-256 of [A-Za-z0-9_.-:/@]');
    if (typeof v !== 'string') throw new QueryError(k.slice(0, 100), 'must be given once');
    attrs.push([key, v]);
  }
  const q = checkQuery(
    {
      service: single,
      level: single,
      q: single,
      trace_id: single,
      start: single,
      end: single,
      limit: single,
      cursor: single,
    },
    plain,
  );
  const levels: LevelName[] = [];
  if (q.level) {
    for (const l of q.level.split(',')) {
      const name = l.trim().toLowerCase();
      if (!isLevelName(name))
        throw new QueryError('level', 'must be trace, debug, info, warn, error or fatal (comma-separated)');
      levels.push(name);
    }
  }
  let traceId: Buffer | undefined;
  if (q.trace_id) {
    const id = parseTraceIdParam(q.trace_id);
    if (id === null) throw new QueryError('trace_id', 'must be 32 hex digits');
    traceId = id;
  }
  const startNs = q.start ? parseTimeNs('start', q.start) : undefined;
  const endNs = q.end ? parseTimeNs('end', q.end) : undefined;
  if (startNs !== undefined && endNs !== undefined && endNs < startNs)
    throw new QueryError('end', 'must not be before start');
  let cursor: LogSearch['cursor'];
  if (q.cursor) {
    const c = decodeCursor(q.cursor);
    if (c === null) throw new QueryError('cursor', 'is not a cursor returned by this API');
    cursor = c;
  }
  return {
    service: q.service || undefined,
    levels,
    text: q.q || undefined,
    traceId,
    attrs,
    startNs,
    endNs,
    limit: q.limit !== undefined ? parseIntParam('limit', q.limit, 1, 1000) : 100,
    cursor,
  };
}

export interface StreamLimits {
  /** Concurrent live tails; the next one gets 429 TOO_MANY_STREAMS. */
  maxStreams: number;
  /** Bytes a reader may leave unread before it is disconnected (a stalled reader cannot grow the heap). */
  maxBufferBytes: number;
  metrics: Pick<HubMetrics, 'streamsRejected' | 'streamsDisconnected' | 'streamsOpen'>;
}

export function registerLogRoutes(
  app: FastifyInstance,
  store: LogStore,
  writer: StoreWriter,
  limits: StreamLimits,
): void {
  const { metrics } = limits;
  metrics.streamsDisconnected.labels('slow_reader');
  // Live tails never end on their own; closing the app ends them so shutdown does not hang.
  const streams = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of streams) end();
  });
  app.get('/api/logs', async (req) => store.search(parseLogSearch(req.query)));

  app.get<{ Params: { traceID: string } }>('/api/traces/:traceID/logs', async (req) => {
    const id = parseTraceIdParam(req.params.traceID);
    if (id === null) throw new QueryError('traceID', 'must be 1 to 32 hex digits, not all zero');
    return { data: store.byTrace(id) };
  });

  app.get('/api/logs/stream', (req, reply) => {
    const matches = logMatcher(parseLogSearch(req.query));
    if (streams.size >= limits.maxStreams) {
      metrics.streamsRejected.inc();
      return reply
        .code(429)
        .header('retry-after', '5')
        .send({
          error: {
            code: 'TOO_MANY_STREAMS',
            message: `${limits.maxStreams} live tails are open (VIGIL_HUB_MAX_STREAMS); close one or retry later`,
          },
        });
    }
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    // Backpressure: what the socket has not taken yet stays in res.writableLength. A reader that falls
    // more than maxBufferBytes behind is disconnected (it can reconnect and search for what it missed),
    // so one stream holds at most maxBufferBytes plus one writer batch.
    const send = (chunk: string) => {
      if (res.destroyed) return;
      if (res.writableLength > limits.maxBufferBytes) {
        metrics.streamsDisconnected.inc({ reason: 'slow_reader' });
        stop();
        res.destroy();
        return;
      }
      res.write(chunk);
    };
    const onLogs = (rows: StoredLog[]) => {
      let out = '';
      for (const r of rows) if (matches(r)) out += `data: ${JSON.stringify(toLogRecord(r))}\n\n`;
      if (out) send(out);
    };
    writer.on('logs', onLogs);
    const heartbeat = setInterval(() => send(': ping\n\n'), HEARTBEAT_MS);
    heartbeat.unref();
    let stopped = false;
    const stop = () => {
      if (stopped) return;
      stopped = true;
      clearInterval(heartbeat);
      writer.off('logs', onLogs);
      streams.delete(end);
      metrics.streamsOpen.set(streams.size);
    };
    const end = () => {
      stop();
      res.end();
    };
    streams.add(end);
    metrics.streamsOpen.set(streams.size);
    req.raw.on('close', stop);
    res.on('error', stop);
    res.write(': connected\n\n');
  });
}
