import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dashboards } from '@vigil/dashboards';
import { type RunningService, startService } from '@vigil/service-kit/testing';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS } from './console-support.ts';
import { freePorts, spawnHub, tempDir, waitFor } from './helpers.ts';

// Headless Chromium draws the Service Overview dashboard from the real hub, which proxies a real
// Prometheus (test profile: 1 s scrapes) scraping a real user-service under load and the hub itself.

const BUILD_SCRIPT = fileURLToPath(new URL('../ui/build-if-stale.ts', import.meta.url));
const OVERVIEW = dashboards.find((d) => d.uid === 'vigil-service-overview')!;
const PANELS = OVERVIEW.sections.flatMap((s) => s.panels);
// Panels fed by targets this test does not run (the load generator, the host and process
// exporters): they must settle without an error; the others must draw data.
const OTHER_TARGETS = /vigil_load_|job="(node|process)"/;
const needsOtherTargets = (spec: (typeof PANELS)[number]) =>
  spec.queries.some((q) => OTHER_TARGETS.test(q.expr));
const DRAWN = PANELS.filter((p) => !needsOtherTargets(p)).length;
const SHOTS = process.env.VIGIL_CONSOLE_SCREENSHOTS;
interface PageCanvas {
  width: number;
  height: number;
  getContext(
    kind: '2d',
  ): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null;
}
// Runs in the page: pixels of clearly coloured strokes on a uPlot canvas. The grid, axes and
// labels are grey, so only series lines and dots count.
function countColouredPixels(canvas: PageCanvas): number {
  const ctx = canvas.getContext('2d');
  if (!ctx) return 0;
  const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
  let n = 0;
  for (let i = 0; i < data.length; i += 4) {
    const [r, g, b, a] = [data[i]!, data[i + 1]!, data[i + 2]!, data[i + 3]!];
    if (a > 128 && Math.max(r, g, b) - Math.min(r, g, b) > 60) n++;
  }
  return n;
}

let dir = '';
let service: RunningService | undefined;
let hub: ChildProcess | undefined;
let prometheus: ChildProcess | undefined;
let prometheusOutput = '';
let browser: BrowserContext | undefined;
let page: Page;
let apiUrl = '';
let promUrl = '';
let loading = true;
let load: Promise<void> | undefined;

function prometheusConfig(servicePort: number, hubPort: number): string {
  // The job names and `service` labels of monitoring/prometheus/prometheus.yml, with static targets.
  return `global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: vigil-services
    honor_labels: true
    static_configs:
      - targets: ['127.0.0.1:${servicePort}']
        labels: { service: user-service }
  - job_name: hub
    honor_labels: true
    static_configs:
      - targets: ['127.0.0.1:${hubPort}']
        labels: { service: hub }
`;
}

async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** Reads, creates, a few 404s and 400s: every series of the overview gets samples. */
async function traffic(url: string, worker: number): Promise<void> {
  for (let i = 0; loading; i++) {
    await Promise.allSettled([
      fetch(`${url}/users?limit=5`).then((r) => r.arrayBuffer()),
      fetch(`${url}/users/${1 + (i % 7)}`).then((r) => r.arrayBuffer()),
      fetch(`${url}/users`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          name: `Load ${worker}-${i}`,
          email: `load-${worker}-${i}-${Date.now()}@example.com`,
        }),
      }).then((r) => r.arrayBuffer()),
      fetch(`${url}/users/not-a-number`).then((r) => r.arrayBuffer()),
    ]);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Non-NaN points of the first series over the last 30 s at a 5 s step. */
async function rangePoints(query: string): Promise<number> {
  const end = Math.floor(Date.now() / 1000);
  const q = new URLSearchParams({ query, start: String(end - 30), end: String(end), step: '5' });
  const res = await fetch(`${promUrl}/api/v1/query_range?${q}`);
  const body = (await res.json()) as { data?: { result?: Array<{ values: [number, string][] }> } };
  return (body.data?.result?.[0]?.values ?? []).filter(([, v]) => v !== 'NaN').length;
}

