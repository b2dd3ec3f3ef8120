import {
  type Context,
  context,
  isSpanContextValid,
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
import { type RedMetrics, type RouteSeries, UNMATCHED_ROUTE } from './http-metrics.ts';
import { LOG_CONTEXT, type Logging, NOT_EXPORTED, TRUSTED_FIELDS } from './logging.ts';
import { redactString } from './redact.ts';
import { randomHexId, ServerSpan } from './server-span.ts';
import type { SpanPipeline } from './span-pipeline.ts';
import { NONE_16 } from './span-records.ts';

/** Per-route facts computed once in onRoute, read per request. */
interface RouteInfo {
  excluded: boolean;
  /** `${method} ${template}` per method and its pipeline dictionary index, built on first use. */
  spanNames: Map<string, { name: string; index: number }>;
  /** The template as a JSON string, for the hand-built request log line. */
  templateJson: string;
  /** Dictionary index of the template in the export pipeline. */
  routeIndex: number;
  series: RouteSeries | undefined;
  template: string;
}

interface RequestState {
  span: ServerSpan;
  ctx: Context;
  nameIndex: number;
  series: RouteSeries;
  route: string | undefined;
  routeIndex: number;
  routeJson: string;
}

const kRouteInfo = Symbol('vigil.routeInfo');
const kState = Symbol('vigil.requestState');

type StatefulRequest = FastifyRequest & { [kState]?: RequestState | undefined };

const headerGetter: TextMapGetter<FastifyRequest['headers']> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => carrier[key],
};

/** Probes, scrapes and their kin are not traffic: no span, no RED series, no request log. */
export function isInfrastructureRoute(url: string): boolean {
  return url === '/metrics' || url === '/health' || url.startsWith('/health/');
}

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
  /** Writes the request log line on this thread (custom log destinations; pipeline unavailable). */
  writeRequestLog?: Logging['writeRequestLog'];
  /** Request log lines are written by the export worker (the pipeline) rather than writeRequestLog. */
  logsViaPipeline?: boolean;
}

const UNMATCHED_JSON = JSON.stringify(UNMATCHED_ROUTE);
// Method names are a handful of tokens: their JSON form and dictionary index are computed once each.
const methodJsonCache = new Map<string, string>();
function methodJson(method: string): string {
  let json = methodJsonCache.get(method);
  if (json === undefined) {
    json = JSON.stringify(method);
    if (methodJsonCache.size < 64) methodJsonCache.set(method, json);
  }
  return json;
}

const NO_ATTRIBUTES = Object.freeze({});
const NO_LINKS: never[] = [];

/**
 * SERVER spans, RED metrics, request logs and `x-trace-id` from three Fastify hooks. The span is a
 * ServerSpan (see server-span.ts) sampled by the configured SDK sampler; when the response is sent its
 * record goes to the export pipeline, which exports it and writes the request log line off this thread.
 */
