import {
  type TracerProvider as ApiTracerProvider,
  context,
  ProxyTracerProvider,
  propagation,
  type Tracer,
  type TracerOptions,
  trace,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { redactQuery, redactUrl } from './redact.ts';

/**
 * url.full, url.path and url.query of an outgoing request, redacted as a server span's are (they
 * override the instrumentation's; url.query keeps the instrumentation's leading `?`).
 */
export function redactedUrlAttributes(origin: string, path: string): Record<string, string> {
  const q = path.indexOf('?');
  const pathname = q === -1 ? path : path.slice(0, q);
  const search = q === -1 ? '' : `?${redactQuery(path.slice(q + 1))}`;
  return {
    'url.full': redactUrl(origin + pathname) + search,
    'url.path': redactUrl(pathname),
    'url.query': search,
  };
}

/** The global tracer provider forwards to the newest telemetry instance (tests create several per process). */
class DelegatingTracerProvider implements ApiTracerProvider {
  delegate: ApiTracerProvider = new ProxyTracerProvider();
  getTracer(name: string, version?: string, options?: TracerOptions): Tracer {
    return this.delegate.getTracer(name, version, options);
  }
}

interface ProcessGlobals {
  provider: DelegatingTracerProvider;
  undici: UndiciInstrumentation;
}

// Keyed on the global object, not module state, so two copies of this module still register once.
const KEY = Symbol.for('vigil.telemetry.process-globals');

/**
 * Context manager, W3C propagators and the undici/fetch instrumentation are process-wide: registered
 * once, whatever the number of createTelemetry calls.
 */
export function installProcessGlobals(provider: ApiTracerProvider): void {
  const holder = globalThis as { [KEY]?: ProcessGlobals };
  let globals = holder[KEY];
  if (!globals) {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(
      new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
    );
    const delegating = new DelegatingTracerProvider();
    trace.setGlobalTracerProvider(delegating);
    // undici publishes on diagnostics_channel, so this covers global fetch and undici.request without patching.
    // (Its `enabled` config is also checked per request, so it is constructed enabled, not enabled later.)
    const undici = new UndiciInstrumentation({
      // Outgoing URLs carry client input too (ids, queries): url.* go through the log redaction.
      startSpanHook: (request) => redactedUrlAttributes(request.origin, request.path),
    });
    globals = { provider: delegating, undici };
    holder[KEY] = globals;
  }
  globals.provider.delegate = provider;
  globals.undici.setTracerProvider(provider);
}
