import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebhookSink, type WebhookSink } from '../../webhook-sink/src/webhook-sink.ts';
import { call, login, type Session, sendFiring, writeOncall, writeUsers } from './console-support.ts';
import { startTestHub, type TestHub, tempDir, waitFor } from './helpers.ts';

// The "bad input and faults" at run time, on a running hub: an on-call edit that drops the
// policy an incident is escalating under, an edit with an unknown user (the last good config stays,
// the problem is shown naming the field), and an Alertmanager that does not answer when a
// responder acknowledges (a clear 502, nothing half-written). Alertmanager here is port 9, which
// refuses connections.

let hub: TestHub;
let sink: WebhookSink;
let dir: string;
let rita: Session;

const oncall = (policy: string, scheduleUsers: string) => `users:
  - { name: alice, email: alice@vigil.example, channels: [hook] }
channels:
  - { name: hook, type: webhook, url: "${sink.url}/webhook/page" }
schedules:
  - name: primary
    time_zone: UTC
    layers: [{ name: daily, rotation: daily, handoff: "09:00", start: 2026-01-01, users: [${scheduleUsers}] }]
policies:
  - name: ${policy}
    steps:
      - { delay: 0s, targets: [{ schedule: primary }] }
      - { delay: 3s, targets: [{ user: alice }] }
routing:
  - { match: { severity: critical }, policy: ${policy} }
`;

beforeAll(async () => {
  sink = await startWebhookSink();
  dir = tempDir('hub-console-faults-');
  writeOncall(dir, oncall('page', 'alice'));
  await writeUsers(join(dir, 'users.yaml'), [['rita', 'responder']]);
  hub = await startTestHub({ VIGIL_HUB_ESCALATION_TICK_MS: '50' }, dir);
  rita = await login(hub.apiUrl, 'rita');
});

afterAll(async () => {
  await hub?.close();
  await sink?.close();
});

describe('faults on a running console', () => {
  it('a policy removed mid-escalation → timeline error, retried; an unknown user → last good config kept, problem shown; Alertmanager down → 502 on ack', async () => {
    const labels = { alertname: 'ServiceDown', service: 'payment-service', severity: 'critical' };
    expect(await sendFiring(hub, labels, 'feed000000000001')).toBe(200);
    const { incidents } = hub.hub.console;
    const incident = incidents.list({ status: 'open', limit: 5 })[0]!;
    expect(incident.policy).toBe('page');
    await waitFor(() => sink.received.length >= 1, { description: 'step 1 paged alice' });

    // The policy is renamed while step 2 is pending: the step cannot run; it says so and retries.
    writeOncall(dir, oncall('renamed', 'alice'));
    const error = await waitFor(
      () => incidents.timeline(incident.id).find((e) => e.kind === 'escalation.error'),
      { description: 'escalation error on the timeline', timeoutMs: 15_000 },
    );
    expect(error.message).toBe('escalation policy "page" is not loaded; retrying in 30 s');
    expect(hub.hub.console.engine.pending(incident.id)?.state).toBe('pending');

    // An edit naming an unknown user is refused with the field named; the last good config stays.
    writeOncall(dir, oncall('renamed', 'alice, zed'));
    const bad = await waitFor(
      async () => {
        const r = await call(hub.apiUrl, 'GET', '/api/oncall', { session: rita });
        return r.body.problems?.length ? r.body : undefined;
      },
      { description: 'the on-call page shows the problem', timeoutMs: 10_000 },
    );
    expect(bad.problems).toEqual(['oncall.yaml: schedules[primary].layers[0].users[1]: unknown user "zed"']);
    expect(bad.policies.map((p: { name: string }) => p.name)).toEqual(['renamed']);
    expect(bad.schedules[0].shifts[0].user).toBe('alice');

    // Alertmanager unreachable: acknowledging answers 502 with a code; the incident is unchanged.
    const ack = await call(hub.apiUrl, 'POST', `/api/incidents/${incident.id}/ack`, {
      session: rita,
      body: {},
    });
    expect(ack.status).toBe(502);
    expect(ack.body.error.code).toBe('ALERTMANAGER_UNAVAILABLE');
    expect(ack.body.error.message).toContain('"local" is unreachable');
    expect(incidents.get(incident.id)!.status).toBe('triggered');
    const ackAlert = await call(hub.apiUrl, 'POST', '/api/alerts/ack', {
      session: rita,
      body: { alertmanager: 'local', labels: { alertname: 'ServiceDown' } },
    });
    expect(ackAlert.status).toBe(502);
    expect(ackAlert.body.error.code).toBe('ALERTMANAGER_UNAVAILABLE');
    const alerts = await call(hub.apiUrl, 'GET', '/api/alerts', { session: rita });
    expect(alerts.status).toBe(200);
    expect(alerts.body.alertmanagers).toEqual([
      expect.objectContaining({ name: 'local', ok: false, error: expect.stringContaining('unreachable') }),
    ]);
  }, 45_000);
});