export function createRequestInstrumentation(
  sampler: Sampler,
  pipeline: SpanPipeline,
  red: RedMetrics,
  logger: Logger,
  options: RequestInstrumentationOptions = {},
): RequestInstrumentation {
  const unmatched = red.route(UNMATCHED_ROUTE);
  const exportRequestLogs = options.otlpRequestLogs === true;
  const writeRequestLog = options.writeRequestLog;
  const logsViaPipeline = options.logsViaPipeline === true;
  const methodIndexes = new Map<string, number>();
  function methodIndex(method: string): number {
    let index = methodIndexes.get(method);
    if (index === undefined) {
      index = pipeline.intern(method);
      if (methodIndexes.size < 64) methodIndexes.set(method, index);
    }
    return index;
  }
  function spanName(info: RouteInfo | undefined, method: string): { name: string; index: number } {
    if (info === undefined) return { name: method, index: methodIndex(method) };
    let found = info.spanNames.get(method);
    if (found === undefined) {
      const name = `${method} ${info.template}`;
      found = { name, index: pipeline.intern(name) };
      if (info.spanNames.size < 16) info.spanNames.set(method, found);
    }
    return found;
  }

  function writeLocally(
    request: FastifyRequest,
    state: RequestState,
    status: number,
    durationMs: number,
  ): void {
    writeRequestLog?.(
      state.span.traceId,
      state.span.spanId,
      methodJson(request.method),
      state.routeJson,
      status,
      durationMs,
    );
  }

  function logOverOtlp(
    request: FastifyRequest,
    state: RequestState,
    status: number,
    durationMs: number,
  ): void {
    logger.info(
      {
        event: 'http_request',
        method: request.method,
        route: state.route ?? UNMATCHED_ROUTE,
        status,
        duration_ms: Math.round(durationMs * 1000) / 1000,
        [TRUSTED_FIELDS]: true,
        // The server span already carries method, route, status and duration; the OTLP copy of this line
        // cost ~40 µs of CPU per request, so it is opt-in (VIGIL_OTLP_REQUEST_LOGS=on) and sampled-only.
        [NOT_EXPORTED]: false,
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
        routeIndex: excluded ? NONE_16 : pipeline.intern(template),
        spanNames: new Map(),
        series: excluded ? undefined : red.route(template),
      };
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
      const { name, index: nameIndex } = spanName(info, method);
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
        traceId,
        sampled ? 1 : 0,
        parent,
        result.decision !== SamplingDecision.NOT_RECORD,
        result.traceState ?? parent?.traceState,
      );
      if (result.attributes !== undefined) span.setAttributes(result.attributes);
      const ctx = trace.setSpan(parentContext, span);
      (request as StatefulRequest)[kState] = {
        span,
        ctx,
        nameIndex,
        series: info?.series ?? unmatched,
        route: info?.template,
        routeIndex: info?.routeIndex ?? NONE_16,
        routeJson: info?.templateJson ?? UNMATCHED_JSON,
      };
      reply.header('x-trace-id', traceId);
      // Body chunks arrive on socket callbacks outside this context; binding the request's emitter keeps
      // the span active through parsing, the handler and the error handler.
      if (headers['content-length'] !== undefined || headers['transfer-encoding'] !== undefined) {
        context.bind(ctx, request.raw);
      }
      context.with(ctx, done);
    },

    onError(request, reply, error, done) {
      const state = (request as StatefulRequest)[kState];
      if (state !== undefined && reply.statusCode >= 500 && state.span.isRecording()) {
        state.span.recordException({
          name: error.name,
          message: redactString(error.message),
          ...(error.stack === undefined ? {} : { stack: redactString(error.stack) }),
        });
      }
      done();
    },

    // The span, RED series and log line end when the response is handed to the socket (onSend): cheaper
    // than onResponse, which costs Fastify two listeners on the response per request.
    onSend(request, reply, payload, done) {
      const state = (request as StatefulRequest)[kState];
      if (state === undefined) {
        done(null, payload);
        return;
      }
      (request as StatefulRequest)[kState] = undefined;
      const span = state.span;
      const durationMs = performance.now() - span.startPerfMs;
      const status = reply.statusCode;
      const sampled = span.traceFlags === 1;
      state.series
        .series(request.method, status)
        .observe(durationMs / 1000, sampled ? span.traceId : undefined);
      const infoLogs = logger.isLevelEnabled('info');
      const overOtlp = infoLogs && exportRequestLogs && sampled;
      const viaPipeline = infoLogs && logsViaPipeline && !overOtlp;
      let handedOver = false;
      if (span.recording || viaPipeline) {
        const url = request.url;
        const query = url.indexOf('?');
        handedOver = pipeline.record({
          span,
          nameIndex: state.nameIndex,
          routeIndex: state.routeIndex,
          methodIndex: methodIndex(request.method),
          path: span.recording ? (query === -1 ? url : url.slice(0, query)) : undefined,
          status,
          durationMs,
          log: viaPipeline,
        });
      }
      if (overOtlp) logOverOtlp(request, state, status, durationMs);
      else if (infoLogs && !(viaPipeline && handedOver)) writeLocally(request, state, status, durationMs);
      done(null, payload);
    },
  };
}
