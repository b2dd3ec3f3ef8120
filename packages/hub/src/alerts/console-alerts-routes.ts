import { httpError, parseOrThrow, queryInt } from '@vigil/service-kit';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AuditLog } from '../auth/audit-log.ts';
import { currentUser } from '../auth/console-auth.ts';
import { ACK_PREFIX, ALERT_STATES } from './alert-groups.ts';
import type { AlertmanagerClient, Matcher } from './alertmanager-client.ts';
import { type AlertsView, filterSummaries } from './alerts-view.ts';
import type { AlertNotification } from './notification-store.ts';

/** What an ack or un-ack means beyond Alertmanager (the incident and its escalation). */
export interface AckListener {
  acknowledged(labels: Record<string, string>, by: string, silenceId: string, alertmanager: string): void;
  unacknowledged(silenceId: string, by: string): void;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const matcherSchema = z.strictObject({
  name: z.string().regex(LABEL_NAME, 'must be a Prometheus label name'),
  value: z.string().max(1024),
  isRegex: z.boolean().default(false),
  isEqual: z.boolean().default(true),
});
const matchersSchema = z.array(matcherSchema).min(1, 'needs at least one matcher').max(32);
const durationSchema = z
  .string()
  .regex(/^([0-9]{1,4})(m|h|d)$/, 'must be like 30m, 2h or 1d')
  .transform(
    (s) =>
      Number(s.slice(0, -1)) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[s.slice(-1) as 'm' | 'h' | 'd'],
  )
  .refine((ms) => ms >= 60_000 && ms <= 30 * 86_400_000, 'must be between 1m and 30d');

const ackBody = z.strictObject({
  alertmanager: z.string().min(1).max(64),
  labels: z
    .record(z.string().regex(LABEL_NAME), z.string().min(1).max(1024))
    .refine((l) => Object.keys(l).length >= 1 && Object.keys(l).length <= 16, 'needs 1 to 16 labels'),
  duration: durationSchema.optional(),
  comment: z.string().max(500).default(''),
});
const unackBody = z.strictObject({
  alertmanager: z.string().min(1).max(64),
  silenceId: z.string().min(1).max(64),
});
const previewBody = z.strictObject({ alertmanager: z.string().min(1).max(64), matchers: matchersSchema });
const silenceBody = z
  .strictObject({
    alertmanager: z.string().min(1).max(64),
    id: z.string().min(1).max(64).optional(),
    matchers: matchersSchema,
    startsAt: z.iso.datetime({ offset: true }).optional(),
    endsAt: z.iso.datetime({ offset: true }).optional(),
    duration: durationSchema.optional(),
    comment: z.string().min(1, 'say why').max(1000),
  })
  .refine(
    (b) => (b.endsAt === undefined) !== (b.duration === undefined),
    'give endsAt or duration (one of them)',
  );

function checkRegexes(matchers: Matcher[]): void {
  matchers.forEach((m, i) => {
    if (!m.isRegex) return;
    try {
      new RegExp(`^(?:${m.value})$`);
    } catch {
      throw httpError(400, 'INVALID_MATCHER', `matchers.${i}.value: not a valid regular expression`);
    }
  });
  if (matchers.every((m) => matchesEmpty(m)))
    throw httpError(400, 'INVALID_MATCHER', 'matchers: at least one matcher must not match the empty string');
}

function matchesEmpty(m: Matcher): boolean {
  const hit = m.isRegex ? new RegExp(`^(?:${m.value})$`).test('') : m.value === '';
  return m.isEqual ? hit : !hit;
}

export interface ConsoleAlertsOptions {
  alertmanagers: AlertmanagerClient[];
  /** Alertmanager's answer, cached briefly and fetched single-flight. */
  view: AlertsView;
  audit: AuditLog;
  acks: AckListener;
  /**
   * Alertmanager's notifications as the webhook stored them. They carry alert content and
   * recipients, so reading them needs a session (viewer) or the webhook's own secret (`token`:
   * what Alertmanager sent them with; the chaos tools read their stack's receipts with it).
   */
  notifications: { recent(limit: number): AlertNotification[]; token: Buffer | undefined };
}

/** The console's Alerts and Silences APIs over one or more Alertmanagers (API v2). */
export function registerConsoleAlertsRoutes(app: FastifyInstance, opts: ConsoleAlertsOptions): void {
  const { alertmanagers, audit } = opts;
  const byName = (name: string) => {
    const am = alertmanagers.find((a) => a.name === name);
    if (!am) throw httpError(400, 'UNKNOWN_ALERTMANAGER', `alertmanager: no Alertmanager named "${name}"`);
    return am;
  };

  app.get(
    '/api/alerts/notifications',
    { config: { role: 'viewer', bearer: opts.notifications.token } },
    async (req) => {
      const raw = (req.query as Record<string, unknown>).limit;
      let limit = 50;
      if (raw !== undefined) {
        if (typeof raw !== 'string' || !/^[0-9]{1,4}$/.test(raw) || Number(raw) < 1 || Number(raw) > 1000)
          throw httpError(400, 'INVALID_QUERY', 'limit: must be an integer between 1 and 1000');
        limit = Number(raw);
      }
      return { data: opts.notifications.recent(limit) };
    },
  );

  const { view } = opts;
  const alertQuery = z.object({
    severity: z.string().max(64).optional(),
    service: z.string().max(128).optional(),
    team: z.string().max(64).optional(),
    state: z.enum(ALERT_STATES).optional(),
    q: z.string().max(200).optional(),
    limit: queryInt(1, 1000, 100),
    offset: queryInt(0, 1_000_000, 0),
  });

  // Group summaries only (a count and the states of its alerts), a page at a time: with thousands
  // of alerts the page draws groups, and a group's alerts come from /api/alerts/group when opened.
  app.get('/api/alerts', { config: { role: 'viewer' } }, async (req) => {
    const { limit, offset, ...filter } = parseOrThrow(alertQuery, req.query, 'query');
    const snap = await view.get();
    const matched = filterSummaries(snap, filter);
    return {
      alertmanagers: snap.sources,
      fetchedAt: new Date(snap.at).toISOString(),
      total: snap.summaries.length,
      matched: matched.length,
      alerts: snap.summaries.reduce((n, g) => n + g.count, 0),
      facets: snap.facets,
      groups: matched.slice(offset, offset + limit),
    };
  });

  const groupQuery = z.object({
    key: z.string().min(1).max(1024),
    limit: queryInt(1, 1000, 200),
    offset: queryInt(0, 1_000_000, 0),
  });

  app.get('/api/alerts/group', { config: { role: 'viewer' } }, async (req) => {
    const { key, limit, offset } = parseOrThrow(groupQuery, req.query, 'query');
    const snap = await view.get();
    const group = snap.byKey.get(key);
    if (!group) throw httpError(404, 'NOT_FOUND', `key: no active alert group "${key.slice(0, 200)}"`);
    const { alerts, ...rest } = group;
    return { group: rest, total: alerts.length, alerts: alerts.slice(offset, offset + limit) };
  });

  app.post('/api/alerts/ack', { config: { role: 'responder' } }, async (req) => {
    const body = parseOrThrow(ackBody, req.body);
    const user = currentUser(req).user;
    const am = byName(body.alertmanager);
    const now = Date.now();
    const duration = body.duration ?? 2 * 3_600_000;
    const silenceId = await am.createSilence({
      matchers: Object.entries(body.labels).map(([name, value]) => ({
        name,
        value,
        isRegex: false,
        isEqual: true,
      })),
      startsAt: new Date(now).toISOString(),
      endsAt: new Date(now + duration).toISOString(),
      createdBy: user,
      comment: `${ACK_PREFIX} ${body.comment || `acknowledged by ${user} in Vigil`}`.slice(0, 1000),
    });
    audit.record({
      user,
      action: 'alert.ack',
      target: JSON.stringify(body.labels),
      outcome: 'ok',
      detail: `silence ${silenceId}`,
    });
    view.invalidate();
    opts.acks.acknowledged(body.labels, user, silenceId, am.name);
    return { silenceId, alertmanager: am.name };
  });

  app.post('/api/alerts/unack', { config: { role: 'responder' } }, async (req) => {
    const body = parseOrThrow(unackBody, req.body);
    const user = currentUser(req).user;
    const am = byName(body.alertmanager);
    const silence = await am.silence(body.silenceId);
    if (!silence.comment.startsWith(ACK_PREFIX))
      throw httpError(
        400,
        'NOT_AN_ACK',
        'silenceId: that silence is not an acknowledgement (no ACK! comment)',
      );
    await am.expireSilence(body.silenceId);
    view.invalidate();
    audit.record({ user, action: 'alert.unack', target: body.silenceId, outcome: 'ok' });
    opts.acks.unacknowledged(body.silenceId, user);
    return { status: 'ok' };
  });

  app.get('/api/silences', { config: { role: 'viewer' } }, async () => {
    const snap = await view.get();
    return {
      alertmanagers: snap.sources.map(({ url: _url, ...s }) => s),
      data: [...snap.silences].sort((a, b) =>
        a.status.state === b.status.state
          ? a.endsAt < b.endsAt
            ? 1
            : -1
          : a.status.state === 'active'
            ? -1
            : b.status.state === 'active'
              ? 1
              : a.status.state < b.status.state
                ? 1
                : -1,
      ),
    };
  });

  app.post('/api/silences/preview', { config: { role: 'viewer' } }, async (req) => {
    const body = parseOrThrow(previewBody, req.body);
    checkRegexes(body.matchers);
    const alerts = await byName(body.alertmanager).alerts(body.matchers);
    return {
      count: alerts.length,
      alerts: alerts
        .slice(0, 200)
        .map((a) => ({ fingerprint: a.fingerprint, labels: a.labels, state: a.status.state })),
    };
  });

  app.post('/api/silences', { config: { role: 'responder' } }, async (req) => {
    const body = parseOrThrow(silenceBody, req.body);
    checkRegexes(body.matchers);
    const user = currentUser(req).user;
    const am = byName(body.alertmanager);
    const startsAt = body.startsAt ? Date.parse(body.startsAt) : Date.now();
    const endsAt = body.endsAt ? Date.parse(body.endsAt) : startsAt + body.duration!;
    if (endsAt <= startsAt) throw httpError(400, 'VALIDATION_FAILED', 'endsAt: must be after startsAt');
    if (endsAt <= Date.now()) throw httpError(400, 'VALIDATION_FAILED', 'endsAt: must be in the future');
    const id = await am.createSilence({
      ...(body.id ? { id: body.id } : {}),
      matchers: body.matchers,
      startsAt: new Date(startsAt).toISOString(),
      endsAt: new Date(endsAt).toISOString(),
      createdBy: user,
      comment: body.comment,
    });
    view.invalidate();
    audit.record({
      user,
      action: body.id ? 'silence.edit' : 'silence.create',
      target: id,
      outcome: 'ok',
      detail: body.matchers.map((m) => m.name).join(','),
    });
    return { silenceId: id, alertmanager: am.name };
  });

  app.delete('/api/silences/:alertmanager/:id', { config: { role: 'responder' } }, async (req) => {
    const { alertmanager, id } = req.params as { alertmanager: string; id: string };
    if (!/^[A-Za-z0-9-]{1,64}$/.test(id)) throw httpError(400, 'INVALID_ID', 'id: not a silence id');
    const user = currentUser(req).user;
    const am = byName(alertmanager);
    const silence = await am.silence(id);
    await am.expireSilence(id);
    view.invalidate();
    audit.record({ user, action: 'silence.expire', target: id, outcome: 'ok' });
    if (silence.comment.startsWith(ACK_PREFIX)) opts.acks.unacknowledged(id, user);
    return { status: 'ok' };
  });
}
