import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePorts, startTestHub, type TestHub, tempDir, waitFor } from './helpers.ts';

// The real Alertmanager binary (Debian prometheus-alertmanager) delivers to the hub's webhook:
// whatever it sends, firing and resolved, must be accepted and listed.

interface Notification {
  status: string;
  receiver: string;
  groupLabels: Record<string, string>;
  alerts: Array<{ status: string; labels: Record<string, string>; fingerprint: string; endsAt: string }>;
}

let hub: TestHub;
let alertmanager: ChildProcess | undefined;
let amUrl = '';
let output = '';
let dir = '';

async function notifications(): Promise<Notification[]> {
  const res = await fetch(`${hub.apiUrl}/api/alerts/notifications?limit=100`, {
    headers: { authorization: `Bearer ${hub.webhookToken}` },
  });
  return ((await res.json()) as { data: Notification[] }).data;
}

async function postAlert(endsAt?: string): Promise<void> {
  const res = await fetch(`${amUrl}/api/v2/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify([
      {
        labels: { alertname: 'ServiceDown', service: 'user-service', severity: 'critical', team: 'platform' },
        annotations: { summary: 'user-service is down', runbook_url: 'docs/runbooks/ServiceDown.md' },
        generatorURL: 'http://127.0.0.1:9090/graph?g0.expr=up+%3D%3D+0',
        startsAt: new Date(Date.now() - 60_000).toISOString(),
        ...(endsAt ? { endsAt } : {}),
      },
    ]),
  });
  expect(res.status).toBe(200);
}

beforeAll(async () => {
  hub = await startTestHub();
  dir = tempDir('hub-alertmanager-');
  const [port] = await freePorts(1);
  amUrl = `http://127.0.0.1:${port}`;
  writeFileSync(
    join(dir, 'alertmanager.yml'),
    `route:
  receiver: vigil-hub
  group_by: [alertname, service]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: vigil-hub
    webhook_configs:
      - url: ${hub.apiUrl}/api/alerts/webhook
        send_resolved: true
        http_config:
          authorization:
            type: Bearer
            credentials_file: ${hub.webhookTokenFile}
`,
  );
  alertmanager = spawn(
    'prometheus-alertmanager',
    [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  alertmanager.stdout?.on('data', (d) => {
    output += d;
  });
  alertmanager.stderr?.on('data', (d) => {
    output += d;
  });
  await waitFor(async () => (await fetch(`${amUrl}/-/ready`)).ok, {
    description: 'alertmanager ready',
    timeoutMs: 20_000,
  }).catch((err) => {
    throw new Error(`${(err as Error).message}\n${output.slice(-2000)}`);
  });
}, 30_000);

afterAll(async () => {
  const child = alertmanager;
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  await hub?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('Alertmanager → hub webhook', () => {
  it('stores the firing and then the resolved notification Alertmanager sends', async () => {
    await postAlert();
    const firing = await waitFor(async () => (await notifications()).find((n) => n.status === 'firing'), {
      description: 'a firing notification in the hub',
      timeoutMs: 15_000,
    }).catch((err) => {
      throw new Error(`${(err as Error).message}\n${output.slice(-2000)}`);
    });
    expect(firing.receiver).toBe('vigil-hub');
    expect(firing.groupLabels).toEqual({ alertname: 'ServiceDown', service: 'user-service' });
    expect(firing.alerts[0]?.labels.severity).toBe('critical');
    expect(firing.alerts[0]?.fingerprint).toMatch(/^[0-9a-f]{16}$/);

    await postAlert(new Date().toISOString());
    const resolved = await waitFor(async () => (await notifications()).find((n) => n.status === 'resolved'), {
      description: 'a resolved notification in the hub',
      timeoutMs: 15_000,
    });
    expect(resolved.alerts[0]?.status).toBe('resolved');
    const list = await notifications();
    expect(list[0]?.status).toBe('resolved');
  });
});
