import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebhookSink, type WebhookSink } from '../../webhook-sink/src/webhook-sink.ts';
import {
  hubAlertmanagerConfig,
  postAlerts,
  type RealAlertmanager,
  startAlertmanager,
  webhookPagingOncall,
  writeOncall,
} from './console-support.ts';
import { freePorts, startTestHub, type TestHub, tempDir, testConsoleEnv, waitFor } from './helpers.ts';

// Incidents follow silences made outside Vigil: a real Alertmanager, a silence added with the
// real `amtool` (as karma or an SRE at a terminal would), then expired with it.

// Long enough for `amtool silence add` (a process spawn) and a reconcile to land before step 2
// on a loaded machine; the test waits for the old step 2 to be overdue, so it costs this once.
const STEP2_DELAY_MS = 10_000;

let hub: TestHub;
let am: RealAlertmanager;
let sink: WebhookSink;

const amtool = (...args: string[]) =>
  execFileSync('amtool', [`--alertmanager.url=${am.url}`, ...args], { encoding: 'utf8' }).trim();

beforeAll(async () => {
  sink = await startWebhookSink();
  const dir = tempDir('hub-external-silence-');
  writeOncall(dir, webhookPagingOncall(sink.url, [`${STEP2_DELAY_MS}ms`]));
  const [hubPort] = await freePorts(1);
  am = await startAlertmanager(
    join(dir, 'am'),
    hubAlertmanagerConfig(`http://127.0.0.1:${hubPort}`, testConsoleEnv(dir).VIGIL_HUB_WEBHOOK_TOKEN_FILE!),
  );
  hub = await startTestHub(
    {
      HUB_PORT: String(hubPort),
      VIGIL_HUB_ALERTMANAGERS: `local=${am.url}`,
      VIGIL_HUB_RECONCILE_MS: '250',
      VIGIL_HUB_ESCALATION_TICK_MS: '50',
    },
    dir,
  );
}, 60_000);

afterAll(async () => {
  await am?.stop();
  await hub?.close();
  await sink?.close();
});

describe('silences made outside Vigil', () => {
  it('amtool silence add → incident acknowledged by its author with its comment, escalation stops; expire → escalation resumes', async () => {
    const labels = { alertname: 'DiskFull', service: 'order-service', severity: 'critical' };
    await postAlerts(am.url, [{ labels }]);
    const { incidents, engine } = hub.hub.console;
    const incident = await waitFor(() => incidents.list({ status: 'open', q: 'DiskFull', limit: 5 })[0], {
      description: 'incident opened from Alertmanager',
      timeoutMs: 15_000,
    });
    await waitFor(() => sink.received.length >= 1, { description: 'step 1 paged' });
    const step2Due = Date.parse(engine.pending(incident.id)!.dueAt);

    const silenceId = amtool(
      'silence',
      'add',
      'alertname=DiskFull',
      'service=order-service',
      '--author=karl',
      '--comment=cleaning up old WAL files',
      '--duration=1h',
    );
    expect(silenceId).toMatch(/^[0-9a-f-]{36}$/);
    const acked = await waitFor(
      () => {
        const i = incidents.get(incident.id)!;
        return i.status === 'acknowledged' ? i : undefined;
      },
      { description: 'incident acknowledged from the silence', timeoutMs: 10_000 },
    );
    expect(acked).toMatchObject({ ackedBy: 'karl', ackSilence: silenceId });
    expect(Date.now(), 'acknowledged before step 2 was due').toBeLessThan(step2Due);
    const silenced = incidents.timeline(incident.id).find((e) => e.kind === 'silenced')!;
    expect(silenced.actor).toBe('karl');
    expect(silenced.message).toContain('"cleaning up old WAL files"');
    expect(silenced.message).toContain(silenceId);
    expect(engine.pending(incident.id)?.state).toBe('stopped');

    amtool('silence', 'expire', silenceId);
    const resumed = await waitFor(
      () => {
        const i = incidents.get(incident.id)!;
        return i.status === 'triggered' ? i : undefined;
      },
      { description: 'incident triggered again after the silence expired', timeoutMs: 10_000 },
    );
    expect(resumed.ackedBy).toBeNull();
    const unack = incidents.timeline(incident.id).find((e) => e.kind === 'unacknowledged')!;
    expect(unack.message).toContain(`silence ${silenceId} by karl expired`);
    // Escalation starts over: step 1 pages again (a new generation), and the first generation's
    // step 2, stopped by the silence, never fired.
    await waitFor(() => sink.received.length >= 2, { description: 'step 1 paged again' });
    await waitFor(() => Date.now() > step2Due + 300, {
      description: 'the old step 2 overdue',
      timeoutMs: STEP2_DELAY_MS + 5_000,
    });
    const keys = (engine.deliveries(incident.id) as Array<{ key: string }>).map((d) => d.key).sort();
    expect(keys).toEqual([`i${incident.id}/g0/r0/s0/-/hook`, `i${incident.id}/g1/r0/s0/-/hook`]);
    expect(sink.received).toHaveLength(2);
  }, 90_000);
});
