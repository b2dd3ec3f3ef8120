import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertmanagerClient } from '../src/alerts/alertmanager-client.ts';
import { AlertsView, filterSummaries } from '../src/alerts/alerts-view.ts';
import { waitFor } from './helpers.ts';

// The Alerts page's cache over Alertmanager's API v2: one local HTTP server answering
// /api/v2/alerts and /api/v2/silences like Alertmanager does, counting how often it is asked.

const alert = (name: string, service: string, instance: string, silencedBy: string[] = []) => ({
  labels: { alertname: name, service, instance, severity: 'warning', team: 'web' },
  annotations: { summary: `${name} on ${service}` },
  startsAt: '2026-12-01T10:00:00.000Z',
  endsAt: '2026-12-01T11:00:00.000Z',
  updatedAt: '2026-12-01T10:00:00.000Z',
  fingerprint: `${name}-${service}-${instance}`,
  generatorURL: '',
  receivers: [{ name: 'vigil-hub' }],
  status: { state: silencedBy.length ? 'suppressed' : 'active', silencedBy, inhibitedBy: [] },
});

let server: Server;
let url = '';
const asked = { alerts: 0, silences: 0 };
let alerts = [alert('Down', 'web', 'a'), alert('Down', 'web', 'b'), alert('Slow', 'api', 'a', ['s1'])];

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    // Answer slowly enough that concurrent readers overlap one fetch.
    setTimeout(() => {
      res.setHeader('content-type', 'application/json');
      if (path === '/api/v2/alerts') {
        asked.alerts++;
        res.end(JSON.stringify(alerts));
      } else if (path === '/api/v2/silences') {
        asked.silences++;
        res.end(
          JSON.stringify([
            {
              id: 's1',
              status: { state: 'active' },
              matchers: [{ name: 'alertname', value: 'Slow', isRegex: false, isEqual: true }],
              startsAt: '2026-12-01T10:00:00.000Z',
              endsAt: '2026-12-01T12:00:00.000Z',
              createdBy: 'karma-user',
              comment: 'ACK! looking',
            },
          ]),
        );
      } else res.writeHead(404).end();
    }, 50);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('AlertsView', () => {
  it('asks Alertmanager once for concurrent readers and once per TTL; stale answers within 3 × TTL; invalidate() refetches', async () => {
    let now = 1_000_000;
    const view = new AlertsView([new AlertmanagerClient('local', url)], 2000, () => now);
    const snaps = await Promise.all(Array.from({ length: 20 }, () => view.get()));
    expect(asked).toEqual({ alerts: 1, silences: 1 });
    expect(new Set(snaps).size).toBe(1);
    now += 1000;
    await view.get();
    expect(asked.alerts).toBe(1); // within the TTL
    now += 1500;
    alerts = [...alerts, alert('Down', 'web', 'c')];
    // Older than the TTL: answered at once from the last fetch, refreshed in the background.
    const stale = await view.get();
    expect(stale).toBe(snaps[0]);
    const fresh = await waitFor(
      async () => {
        const s = await view.get();
        return s !== stale ? s : undefined;
      },
      { description: 'the background refresh' },
    );
    expect(asked.alerts).toBe(2);
    expect(fresh.byKey.get('Down|web')?.alerts).toHaveLength(3);
    // Older than 3 × TTL: never served; the read waits for Alertmanager.
    now += 6001;
    const waited = await view.get();
    expect(asked.alerts).toBe(3);
    expect(waited).not.toBe(fresh);
    view.invalidate();
    await view.get();
    expect(asked.alerts).toBe(4);
  });

  it('while watched, refreshes every TTL without a read waiting', async () => {
    const view = new AlertsView([new AlertmanagerClient('local', url)], 100);
    await view.get();
    const before = asked.alerts;
    view.start();
    try {
      await waitFor(() => asked.alerts >= before + 2, { description: 'two refreshes ahead of reads' });
    } finally {
      view.stop();
    }
  });

  it('summaries carry counts and states, not alerts; filters use state counts and the text of every label', async () => {
    const view = new AlertsView([new AlertmanagerClient('local', url)], 0);
    const snap = await view.get();
    const down = snap.summaries.find((g) => g.key === 'Down|web');
    expect(down).toMatchObject({ count: 3, states: { firing: 3 } });
    expect(down && 'alerts' in down).toBe(false);
    const slow = snap.summaries.find((g) => g.key === 'Slow|api');
    expect(slow).toMatchObject({ state: 'acknowledged', ack: { by: 'karma-user', silenceId: 's1' } });
    expect(filterSummaries(snap, { state: 'acknowledged' }).map((g) => g.key)).toEqual(['Slow|api']);
    expect(filterSummaries(snap, { q: 'WEB' }).map((g) => g.key)).toEqual(['Down|web', 'Slow|api']);
    expect(filterSummaries(snap, { service: 'api', state: 'firing' })).toEqual([]);
  });

  it('an unreachable Alertmanager is reported beside the answers of the others', async () => {
    const view = new AlertsView(
      [new AlertmanagerClient('local', url), new AlertmanagerClient('dead', 'http://127.0.0.1:9', 500)],
      0,
    );
    const snap = await view.get();
    expect(snap.sources).toEqual([
      { name: 'local', url, ok: true },
      { name: 'dead', url: 'http://127.0.0.1:9', ok: false, error: expect.stringContaining('unreachable') },
    ]);
    expect(snap.summaries.length).toBe(2);
  });
});
