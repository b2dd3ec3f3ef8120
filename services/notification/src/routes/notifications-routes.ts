import { context, propagation } from '@opentelemetry/api';
import { callerOf, httpError, parseId, parseOrThrow } from '@vigil/service-kit';
import type { FastifyInstance } from 'fastify';
import type { OutboxRepository } from '../adapters/outbox-repository.ts';
import { dedupeKeySchema, listQuerySchema, newNotificationSchema } from '../domain/notification.ts';

export interface NotificationsRoutesOptions {
  repository: OutboxRepository;
  /** Why a webhook URL may not be called (loopback, private, …), or undefined. */
  webhookRefusal: (url: string) => Promise<string | undefined>;
  onQueued: () => void;
}

export function registerNotificationsRoutes(app: FastifyInstance, options: NotificationsRoutesOptions): void {
  const { repository } = options;

  app.post('/notifications', async (request, reply) => {
    const rawKey = request.headers['idempotency-key'];
    // Keys are scoped to the calling service, so no caller can claim another's key.
    const key =
      rawKey === undefined
        ? null
        : `${callerOf(request)}/${parseOrThrow(dedupeKeySchema, rawKey, 'Idempotency-Key')}`;
    const input = parseOrThrow(newNotificationSchema, request.body);
    if (input.channel === 'webhook') {
      const refusal = await options.webhookRefusal(input.url);
      if (refusal !== undefined)
        throw httpError(422, 'WEBHOOK_HOST_NOT_ALLOWED', `url: this destination is not allowed (${refusal})`);
    }
    // The delivery, retried later from the outbox, continues this request's trace.
    const carrier: Record<string, string> = {};
    propagation.inject(context.active(), carrier);
    const { notification, created } = repository.enqueue(input, key, carrier.traceparent ?? null);
    if (created) {
      request.log.info(
        {
          event: 'notification_queued',
          notification_id: notification.id,
          channel: notification.channel,
          recipient: notification.recipient,
        },
        'notification queued',
      );
      options.onQueued();
    } else {
      reply.header('idempotent-replayed', 'true');
    }
    return reply.code(202).header('location', `/notifications/${notification.id}`).send(notification);
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
