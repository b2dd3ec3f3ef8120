import { httpError, parseId, parseOrThrow, queryInt } from '@vigil/service-kit';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ACK_PREFIX } from '../alerts/alert-groups.ts';
import type { AlertmanagerClient } from '../alerts/alertmanager-client.ts';
import type { AuditLog } from '../auth/audit-log.ts';
import { currentUser } from '../auth/console-auth.ts';
import type { EscalationEngine } from '../escalation/escalation-engine.ts';
import { type OncallConfig, OncallConfigError } from '../oncall/oncall-config.ts';
import { upcoming } from '../oncall/schedule.ts';
import type { IncidentStore } from './incidents.ts';

export interface IncidentRoutesOptions {
  incidents: IncidentStore;
  engine: EscalationEngine;
  audit: AuditLog;
  alertmanagers: AlertmanagerClient[];
  /** Told when the console changes a silence, so the Alerts page shows it at once. */
  silencesChanged: () => void;
  oncall: () => {
    config: OncallConfig | undefined;
    error: OncallConfigError | Error | undefined;
    dir: string;
  };
  webhookSinkUrl: string | undefined;
}

const listQuery = z.object({
  status: z.enum(['open', 'triggered', 'acknowledged', 'resolved']).optional(),
  q: z.string().max(200).optional(),
  limit: queryInt(1, 500, 100),
});

/** Incidents, on-call and the local webhook sink's record, for the console. */
export function registerIncidentRoutes(app: FastifyInstance, opts: IncidentRoutesOptions): void {
  const { incidents, engine, audit } = opts;

  app.get('/api/incidents', { config: { role: 'viewer' } }, async (req) => {
    const q = parseOrThrow(listQuery, req.query, 'query');
    return {
      data: incidents.list({
        ...(q.status ? { status: q.status } : {}),
        ...(q.q ? { q: q.q } : {}),
        limit: q.limit,
      }),
    };
  });

  app.get('/api/incidents/:id', { config: { role: 'viewer' } }, async (req) => {
    const id = parseId((req.params as { id: string }).id);
    const incident = incidents.get(id);
    if (!incident) throw httpError(404, 'NOT_FOUND', `no incident ${id}`);
    return {
      incident,
      timeline: incidents.timeline(id),
      escalation: engine.pending(id),
      deliveries: engine.deliveries(id),
    };
  });

  app.post('/api/incidents/:id/ack', { config: { role: 'responder' } }, async (req) => {
    const id = parseId((req.params as { id: string }).id);
    const body = parseOrThrow(
      z.strictObject({
        duration: z.enum(['30m', '1h', '2h', '4h', '8h', '24h']).default('2h'),
        comment: z.string().max(500).default(''),
      }),
      req.body ?? {},
    );
    const user = currentUser(req).user;
    const incident = incidents.get(id);
    if (!incident) throw httpError(404, 'NOT_FOUND', `no incident ${id}`);
    if (incident.status !== 'triggered')
      throw httpError(409, 'NOT_TRIGGERED', `incident ${id} is ${incident.status}`);
    const am = opts.alertmanagers.find((a) => a.name === incident.alertmanager) ?? opts.alertmanagers[0]!;
    const hours = { '30m': 0.5, '1h': 1, '2h': 2, '4h': 4, '8h': 8, '24h': 24 }[body.duration];
    const now = Date.now();
    const silenceId = await am.createSilence({
      matchers: Object.entries(incident.groupLabels).map(([name, value]) => ({
        name,
        value,
        isRegex: false,
        isEqual: true,
      })),
      startsAt: new Date(now).toISOString(),
      endsAt: new Date(now + hours * 3_600_000).toISOString(),
      createdBy: user,
      comment: `${ACK_PREFIX} ${body.comment || `incident #${id} acknowledged by ${user} in Vigil`}`,
    });
    opts.silencesChanged();
    incidents.acknowledge(id, user, silenceId);
    audit.record({
      user,
      action: 'incident.ack',
      target: String(id),
      outcome: 'ok',
      detail: `silence ${silenceId}`,
    });
    return { silenceId };
  });

  app.post('/api/incidents/:id/notes', { config: { role: 'responder' } }, async (req) => {
    const id = parseId((req.params as { id: string }).id);
    const body = parseOrThrow(z.strictObject({ text: z.string().trim().min(1).max(2000) }), req.body);
    const user = currentUser(req).user;
    if (!incidents.get(id)) throw httpError(404, 'NOT_FOUND', `no incident ${id}`);
    incidents.note(id, 'note', body.text, { actor: user });
    audit.record({ user, action: 'incident.note', target: String(id), outcome: 'ok' });
    return { status: 'ok' };
  });

  app.get('/api/oncall', { config: { role: 'viewer' } }, async () => {
    const { config, error, dir } = opts.oncall();
    const now = Date.now();
    const problems = error instanceof OncallConfigError ? error.problems : error ? [error.message] : [];
    if (!config) return { dir, problems, schedules: [], policies: [] };
    return {
      dir,
      problems,
      schedules: [...config.schedules.values()].map((s) => ({
        name: s.name,
        timeZone: s.time_zone,
        shifts: upcoming(s, now, 3).map((sh) => ({
          user: sh.user,
          fullName: sh.user ? (config.users.get(sh.user)?.full_name ?? sh.user) : null,
          source: sh.source,
          start: new Date(sh.start).toISOString(),
          end: new Date(sh.end).toISOString(),
        })),
      })),
      policies: [...config.policies.values()].map((p) => ({
        name: p.name,
        repeat: p.repeat,
        steps: p.steps.map((st) => ({ delayMs: st.delay, targets: st.targets })),
      })),
      routing: config.routing,
    };
  });

  app.get('/api/webhook-sink/requests', { config: { role: 'viewer' } }, async () => {
    if (!opts.webhookSinkUrl)
      throw httpError(404, 'NO_WEBHOOK_SINK', 'no local webhook sink is configured (VIGIL_WEBHOOK_SINK_URL)');
    let res: Response;
    try {
      res = await fetch(`${opts.webhookSinkUrl}/requests?limit=200`, { signal: AbortSignal.timeout(3000) });
    } catch {
      throw httpError(502, 'WEBHOOK_SINK_UNAVAILABLE', 'the local webhook sink does not answer');
    }
    if (!res.ok)
      throw httpError(502, 'WEBHOOK_SINK_UNAVAILABLE', `the local webhook sink answered ${res.status}`);
    return res.json();
  });
}
