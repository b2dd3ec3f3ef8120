import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebhookSink, type WebhookSink } from '../../webhook-sink/src/webhook-sink.ts';
import {
  call,
  hubAlertmanagerConfig,
  login,
  PASSWORD,
  postAlerts,
  type RealAlertmanager,
  type Session,
  startAlertmanager,
  writeUsers,
} from './console-support.ts';
import { freePorts, startTestHub, type TestHub, tempDir, testConsoleEnv, waitFor } from './helpers.ts';

// The console API against a real Alertmanager: sign-in and roles, CSRF/Origin, the webhook's
// shared secret, Alerts (group, ack = ACK! silence, un-ack), Silences (preview, create, edit,
// expire, bad matchers), an unreachable Alertmanager, and incidents with escalation to a sink.

let hub: TestHub;
let am: RealAlertmanager;
let sink: WebhookSink;
let dir: string;
let logs = '';
const sessions: Record<string, Session> = {};

beforeAll(async () => {
  dir = tempDir('hub-console-');
  sink = await startWebhookSink();
  await writeUsers(join(dir, 'users.yaml'), [
    ['vera', 'viewer'],
    ['rita', 'responder'],
    ['adam', 'admin'],
  ]);
  mkdirSync(join(dir, 'oncall'));
  writeFileSync(
    join(dir, 'oncall', 'oncall.yaml'),
    `users:
  - { name: alice, email: alice@vigil.example, channels: [pagerduty] }
channels:
  - { name: pagerduty, type: pagerduty, url: "${sink.url}/pagerduty/v2/enqueue", routing_key_env: TEST_PD_KEY }
schedules:
  - name: primary
    time_zone: Europe/Berlin
    layers: [{ name: daily, rotation: daily, handoff: "09:00", start: 2020-01-01, users: [alice] }]
policies:
  - name: page
    steps:
      - { delay: 0s, targets: [{ schedule: primary }] }
      - { delay: 1h, targets: [{ user: alice }] }
routing:
  - { match: { severity: critical }, policy: page }
`,
  );
  process.env.TEST_PD_KEY = 'test-routing-key';
  // A second, dead Alertmanager: the page must say so and still work.
  const amDir = join(dir, 'am');
  const capture = new Writable({
    write(chunk, _enc, cb) {
      logs += chunk;
      cb();
    },
  });
  const [hubPort] = await freePorts(1);
  const tokenFile = testConsoleEnv(dir).VIGIL_HUB_WEBHOOK_TOKEN_FILE!;
  am = await startAlertmanager(amDir, hubAlertmanagerConfig(`http://127.0.0.1:${hubPort}`, tokenFile));
  hub = await startTestHub(
    {
      HUB_PORT: String(hubPort),
      VIGIL_HUB_ALERTMANAGERS: `local=${am.url},dead=http://127.0.0.1:9`,
      VIGIL_HUB_LOGIN_ATTEMPTS_PER_MINUTE: '30',
    },
    dir,
    pino({ level: 'trace' }, capture),
  );
  for (const name of ['vera', 'rita', 'adam']) sessions[name] = await login(hub.apiUrl, name);
}, 60_000);

afterAll(async () => {
  await am?.stop();
  await hub?.close();
  await sink?.close();
});

