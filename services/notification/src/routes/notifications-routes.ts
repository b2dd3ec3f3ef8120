import { context, propagation } from '@opentelemetry/api';
import { callerOf, httpError, isHttpError, parseId, parseOrThrow } from '@vigil/service-kit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { NotificationView, OutboxRepository } from '../adapters/outbox-repository.ts';
import {
  batchSchema,
  dedupeKeySchema,
  listQuerySchema,
  type NewNotification,
  newNotificationSchema,
} from '../domain/notification.ts';

export interface NotificationsRoutesOptions {
  repository: OutboxRepository;
  /** Why a webhook URL may not be called (loopback, private, …), or undefined. */
  webhookRefusal: (url: string) => Promise<string | undefined>;
  onQueued: () => void;
}

export function registerNotificationsRoutes(app: FastifyInstance, options: NotificationsRoutesOptions): void {
  const { repository } = options;

  // Keys are scoped to the calling service, so no caller can claim another's key.
  const scopedKey = (request: FastifyRequest, key: string) => `${callerOf(request)}/${key}`;

  async function refuseWebhook(input: NewNotification): Promise<void> {
    if (input.channel !== 'webhook') return;
    const refusal = await options.webhookRefusal(input.url);
    if (refusal !== undefined)
      throw httpError(422, 'WEBHOOK_HOST_NOT_ALLOWED', `url: this destination is not allowed (${refusal})`);
  }

  function logQueued(request: FastifyRequest, notification: NotificationView): void {
    request.log.info(
      {
        event: 'notification_queued',
        notification_id: notification.id,
        channel: notification.channel,
        recipient: notification.recipient,
      },
      'notification queued',
    );
  }

  app.post('/notifications', { config: { statuses: [202] } }, async (request, reply) => {
    const rawKey = request.headers['idempotency-key'];
    const key =
      rawKey === undefined
        ? null
        : scopedKey(request, parseOrThrow(dedupeKeySchema, rawKey, 'Idempotency-Key'));
    const input = parseOrThrow(newNotificationSchema, request.body);
    await refuseWebhook(input);
    // The delivery, retried later from the outbox, continues this request's trace.
    const carrier: Record<string, string> = {};
    propagation.inject(context.active(), carrier);
    const { notification, created } = repository.enqueue(input, key, carrier.traceparent ?? null);
    if (created) {
      logQueued(request, notification);
      options.onQueued();
    } else {
      reply.header('idempotent-replayed', 'true');
    }
    return reply.code(202).header('location', `/notifications/${notification.id}`).send(notification);
  });

  // Internal: order-service's outbox queues a sweep's confirmations in one call and one transaction.
  // Each item is checked alone and answered alone: `{id, replayed}` or `{error: {code, status}}`.
  app.post('/notifications/batch', async (request) => {
    const { items } = parseOrThrow(batchSchema, request.body);
    const carrier: Record<string, string> = {};
    propagation.inject(context.active(), carrier);
    const results: Array<{ id?: number; replayed?: boolean; error?: { code: string; status: number } }> = [];
    const accepted: Array<{
      index: number;
      input: NewNotification;
      dedupeKey: string | null;
      traceparent: string | null;
    }> = [];
    for (const [index, item] of items.entries()) {
      try {
        const input = parseOrThrow(newNotificationSchema, item.notification, 'notification');
        await refuseWebhook(input);
        const dedupeKey =
          item.idempotency_key === undefined ? null : scopedKey(request, item.idempotency_key);
        accepted.push({
          index,
          input,
          dedupeKey,
          traceparent: item.traceparent ?? carrier.traceparent ?? null,
        });
      } catch (err) {
        if (!isHttpError(err)) throw err;
        results[index] = { error: { code: err.code, status: err.statusCode } };
      }
    }
    const queued = accepted.length > 0 ? repository.enqueueMany(accepted) : [];
    queued.forEach(({ notification, created }, i) => {
      const { index, traceparent } = accepted[i]!;
      results[index] = { id: notification.id, replayed: !created };
      if (!created) return;
      // Logged in the trace of the work it belongs to, not the batch's.
      if (traceparent)
        context.with(propagation.extract(context.active(), { traceparent }), () =>
          logQueued(request, notification),
        );
      else logQueued(request, notification);
      options.onQueued();
    });
    return { items: results };
  });

  app.get('/notifications', async (request) => {
    const query = parseOrThrow(listQuerySchema, request.query, 'query');
    return { items: repository.list(query.status) };
  });

  app.get('/notifications/:id', async (request) => {
    const id = parseId((request.params as { id?: string }).id);
    const notification = repository.find(id);
    if (!notification) throw httpError(404, 'NOT_FOUND', `notification ${id} not found`);
    return notification;
  });
}
