import type { FastifyInstance } from 'fastify';
import { parseTraceIdParam } from '../otlp/ids.ts';
import type { DependencyQuery } from '../query/dependency-query.ts';
import { toJaegerTrace } from '../query/jaeger-format.ts';
import { parseDependenciesQuery, parseTraceQuery, type RawQuery } from '../query/jaeger-params.ts';
import { checkQuery, QueryError, single } from '../query/params.ts';
import type { Dependency, TraceStore } from '../query/trace-store.ts';

const KINDS = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];

/** Jaeger's structuredResponse; `total` is set where Jaeger sets it (services, operations), else 0. */
function structured<T>(
  data: T,
  total = 0,
  errors: { code?: number; msg: string; traceID?: string }[] | null = null,
) {
  return { data, total, limit: 0, offset: 0, errors };
}

/** Jaeger prints a trace id without its high half when that half is zero (model.TraceID.String). */
function jaegerTraceIdString(hex: string): string {
  return hex.startsWith('0000000000000000') ? hex.slice(16) : hex;
}

/** Jaeger's deduplicateDependencies after filterDependenciesByService: one link per (parent, child). */
export function dependencyLinks(all: Dependency[], service: string): Dependency[] {
  const links = new Map<string, Dependency>();
  for (const d of all) {
    if (service !== '' && d.parent !== service && d.child !== service) continue;
    const key = `${d.parent}\u0000${d.child}`;
    const found = links.get(key);
    if (found === undefined) links.set(key, { ...d });
    else {
      found.callCount += d.callCount;
      found.errorCount += d.errorCount;
    }
  }
  return [...links.values()];
}

/** The query-service HTTP API (v1 JSON) that Jaeger UI and Grafana's Jaeger data source call. */
export function registerJaegerRoutes(
  app: FastifyInstance,
  store: TraceStore,
  dependencies: DependencyQuery,
): void {
  app.get('/api/services', async () => {
    const services = store.services();
    return structured(services, services.length);
  });

  app.get<{ Params: { service: string } }>('/api/services/:service/operations', async (req) => {
    const names = [...new Set(store.operations(req.params.service).map((o) => o.name))];
    return structured(names, names.length);
  });

  app.get('/api/operations', async (req) => {
    const q = checkQuery({ service: single, spanKind: single }, req.query);
    if (!q.service) throw new QueryError('service', "parameter 'service' is required");
    let kind: number | undefined;
    if (q.spanKind) {
      kind = KINDS.indexOf(q.spanKind);
      if (kind < 0) throw new QueryError('spanKind', `must be one of ${KINDS.join(', ')}`);
    }
    const ops = store
      .operations(q.service, kind)
      .map((o) => ({ name: o.name, spanKind: KINDS[o.kind] ?? 'unspecified' }));
    return structured(ops, ops.length);
  });

  app.get('/api/traces', async (req) => {
    const { search, traceIds } = parseTraceQuery(req.query as RawQuery, Date.now() * 1e6);
    if (traceIds.length > 0) {
      // Exactly the traces asked for (other filters ignored); the missing ones are named in `errors`.
      const data = [];
      const errors = [];
      const seen = new Set<string>();
      for (const { hex, id } of traceIds) {
        if (seen.has(hex)) continue;
        seen.add(hex);
        const rows = store.trace(id);
        if (rows.length > 0) data.push(toJaegerTrace(hex, rows));
        else errors.push({ msg: 'trace not found', traceID: jaegerTraceIdString(hex) });
      }
      return structured(data, 0, errors.length > 0 ? errors : null);
    }
    const ids = store.searchTraceIds(search);
    return structured(ids.map((id) => toJaegerTrace(id.toString('hex'), store.trace(id))));
  });

  app.get<{ Params: { traceID: string } }>('/api/traces/:traceID', async (req, reply) => {
    const id = parseTraceIdParam(req.params.traceID);
    if (id === null) throw new QueryError('traceID', 'must be 1 to 32 hex digits, not all zero');
    const rows = store.trace(id);
    if (rows.length === 0)
      return reply.code(404).send(structured(null, 0, [{ code: 404, msg: 'trace not found' }]));
    return structured([toJaegerTrace(id.toString('hex'), rows)]);
  });

  app.get('/api/dependencies', async (req) => {
    const q = parseDependenciesQuery(req.query as RawQuery, Date.now());
    const all = q.endNs > q.startNs ? await dependencies.run(q.startNs, q.endNs) : [];
    return structured(dependencyLinks(all, q.service));
  });
}
