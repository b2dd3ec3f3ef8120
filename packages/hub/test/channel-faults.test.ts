import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebhookSink, type WebhookSink } from '../../webhook-sink/src/webhook-sink.ts';
import { sendFiring, writeOncall } from './console-support.ts';
import { startTestHub, type TestHub, tempDir, waitFor } from './helpers.ts';

// Channel faults against the real webhook sink over real HTTP: one channel answers 500, another
// hangs (never answers), a third works. The page is retried with backoff until it is delivered,
// every failure is counted and on the timeline, the working channel is not held up, and the
// engine's next step fires on time while the hung request is still outstanding.

const TIMEOUT_MS = 2000;
const STEP2_DELAY_MS = 500;

let hub: TestHub;
let sink: WebhookSink;

beforeAll(async () => {
  sink = await startWebhookSink();
  const dir = tempDir('hub-channel-faults-');
  writeOncall(
    dir,
    `channels:
  - { name: ok, type: webhook, url: "${sink.url}/webhook/ok" }
  - { name: broken, type: webhook, url: "${sink.url}/webhook/broken" }
  - { name: hung, type: slack, url: "${sink.url}/slack/hung" }
policies:
  - name: faults
    steps:
      - { delay: 0s, targets: [{ channel: ok }, { channel: broken }, { channel: hung }] }
      - { delay: ${STEP2_DELAY_MS}ms, targets: [{ channel: ok }] }
routing:
  - { match: { severity: critical }, policy: faults }
`,
  );
  sink.failNext('/webhook/broken', 3, 500);
  sink.hangNext('/slack/hung', 2);
  hub = await startTestHub(
    {
      VIGIL_HUB_NOTIFY_TIMEOUT_MS: String(TIMEOUT_MS),
      VIGIL_HUB_NOTIFY_BACKOFF_MS: '200',
      VIGIL_HUB_NOTIFY_MAX_ATTEMPTS: '8',
      VIGIL_HUB_ESCALATION_TICK_MS: '50',
    },
    dir,
  );
});

afterAll(async () => {
  await hub?.close();
  await sink?.close();
});

const at = (path: string) => sink.received.filter((r) => r.path === path);

describe('channel faults', () => {
  it('500 and a hang are retried with backoff, counted and on the timeline; the others deliver; nothing is lost', async () => {
    const labels = { alertname: 'ServiceDown', service: 'order-service', severity: 'critical' };
    expect(await sendFiring(hub, labels, 'c0ffee0000000001')).toBe(200);
    const { incidents, engine } = hub.hub.console;
    const incident = incidents.list({ status: 'open', limit: 10 })[0]!;
    const timeline = () => incidents.timeline(incident.id);

    // The working channel delivers step 1 at once, and step 2 on time, while the hung channel's
    // first request is still open (the engine is not waiting on it).
    await waitFor(() => at('/webhook/ok').length >= 2, {
      description: 'steps 1 and 2 delivered to the working channel',
      timeoutMs: 10_000,
    });
    const [ok1, ok2] = at('/webhook/ok');
    const hung1 = at('/slack/hung')[0]!;
    expect(hung1, 'the hung channel was asked in step 1').toBeDefined();
    expect(ok2!.receivedAt - ok1!.receivedAt).toBeLessThan(STEP2_DELAY_MS + 1000);
    expect(ok2!.receivedAt, 'step 2 fired before the hung request timed out').toBeLessThan(
      hung1.receivedAt + TIMEOUT_MS,
    );

    // Eventually every delivery gets through: 3 × 500 then 200; 2 hangs then 200.
    const deliveries = await waitFor(
      () => {
        const d = engine.deliveries(incident.id) as Array<{
          channel: string;
          state: string;
          attempts: number;
        }>;
        return d.length === 4 && d.every((x) => x.state === 'delivered') ? d : undefined;
      },
      { description: 'every delivery delivered', timeoutMs: 30_000 },
    );
    const byChannel = (c: string) => deliveries.filter((d) => d.channel === c);
    expect(byChannel('ok').map((d) => d.attempts)).toEqual([1, 1]);
    expect(byChannel('broken')[0]!.attempts).toBe(4);
    expect(byChannel('hung')[0]!.attempts).toBe(3);
    // The same page each time (one idempotency key), not a new one per attempt.
    const broken = at('/webhook/broken');
    expect(broken).toHaveLength(4);
    expect(new Set(broken.map((r) => r.headers['idempotency-key'])).size).toBe(1);
    expect(at('/slack/hung')).toHaveLength(3);
    // Backoff: the waits between attempts grow (200 ms, 400 ms, 800 ms plus the answer time).
    const gaps = broken.slice(1).map((r, i) => r.receivedAt - broken[i]!.receivedAt);
    expect(gaps[0]).toBeGreaterThanOrEqual(180);
    expect(gaps[2]!).toBeGreaterThan(gaps[0]!);

    const entries = timeline();
    const retries = entries.filter((e) => e.kind === 'delivery.retry').map((e) => e.message);
    expect(retries.filter((m) => m.startsWith('broken') && m.includes('answered 500'))).toHaveLength(3);
    expect(
      retries.filter((m) => m.startsWith('hung') && m.includes(`no answer within ${TIMEOUT_MS} ms`)),
    ).toHaveLength(2);
    const notified = entries.filter((e) => e.kind === 'notified').map((e) => e.message);
    expect(notified).toEqual(
      expect.arrayContaining(['notified ok', 'notified broken (attempt 4)', 'notified hung (attempt 3)']),
    );

    const metrics = await (await fetch(`${hub.apiUrl}/metrics`)).text();
    const count = (type: string, outcome: string) =>
      Number(
        new RegExp(
          `^vigil_hub_notifications_total\\{channel_type="${type}",outcome="${outcome}"[^}]*\\} (\\d+)`,
          'm',
        ).exec(metrics)?.[1] ?? 0,
      );
    expect(count('webhook', 'retry')).toBe(3);
    expect(count('slack', 'retry')).toBe(2);
    expect(count('webhook', 'delivered')).toBe(3);
    expect(count('slack', 'delivered')).toBe(1);
    expect(count('webhook', 'failed') + count('slack', 'failed')).toBe(0);
  }, 45_000);
});
