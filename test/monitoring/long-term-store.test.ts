// `vigil start --long-term`: Debian's VictoriaMetrics runs beside Prometheus as its remote_write
// target (loopback only), and the same PromQL queries answer the same from both. One stack (the
// real CLI, detached, just Prometheus and the store) for every case of the file.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePorts, repoRoot, waitFor } from '@vigil/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { components } from '../../packages/cli/src/components.ts';
import { createStartContext } from '../../packages/cli/src/context.ts';
import { monitoringRuntimeLayout, writeMonitoringConfigs } from '../../packages/cli/src/monitoring/index.ts';
import { varLayout } from '../../packages/cli/src/paths.ts';

const exec = promisify(execFile);
const MAIN = join(repoRoot, 'packages/cli/src/main.ts');
let dir = '';
let env: NodeJS.ProcessEnv;
let prom = '';
let vm = '';
let startOutput = '';
// Holds the Alertmanager port for the whole file, answering 503: freePorts released it, and another
// test file's process bound to it would make `up` for the job 1 (a CI run saw exactly that).
let amHolder: Server | undefined;

const vigil = (args: string[]) =>
  exec(process.execPath, [MAIN, ...args, '--var-dir', dir], { env, cwd: repoRoot, timeout: 90_000 });

type Sample = { metric: Record<string, string>; value: [number, string] };
async function instant(base: string, query: string, time: number): Promise<Sample[]> {
  const url = `${base}/api/v1/query?query=${encodeURIComponent(query)}&time=${time}`;
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  const body = (await res.json()) as { status: string; data: { result: Sample[] }; error?: string };
  if (body.status !== 'success') throw new Error(`${url}: ${body.error ?? res.status}`);
  // Order-independent, timestamps as numbers: what a user of either API reads.
  return body.data.result
    .map((s) => ({ metric: s.metric, value: [Number(s.value[0]), s.value[1]] as [number, string] }))
    .sort((a, b) => JSON.stringify(a.metric).localeCompare(JSON.stringify(b.metric)));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-long-term-'));
  const [promPort, vmPort, amPort] = await freePorts(3);
  env = {
    ...process.env,
    PROMETHEUS_PORT: String(promPort),
    VICTORIA_METRICS_PORT: String(vmPort),
    ALERTMANAGER_PORT: String(amPort),
    // 1 s scrapes: the comparison has samples within seconds.
    VIGIL_MONITORING_PROFILE: 'test',
  };
  delete env.VIGIL_LONG_TERM;
  const holder = createServer((_req, res) => res.writeHead(503).end());
  amHolder = holder;
  await new Promise<void>((resolve, reject) => {
    holder.once('error', reject);
    holder.listen(amPort, '127.0.0.1', resolve);
  });
  prom = `http://127.0.0.1:${promPort}`;
  vm = `http://127.0.0.1:${vmPort}`;
  startOutput = (await vigil(['start', '--detach', '--long-term', '--only', 'prometheus,victoria-metrics']))
    .stdout;
}, 120_000);

afterAll(async () => {
  if (dir) {
    await vigil(['stop']).catch((err) => process.stderr.write(`vigil stop: ${err}\n`));
    rmSync(dir, { recursive: true, force: true });
  }
  amHolder?.closeAllConnections();
  amHolder?.close();
}, 60_000);

