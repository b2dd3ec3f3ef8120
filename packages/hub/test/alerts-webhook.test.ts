import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubNotifications } from '../../cli/src/chaos/observe.ts';
import { login, writeUsers } from './console-support.ts';
import { startTestHub, type TestHub } from './helpers.ts';

// Bodies shaped exactly as Alertmanager 0.25 sends them to a webhook_config (version 4).
function notification(status: 'firing' | 'resolved', service: string) {
  const labels = { alertname: 'ServiceDown', service, severity: 'critical', team: 'platform' };
  return {
    receiver: 'vigil-hub',
    status,
    alerts: [
      {
        status,
        labels: { ...labels, instance: '127.0.0.1:8001', job: 'vigil-services' },
        annotations: {
          summary: `${service} is down`,
          description: `Prometheus has not scraped ${service} for 1 minute.`,
          runbook_url: 'docs/runbooks/ServiceDown.md',
        },
        startsAt: '2026-11-24T14:00:00.123Z',
        endsAt: status === 'resolved' ? '2026-11-24T14:05:00Z' : '0001-01-01T00:00:00Z',
        generatorURL: 'http://127.0.0.1:9090/graph?g0.expr=up+%3D%3D+0',
        fingerprint: '4f0c4ff5ea0f5d3a',
      },
    ],
    groupLabels: { alertname: 'ServiceDown', service },
    commonLabels: labels,
    commonAnnotations: { summary: `${service} is down` },
    externalURL: 'http://127.0.0.1:9093',
    version: '4',
    groupKey: `{}/{}:{alertname="ServiceDown", service="${service}"}`,
    truncatedAlerts: 0,
  };
}

let hub: TestHub;

async function post(body: string, contentType = 'application/json') {
  const res = await fetch(`${hub.apiUrl}/api/alerts/webhook`, {
    method: 'POST',
    headers: { 'content-type': contentType, authorization: `Bearer ${hub.webhookToken}` },
    body,
  });
  return { status: res.status, body: (await res.json()) as { error?: { code: string; message: string } } };
}

/** The list, read as Alertmanager's webhook secret holder (the chaos tools), unless `headers` says otherwise. */
async function list(
  query = '',
  headers: Record<string, string> = { authorization: `Bearer ${hub.webhookToken}` },
) {
  const res = await fetch(`${hub.apiUrl}/api/alerts/notifications${query}`, { headers });
  return { status: res.status, body: (await res.json()) as { data: Array<Record<string, unknown>> } };
}

beforeAll(async () => {
  hub = await startTestHub({ VIGIL_HUB_ALERTS_MAX_BODY_BYTES: '4096', VIGIL_HUB_ALERTS_KEEP: '3' });
  await writeUsers(join(hub.dir, 'users.yaml'), [['vera', 'viewer']]);
});
afterAll(async () => {
  await hub?.close();
});

