import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningService, repoRoot, startService, waitFor } from '@vigil/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  constantRate,
  type Executor,
  type LoadSummary,
  loadScenarioFile,
  runLoad,
  type Scenario,
} from '../src/index.ts';

// One real product-service process shared by every case; each run is 2 s.
const SCENARIO = join(import.meta.dirname, 'fixtures/products.yaml');
let service: RunningService;
let scenario: Scenario;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-load-e2e-'));
  service = await startService({
    entry: 'services/product/src/server.ts',
    env: { VIGIL_DATA_DIR: dir, LOG_LEVEL: 'warn' },
  });
  scenario = await loadScenarioFile(SCENARIO);
});

afterAll(async () => {
  await service?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function run(executor: Executor, thresholds: string[] = []): Promise<LoadSummary> {
  return runLoad(scenario, executor, { target: service.url, thresholds, workers: 2 }).done;
}

function expectHealthy(s: LoadSummary): void {
  expect(s.totals.failed).toBe(0);
  expect(s.totals.checks.failed).toBe(0);
  expect(s.steps.map((st) => st.key)).toEqual(['catalog/list', 'catalog/view']);
  // A view follows every list: the variable from the first response fed the second request.
  expect(s.steps[1]!.requests).toBeGreaterThanOrEqual(s.steps[0]!.requests - 4);
  expect(s.slowest.length).toBeGreaterThan(0);
  expect(s.slowest.every((r) => /^[0-9a-f]{32}$/.test(r.traceId ?? ''))).toBe(true);
  expect(s.timeline.length).toBeGreaterThanOrEqual(2);
}

describe('vigil load against a real service', () => {
  it('closed model: VUs run iterations back to back on both workers', async () => {
    const s = await run({ kind: 'closed', vus: 4, duration: 2000 }, ['error_rate < 1%', 'p99(list) < 5s']);
    expectHealthy(s);
    // No schedule in the closed model: never more iterations in flight than VUs.
    expect(s.totals.iterations).toBeGreaterThanOrEqual(4);
    expect(s.totals.schedule.due).toBe(0);
    expect(Math.max(...s.timeline.map((p) => p.inFlight))).toBeLessThanOrEqual(4);
    expect(s.ok).toBe(true);
  });

  it('open model, constant rate: every scheduled iteration is sent', async () => {
    const s = await run(constantRate(50, 2000));
    expectHealthy(s);
    expect(s.totals.schedule.due).toBe(100);
    expect(s.totals.iterations).toBe(100);
    // The schedule's 2 s, not the time until the last answer: 50 it/s of two requests each.
    expect(s.durationS).toBe(2);
    expect(s.totals.rps).toBe(100);
    expect(s.steps[0]!.requests).toBe(100);
  });

  it('open model, ramping stages: the arrivals follow the ramp', async () => {
    const s = await run({
      kind: 'open',
      startRate: 0,
      stages: [
        { target: 100, duration: 1000 },
        { target: 100, duration: 1000 },
      ],
    });
    expectHealthy(s);
    // 0→100/s over 1 s (50) then 100/s for 1 s (100).
    expect(s.totals.schedule.due).toBe(150);
    expect(s.steps[0]!.requests).toBe(150);
  });
});

function cli(args: string[]): {
  child: ReturnType<typeof spawn>;
  out: () => string;
  exit: Promise<number | null>;
} {
  const child = spawn(process.execPath, ['packages/cli/src/main.ts', 'load', 'run', ...args], {
    cwd: repoRoot,
    env: { ...process.env, VIGIL_LOAD_METRICS_PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    out += d;
  });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out: () => out, exit };
}

/** `vigil load run` of the fixture against the shared service at 20 it/s, reports into `out`. */
function cliRun(out: string, duration: string, extra: string[] = []) {
  return cli([
    SCENARIO,
    '--target',
    service.url,
    '--rate',
    '20',
    '--duration',
    duration,
    '--out',
    out,
    '--metrics-port',
    '0',
    ...extra,
  ]);
}

describe('vigil load run (CLI)', () => {
  it('exits 1 when a threshold fails, and the report says which', async () => {
    const out = join(dir, 'threshold');
    const p = cliRun(out, '2s', ['--threshold', 'p50(view) < 1us', '--threshold', 'error_rate < 1%']);
    expect(await p.exit).toBe(1);
    expect(p.out()).toMatch(/FAIL {2}p50\(view\) < 1us/);
    expect(p.out()).toMatch(/pass {2}error_rate < 1%/);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as LoadSummary;
    expect(summary.thresholds.map((t) => t.ok)).toEqual([false, true]);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('thresholds FAILED');
  });

  it('a bad scenario is refused with the field path and exit code 2, before anything is sent', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      readFileSync(SCENARIO, 'utf8').replace('path: /products/{{productId}}', 'path: products'),
    );
    const p = cli([bad, '--target', service.url]);
    expect(await p.exit).toBe(2);
    expect(p.out()).toMatch(
      /BAD_SCENARIO.*bad\.yaml: invalid scenario\n {2}- journeys\[0\]\.steps\[1\]\.path: must start with \//,
    );
  });

  it('SIGINT stops the run and still writes the partial report', async () => {
    const out = join(dir, 'sigint');
    const p = cliRun(out, '60s');
    // Wait until requests flow, as the generator's own /metrics reports them.
    const metricsUrl = (await waitFor(() => /metrics at (\S+)/.exec(p.out()), { timeoutMs: 30_000 }))[1]!;
    await waitFor(
      async () => {
        const text = await (await fetch(metricsUrl)).text();
        return /vigil_load_requests_total\{[^}]*step="catalog\/view"[^}]*outcome="ok"[^}]*\} [1-9]/.test(
          text,
        );
      },
      { timeoutMs: 20_000, intervalMs: 200 },
    );
    p.child.kill('SIGINT');
    expect(await p.exit).toBe(130);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as LoadSummary;
    expect(summary.partial).toBe(true);
    expect(summary.stopReason).toBe('interrupted (SIGINT)');
    expect(summary.totals.requests).toBeGreaterThan(0);
    expect(summary.durationS).toBeLessThan(30);
    expect(existsSync(join(out, 'report.html'))).toBe(true);
  });
});
