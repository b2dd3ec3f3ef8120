import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { SLO_SPEC, validateSpecText } from '@vigil/slo';
import { Counter, Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blackboxExporterComponent } from '../../packages/cli/src/monitoring/index.ts';
import { probeTargetsOf } from '../../packages/cli/src/monitoring/scrape-targets.ts';
import { freePort } from './alerting-support/free-port.ts';
import { type ManagedProcess, startProcess } from './alerting-support/managed-process.ts';
import {
  type MonitoringStack,
  promQuery,
  repoRoot,
  startMonitoringStack,
} from './alerting-support/monitoring-stack.ts';
import { answers, waitFor } from './alerting-support/wait-for.ts';

// The SLA from outside and inside, with real parts: the Debian blackbox exporter (as `vigil
// start` runs it) probes the repository's SLA journeys on a stand-in gateway, a real Prometheus
// (test profile: 1 s scrapes) scrapes the probes and the stand-in's RED counter and evaluates the
// generated SLA rules, and `vigil sla report` reads it all back. The stand-in answers the
// journeys' paths and fails /products with 503 while `failing` is set.

const spec = validateSpecText(readFileSync(join(repoRoot, SLO_SPEC), 'utf8'));
if (!spec.ok) throw new Error(spec.errors.join('\n'));
const sla = spec.spec.slas[0]!;
const probedFailing = `sum(count_over_time(probe_success{job="blackbox", sla="${sla.name}"}[10m])) - sum(sum_over_time(probe_success{job="blackbox", sla="${sla.name}"}[10m]))`;

let failing = false;
let gateway: Server;
let exporter: ManagedProcess;
let stack: MonitoringStack;

const registry = new Registry();
registry.setDefaultLabels({ service: 'gateway' });
const requests = new Counter({
  name: 'http_requests_total',
  help: 'HTTP requests',
  labelNames: ['method', 'route', 'status'],
  registers: [registry],
});

beforeAll(async () => {
  const [gatewayPort, exporterPort] = [await freePort(), await freePort()];
  gateway = createServer(async (req, res) => {
    if (req.url === '/metrics') {
      res.setHeader('content-type', registry.contentType);
      res.end(await registry.metrics());
      return;
    }
    const journey = sla.journeys.find((j) => j.path === req.url);
    const status = !journey ? 404 : failing && req.url === '/products' ? 503 : 200;
    requests.inc({ method: req.method ?? 'GET', route: req.url ?? '', status: String(status) });
    res.statusCode = status;
    res.end('{}');
  });
  await new Promise<void>((resolve) => gateway.listen(gatewayPort, '127.0.0.1', resolve));
  const ctx = {
    host: '127.0.0.1',
    repoRoot,
    port: (name: string) => (name === 'blackbox-exporter' ? exporterPort : gatewayPort),
  } as unknown as Parameters<typeof blackboxExporterComponent.command>[0];
  const { cmd, args } = blackboxExporterComponent.command(ctx);
  exporter = startProcess('blackbox-exporter', cmd, args);
  await waitFor('blackbox exporter ready', () => answers(blackboxExporterComponent.readyUrl(ctx)), {
    timeoutMs: 30_000,
  }).catch((err) => {
    throw new Error(`${err.message}\n${exporter.output()}`);
  });
  stack = await startMonitoringStack({
    services: [{ service: 'gateway', port: gatewayPort }],
    blackbox: { exporterPort, probes: probeTargetsOf(spec.spec, `http://127.0.0.1:${gatewayPort}`) },
  });
}, 90_000);

afterAll(async () => {
  await stack?.stop();
  await exporter?.stop();
  await new Promise((resolve) => gateway?.close(resolve));
});