describe('auth', () => {
  const changes: Array<[string, string, unknown]> = [
    ['POST', '/api/alerts/ack', { alertmanager: 'local', labels: { alertname: 'X' } }],
    ['POST', '/api/alerts/unack', { alertmanager: 'local', silenceId: 'x' }],
    [
      'POST',
      '/api/silences',
      { alertmanager: 'local', matchers: [{ name: 'a', value: 'b' }], duration: '1h', comment: 'c' },
    ],
    ['DELETE', '/api/silences/local/abc', undefined],
    ['POST', '/api/incidents/1/ack', {}],
    ['POST', '/api/incidents/1/notes', { text: 'x' }],
  ];

  it('every state-changing route: 401 without a session, 403 for a viewer, 403 without the CSRF token or cross-site', async () => {
    for (const [method, path, body] of changes) {
      const anon = await call(hub.apiUrl, method, path, { body });
      expect(anon.status, `${method} ${path} anonymous`).toBe(401);
      expect(anon.body.error.code).toBe('UNAUTHENTICATED');
      const viewer = await call(hub.apiUrl, method, path, { body, session: sessions.vera! });
      expect(viewer.status, `${method} ${path} viewer`).toBe(403);
      expect(viewer.body.error.code).toBe('FORBIDDEN');
      const noCsrf = await call(hub.apiUrl, method, path, { body, session: sessions.rita!, csrf: false });
      expect(noCsrf.status, `${method} ${path} without CSRF`).toBe(403);
      expect(noCsrf.body.error.code).toBe('CSRF_TOKEN_INVALID');
      const foreign = await call(hub.apiUrl, method, path, {
        body,
        session: sessions.rita!,
        headers: { origin: 'http://evil.example' },
      });
      expect(foreign.status, `${method} ${path} cross-site`).toBe(403);
      expect(foreign.body.error.code).toBe('ORIGIN_MISMATCH');
    }
    // Reads need a session too, and the audit log needs an admin.
    expect((await call(hub.apiUrl, 'GET', '/api/alerts')).status).toBe(401);
    expect((await call(hub.apiUrl, 'GET', '/api/audit', { session: sessions.rita! })).status).toBe(403);
    const audit = await call(hub.apiUrl, 'GET', '/api/audit', { session: sessions.adam! });
    expect(audit.status).toBe(200);
    expect(audit.body.data.some((e: { action: string; outcome: string }) => e.outcome === 'denied')).toBe(
      true,
    );
  });

  it('login: cookie HttpOnly + SameSite=Strict, wrong password 401, logout ends the session, passwords never logged', async () => {
    const res = await fetch(`${hub.apiUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'vera', password: PASSWORD }),
    });
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).not.toMatch(/Secure/i); // plain HTTP on loopback
    const wrong = await call(hub.apiUrl, 'POST', '/api/auth/login', {
      body: { name: 'vera', password: 'nope-nope-nope' },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('INVALID_CREDENTIALS');
    const unknown = await call(hub.apiUrl, 'POST', '/api/auth/login', {
      body: { name: 'mallory', password: PASSWORD },
    });
    expect(unknown.status).toBe(401);
    const s = await login(hub.apiUrl, 'vera');
    expect((await call(hub.apiUrl, 'POST', '/api/auth/logout', { session: s })).status).toBe(200);
    expect((await call(hub.apiUrl, 'GET', '/api/auth/session', { session: s })).status).toBe(401);
    expect(logs.length).toBeGreaterThan(0);
    expect(logs).not.toContain(PASSWORD);
    expect(logs).not.toContain('nope-nope-nope');
  });

  it('behind TLS (X-Forwarded-Proto: https) the cookie is Secure', async () => {
    const res = await fetch(`${hub.apiUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https' },
      body: JSON.stringify({ name: 'vera', password: PASSWORD }),
    });
    expect(res.headers.get('set-cookie')).toMatch(/; Secure/i);
  });

  it('the webhook refuses notifications without the shared secret', async () => {
    const noToken = await fetch(`${hub.apiUrl}/api/alerts/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(noToken.status).toBe(401);
    const wrong = await fetch(`${hub.apiUrl}/api/alerts/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer not-the-token-at-all' },
      body: '{}',
    });
    expect(wrong.status).toBe(401);
  });
});