describe('vigil start --long-term (VictoriaMetrics as the remote_write target)', () => {
  it('runs the store on loopback and points Prometheus remote_write at it', () => {
    expect(startOutput).toMatch(/victoria-metrics/);
    const config = parse(readFileSync(monitoringRuntimeLayout(dir).prometheusConfig, 'utf8')) as {
      remote_write?: Array<{ url: string }>;
    };
    expect(config.remote_write).toEqual([{ url: `${vm}/api/v1/write` }]);
    const store = components.find((c) => c.name === 'victoria-metrics');
    const ctx = createStartContext({
      registered: components,
      components: store ? [store] : [],
      layout: varLayout(dir),
      adminToken: 't',
      env: { VICTORIA_METRICS_PORT: new URL(vm).port },
    });
    expect(store?.command(ctx).args).toContain(`-httpListenAddr=127.0.0.1:${new URL(vm).port}`);
  });

  it('without --long-term the store is skipped and Prometheus has no remote_write', () => {
    const prometheus = components.find((c) => c.name === 'prometheus');
    const other = mkdtempSync(join(tmpdir(), 'vigil-no-long-term-'));
    try {
      const ctx = createStartContext({
        registered: components,
        components: prometheus ? [prometheus] : [],
        layout: varLayout(other),
        adminToken: 't',
        env: {},
      });
      expect(components.find((c) => c.name === 'victoria-metrics')?.skip?.(ctx)).toMatch(/--long-term/);
      writeMonitoringConfigs(ctx);
      expect(readFileSync(monitoringRuntimeLayout(other).prometheusConfig, 'utf8')).not.toContain(
        'remote_write',
      );
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('the same PromQL queries answer the same from Prometheus and from VictoriaMetrics', async () => {
    const queries = [
      'sum by (job) (up)',
      'count by (job, instance) (up)',
      'max by (job) (scrape_samples_scraped)',
      'prometheus_build_info',
    ];
    // A moment both hold: a second before the first time Prometheus answers every query and has
    // scraped both targets the assertions below read (a scrape takes milliseconds, so none still in
    // flight can land before it; Prometheus spreads its targets' first scrapes, so answering at all
    // is not enough: a CI run picked a moment before the Alertmanager target's first scrape).
    // VictoriaMetrics hides its newest 30 s (-search.latencyOffset) from queries: we wait until it
    // answers for that moment.
    const time = await waitFor(
      async () => {
        const moment = Math.floor(Date.now() / 1000) - 1;
        const answers = await Promise.all(queries.map((q) => instant(prom, q, moment)));
        const jobs = new Set(answers[0]?.map((r) => r.metric.job));
        const scraped = jobs.has('prometheus') && jobs.has('alertmanager');
        return scraped && answers.every((a) => a.length > 0) ? moment : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500, description: 'Prometheus answering every query' },
    );
    // Prometheus adds its external labels to what it writes; its own query answers omit them.
    const external = Object.keys(
      (
        parse(readFileSync(monitoringRuntimeLayout(dir).prometheusConfig, 'utf8')) as {
          global: { external_labels?: Record<string, string> };
        }
      ).global.external_labels ?? {},
    );
    const strip = (rows: Sample[]) =>
      rows.map((r) => ({
        ...r,
        metric: Object.fromEntries(Object.entries(r.metric).filter(([k]) => !external.includes(k))),
      }));
    let last: unknown;
    const answers = await waitFor(
      async () => {
        const pairs = await Promise.all(
          queries.map(
            async (q) => [q, await instant(prom, q, time), strip(await instant(vm, q, time))] as const,
          ),
        );
        last = pairs;
        const same = pairs.every(([, p, v]) => p.length > 0 && JSON.stringify(p) === JSON.stringify(v));
        return same ? pairs : undefined;
      },
      {
        timeoutMs: 90_000,
        intervalMs: 2000,
        description: 'equal answers from Prometheus and VictoriaMetrics',
      },
    ).catch((err: Error) => {
      throw new Error(
        `${err.message} (time ${time}, now ${Date.now() / 1000})\nlast answers [query, Prometheus, VictoriaMetrics]: ${JSON.stringify(last)}`,
      );
    });
    const up = answers[0]?.[1] ?? [];
    // Prometheus scrapes itself (up 1) and the Alertmanager port of this run, held by a listener
    // that answers 503 (up 0).
    const seen = `up at ${time}: ${JSON.stringify(up)}`;
    expect(up.find((r) => r.metric.job === 'prometheus')?.value[1], seen).toBe('1');
    expect(up.find((r) => r.metric.job === 'alertmanager')?.value[1], seen).toBe('0');
    // Above the two waits' budgets (30 s + 90 s): a timed-out wait prints its last answers.
  }, 180_000);
});
