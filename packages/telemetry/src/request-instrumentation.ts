import {
  type Attributes,
  type Context,
  context,
  isSpanContextValid,
  type Link,
  propagation,
  ROOT_CONTEXT,
  SamplingDecision,
  SpanKind,
  type TextMapGetter,
  trace,
} from '@opentelemetry/api';
import type { Sampler } from '@opentelemetry/sdk-trace';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction, RouteOptions } from 'fastify';
import type { Logger } from 'pino';
import {
  createStartupSeries,
  isInfrastructureRoute,
  type RedMetrics,
  type RouteSeries,
  UNMATCHED_ROUTE,
} from './http-metrics.ts';
import { LOG_CONTEXT, type Logging, NOT_EXPORTED, TRUSTED_FIELDS } from './logging.ts';
import { redactQuery, redactString, redactUrl } from './redact.ts';
import { randomHexId, ServerSpan, type ServerSpanExport, SpanContextOverlay } from './server-span.ts';

/** Per-route facts computed once in onRoute, read per request. */
interface RouteInfo {
  excluded: boolean;
  /** `${method} ${template}` per method, built on first use instead of per request. */
  spanNames: Map<string, string>;
  /** The template as a JSON string, for the hand-built request log line. */
  templateJson: string;
  series: RouteSeries | undefined;
  template: string;
}

interface RequestState {
  start: number;
  span: ServerSpan;
  ctx: Context;
  sampled: boolean;
  series: RouteSeries;
  route: string | undefined;
  routeJson: string;
  /** The error that the route threw, if any: onError runs before the error handler sets the status. */
  error: Error | undefined;
}

const kRouteInfo = Symbol('vigil.routeInfo');

function spanName(info: RouteInfo, method: string): string {
  let name = info.spanNames.get(method);
  if (name === undefined) {
    name = `${method} ${info.template}`;
    info.spanNames.set(method, name);
  }
  return name;
}
const kState = Symbol('vigil.requestState');

type StatefulRequest = FastifyRequest & { [kState]?: RequestState | undefined };

const headerGetter: TextMapGetter<FastifyRequest['headers']> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => carrier[key],
};

export { isInfrastructureRoute } from './http-metrics.ts';

// request.routeOptions builds a fresh object on every access; the route context it reads is found once
// (by its symbol's description) and read directly afterwards.
let routeContextSymbol: symbol | null | undefined;
function routeInfoOf(request: FastifyRequest): RouteInfo | undefined {
  if (routeContextSymbol === undefined) {
    routeContextSymbol =
      Object.getOwnPropertySymbols(request).find((s) => s.description === 'fastify.context') ?? null;
  }
  const config =
    routeContextSymbol === null
      ? (request.routeOptions.config as unknown as Record<symbol, unknown> | undefined)
      : (request as unknown as Record<symbol, { config?: Record<symbol, unknown> } | undefined>)[
          routeContextSymbol
        ]?.config;
  return config?.[kRouteInfo] as RouteInfo | undefined;
}