describe('alerts and silences over the real Alertmanager', () => {
  it('lists groups with state and links, reports the dead Alertmanager, acks with an ACK! silence and un-acks', async () => {
    await postAlerts(am.url, [
      {
        labels: {
          alertname: 'HighLatency',
          service: 'product-service',
          severity: 'warning',
          team: 'commerce',
          instance: 'a',
        },
      },
      {
        labels: {
          alertname: 'HighLatency',
          service: 'product-service',
          severity: 'warning',
          team: 'commerce',
          instance: 'b',
        },
      },
    ]);
    const list = await waitFor(
      async () => {
        const r = await call(hub.apiUrl, 'GET', '/api/alerts?service=product-service', {
          session: sessions.vera!,
        });
        return r.body.groups?.[0]?.count === 2 ? r.body : undefined;
      },
      { description: 'two HighLatency alerts grouped' },
    );
    expect(list.alertmanagers).toEqual([
      { name: 'local', url: am.url, ok: true },
      expect.objectContaining({ name: 'dead', ok: false, error: expect.stringContaining('unreachable') }),
    ]);
    const g = list.groups[0];
    expect(g).toMatchObject({
      alertname: 'HighLatency',
      service: 'product-service',
      state: 'firing',
      ack: null,
    });
    expect(g.links.traces).toContain('service=product-service');
    expect(g.states).toEqual({ firing: 2 });
    expect(g.alerts).toBeUndefined(); // summaries only; the alerts come with the group
    const detail = await call(
      hub.apiUrl,
      'GET',
      `/api/alerts/group?key=${encodeURIComponent(g.key)}&limit=1`,
      { session: sessions.vera! },
    );
    expect(detail.status).toBe(200);
    expect(detail.body.total).toBe(2);
    expect(detail.body.alerts).toHaveLength(1);
    expect(detail.body.alerts[0].labels).toMatchObject({
      alertname: 'HighLatency',
      service: 'product-service',
    });
    const missing = await call(hub.apiUrl, 'GET', '/api/alerts/group?key=nope', { session: sessions.vera! });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('NOT_FOUND');
    const badLimit = await call(hub.apiUrl, 'GET', '/api/alerts?limit=0', { session: sessions.vera! });
    expect(badLimit.status).toBe(400);
    const none = await call(hub.apiUrl, 'GET', '/api/alerts?q=nothing-matches-this', {
      session: sessions.vera!,
    });
    expect(none.body.groups).toEqual([]);
    const badFilter = await call(hub.apiUrl, 'GET', '/api/alerts?state=sleeping', {
      session: sessions.vera!,
    });
    expect(badFilter.status).toBe(400);

    const ack = await call(hub.apiUrl, 'POST', '/api/alerts/ack', {
      session: sessions.rita!,
      body: {
        alertmanager: 'local',
        labels: { alertname: 'HighLatency', service: 'product-service' },
        duration: '1h',
        comment: 'looking',
      },
    });
    expect(ack.status, JSON.stringify(ack.body)).toBe(200);
    const silence = (await (await fetch(`${am.url}/api/v2/silence/${ack.body.silenceId}`)).json()) as {
      comment: string;
      createdBy: string;
    };
    expect(silence.comment).toBe('ACK! looking');
    expect(silence.createdBy).toBe('rita');
    const acked = await waitFor(
      async () => {
        const r = await call(hub.apiUrl, 'GET', '/api/alerts?state=acknowledged', {
          session: sessions.vera!,
        });
        return r.body.groups.find((x: { alertname: string }) => x.alertname === 'HighLatency');
      },
      { description: 'group acknowledged' },
    );
    expect(acked.ack).toMatchObject({ by: 'rita', silenceId: ack.body.silenceId });

    const unack = await call(hub.apiUrl, 'POST', '/api/alerts/unack', {
      session: sessions.rita!,
      body: { alertmanager: 'local', silenceId: ack.body.silenceId },
    });
    expect(unack.status).toBe(200);
    const after = (await (await fetch(`${am.url}/api/v2/silence/${ack.body.silenceId}`)).json()) as {
      status: { state: string };
    };
    expect(after.status.state).toBe('expired');
  });

  it('silences: preview, create, edit, expire; bad matchers get a clear 400', async () => {
    const matchers = [{ name: 'service', value: 'product-.*', isRegex: true }];
    const preview = await call(hub.apiUrl, 'POST', '/api/silences/preview', {
      session: sessions.vera!,
      body: { alertmanager: 'local', matchers },
    });
    expect(preview.status).toBe(200);
    expect(preview.body.count).toBe(2);
    for (const [bad, code] of [
      [[{ name: 'service', value: '(', isRegex: true }], 'INVALID_MATCHER'],
      [[{ name: '1bad', value: 'x' }], 'VALIDATION_FAILED'],
      [[{ name: 'service', value: '' }], 'INVALID_MATCHER'],
      [[], 'VALIDATION_FAILED'],
    ] as const) {
      const r = await call(hub.apiUrl, 'POST', '/api/silences', {
        session: sessions.rita!,
        body: { alertmanager: 'local', matchers: bad, duration: '1h', comment: 'x' },
      });
      expect(r.status, JSON.stringify(bad)).toBe(400);
      expect(r.body.error.code).toBe(code);
    }
    const unknownAm = await call(hub.apiUrl, 'POST', '/api/silences/preview', {
      session: sessions.vera!,
      body: { alertmanager: 'nope', matchers },
    });
    expect(unknownAm.status).toBe(400);
    expect(unknownAm.body.error.code).toBe('UNKNOWN_ALERTMANAGER');

    const created = await call(hub.apiUrl, 'POST', '/api/silences', {
      session: sessions.rita!,
      body: { alertmanager: 'local', matchers, duration: '1h', comment: 'maintenance' },
    });
    expect(created.status).toBe(200);
    const edited = await call(hub.apiUrl, 'POST', '/api/silences', {
      session: sessions.rita!,
      body: {
        alertmanager: 'local',
        id: created.body.silenceId,
        matchers,
        duration: '2h',
        comment: 'maintenance, longer',
      },
    });
    expect(edited.status).toBe(200);
    const listed = await call(hub.apiUrl, 'GET', '/api/silences', { session: sessions.vera! });
    const active = listed.body.data.filter(
      (s: { status: { state: string }; comment: string }) =>
        s.status.state === 'active' && s.comment === 'maintenance, longer',
    );
    expect(active).toHaveLength(1);
    const silenced = await waitFor(
      async () => {
        const r = await call(hub.apiUrl, 'GET', '/api/alerts?state=silenced', { session: sessions.vera! });
        return r.body.groups.length ? r.body.groups : undefined;
      },
      { description: 'alerts shown as silenced' },
    );
    expect(silenced[0].alertname).toBe('HighLatency');
    const expired = await call(hub.apiUrl, 'DELETE', `/api/silences/local/${edited.body.silenceId}`, {
      session: sessions.rita!,
    });
    expect(expired.status).toBe(200);
    const audit = await call(hub.apiUrl, 'GET', '/api/audit', { session: sessions.adam! });
    const actions = audit.body.data.map((e: { action: string; user: string }) => `${e.user}:${e.action}`);
    expect(actions).toEqual(
      expect.arrayContaining([
        'rita:silence.create',
        'rita:silence.edit',
        'rita:silence.expire',
        'rita:alert.ack',
      ]),
    );
  });
});

