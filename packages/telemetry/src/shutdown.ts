import type { Logger } from 'pino';
import type { Health } from './health.ts';

/** What start() needs from a Fastify app (structural, so any logger/type-provider generics fit). */
export interface ListenableApp {
  listen(options: { port: number; host: string }): Promise<string>;
  close(): PromiseLike<unknown>;
  readonly server?: { closeIdleConnections?(): void };
}

export interface ShutdownParts {
  logger: Logger;
  health: Health;
  timeoutMs: number;
  /** Flush and stop exporters; must settle even when the collector is down. */
  flushTelemetry(): Promise<void>;
  flushLogs(): void;
}

export interface Lifecycle {
  start(app: ListenableApp, listen: { port: number; host?: string }): Promise<string>;
  shutdown(): Promise<void>;
}

const TIMEOUT = Symbol('timeout');

function within<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMEOUT> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<typeof TIMEOUT>((resolve) => {
      timer = setTimeout(resolve, Math.max(0, ms), TIMEOUT);
      timer.unref();
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Ordered, idempotent shutdown: readiness 503 → stop accepting and drain in-flight requests →
 * flush spans and logs → (on a signal) exit 0. Every step is bounded; the whole is bounded by timeoutMs.
 */
export function createLifecycle(parts: ShutdownParts): Lifecycle {
  const { logger, health } = parts;
  let app: ListenableApp | undefined;
  let shuttingDown: Promise<void> | undefined;
  let signalsInstalled = false;

  async function runShutdown(): Promise<void> {
    const deadline = Date.now() + parts.timeoutMs;
    health.markShuttingDown();
    if (app !== undefined) {
      // Leave at least a fifth of the budget for flushing telemetry, whatever draining takes.
      const drainBudget = Math.floor(parts.timeoutMs * 0.8);
      // server.close() closes idle keep-alive sockets once; sockets whose last response finishes later
      // would otherwise hold the drain open until their keep-alive timeout.
      const server = app.server;
      const reaper = setInterval(() => server?.closeIdleConnections?.(), 50);
      reaper.unref();
      try {
        const drained = await within(Promise.resolve(app.close()), drainBudget);
        if (drained === TIMEOUT)
          logger.warn({ event: 'shutdown_drain_timeout', timeout_ms: drainBudget }, 'drain timed out');
      } catch (err) {
        logger.error({ event: 'shutdown_drain_failed', err }, 'closing the HTTP server failed');
      } finally {
        clearInterval(reaper);
      }
    }
    try {
      const flushed = await within(parts.flushTelemetry(), deadline - Date.now());
      if (flushed === TIMEOUT) logger.warn({ event: 'shutdown_flush_timeout' }, 'telemetry flush timed out');
    } catch (err) {
      logger.warn({ event: 'shutdown_flush_failed', err }, 'telemetry flush failed');
    }
    parts.flushLogs();
  }

  function shutdown(): Promise<void> {
    shuttingDown ??= runShutdown();
    return shuttingDown;
  }

  function onSignal(signal: NodeJS.Signals): void {
    logger.info({ event: 'shutdown_started', signal }, `received ${signal}, shutting down`);
    shutdown().then(
      () => {
        logger.info({ event: 'shutdown_complete', signal }, 'shutdown complete');
        parts.flushLogs();
        process.exit(0);
      },
      () => process.exit(1),
    );
  }

  return {
    async start(instance, listen) {
      app = instance;
      if (!signalsInstalled) {
        signalsInstalled = true;
        process.once('SIGTERM', onSignal);
        process.once('SIGINT', onSignal);
      }
      const address = await instance.listen({ port: listen.port, host: listen.host ?? '127.0.0.1' });
      logger.info({ event: 'service_started', address }, `listening on ${address}`);
      return address;
    },
    shutdown,
  };
}
