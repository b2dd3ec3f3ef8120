import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import type { HubDatabase } from '../storage/database.ts';
import { webhookPayloadSchema } from './alertmanager-payload.ts';
import { NotificationStore } from './notification-store.ts';

export interface AlertsConfig {
  readonly VIGIL_HUB_ALERTS_MAX_BODY_BYTES: number;
  readonly VIGIL_HUB_ALERTS_KEEP: number;
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

/** Alertmanager's webhook receiver (`vigil-hub` in monitoring/alertmanager/alertmanager.yml) and its list. */
export async function registerAlertsRoutes(
  app: FastifyInstance,
  db: HubDatabase,
  config: AlertsConfig,
): Promise<void> {
  const store = new NotificationStore(db, config.VIGIL_HUB_ALERTS_KEEP);
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

    scope.post('/api/alerts/webhook', { bodyLimit: maxBodyBytes }, async (req, reply) => {
      if (!/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? ''))
        return fail(reply, 415, 'UNSUPPORTED_MEDIA_TYPE', 'send the notification as application/json');
      const parsed = webhookPayloadSchema.safeParse(req.body);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        const field = issue.path.map(String).join('.') || 'body';
        return fail(reply, 400, 'VALIDATION_FAILED', `${field}: ${issue.message}`);
      }
      const id = store.add(parsed.data);
      return reply.code(200).send({ status: 'ok', id });
    });

    scope.get('/api/alerts/notifications', async (req, reply) => {
      const raw = (req.query as Record<string, unknown>).limit;
      let limit = 50;
      if (raw !== undefined) {
        if (typeof raw !== 'string' || !/^[0-9]{1,4}$/.test(raw) || Number(raw) < 1 || Number(raw) > 1000)
          return fail(reply, 400, 'INVALID_QUERY', 'limit: must be an integer between 1 and 1000');
        limit = Number(raw);
      }
      return { data: store.recent(limit) };
    });
  });
}
