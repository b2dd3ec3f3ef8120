import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { type BackoffOptions, backoffMs, createPollingWorker } from '@vigil/service-kit';
import type { FastifyBaseLogger } from 'fastify';
import { maskEmail, renderOrderConfirmation } from '../domain/notification.ts';
import type { EmailSender } from './email-sender.ts';
import type { OutboxEntry, OutboxRepository } from './outbox-repository.ts';
import type { WebhookSender } from './webhook-sender.ts';

export interface OutboxWorkerOptions {
  repository: OutboxRepository;
  email: EmailSender;
  webhook: WebhookSender;
  tracer: Tracer;
  logger: FastifyBaseLogger;
  backoff: BackoffOptions;
  maxAttempts: number;
  pollMs: number;
  onResult: (channel: string, status: 'sent' | 'retry' | 'dead') => void;
}

function describe(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e?.code === 'string' ? `${e.code}: ` : '';
  return `${code}${typeof e?.message === 'string' ? e.message : String(err)}`;
}

/**
 * Delivers due outbox entries one at a time, retrying with exponential backoff and parking an
 * entry as `dead` after `maxAttempts`. Each delivery span continues the trace that queued it.
 */
export function createOutboxWorker(options: OutboxWorkerOptions) {
  const { repository, logger } = options;

  async function deliver(entry: OutboxEntry): Promise<void> {
    if (entry.channel === 'email') {
      const { subject, text } = renderOrderConfirmation(entry.data);
      await options.email.send({
        to: entry.recipient,
        subject,
        text,
        messageId: `<notification-${entry.id}@vigil.local>`,
      });
    } else {
      await options.webhook.send(
        entry.recipient,
        { event: entry.template, notification_id: entry.id, ...entry.data },
        `notification-${entry.id}`,
      );
    }
  }

  async function attempt(entry: OutboxEntry): Promise<void> {
    const parent = entry.traceparent
      ? propagation.extract(ROOT_CONTEXT, { traceparent: entry.traceparent })
      : ROOT_CONTEXT;
    const span = options.tracer.startSpan(
      `notification deliver ${entry.channel}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'notification.id': entry.id,
          'notification.channel': entry.channel,
          'notification.attempt': entry.attempts + 1,
          'order.id': entry.data.order_id,
        },
      },
      parent,
    );
    const log = {
      notification_id: entry.id,
      channel: entry.channel,
      order_id: entry.data.order_id,
      recipient: entry.channel === 'email' ? maskEmail(entry.recipient) : new URL(entry.recipient).origin,
      attempt: entry.attempts + 1,
    };
    await context.with(trace.setSpan(parent, span), async () => {
      try {
        await deliver(entry);
        repository.sent(entry.id);
        options.onResult(entry.channel, 'sent');
        logger.info({ event: 'notification_sent', ...log }, 'notification sent');
      } catch (err) {
        const error = describe(err);
        span.recordException(err as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: error });
        if (entry.attempts + 1 >= options.maxAttempts) {
          repository.dead(entry.id, error);
          options.onResult(entry.channel, 'dead');
          logger.error({ event: 'notification_dead', ...log, error }, 'notification dead-lettered');
        } else {
          const wait = backoffMs(entry.attempts + 1, options.backoff);
          repository.retry(entry.id, Date.now() + wait, error);
          options.onResult(entry.channel, 'retry');
          logger.warn(
            { event: 'notification_retry', ...log, error, retry_in_ms: wait },
            'delivery failed, will retry',
          );
        }
      } finally {
        span.end();
      }
    });
  }

  // Deliveries set their own parent context; the kicking request's context must not leak in.
  const worker = createPollingWorker({
    pollMs: options.pollMs,
    sweep: (isStopped) =>
      context.with(ROOT_CONTEXT, async () => {
        for (;;) {
          const batch = repository.due(Date.now(), 20);
          if (batch.length === 0 || isStopped()) return;
          for (const entry of batch) {
            if (isStopped()) return;
            await attempt(entry);
          }
        }
      }),
    onError: (err) => logger.error({ err, event: 'outbox_worker_error' }, 'outbox worker failed'),
  });
  return worker;
}
