import { createHash, timingSafeEqual } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { trace } from '@opentelemetry/api';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { Gauge, type Registry } from 'prom-client';
import { type FaultRegistry, faultRegistry } from './fault-registry.ts';
import { FAULT_KINDS, faultSpecSchema } from './fault-spec.ts';

export interface FaultsPluginOptions {
  /** The `service` label of fault_injection_active; default: the `service` binding of the app's logger. */
  service?: string;
  /** Bearer token for /admin/faults; absent → every admin call is refused. Default: VIGIL_ADMIN_TOKEN. */
  adminToken?: string | undefined;
  /** Where fault_injection_active is registered (the service's /metrics registry). */
  metricsRegistry?: Registry;
  registry?: FaultRegistry;
}

// Operators must always be able to clear faults, probe health and scrape metrics (matched on the route template).
const EXEMPT_PREFIXES = ['/admin/', '/health', '/metrics'];

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function sendError(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send({ error: { code, message } });
}

function describeIssue(error: { issues: Array<{ path: PropertyKey[]; message: string }> }): string {
  const first = error.issues[0];
  if (!first) return 'body: invalid';
  return `${first.path.map(String).join('.') || 'body'}: ${first.message}`;
}

async function faultsPlugin(app: FastifyInstance, options: FaultsPluginOptions = {}): Promise<void> {
  const registry = options.registry ?? faultRegistry();
  const token = options.adminToken ?? process.env.VIGIL_ADMIN_TOKEN;
  const expected = token ? digest(`Bearer ${token}`) : undefined;

  const service =
    options.service ??
    String((app.log as { bindings?: () => Record<string, unknown> }).bindings?.().service ?? 'unknown');
  if (options.metricsRegistry && !options.metricsRegistry.getSingleMetric('fault_injection_active')) {
    new Gauge({
      name: 'fault_injection_active',
      help: 'Injected faults currently active, by kind (chaos experiments).',
      labelNames: ['service', 'kind'],
      registers: [options.metricsRegistry],
      collect() {
        const counts = registry.counts();
        for (const kind of FAULT_KINDS) this.set({ service, kind }, counts[kind]);
      },
    });
  }

  function authorized(request: FastifyRequest): boolean {
    const header = request.headers.authorization;
    if (!expected || typeof header !== 'string') return false;
    return timingSafeEqual(digest(header), expected);
  }

  // Callback-style, so the common case (no active fault) costs no promise: only requests that may be
  // affected by a fault take the async path.
  app.addHook('onRequest', (request, reply, done) => {
    if (registry.isEmpty()) {
      done();
      return;
    }
    applyFaults(request, reply).then((sent) => {
      // A hook that has sent the reply must not continue the lifecycle.
      if (sent !== reply) done();
    }, done);
  });

  // The admin check belongs to the admin routes themselves (route-level hook), so it runs on whatever path
  // the router matched: `/%61dmin/faults` reaches these routes and this check like `/admin/faults` does.
  const adminOnly = {
    // An operator's calls: counted when made, no RED series before (statuses: []).
    config: { access: 'admin' as const, statuses: [] },
    onRequest: (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
      if (authorized(request)) done();
      else sendError(reply, 401, 'UNAUTHORIZED', 'missing or invalid admin token');
    },
  };

  async function applyFaults(
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<FastifyReply | undefined> {
    // Hot path: with no active fault, every request pays one size check.
    if (registry.isEmpty()) return;
    const path = request.url.split('?')[0] ?? '';
    const template = request.routeOptions.url ?? '';
    if (template === '/health/ready' || template === '/health') {
      const fault = registry.readinessFault();
      if (!fault) return;
      trace.getActiveSpan()?.setAttribute('fault.injected', `readiness/${fault.id}`);
      return reply
        .code(503)
        .type('application/json; charset=utf-8')
        .send({
          status: 'not_ready',
          error: { code: 'NOT_READY', message: `injected readiness fault ${fault.id}` },
        });
    }
    if (EXEMPT_PREFIXES.some((prefix) => template.startsWith(prefix))) return;
    const faults = registry.forRequest(request.method, template, path);
    if (!faults) return;
    trace.getActiveSpan()?.setAttribute('fault.injected', faults.applied.join(','));
    if (faults.latencyMs > 0) await delay(faults.latencyMs);
    if (faults.error) {
      return sendError(
        reply,
        faults.error.status,
        'FAULT_INJECTED',
        `injected error fault ${faults.error.id}`,
      );
    }
    return undefined;
  }

  app.get('/admin/faults', adminOnly, async () => ({ items: registry.list() }));

  app.post('/admin/faults', adminOnly, async (request, reply) => {
    const parsed = faultSpecSchema.safeParse(request.body);
    if (!parsed.success) return sendError(reply, 400, 'VALIDATION_FAILED', describeIssue(parsed.error));
    const fault = registry.add(parsed.data);
    request.log.warn({ event: 'fault_injected', fault }, 'fault injected');
    return reply.code(201).send(fault);
  });

  app.delete('/admin/faults', adminOnly, async (request) => {
    const cleared = registry.clear();
    request.log.warn({ event: 'faults_cleared', cleared }, 'faults cleared');
    return { cleared };
  });

  app.delete('/admin/faults/:id', adminOnly, async (request, reply) => {
    const { id } = request.params as { id: string };
    if (!registry.remove(id)) return sendError(reply, 404, 'NOT_FOUND', 'no active fault with this id');
    request.log.warn({ event: 'fault_cleared', fault_id: id }, 'fault cleared');
    return { cleared: 1 };
  });
}

/** Admin API (POST/GET/DELETE /admin/faults) and the request-side effects of injected faults. */
export const faultsFastifyPlugin = fp(faultsPlugin, { name: 'vigil-faults', fastify: '5.x' });
