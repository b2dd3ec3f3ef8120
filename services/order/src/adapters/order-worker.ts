import {
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { backoffMs, createPollingWorker } from '@vigil/service-kit';
import type { FastifyBaseLogger } from 'fastify';
import type { ChargeOutcome } from '../domain/checkout.ts';
import { BATCHED_KINDS, type OutboxTasks } from '../domain/outbox.ts';
import { DependencyUnavailable, type OrderRecord, type OutboxTask, Refused } from '../domain/ports.ts';
import type { OrdersRepository } from './orders-repository.ts';
import type { OutboxSignal } from './outbox-notifier.ts';

export interface OrderWorkerOptions {
  repository: OrdersRepository;
  /** What each outbox task does (domain/outbox.ts). */
  tasks: OutboxTasks;
  /** One charge attempt of an order awaiting payment (the checkout's). */
  charge: (record: OrderRecord) => Promise<ChargeOutcome>;
  /** Queued work wakes the worker at once instead of at the next poll. */
  outbox: OutboxSignal;
  tracer: Tracer;
  logger: FastifyBaseLogger;
  pollMs: number;
  /**
   * A notification of queued work waits this long before the sweep runs, so the work of the orders
   * completed meanwhile goes out together: one commit call and one confirmation call per sweep.
   */
  lingerMs: number;
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

  /** A task's span, a child of the span of the request that queued it. */
  function taskSpan(task: OutboxTask): Span {
    const parent = task.traceparent
      ? propagation.extract(ROOT_CONTEXT, { traceparent: task.traceparent })
      : ROOT_CONTEXT;
    return options.tracer.startSpan(
      `order ${task.kind.replace('_', ' ')}`,
      {
        kind: SpanKind.INTERNAL,
        attributes: { 'order.id': task.orderId, 'outbox.attempt': task.attempts + 1 },
      },
      parent,
    );
  }

  function traceparentOf(span: Span): string | null {
    const carrier: Record<string, string> = {};
    propagation.inject(trace.setSpan(ROOT_CONTEXT, span), carrier);
    return carrier.traceparent ?? null;
  }

  const asError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)));

  /**
   * Delivers a sweep's tasks: those of a batched kind in one call per kind (the call is a child of the
   * first task's span; every task keeps its own span in its order's trace, which records its result), the
   * others one call each. Then every result is written in one transaction.
   */
  async function deliver(tasks: readonly OutboxTask[]): Promise<void> {
    const groups = new Map<string, OutboxTask[]>();
    for (const task of tasks) {
      const group = BATCHED_KINDS.has(task.kind) ? task.kind : `single:${task.id}`;
      groups.set(group, [...(groups.get(group) ?? []), task]);
    }
    const results = new Map<OutboxTask, Error | null>();
    await Promise.all(
      [...groups.values()].map(async (group) => {
        const spans = group.map(taskSpan);
        let answers: Array<Error | null>;
        try {
          answers = await context.with(trace.setSpan(ROOT_CONTEXT, spans[0]!), () =>
            BATCHED_KINDS.has(group[0]!.kind)
              ? options.tasks.runBatch(
                  group[0]!.kind,
                  group.map((task, i) => ({ task, trace: traceparentOf(spans[i]!) })),
                )
              : options.tasks.run(group[0]!).then(() => [null]),
          );
        } catch (err) {
          answers = group.map(() => asError(err));
        }
        group.forEach((task, i) => {
          const err = answers[i] ?? null;
          const span = spans[i]!;
          if (err) {
            span.recordException(err);
            span.setStatus({ code: SpanStatusCode.ERROR, message: describe(err) });
          }
          span.end();
          results.set(task, err);
        });
      }),
    );
    const now = Date.now();
    const settled = [...results].map(([task, err]) => {
      if (err === null) return { task, err, status: 'done' as const, at: now };
      const dead = err instanceof Refused || task.attempts + 1 >= options.taskMaxAttempts;
      if (dead) return { task, err, status: 'dead' as const, at: now };
      const wait = backoffMs(task.attempts + 1, {
        baseMs: options.taskRetryBaseMs,
        maxMs: options.taskRetryMaxMs,
      });
      return { task, err, status: 'retry' as const, at: now + wait };
    });
    repository.settleTasks(
      settled.map(({ task, err, status, at }) => ({
        id: task.id,
        status,
        at,
        error: err ? describe(err) : null,
      })),
    );
    for (const { task, err, status } of settled) {
      options.onTask(task.kind, status);
      if (status === 'dead') {
        logger.error(
          { event: 'outbox_task_dead', order_id: task.orderId, kind: task.kind, error: describe(err) },
          'outbox task dead-lettered',
        );
      } else if (status === 'retry' && !(err instanceof DependencyUnavailable)) {
        logger.warn(
          { event: 'outbox_task_retry', order_id: task.orderId, kind: task.kind, error: describe(err) },
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
          // 100: the most one batch call takes.
          const tasks = repository.dueTasks(Date.now(), 100);
          if (tasks.length === 0 || isStopped()) break;
          await deliver(tasks);
        }
      }),
    onError: (err) => logger.error({ err, event: 'order_worker_error' }, 'order worker failed'),
  });
  let unlisten: (() => void) | undefined;
  let linger: NodeJS.Timeout | undefined;
  const soon = () => {
    if (options.lingerMs <= 0) return worker.kick();
    linger ??= setTimeout(() => {
      linger = undefined;
      worker.kick();
    }, options.lingerMs);
  };
  return {
    /** Starts polling, and sweeps `lingerMs` after the outbox is notified. */
    start(): void {
      unlisten ??= options.outbox.listen(soon);
      worker.start();
    },
    async stop(): Promise<void> {
      unlisten?.();
      unlisten = undefined;
      clearTimeout(linger);
      linger = undefined;
      await worker.stop();
    },
  };
}