beforeAll(async () => {
  const build = spawnSync(process.execPath, [BUILD_SCRIPT], { encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`console build failed: ${build.stderr}${build.stdout}`);

  dir = tempDir('hub-dashboards-');
  const [promPort, hubPort, otlpPort] = (await freePorts(3)) as [number, number, number];
  promUrl = `http://127.0.0.1:${promPort}`;
  service = await startService({
    entry: 'services/user/src/server.ts',
    env: { VIGIL_DATA_DIR: join(dir, 'user'), LOG_LEVEL: 'warn' },
  });
  hub = await spawnHub(join(dir, 'hub'), { api: hubPort, otlp: otlpPort }, { PROMETHEUS_URL: promUrl });
  apiUrl = `http://127.0.0.1:${hubPort}`;

  writeFileSync(join(dir, 'prometheus.yml'), prometheusConfig(service.port, hubPort));
  prometheus = spawn(
    'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'prometheus')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
      '--enable-feature=exemplar-storage',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  prometheus.stdout?.on('data', (d) => {
    prometheusOutput += d;
  });
  prometheus.stderr?.on('data', (d) => {
    prometheusOutput += d;
  });
  await waitFor(async () => (await fetch(`${promUrl}/-/ready`)).ok, {
    description: 'prometheus ready',
    timeoutMs: 30_000,
  }).catch((err) => {
    throw new Error(`${(err as Error).message}\n${prometheusOutput.slice(-3000)}`);
  });

  const url = service.url;
  load = Promise.all([0, 1].map((w) => traffic(url, w))).then(() => {});
  // Lines need several points: wait until the last 30 s hold at least four 5 s steps of rates and quantiles.
  const user = 'service="user-service", route!~"/metrics|/health.*"';
  await waitFor(
    async () =>
      (await rangePoints(`sum(rate(http_requests_total{${user}}[1m]))`)) >= 4 &&
      (await rangePoints(
        `histogram_quantile(0.5, sum by (le) (rate(http_request_duration_seconds_bucket{${user}}[1m])))`,
      )) >= 4 &&
      (await rangePoints('up{service="hub"} == 1')) >= 4,
    { description: 'four steps of request rates, latency and hub scrapes in Prometheus', timeoutMs: 45_000 },
  );

  browser = await chromium.launchPersistentContext(join(dir, 'chromium'), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1400, height: 1000 },
  });
  browser.setDefaultTimeout(15_000);
  page = browser.pages()[0] ?? (await browser.newPage());
  // The console build, a service, the hub (up to 60 s under load), Prometheus with data, Chromium.
}, 240_000);