describe('POST /api/alerts/webhook (Alertmanager webhook receiver)', () => {
  it('stores firing and resolved notifications and lists them newest first', async () => {
    expect((await post(JSON.stringify(notification('firing', 'user-service')))).status).toBe(200);
    expect((await post(JSON.stringify(notification('resolved', 'user-service')))).status).toBe(200);
    const { status, body } = await list();
    expect(status).toBe(200);
    expect(body.data.map((n) => n.status)).toEqual(['resolved', 'firing']);
    const newest = body.data[0]!;
    expect(newest).toMatchObject({
      receiver: 'vigil-hub',
      groupKey: '{}/{}:{alertname="ServiceDown", service="user-service"}',
      commonLabels: { alertname: 'ServiceDown', service: 'user-service', severity: 'critical' },
      externalURL: 'http://127.0.0.1:9093',
    });
    const alerts = newest.alerts as Array<Record<string, unknown>>;
    expect(alerts[0]).toMatchObject({ status: 'resolved', fingerprint: '4f0c4ff5ea0f5d3a' });
    expect(Date.parse(newest.receivedAt as string)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('keeps only the newest VIGIL_HUB_ALERTS_KEEP notifications and honours ?limit', async () => {
    for (const s of ['order-service', 'payment-service', 'gateway'])
      expect((await post(JSON.stringify(notification('firing', s)))).status).toBe(200);
    const all = await list('?limit=100');
    expect(all.body.data.map((n) => (n.groupLabels as { service: string }).service)).toEqual([
      'gateway',
      'payment-service',
      'order-service',
    ]);
    expect((await list('?limit=1')).body.data).toHaveLength(1);
    for (const bad of ['?limit=0', '?limit=abc', '?limit=5000', '?limit=1&limit=2']) {
      const res = await list(bad);
      expect(res.status, bad).toBe(400);
      expect((res.body as unknown as { error: { code: string } }).error.code).toBe('INVALID_QUERY');
    }
  });

  it('lists notifications only to a signed-in user (viewer) or the webhook secret: they carry alert content and recipients', async () => {
    expect((await post(JSON.stringify(notification('firing', 'auth-check')))).status).toBe(200);
    const code = (r: { body: unknown }) => (r.body as { error?: { code: string } }).error?.code;
    const anonymous = await list('', {});
    expect(anonymous.status).toBe(401);
    expect(code(anonymous)).toBe('UNAUTHENTICATED');
    expect(anonymous.body.data).toBeUndefined();
    for (const authorization of [
      'Bearer not-the-webhook-token',
      `Basic ${hub.webhookToken}`,
      `Bearer ${hub.webhookToken}x`,
    ]) {
      const res = await list('', { authorization });
      expect(res.status, authorization).toBe(401);
    }
    const vera = await login(hub.apiUrl, 'vera');
    const viewer = await list('?limit=1', { cookie: vera.cookie });
    expect(viewer.status).toBe(200);
    expect((viewer.body.data[0]!.groupLabels as { service: string }).service).toBe('auth-check');
    // What the chaos tools read with their stack's webhook secret (vigil chaos / gameday receipts).
    const receipts = (await hubNotifications(hub.apiUrl, hub.webhookToken)) as Array<{ status: string }>;
    expect(receipts.length).toBeGreaterThan(0);
    expect(await hubNotifications(hub.apiUrl, undefined)).toEqual([]);
    // The secret opens this read-only list, not the console: the incidents still need a session.
    const incidents = await fetch(`${hub.apiUrl}/api/incidents`, {
      headers: { authorization: `Bearer ${hub.webhookToken}` },
    });
    expect(incidents.status).toBe(401);
  });

  it('rejects malformed notifications with 400 and a code naming the problem', async () => {
    const valid = notification('firing', 'user-service');
    const cases: Array<[string, string, string]> = [
      ['{"receiver": ', 'INVALID_JSON', 'body'],
      [JSON.stringify({ ...valid, version: '3' }), 'VALIDATION_FAILED', 'version'],
      [JSON.stringify({ ...valid, status: 'exploded' }), 'VALIDATION_FAILED', 'status'],
      [JSON.stringify({ ...valid, alerts: 'none' }), 'VALIDATION_FAILED', 'alerts'],
      [
        JSON.stringify({ ...valid, alerts: [{ ...valid.alerts[0], startsAt: 'yesterday' }] }),
        'VALIDATION_FAILED',
        'alerts.0.startsAt',
      ],
      [JSON.stringify({ ...valid, commonLabels: { service: 7 } }), 'VALIDATION_FAILED', 'commonLabels'],
      [JSON.stringify([valid]), 'VALIDATION_FAILED', 'body'],
    ];
    const before = (await list('?limit=1000')).body.data.length;
    for (const [body, code, field] of cases) {
      const res = await post(body);
      expect(res.status, body.slice(0, 60)).toBe(400);
      expect(res.body.error?.code).toBe(code);
      if (code === 'VALIDATION_FAILED') expect(res.body.error?.message).toContain(field);
    }
    expect((await list('?limit=1000')).body.data.length).toBe(before);
  });

  it('answers 413 PAYLOAD_TOO_LARGE above the body limit and 415 for non-JSON', async () => {
    const huge = notification('firing', 'user-service');
    huge.commonAnnotations.summary = 'x'.repeat(8000);
    const big = await post(JSON.stringify(huge));
    expect(big.status).toBe(413);
    expect(big.body.error?.code).toBe('PAYLOAD_TOO_LARGE');
    const text = await post('hello', 'text/plain');
    expect(text.status).toBe(415);
    expect(text.body.error?.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });
});
