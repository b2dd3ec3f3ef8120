import type { FastifyInstance } from 'fastify';
import { parseTraceIdParam } from '../otlp/ids.ts';
import type { DependencyQuery } from '../query/dependency-query.ts';
import { toJaegerTrace } from '../query/jaeger-format.ts';
import { checkQuery, parseDurationNs, parseIntParam, QueryError, single } from '../query/params.ts';
import type { TraceSearch, TraceStore } from '../query/trace-store.ts';

const KINDS = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
const MAX_LIMIT = 1500;
const DEFAULT_LOOKBACK_NS = 3600e9;
const DEFAULT_DEPENDENCY_LOOKBACK_MS = 86_400_000;

function list<T>(data: T[]) {
  return { data, total: data.length, limit: 0, offset: 0, errors: null };
}

function parseTags(s: string | undefined): [string, string][] {
  if (s === undefined) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(s);
  } catch {
    throw new QueryError('tags', 'must be a JSON object like {"http.status_code":"500"}');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new QueryError('tags', 'must be a JSON object like {"http.status_code":"500"}');
  }
  return Object.entries(parsed).map(([k, v]) => {
    if (typeof v === 'object' && v !== null)
      throw new QueryError('tags', `value of ${k.slice(0, 100)} must be a string, number or boolean`);
    return [k, String(v)];
  });
}

export function parseTraceSearch(query: unknown, nowNs: number): TraceSearch {
  const q = checkQuery(
    {
      service: single,
      operation: single,
      tags: single,
      minDuration: single,
      maxDuration: single,
      start: single,
      end: single,
      limit: single,
      lookback: single,
      spanKind: single,
    },
    query,
  );
  const endNs = q.end !== undefined ? parseIntParam('end', q.end, 0, 1e16) * 1000 : nowNs;
  let startNs: number;
  if (q.start !== undefined) startNs = parseIntParam('start', q.start, 0, 1e16) * 1000;
  else if (q.lookback !== undefined && q.lookback !== 'custom')
    startNs = endNs - parseDurationNs('lookback', q.lookback);
  else startNs = endNs - DEFAULT_LOOKBACK_NS;
  if (endNs < startNs) throw new QueryError('end', 'must not be before start');
  const minDurationNs = q.minDuration ? parseDurationNs('minDuration', q.minDuration) : undefined;
  const maxDurationNs = q.maxDuration ? parseDurationNs('maxDuration', q.maxDuration) : undefined;
  if (minDurationNs !== undefined && maxDurationNs !== undefined && maxDurationNs < minDurationNs) {
    throw new QueryError('maxDuration', 'must not be less than minDuration');
  }
  return {
    service: q.service || undefined,
    operation: q.operation || undefined,
    tags: parseTags(q.tags),
    minDurationNs,
    maxDurationNs,
    startNs,
    endNs,
    limit: q.limit !== undefined ? parseIntParam('limit', q.limit, 1, MAX_LIMIT) : 20,
  };
}

/** The subset of Jaeger's query-service HTTP API that its UI and Grafana's Jaeger data source use. */
export function registerJaegerRoutes(
  app: FastifyInstance,
  store: TraceStore,
  dependencies: DependencyQuery,
): void {
  app.get('/api/services', async () => list(store.services()));

  app.get<{ Params: { service: string } }>('/api/services/:service/operations', async (req) =>
    list([...new Set(store.operations(req.params.service).map((o) => o.name))]),
  );

  app.get('/api/operations', async (req) => {
    const q = checkQuery({ service: single, spanKind: single }, req.query);
    if (!q.service) throw new QueryError('service', 'is required');
    let kind: number | undefined;
    if (q.spanKind) {
      kind = KINDS.indexOf(q.spanKind);
      if (kind < 0) throw new QueryError('spanKind', `must be one of ${KINDS.join(', ')}`);
    }
    return list(
      store
        .operations(q.service, kind)
        .map((o) => ({ name: o.name, spanKind: KINDS[o.kind] ?? 'unspecified' })),
    );
  });

  app.get('/api/traces', async (req) => {
    const search = parseTraceSearch(req.query, Date.now() * 1e6);
    const ids = store.searchTraceIds(search);
    return list(ids.map((id) => toJaegerTrace(id.toString('hex'), store.trace(id))));
  });

  app.get<{ Params: { traceID: string } }>('/api/traces/:traceID', async (req, reply) => {
    const id = parseTraceIdParam(req.params.traceID);
    if (id === null) throw new QueryError('traceID', 'must be 1 to 32 hex digits, not all zero');
    const rows = store.trace(id);
    if (rows.length === 0)
      return reply.code(404).send({ data: null, errors: [{ code: 404, msg: 'trace not found' }] });
    return { data: [toJaegerTrace(id.toString('hex'), rows)], total: 0, limit: 0, offset: 0, errors: null };
  });

  app.get('/api/dependencies', async (req) => {
    const q = checkQuery({ endTs: single, lookback: single }, req.query);
    const endMs = q.endTs !== undefined ? parseIntParam('endTs', q.endTs, 0, 1e14) : Date.now();
    const lookbackMs =
      q.lookback !== undefined
        ? parseIntParam('lookback', q.lookback, 1, 1e14)
        : DEFAULT_DEPENDENCY_LOOKBACK_MS;
    const data = await dependencies.run((endMs - lookbackMs) * 1e6, endMs * 1e6);
    return { data, total: data.length, limit: 0, offset: 0, errors: null };
  });
}
