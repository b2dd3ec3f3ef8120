import { readFileSync } from 'node:fs';
import { dashboards } from '@vigil/dashboards';
import { CONSOLE_SPECS_FILE, consoleSpecsText } from '@vigil/dashboards/console-specs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePorts, startTestHub, type TestHub, tempDir } from './helpers.ts';

// Prometheus answers are covered against the real binary in dashboards-console.test.ts; here
// Prometheus is a closed port, so everything that must not reach it (or must fail cleanly) shows.

let hub: TestHub;

async function get(path: string) {
  const res = await fetch(`${hub.apiUrl}${path}`);
  return {
    status: res.status,
    body: (await res.json()) as { data?: unknown; error: { code: string; message: string } },
  };
}

beforeAll(async () => {
  const [closed] = await freePorts(1);
  hub = await startTestHub({
    PROMETHEUS_URL: `http://127.0.0.1:${closed}`,
    VIGIL_HUB_PROMETHEUS_TIMEOUT_MS: '2000',
  });
});
afterAll(async () => {
  await hub?.close();
});

describe('console dashboard specs', () => {
  it('the generated console specs are up to date (node monitoring/grafana/src/generate.ts)', () => {
    expect(readFileSync(CONSOLE_SPECS_FILE, 'utf8'), 'regenerate').toBe(consoleSpecsText(dashboards));
  });

  it('GET /api/dashboards lists every dashboard with uid, title, description and tags', async () => {
    const { status, body } = await get('/api/dashboards');
    expect(status).toBe(200);
    expect(body.data).toEqual(
      dashboards.map((d) => ({ uid: d.uid, title: d.title, description: d.description, tags: d.tags })),
    );
  });

  it('GET /api/dashboards/:uid returns the full spec, unknown uids 404 NOT_FOUND', async () => {
    const { status, body } = await get('/api/dashboards/vigil-service-overview');
    expect(status).toBe(200);
    expect(body.data).toEqual(JSON.parse(JSON.stringify(dashboards[0])));
    const missing = await get('/api/dashboards/no-such-dashboard');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('NOT_FOUND');
  });

  it('a hub pointed at a corrupt specs file refuses to start; a missing file gives an empty list', async () => {
    const dir = tempDir('hub-specs-');
    const bad = `${dir}/bad.json`;
    const { writeFileSync } = await import('node:fs');
    writeFileSync(bad, JSON.stringify({ generated: 'x', dashboards: [{ uid: 'a b' }] }));
    await expect(startTestHub({ VIGIL_HUB_DASHBOARDS_FILE: bad })).rejects.toThrow(/dashboard specs/);
    const empty = await startTestHub({ VIGIL_HUB_DASHBOARDS_FILE: `${dir}/none.json` });
    try {
      const res = await fetch(`${empty.apiUrl}/api/dashboards`);
      expect(await res.json()).toEqual({ data: [] });
    } finally {
      await empty.close();
    }
  });
});

describe('Prometheus proxy parameters', () => {
  const now = Math.floor(Date.now() / 1000);
  const cases: Array<[string, string]> = [
    ['/api/prometheus/query', 'query: is required'],
    ['/api/prometheus/query?query=', 'query: is required'],
    ['/api/prometheus/query?query=up&time=yesterday', 'time'],
    ['/api/prometheus/query?query=up&query=up', 'query: must be given once'],
    [`/api/prometheus/query_range?query=up&start=${now - 60}&end=${now}`, 'step: is required'],
    [`/api/prometheus/query_range?query=up&start=${now}&end=${now - 60}&step=15`, 'end'],
    [`/api/prometheus/query_range?query=up&start=${now - 86400}&end=${now}&step=1`, 'step: too small'],
    [`/api/prometheus/query_range?query=up&start=${now - 60}&end=${now}&step=-5`, 'step'],
    [`/api/prometheus/query_range?query=up&start=${now - 60}&end=${now}&step=0`, 'step'],
    [`/api/prometheus/query_range?start=1&end=2&step=1&query=${'x'.repeat(9000)}`, 'query: longer'],
  ];
  it.each(cases.map(([path, message]) => ({ path, message, name: path.slice(0, 90) })))(
    '$name → 400 INVALID_QUERY',
    async ({ path, message }) => {
      const { status, body } = await get(path);
      expect(status).toBe(400);
      expect(body.error.code).toBe('INVALID_QUERY');
      expect(body.error.message).toContain(message);
    },
  );

  it('answers 502 PROMETHEUS_UNAVAILABLE when Prometheus is down', async () => {
    for (const path of [
      '/api/prometheus/query?query=up',
      `/api/prometheus/query_range?query=up&start=${now - 60}&end=${now}&step=15s`,
    ]) {
      const { status, body } = await get(path);
      expect(status).toBe(502);
      expect(body.error.code).toBe('PROMETHEUS_UNAVAILABLE');
    }
  });

  it('proxies nothing but the two read endpoints', async () => {
    for (const path of ['/api/prometheus/admin/tsdb/delete_series', '/api/prometheus/series?match[]=up']) {
      const { status, body } = await get(path);
      expect(status).toBe(404);
      expect(body.error.code).toBe('ROUTE_NOT_FOUND');
    }
  });
});
