import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { backoffMs, createPollingWorker } from '@vigil/service-kit';
import type { FastifyBaseLogger } from 'fastify';
import type { ChargeOutcome } from '../domain/checkout.ts';
import type { RunOutboxTask } from '../domain/outbox.ts';
import { DependencyUnavailable, type OrderRecord, type OutboxTask, Refused } from '../domain/ports.ts';
import type { OrdersRepository } from './orders-repository.ts';
import type { OutboxSignal } from './outbox-notifier.ts';

export interface OrderWorkerOptions {
  repository: OrdersRepository;
  /** What each outbox task does (domain/outbox.ts). */
  runTask: RunOutboxTask;
  /** One charge attempt of an order awaiting payment (the checkout's). */
  charge: (record: OrderRecord) => Promise<ChargeOutcome>;
  /** Queued work wakes the worker at once instead of at the next poll. */
  outbox: OutboxSignal;
  tracer: Tracer;
  logger: FastifyBaseLogger;
  pollMs: number;
  taskMaxAttempts: number;
  taskRetryBaseMs: number;
  taskRetryMaxMs: number;
  /** A pending order older than this was abandoned by a crash mid-request. */
  stalePendingMs: number;
  onTask: (kind: string, status: 'done' | 'retry' | 'dead') => void;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * The order-service background loop: delivers outbox tasks (commit/release stock, send the
 * confirmation), retries charges of orders stuck in awaiting_payment, and fails orders a
 * crash left pending. Every action continues the trace of the order it belongs to.
 */
export function createOrderWorker(options: OrderWorkerOptions) {
  const { repository, logger } = options;

  function inTrace<T>(
    name: string,
    traceparent: string | null,
    attributes: Record<string, string | number>,
    fn: () => Promise<T>,
  ): Promise<T> {
    const parent = traceparent ? propagation.extract(ROOT_CONTEXT, { traceparent }) : ROOT_CONTEXT;
    const span = options.tracer.startSpan(name, { kind: SpanKind.INTERNAL, attributes }, parent);
    return context.with(trace.setSpan(parent, span), async () => {
      try {
        return await fn();
      } catch (err) {
        span.recordException(err as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: describe(err) });
        throw err;
      } finally {
        span.end();
      }
    });
  }

  async function attemptTask(task: OutboxTask): Promise<void> {
    try {
      await inTrace(
        `order ${task.kind.replace('_', ' ')}`,
        task.traceparent,
        { 'order.id': task.orderId, 'outbox.attempt': task.attempts + 1 },
        () => options.runTask(task),
      );
      repository.taskDone(task.id);
      options.onTask(task.kind, 'done');
    } catch (err) {
      const error = describe(err);
      const permanent = err instanceof Refused;
      if (permanent || task.attempts + 1 >= options.taskMaxAttempts) {
        repository.taskDead(task.id, error);
        options.onTask(task.kind, 'dead');
        logger.error(
          { event: 'outbox_task_dead', order_id: task.orderId, kind: task.kind, error },
          'outbox task dead-lettered',
        );
      } else {
        const wait = backoffMs(task.attempts + 1, {
          baseMs: options.taskRetryBaseMs,
          maxMs: options.taskRetryMaxMs,
        });
        repository.taskRetry(task.id, Date.now() + wait, error);
        options.onTask(task.kind, 'retry');
        if (!(err instanceof DependencyUnavailable))
          logger.warn(
            { event: 'outbox_task_retry', order_id: task.orderId, kind: task.kind, error },
            'outbox task failed',
          );
      }
    }
  }

  // Each task sets its order's trace as parent; the notifying request's context must not leak in.
  const worker = createPollingWorker({
    pollMs: options.pollMs,
    sweep: (isStopped) =>
      context.with(ROOT_CONTEXT, async () => {
        const now = Date.now();
        for (const record of repository.stalePending(new Date(now - options.stalePendingMs), 50)) {
          if (isStopped()) return;
          repository.fail(
            record.order.id,
            { code: 'ABANDONED', message: 'the order was interrupted before payment' },
            true,
            record.traceparent,
          );
          logger.warn(
            { event: 'order_abandoned', order_id: record.order.id },
            'pending order failed after a restart',
          );
        }
        for (const record of repository.dueCharges(now, 20)) {
          if (isStopped()) return;
          const outcome = await inTrace(
            'order retry payment',
            record.traceparent,
            { 'order.id': record.order.id },
            () => options.charge(record),
          );
          if (outcome !== 'unknown') {
            logger.info(
              { event: 'order_recovered', order_id: record.order.id, outcome },
              `awaiting order ${outcome}`,
            );
          }
        }
        for (;;) {
          const tasks = repository.dueTasks(Date.now(), 20);
          if (tasks.length === 0 || isStopped()) break;
          await Promise.all(tasks.map(attemptTask));
        }
      }),
    onError: (err) => logger.error({ err, event: 'order_worker_error' }, 'order worker failed'),
  });
  let unlisten: (() => void) | undefined;
  return {
    /** Starts polling, and sweeps at once whenever the outbox is notified. */
    start(): void {
      unlisten ??= options.outbox.listen(worker.kick);
      worker.start();
    },
    async stop(): Promise<void> {
      unlisten?.();
      unlisten = undefined;
      await worker.stop();
    },
  };
}
