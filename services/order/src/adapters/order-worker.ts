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
import type { Checkout } from '../domain/checkout.ts';
import type { OrdersRepository, OutboxTask } from './orders-repository.ts';
import { DependencyError, type ServiceClient } from './service-client.ts';

export interface OrderWorkerOptions {
  repository: OrdersRepository;
  checkout: Checkout;
  users: ServiceClient;
  products: ServiceClient;
  notifications: ServiceClient;
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

class PermanentTaskError extends Error {}

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

  async function runTask(task: OutboxTask): Promise<void> {
    const reservation = `/inventory/reservations/${task.orderId}`;
    if (task.kind === 'commit_reservation' || task.kind === 'release_reservation') {
      const action = task.kind === 'commit_reservation' ? 'commit' : 'release';
      const res = await options.products.call('POST', `${reservation}/${action}`, { idempotent: true });
      // Nothing was reserved (the reservation itself failed): nothing to release.
      if (res.status === 404 && action === 'release') return;
      if (res.status >= 300) throw new PermanentTaskError(`${action} answered ${res.status}`);
      return;
    }
    const record = repository.find(task.orderId);
    if (!record) throw new PermanentTaskError('order vanished');
    const { order } = record;
    let to = typeof task.payload.to === 'string' ? task.payload.to : undefined;
    let name = typeof task.payload.name === 'string' ? task.payload.name : undefined;
    if (!to) {
      // Completed by the recovery loop: the placing request's lookup is gone, so ask again.
      const user = await options.users.call<{ email?: string; name?: string }>(
        'GET',
        `/users/${order.customer_id}`,
        { idempotent: true },
      );
      if (user.status !== 200 || typeof user.body.email !== 'string') {
        throw new PermanentTaskError(`customer lookup answered ${user.status}`);
      }
      to = user.body.email;
      name = user.body.name?.slice(0, 100);
    }
    const res = await options.notifications.call('POST', '/notifications', {
      headers: { 'idempotency-key': `order-${order.id}-confirmation` },
      body: {
        channel: 'email',
        template: 'order_confirmation',
        to,
        data: {
          order_id: order.id,
          ...(name ? { customer_name: name } : {}),
          total_cents: order.total_cents,
          currency: order.currency,
          // Only the fields a confirmation shows: notification-service accepts no others (strict schema).
          items: order.items.map(({ product_id, name, quantity, unit_price_cents }) => ({
            product_id,
            name,
            quantity,
            unit_price_cents,
          })),
        },
      },
      idempotent: true,
    });
    if (res.status !== 202) throw new PermanentTaskError(`notification answered ${res.status}`);
  }

  async function attemptTask(task: OutboxTask): Promise<void> {
    try {
      await inTrace(
        `order ${task.kind.replace('_', ' ')}`,
        task.traceparent,
        { 'order.id': task.orderId, 'outbox.attempt': task.attempts + 1 },
        () => runTask(task),
      );
      repository.taskDone(task.id);
      options.onTask(task.kind, 'done');
    } catch (err) {
      const error = describe(err);
      const permanent = err instanceof PermanentTaskError;
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
        if (!(err instanceof DependencyError))
          logger.warn(
            { event: 'outbox_task_retry', order_id: task.orderId, kind: task.kind, error },
            'outbox task failed',
          );
      }
    }
  }

  // Each task sets its order's trace as parent; the kicking request's context must not leak in.
  return createPollingWorker({
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
            () => options.checkout.charge(record),
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
}