afterAll(async () => {
  loading = false;
  await load;
  await browser?.close().catch(() => {});
  await Promise.all([stopChild(prometheus), stopChild(hub), service?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const panel = (title: string) => page.locator(`[data-panel-title="${title}"]`);

describe('console dashboards against a live Prometheus', () => {
  it('the hub relays Prometheus range queries and its parse errors', async () => {
    const end = Math.floor(Date.now() / 1000);
    const ok = await fetch(
      `${apiUrl}/api/prometheus/query_range?query=${encodeURIComponent('up')}&start=${end - 60}&end=${end}&step=5`,
    );
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as { status: string; data: { resultType: string; result: unknown[] } };
    expect(body.status).toBe('success');
    expect(body.data.resultType).toBe('matrix');
    expect(body.data.result.length).toBeGreaterThanOrEqual(2);
    const bad = await fetch(`${apiUrl}/api/prometheus/query?query=${encodeURIComponent('sum(rate(up[')}`);
    expect(bad.status).toBe(400);
    const err = (await bad.json()) as { error: { code: string; message: string } };
    expect(err.error.code).toBe('INVALID_QUERY');
    expect(err.error.message).toMatch(/parse error/);
  });

  it('lists the dashboards under the console nav and opens Service Overview from the list', async () => {
    await page.goto(`${apiUrl}/traces`);
    await page.locator('header.nav').getByRole('link', { name: 'Dashboards', exact: true }).click();
    await page.waitForURL(`${apiUrl}/dashboards`);
    for (const d of dashboards) await page.getByRole('link', { name: d.title }).waitFor();
    await page.getByRole('link', { name: OVERVIEW.title }).click();
    await page.waitForURL(`${apiUrl}/dashboards/${OVERVIEW.uid}`);
    await page.getByRole('heading', { name: OVERVIEW.title }).waitFor();
  });

  it('draws every Service Overview panel with data', async () => {
    await page.goto(`${apiUrl}/dashboards/${OVERVIEW.uid}?range=15m&refresh=off`);
    await page.getByRole('heading', { name: OVERVIEW.title }).waitFor();
    // Every panel settles (no spinner) within the bound; then each is checked for what it drew.
    await waitFor(
      async () =>
        (await page.locator('[data-panel-title]').count()) === PANELS.length &&
        (await page.locator('[data-panel-title][data-state="loading"]').count()) === 0,
      { description: 'every panel settled', timeoutMs: 20_000 },
    );
    if (SHOTS) await page.screenshot({ path: join(SHOTS, 'dashboard-service-overview.png'), fullPage: true });
    for (const spec of PANELS) {
      const el = panel(spec.title);
      const state = await el.getAttribute('data-state');
      const error = state === 'error' ? await el.locator('.dash-panel-error').textContent() : '';
      if (needsOtherTargets(spec)) {
        expect(state, `${spec.title}: ${error}`).not.toBe('error');
        continue;
      }
      expect(state, `${spec.title}: ${error}`).toBe('ready');
      if (spec.type === 'timeseries') {
        expect(await el.locator('canvas').count(), `${spec.title} canvas`).toBeGreaterThanOrEqual(1);
        const series = Number(await el.locator('.dash-chart').getAttribute('data-series-count'));
        expect(series, `${spec.title} series`).toBeGreaterThanOrEqual(1);
        // Lines, not just axes: the canvas holds coloured pixels (grid and labels are grey).
        const coloured = await el.locator('canvas').first().evaluate(countColouredPixels);
        expect(coloured, `${spec.title}: no line drawn`).toBeGreaterThanOrEqual(5);
        // uPlot's legend lists each series by its legend-format label.
        expect(await el.locator('.u-legend .u-series').count()).toBe(series + 1);
      } else {
        const values = await el.locator('.dash-stat-value').allInnerTexts();
        expect(values.length, `${spec.title} values`).toBeGreaterThanOrEqual(1);
        for (const v of values) expect(v, spec.title).not.toBe('—');
      }
    }
    // Value mapping (up 1 → UP) per service, units on the stats, legend formats on the charts.
    const up = panel('Up');
    await expect(up.locator('.dash-stat-value').allInnerTexts()).resolves.toEqual(['UP', 'UP']);
    await expect(up.locator('.dash-stat-label').allInnerTexts()).resolves.toEqual(['hub', 'user-service']);
    expect(await panel('Request rate (all selected)').locator('.dash-stat-value').textContent()).toMatch(
      /req\/s$/,
    );
    expect(await panel('Error ratio (all selected)').locator('.dash-stat-value').textContent()).toMatch(/%$/);
    await expect(panel('Latency p50 / p95 / p99').locator('.u-legend').textContent()).resolves.toContain(
      'user-service p95',
    );
  });

  it('the $service dropdown narrows every panel to the chosen service', async () => {
    const select = page.locator('select[name="service"]');
    await expect(select.locator('option').allInnerTexts()).resolves.toEqual(['All', 'hub', 'user-service']);
    await select.selectOption('hub');
    await page.waitForURL(/service=hub/);
    const upValues = panel('Up').locator('.dash-stat-value');
    await waitFor(async () => (await upValues.count()) === 1, {
      description: 'the Up panel showing the hub only',
    });
    expect(await panel('Up').locator('.dash-stat-value').textContent()).toBe('UP');
    // Every chart redraws for hub alone: its legend names the hub and no longer the user-service.
    const legend = panel('Resident memory').locator('.u-legend');
    await waitFor(
      async () => {
        const text = await legend.textContent();
        return text?.includes('hub') && !text.includes('user-service');
      },
      { description: 'the memory chart redrawn for the hub only' },
    );
  });
  it('the time range and auto-refresh controls live in the URL', async () => {
    await page.locator('select[name="service"]').selectOption('All');
    await page.waitForURL((url) => !url.search.includes('service='));
    await page.locator('select[name="range"]').selectOption('1h');
    await page.waitForURL(/range=1h/);
    await page.locator('input[name="refresh"]').check();
    await page.waitForURL((url) => !url.search.includes('refresh=off'));
    await waitFor(
      async () => (await page.locator('[data-panel-title][data-state="ready"]').count()) === DRAWN,
      { description: 'every panel drawn for the last hour', timeoutMs: 20_000 },
    );
  });

  it('an unknown dashboard and an unreachable Prometheus show errors, not blank panels', async () => {
    await page.goto(`${apiUrl}/dashboards/no-such-dashboard`);
    await page.getByRole('alert').getByText('no dashboard with uid no-such-dashboard').waitFor();

    await page.goto(`${apiUrl}/dashboards/${OVERVIEW.uid}?range=15m&refresh=off`);
    await waitFor(
      async () => (await page.locator('[data-panel-title][data-state="ready"]').count()) === DRAWN,
      { description: 'every panel drawn', timeoutMs: 20_000 },
    );
    await stopChild(prometheus);
    await page.getByRole('button', { name: 'Refresh' }).click();
    await waitFor(
      async () => (await page.locator('[data-panel-title][data-state="error"]').count()) === PANELS.length,
      { description: 'every panel showing the error', timeoutMs: 20_000 },
    );
    const message = await panel('Request rate').locator('.dash-panel-error').textContent();
    expect(message).toContain('Query failed');
    expect(message).toContain(`cannot reach Prometheus at ${promUrl}`);
  });
});
