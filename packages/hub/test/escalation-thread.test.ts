import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebhookSink, type WebhookSink } from '../../webhook-sink/src/webhook-sink.ts';
import { sendFiring, webhookPagingOncall, writeOncall } from './console-support.ts';
import { startTestHub, type TestHub, tempDir, waitFor } from './helpers.ts';

// The escalation loop runs on its own thread; everything it owes is in console.db. If that thread
// dies, the hub starts it again and the pages owed meanwhile still go out, once each.

let hub: TestHub;
let sink: WebhookSink;

beforeAll(async () => {
  sink = await startWebhookSink();
  const dir = tempDir('hub-escalation-thread-');
  writeOncall(dir, webhookPagingOncall(sink.url));
  hub = await startTestHub({ VIGIL_HUB_ESCALATION_TICK_MS: '50' }, dir);
});

afterAll(async () => {
  await hub?.close();
  await sink?.close();
});

describe('the escalation thread', () => {
  it('dies → started again; the page owed while it was down goes out once', async () => {
    const labels = { alertname: 'ServiceDown', service: 'order-service', severity: 'critical' };
    expect(await sendFiring(hub, labels, 'dead0000000000a1')).toBe(200);
    const { incidents, engine } = hub.hub.console;
    const first = incidents.list({ status: 'open', limit: 5 })[0]!;
    // Recorded, not only received: a page sent but not yet recorded when a thread dies is sent
    // again (same idempotency key), like after a kill -9 of the hub.
    await waitFor(() => (engine.deliveries(first.id) as Array<{ state: string }>)[0]?.state === 'delivered', {
      description: 'the first page delivered and recorded',
      timeoutMs: 10_000,
    });
    expect(sink.received).toHaveLength(1);

    await hub.hub.console.escalationThread.crash();
    const second = { ...labels, service: 'payment-service' };
    expect(await sendFiring(hub, second, 'dead0000000000a2')).toBe(200); // while the thread is down
    await waitFor(() => sink.received.length >= 2, {
      description: 'the page owed while the thread was down',
      timeoutMs: 10_000,
    });
    const incident = incidents.list({ status: 'open', q: 'payment-service', limit: 5 })[0]!;
    // The sink answers before the thread records the outcome (one commit per loop turn): wait for it.
    const deliveries = await waitFor(
      () => {
        const rows = engine.deliveries(incident.id) as Array<{ state: string; attempts: number }>;
        return rows[0]?.state === 'delivered' ? rows : undefined;
      },
      { description: 'the owed page recorded as delivered', timeoutMs: 10_000 },
    );
    expect(deliveries).toEqual([expect.objectContaining({ state: 'delivered', attempts: 1 })]);
    // Once each: nothing re-sent after the restart.
    await new Promise((r) => setTimeout(r, 500));
    expect(sink.received).toHaveLength(2);
    expect(incidents.timeline(incident.id).filter((e) => e.kind === 'notified')).toHaveLength(1);
  }, 30_000);
});