function vigilSla(...args: string[]) {
  const run = spawnSync(process.execPath, [join(repoRoot, 'packages/cli/src/main.ts'), 'sla', ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('SLA: synthetic probes through the blackbox exporter, and vigil sla report', () => {
  it('probes every journey of the SLA, labelled {sla, journey}, and the outage shows in report and rules', async () => {
    // Every journey probed successfully, through job blackbox.
    await waitFor(
      'a successful probe of every journey',
      async () => {
        const r = await promQuery(
          stack.prometheusUrl,
          `probe_success{job="blackbox", sla="${sla.name}"} == 1`,
        );
        return r.length === sla.journeys.length ? r : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    const journeys = (await promQuery(stack.prometheusUrl, `probe_success{job="blackbox"}`)).map(
      (s) => s.metric.journey,
    );
    expect(journeys.sort()).toEqual(sla.journeys.map((j) => j.name).sort());

    // An outage of /products until Prometheus has recorded three failed probes.
    failing = true;
    await waitFor(
      'three failed probes',
      async () => {
        const [r] = await promQuery(stack.prometheusUrl, probedFailing);
        return r && Number(r.value[1]) >= 3 ? r : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    failing = false;
    await waitFor(
      'the journey healthy again',
      async () => {
        const r = await promQuery(
          stack.prometheusUrl,
          `probe_success{job="blackbox", journey="product-list"} == 1`,
        );
        return r.length === 1 ? r : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );

    const run = vigilSla('report', '--json', '--prometheus', stack.prometheusUrl);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as {
      slas: Array<{ name: string; outside: Record<string, unknown>; inside: Record<string, unknown> }>;
    };
    const [figures] = await promQuery(stack.prometheusUrl, probedFailing);
    const entry = report.slas.find((s) => s.name === sla.name)!;
    const outside = entry.outside as {
      good: number;
      total: number;
      attainment: number;
      budgetSpent: number;
      breaches: unknown[];
    };
    // The report counts what Prometheus holds (probes keep coming between the two reads).
    expect(outside.total - outside.good).toBeGreaterThanOrEqual(3);
    expect(outside.total - outside.good).toBeLessThanOrEqual(Number(figures!.value[1]));
    // The health journey kept succeeding through the outage: some probes were good. How many
    // depends on how long the run took to see three failures (under load it varies), so the
    // attainment is checked against the counts, not against a fixed share.
    expect(outside.good).toBeGreaterThan(0);
    expect(outside.attainment).toBeCloseTo(outside.good / outside.total, 9);
    expect(outside.attainment).toBeLessThan(1);
    expect(outside.budgetSpent).toBeGreaterThan(0);
    expect(outside.breaches).toHaveLength(1);
    // Inside: the gateway's own counter saw the same 503s (the health journey is not in the SLI).
    const inside = entry.inside as { good: number; total: number; attainment: number };
    expect(inside.total).toBeGreaterThan(0);
    expect(inside.attainment).toBeLessThan(1);

    // The human-readable form names the SLA, both views and the breach.
    const text = vigilSla('report', '--prometheus', stack.prometheusUrl);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`^${sla.name}: ${sla.objective}% per calendar month$`, 'm'));
    expect(text.stdout).toMatch(
      /outside \(probes of health, product-list\): attainment \d+\.\d{3}% .* breaches 1/,
    );
    expect(text.stdout).toMatch(/inside \(SLI of SLO gateway-availability\): attainment/);

    // The generated SLA rules evaluate on live data without errors and see the failures.
    await waitFor(
      'the 6h failure ratio recorded above 0',
      async () => {
        const [r] = await promQuery(
          stack.prometheusUrl,
          `sla:probe_failure:ratio_rate6h{sla="${sla.name}"} > 0`,
        );
        return r;
      },
      { timeoutMs: 15_000, intervalMs: 500 },
    );
    const rules = (await (await fetch(`${stack.prometheusUrl}/api/v1/rules`)).json()) as {
      data: {
        groups: Array<{ name: string; rules: Array<{ name: string; health: string; lastError?: string }> }>;
      };
    };
    const group = rules.data.groups.find((g) => g.name === `sla:${sla.name}`)!;
    expect(group.rules.filter((r) => r.health !== 'ok')).toEqual([]);
  }, 120_000);

  it('--month reports a whole past month (here one without data: nothing invented) and refuses one not started', () => {
    const now = new Date();
    const label = (d: Date) => `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
    const previous = label(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)));
    const run = vigilSla('report', '--month', previous, '--json', '--prometheus', stack.prometheusUrl);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as {
      month: string;
      until: number;
      slas: Array<{ name: string; outside: Record<string, unknown>; inside: Record<string, unknown> }>;
    };
    expect(report.month).toBe(previous);
    // The whole month: until its last second, one bucket per hour of it.
    expect(report.until).toBe(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1) / 1000);
    const hours = (report.until - Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1) / 1000) / 3600;
    for (const view of ['outside', 'inside'] as const) {
      const a = report.slas.find((x) => x.name === sla.name)![view];
      expect(a, view).toMatchObject({
        bucketsElapsed: hours,
        bucketsWithData: 0,
        good: 0,
        total: 0,
        breaches: [],
      });
      expect(a.attainment, view).toBeUndefined();
    }
    const next = label(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)));
    const future = vigilSla('report', '--month', next, '--prometheus', stack.prometheusUrl);
    expect(future.code).toBe(2);
    expect(future.stderr).toContain(`${next} has not started`);
  });

  it('refuses a malformed month and an unreachable Prometheus with clear messages', () => {
    const bad = vigilSla('report', '--month', '2024-13');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--month must be YYYY-MM');
    const down = vigilSla('report', '--prometheus', 'http://127.0.0.1:9');
    expect(down.code).toBe(1);
    expect(down.stderr).toContain('cannot query Prometheus at http://127.0.0.1:9');
  });
});
