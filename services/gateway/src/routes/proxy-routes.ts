import { trace } from '@opentelemetry/api';
import type { FastifyInstance } from 'fastify';
import { forward } from '../adapters/upstream-proxy.ts';
import { proxyRoutes, type Upstream } from '../domain/routes-table.ts';

export interface ProxyRoutesOptions {
  upstreams: Readonly<Record<Upstream, string>>;
  timeoutMs: number;
  ordersTimeoutMs: number;
  onUpstreamError: (upstream: Upstream, reason: 'timeout' | 'unavailable') => void;
}

/** The public routes, in their own encapsulated scope (its body parser must not reach /admin/faults). */
export async function registerProxyRoutes(
  parent: FastifyInstance,
  options: ProxyRoutesOptions,
): Promise<void> {
  await parent.register(async (app) => proxyScope(app, options));
}

function proxyScope(app: FastifyInstance, options: ProxyRoutesOptions): void {
  // Bodies are streamed to the upstream as received, never parsed and re-serialised here: the upstream
  // parses and validates (and answers 400 for bad JSON), so no body can make the gateway itself fail.
  // Only JSON is accepted (other types: 415) and a declared length over the limit is refused at once.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', (request, payload, done) => {
    const declared = Number(request.headers['content-length']);
    if (declared > app.initialConfig.bodyLimit!) {
      done(
        Object.assign(new Error('body too large'), { code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 }),
      );
      return;
    }
    done(null, payload);
  });
  for (const route of proxyRoutes()) {
    const baseUrl = options.upstreams[route.upstream];
    const timeoutMs = route.timeout === 'orders' ? options.ordersTimeoutMs : options.timeoutMs;
    app.route({
      method: route.method,
      url: route.url,
      // 502 and 504: the upstream unavailable or late, answered by the gateway itself.
      config: { access: 'public', statuses: [...(route.statuses ?? [200]), 502, 504] },
      handler: async (request, reply) => {
        const result = await forward(route.upstream, baseUrl, request, timeoutMs);
        if (!result.ok) {
          options.onUpstreamError(route.upstream, result.reason);
          trace.getActiveSpan()?.setAttribute('gateway.upstream_error', result.reason);
          request.log.warn(
            { event: 'upstream_failed', upstream: route.upstream, reason: result.reason, route: route.url },
            `${route.upstream} ${result.reason}`,
          );
          const [status, code, message] =
            result.reason === 'timeout'
              ? [504, 'UPSTREAM_TIMEOUT', `${route.upstream} did not answer within ${timeoutMs} ms`]
              : [502, 'UPSTREAM_UNAVAILABLE', `${route.upstream} is unavailable`];
          return reply.code(status).send({ error: { code, message } });
        }
        reply.code(result.status).headers(result.headers);
        return reply.send(result.body);
      },
    });
  }
}