describe('incidents from Alertmanager groups', () => {
  it('a critical group opens one incident, pages via PagerDuty (sink), ack sends acknowledge, resolution closes it', async () => {
    const labels = {
      alertname: 'ServiceDown',
      service: 'order-service',
      severity: 'critical',
      team: 'commerce',
    };
    await postAlerts(am.url, [{ labels }]);
    const incident = await waitFor(
      async () => {
        const r = await call(hub.apiUrl, 'GET', '/api/incidents?status=open&q=order-service', {
          session: sessions.vera!,
        });
        return r.body.data?.[0];
      },
      { description: 'incident opened', timeoutMs: 15_000 },
    );
    expect(incident).toMatchObject({
      alertname: 'ServiceDown',
      service: 'order-service',
      status: 'triggered',
      policy: 'page',
    });
    const trigger = await waitFor(
      () => sink.received.find((r) => (r.body as { event_action?: string }).event_action === 'trigger'),
      { description: 'PagerDuty trigger at the sink' },
    );
    expect(trigger.body).toMatchObject({
      routing_key: 'test-routing-key',
      dedup_key: `vigil-incident-${incident.id}`,
    });

    const ack = await call(hub.apiUrl, 'POST', `/api/incidents/${incident.id}/ack`, {
      session: sessions.rita!,
      body: {},
    });
    expect(ack.status).toBe(200);
    await waitFor(
      () => sink.received.find((r) => (r.body as { event_action?: string }).event_action === 'acknowledge'),
      { description: 'PagerDuty acknowledge at the sink' },
    );
    const note = await call(hub.apiUrl, 'POST', `/api/incidents/${incident.id}/notes`, {
      session: sessions.rita!,
      body: { text: 'restarting the pod' },
    });
    expect(note.status).toBe(200);
    // Expire the ACK! silence so the resolution reaches the hub, then resolve the alert.
    await call(hub.apiUrl, 'DELETE', `/api/silences/local/${ack.body.silenceId}`, {
      session: sessions.rita!,
    });
    await postAlerts(am.url, [{ labels, endsAt: new Date().toISOString() }]);
    const detail = await waitFor(
      async () => {
        const r = await call(hub.apiUrl, 'GET', `/api/incidents/${incident.id}`, { session: sessions.vera! });
        return r.body.incident.status === 'resolved' ? r.body : undefined;
      },
      { description: 'incident resolved', timeoutMs: 20_000 },
    );
    const kinds = detail.timeline.map((e: { kind: string }) => e.kind);
    expect(kinds).toEqual(
      expect.arrayContaining([
        'triggered',
        'alert.fired',
        'escalation',
        'escalated',
        'notified',
        'acknowledged',
        'note',
        'unacknowledged',
        'resolved',
      ]),
    );
    expect(kinds.filter((k: string) => k === 'alert.fired')).toHaveLength(1);
    // Step 2 was an hour away: acknowledging stopped it.
    expect(detail.escalation.state).not.toBe('pending');
  });
});