export interface RequestInstrumentation {
  onRoute(routeOptions: RouteOptions): void;
  onRequest(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void;
  onError(request: FastifyRequest, reply: FastifyReply, error: Error, done: () => void): void;
  onSend(
    request: FastifyRequest,
    reply: FastifyReply,
    payload: unknown,
    done: (err: Error | null, payload?: unknown) => void,
  ): void;
}

export interface RequestInstrumentationOptions {
  /** Export the request log line over OTLP too (sampled requests only); otherwise it goes to stdout only. */
  otlpRequestLogs?: boolean;
  /** Writes the request log line without pino's generic path (see Logging.writeRequestLog). */
  writeRequestLog?: Logging['writeRequestLog'];
}

const UNMATCHED_JSON = JSON.stringify(UNMATCHED_ROUTE);
// Method names are a handful of tokens: their JSON form is computed once each.
const methodJsonCache = new Map<string, string>();
function methodJson(method: string): string {
  let json = methodJsonCache.get(method);
  if (json === undefined) {
    json = JSON.stringify(method);
    if (methodJsonCache.size < 64) methodJsonCache.set(method, json);
  }
  return json;
}

const NO_ATTRIBUTES: Attributes = Object.freeze({}) as Attributes;
const NO_LINKS: Link[] = [];

/**
 * The connection half of the stable HTTP server semantic conventions: `url.scheme` (as Fastify sees the
 * request), `url.query` (redacted), `server.address`/`server.port` (from the Host header),
 * `client.address`, `user_agent.original`, `network.protocol.version`.
 */
function setConnectionAttributes(request: FastifyRequest, attributes: Attributes, query: string): void {
  attributes['url.scheme'] = request.protocol;
  if (query !== '') attributes['url.query'] = redactQuery(query);
  const host = request.hostname;
  if (host) attributes['server.address'] = host;
  const port = request.port ?? request.socket?.localPort;
  if (port) attributes['server.port'] = port;
  const client = request.ip;
  if (client) attributes['client.address'] = client;
  const userAgent = request.headers['user-agent'];
  if (userAgent !== undefined) attributes['user_agent.original'] = redactString(userAgent);
  attributes['network.protocol.version'] = request.raw.httpVersion;
}

/**
 * SERVER spans, RED metrics, request logs and `x-trace-id` from three Fastify hooks. The span is a
 * ServerSpan (server-span.ts) sampled by the configured SDK sampler and handed to the SDK's span
 * processors when the response is sent (onSend: no per-request response listeners, unlike onResponse).
 */
export function createRequestInstrumentation(
  sampler: Sampler,
  spanExport: ServerSpanExport,
  red: RedMetrics,
  logger: Logger,
  options: RequestInstrumentationOptions = {},
): RequestInstrumentation {
  const unmatched = red.route(UNMATCHED_ROUTE);
  const exportRequestLogs = options.otlpRequestLogs === true;
  const writeRequestLog = options.writeRequestLog;

  function logRequest(
    request: FastifyRequest,
    state: RequestState,
    status: number,
    durationMs: number,
  ): void {
    if (writeRequestLog !== undefined && !(exportRequestLogs && state.sampled)) {
      writeRequestLog(
        state.span.traceId,
        state.span.spanId,
        methodJson(request.method),
        state.routeJson,
        status,
        durationMs,
      );
      return;
    }
    logger.info(
      {
        event: 'http_request',
        method: request.method,
        route: state.route ?? UNMATCHED_ROUTE,
        status,
        duration_ms: durationMs,
        [TRUSTED_FIELDS]: true,
        // The server span already carries method, route, status and duration; the OTLP copy of this line
        // cost ~40 µs of CPU per request, so it is opt-in (VIGIL_OTLP_REQUEST_LOGS=on) and sampled-only.
        [NOT_EXPORTED]: !exportRequestLogs || !state.sampled,
        [LOG_CONTEXT]: state.ctx,
      },
      'request completed',
    );
  }

  return {
    onRoute(routeOptions) {
      const template = routeOptions.url ?? '';
      const excluded = isInfrastructureRoute(template);
      const info: RouteInfo = {
        excluded,
        template,
        templateJson: JSON.stringify(template),
        spanNames: new Map(),
        series: excluded ? undefined : red.route(template),
      };
      if (info.series) createStartupSeries(info.series, routeOptions.method, routeOptions.config?.statuses);
      routeOptions.config = {
        ...(routeOptions.config ?? {}),
        [kRouteInfo]: info,
      } as typeof routeOptions.config;
    },

    onRequest(request, reply, done) {
      const info = routeInfoOf(request);
      if (info?.excluded) {
        done();
        return;
      }
      const route = info?.template;
      const method = request.method;
      const headers = request.headers;
      // Most requests carry no trace context (probes, first hops): skip both propagators for them.
      const parentContext =
        headers.traceparent === undefined && headers.baggage === undefined
          ? ROOT_CONTEXT
          : propagation.extract(ROOT_CONTEXT, headers, headerGetter);
      const found = parentContext === ROOT_CONTEXT ? undefined : trace.getSpanContext(parentContext);
      const parent = found !== undefined && isSpanContextValid(found) ? found : undefined;
      const traceId = parent?.traceId ?? randomHexId(16);
      const name = info === undefined ? method : spanName(info, method);
      const result = sampler.shouldSample(
        parentContext,
        traceId,
        name,
        SpanKind.SERVER,
        NO_ATTRIBUTES,
        NO_LINKS,
      );
      const sampled = result.decision === SamplingDecision.RECORD_AND_SAMPLED;
      const span = new ServerSpan(
        name,
        traceId,
        sampled,
        result.decision !== SamplingDecision.NOT_RECORD,
        parent,
        result.traceState ?? parent?.traceState,
        spanExport,
      );
      // Attributes only on recording spans (an unsampled request builds none).
      if (span.recording) {
        const url = request.url;
        const query = url.indexOf('?');
        const attributes = span.attributes;
        if (result.attributes !== undefined) span.setAttributes(result.attributes);
        attributes['http.request.method'] = method;
        // Paths carry client input (ids, search terms): redacted like log text.
        attributes['url.path'] = redactUrl(query === -1 ? url : url.slice(0, query));
        if (route !== undefined) attributes['http.route'] = route;
        setConnectionAttributes(request, attributes, query === -1 ? '' : url.slice(query + 1));
      }
      const ctx = new SpanContextOverlay(parentContext, span);
      (request as StatefulRequest)[kState] = {
        start: performance.now(),
        span,
        ctx,
        sampled,
        series: info?.series ?? unmatched,
        route,
        routeJson: info?.templateJson ?? UNMATCHED_JSON,
        error: undefined,
      };
      reply.header('x-trace-id', traceId);
      // Body chunks arrive on socket callbacks outside this context; binding the request's emitter keeps
      // the span active through parsing, the handler and the error handler.
      if (headers['content-length'] !== undefined || headers['transfer-encoding'] !== undefined) {
        context.bind(ctx, request.raw);
      }
      context.with(ctx, done);
    },

    onError(request, _reply, error, done) {
      // Fastify runs onError before the error handler has set the status (reply.statusCode is still
      // 200 here): the error is kept, and onSend records it if the answer is a 5xx.
      const state = (request as StatefulRequest)[kState];
      if (state !== undefined) state.error = error;
      done();
    },

    onSend(request, reply, payload, done) {
      const state = (request as StatefulRequest)[kState];
      if (state === undefined) {
        done(null, payload);
        return;
      }
      // onSend can run twice for one request (an error while serialising is sent again): count it once.
      (request as StatefulRequest)[kState] = undefined;
      const elapsedMs = performance.now() - state.start;
      const status = reply.statusCode;
      if (status >= 500 && state.error !== undefined && state.span.isRecording()) {
        const error = state.error;
        // error.type: the exception's class when one caused the 5xx (finish() falls back to the status).
        state.span.setAttribute('error.type', error.name || 'Error');
        state.span.recordException({
          name: error.name,
          message: redactString(error.message),
          ...(error.stack === undefined ? {} : { stack: redactString(error.stack) }),
        });
      }
      state.span.finish(status);
      state.series
        .series(request.method, status)
        .observe(elapsedMs / 1000, state.sampled ? state.span.traceId : undefined);
      // No context.with: the line carries its trace context explicitly (LOG_CONTEXT).
      logRequest(request, state, status, Math.round(elapsedMs * 1000) / 1000);
      done(null, payload);
    },
  };
}
