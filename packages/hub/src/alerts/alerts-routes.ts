import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { bearerMatches } from '../auth/bearer.ts';
import { type WebhookPayload, webhookPayloadSchema } from './alertmanager-payload.ts';

export interface AlertsConfig {
  readonly VIGIL_HUB_ALERTS_MAX_BODY_BYTES: number;
}

/** Where notifications go: the console (console.db), which also lists them (signed in). */
export interface NotificationSink {
  /**
   * Records the notification and applies it to incidents in one transaction (both or neither),
   * without network calls; returns the notification's id. Throws if it could not be stored.
   */
  ingest(payload: WebhookPayload): number;
}

function fail(reply: FastifyReply, status: number, code: string, message: string) {
  return reply.code(status).send({ error: { code, message } });
}

const BODY_ERRORS: Record<string, [number, string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'PAYLOAD_TOO_LARGE'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'UNSUPPORTED_MEDIA_TYPE'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'INVALID_JSON'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'INVALID_JSON'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'INVALID_JSON'],
};

/**
 * Alertmanager's webhook receiver (`vigil-hub` in monitoring/alertmanager/alertmanager.yml).
 * `token`: the shared secret (read once at start: `vigil start` writes a fresh one before it
 * starts the hub and Alertmanager). The list of notifications is a console route (console.ts).
 */
export async function registerAlertsRoutes(
  app: FastifyInstance,
  config: AlertsConfig,
  token: Buffer | undefined,
  sink: NotificationSink,
): Promise<void> {
  const maxBodyBytes = config.VIGIL_HUB_ALERTS_MAX_BODY_BYTES;
  await app.register(async (scope) => {
    scope.setErrorHandler((err: FastifyError, req, reply) => {
      const known = err.code ? BODY_ERRORS[err.code] : undefined;
      if (known) {
        const message =
          known[0] === 413 ? `the body is larger than ${maxBodyBytes} bytes` : err.message.slice(0, 200);
        return fail(reply, known[0], known[1], message);
      }
      if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500)
        return fail(reply, err.statusCode, 'BAD_REQUEST', 'the request was rejected');
      req.log.error({ err }, 'alert webhook failed');
      return fail(reply, 500, 'INTERNAL_ERROR', 'internal error');
    });

    // Authenticated before the body is read, so a forger cannot even make the hub parse.
    scope.addHook('onRequest', async (req, reply) => {
      if (req.method !== 'POST' || req.url.split('?')[0] !== '/api/alerts/webhook') return;
      if (!token)
        return fail(
          reply,
          503,
          'WEBHOOK_NOT_CONFIGURED',
          'the hub has no webhook token (VIGIL_HUB_WEBHOOK_TOKEN_FILE)',
        );
      if (!bearerMatches(req.headers.authorization, token))
        return fail(
          reply,
          401,
          'WEBHOOK_UNAUTHORIZED',
          'send the shared webhook token as Authorization: Bearer',
        );
    });

    scope.post('/api/alerts/webhook', { bodyLimit: maxBodyBytes }, async (req, reply) => {
      if (!/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? ''))
        return fail(reply, 415, 'UNSUPPORTED_MEDIA_TYPE', 'send the notification as application/json');
      const parsed = webhookPayloadSchema.safeParse(req.body);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        const field = issue.path.map(String).join('.') || 'body';
        return fail(reply, 400, 'VALIDATION_FAILED', `${field}: ${issue.message}`);
      }
      let id: number;
      try {
        id = sink.ingest(parsed.data);
      } catch (err) {
        // One transaction: nothing was half-written, and Alertmanager retries a non-2xx answer.
        req.log.error({ err }, 'storing a notification failed');
        return fail(reply, 500, 'INTERNAL_ERROR', 'the notification could not be stored; send it again');
      }
      return reply.code(200).send({ status: 'ok', id });
    });
  });
}
