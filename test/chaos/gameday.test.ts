// The short gameday: the whole local stack (`vigil start`, test profile: 1 s scrapes and
// evaluations, `for` 2 s, group_wait 1 s) with real Prometheus, Alertmanager, hub and fault
// proxy; every experiment of chaos/experiments injected for real and detected within its bound.
// Then the monitoring is blinded on purpose and the same machinery must fail.
import { type SpawnSyncReturns, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVICE_NAMES } from '@vigil/topology';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { readAdminToken } from '../../packages/cli/src/admin-token.ts';
import { loadCatalogue } from '../../packages/cli/src/chaos/catalogue.ts';
import { chaosStateFile, readChaosState } from '../../packages/cli/src/chaos/chaos-state.ts';
import type { GamedayReport } from '../../packages/cli/src/chaos/gameday.ts';
import { monkeyPlan } from '../../packages/cli/src/chaos/monkey.ts';
import { CATALOGUE_DIR } from '../../packages/cli/src/commands/chaos.ts';
import { components } from '../../packages/cli/src/components.ts';
import { repoRoot, varLayout } from '../../packages/cli/src/paths.ts';
import { readState } from '../../packages/cli/src/run-state.ts';
import { freePort } from '../monitoring/alerting-support/free-port.ts';
import { waitFor } from '../monitoring/alerting-support/wait-for.ts';

/** Every experiment of the catalogue (a new one joins the short gameday by being added there). */
const CATALOGUE = loadCatalogue(CATALOGUE_DIR).map((e) => e.name);

let varDir: string;
let env: NodeJS.ProcessEnv;

const vigilSync = (...args: string[]): SpawnSyncReturns<string> =>
  spawnSync(process.execPath, ['packages/cli/src/main.ts', ...args, '--var-dir', varDir], {
    cwd: repoRoot,
    env,
    encoding: 'utf8',
    timeout: 180_000,
  });

/** Runs `vigil …` without blocking the event loop; resolves with its exit code and output. */
function vigil(...args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['packages/cli/src/main.ts', ...args, '--var-dir', varDir], {
      cwd: repoRoot,
      env,
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => resolve({ code, out }));
  });
}

beforeAll(async () => {
  varDir = mkdtempSync(join(tmpdir(), 'vigil-gameday-'));
  env = { ...process.env, VIGIL_MONITORING_PROFILE: 'test' };
  delete env.VIGIL_ADMIN_TOKEN;
  for (const c of components) {
    env[c.portEnv] = String(await freePort());
    for (const extra of c.extraPorts ?? []) env[extra.env] = String(await freePort());
  }
  const started = vigilSync('start', '--detach');
  if (started.status !== 0) throw new Error(`vigil start failed:\n${started.stdout}${started.stderr}`);
}, 200_000);

afterAll(() => {
  if (varDir) {
    vigilSync('stop');
    rmSync(varDir, { recursive: true, force: true });
  }
});

describe('short gameday (test profile, real stack)', () => {
  it('detects every experiment of the catalogue in time and sees it resolve, with no false alert in the control phase', async () => {
    const out = join(varDir, 'gameday-report');
    const started = Date.now();
    const r = await vigil(
      'gameday',
      '--parallel',
      '--warmup',
      '120s',
      '--control',
      '10s',
      '--cooldown',
      '0s',
      '--resolve-timeout',
      '90s',
      '--quiet-hold',
      '10s',
      '--out',
      out,
    );
    const report = JSON.parse(readFileSync(join(out, 'gameday.json'), 'utf8')) as GamedayReport;
    const lines = report.experiments.map(
      (e) =>
        `${e.experiment}: ${e.outcome} page ${e.pageSeconds?.toFixed(1) ?? '-'} s (bound ${e.bound?.notifySeconds ?? '-'} s), resolved ${e.recoverSeconds?.toFixed(1) ?? '-'} s after rollback`,
    );
    console.log(
      `short gameday (${((Date.now() - started) / 1000).toFixed(0)} s): ${report.summary}; warm-up alerts: ${report.control.warmupAlerts.join(', ') || 'none'}\n${lines.join('\n')}`,
    );
    expect(report.control.falseAlerts, r.out.slice(-4000)).toEqual([]);
    expect(report.experiments.map((e) => e.experiment).sort()).toEqual([...CATALOGUE].sort());
    // This run guards detection in CI, where it shares two cores with other test files: a page
    // that is late against the bound's 20 % allowance but within twice the bound still proves the
    // alert works (the gameday itself still calls it late and exits 1). Timing against the bounds
    // is judged by the quiet-machine runs in docs/chaos-engineering.md (`make gameday`,
    // bench/chaos/service-down.ts). Not detected, not resolved, or later than 2× fails here.
    const lateButDetected = (e: (typeof report.experiments)[number]) =>
      e.outcome === 'late' &&
      e.recoverSeconds !== undefined &&
      (e.pageSeconds ?? Number.POSITIVE_INFINITY) <= 2 * e.bound!.notifySeconds;
    expect(
      report.experiments
        .filter((e) => !e.passed && !lateButDetected(e))
        .map((e) => `${e.experiment}: ${e.verdict}`),
      r.out.slice(-6000),
    ).toEqual([]);
    for (const e of report.experiments.filter((x) => x.expected.length > 0)) {
      expect(e.pageSeconds, e.experiment).toBeLessThanOrEqual(2 * e.bound!.notifySeconds);
      expect(e.recoverSeconds, e.experiment).toBeDefined();
    }
    const allPassed = report.experiments.every((e) => e.passed);
    expect(r.code).toBe(allPassed ? 0 : 1);
    expect(readFileSync(join(out, 'gameday.html'), 'utf8')).toContain(allPassed ? 'PASSED' : 'FAILED');
  }, 900_000);

  it('chaos monkey: the round its seed plans, run for real, then everything rolled back', async () => {
    // A seed whose first round is two quick experiments (their alerts clear within seconds).
    const quick = ['freeze-product', 'kill-payment', 'refused-notification', 'memory-order'];
    const seed = [...Array(500).keys()].find((n) => {
      const [first] = monkeyPlan(loadCatalogue(CATALOGUE_DIR), n, 1);
      return first!.length === 2 && first!.every((x) => quick.includes(x));
    })!;
    const [planned] = monkeyPlan(loadCatalogue(CATALOGUE_DIR), seed, 1);
    // --duration 1s: exactly one round (a round in progress always finishes and rolls back).
    const r = await vigil('chaos', 'monkey', '--duration', '1s', '--seed', String(seed));
    expect(r.out).toContain(`chaos monkey: seed ${seed}`);
    expect(r.out).toContain(`round 1: ${planned!.join(' + ')}`);
    expect(r.out).not.toContain('round 2:');
    // As for the short gameday above: in CI a page may be late against the bound's 20 % allowance
    // (the monkey then calls it LATE and exits 1); detected within twice the bound and resolved
    // still proves the alert works.
    let late = false;
    for (const name of planned!) {
      const m = new RegExp(
        `verdict: ${name}: (DETECTED|LATE): paged ([\\d.]+) s after the fault[^\\n]*?bound ([\\d.]+) s[^\\n]*`,
      ).exec(r.out);
      expect(m, r.out.slice(-3000)).not.toBeNull();
      const [line, outcome, paged, bound] = m!;
      expect(Number(paged), line).toBeLessThanOrEqual(2 * Number(bound));
      expect(line).toMatch(/resolved [\d.]+ s after rollback/);
      late ||= outcome === 'LATE';
    }
    expect(r.code, r.out.slice(-3000)).toBe(late ? 1 : 0);

    // Rolled back: nothing recorded, no fault left in the proxy or the services, every process running.
    const layout = varLayout(varDir);
    expect(readChaosState(chaosStateFile(layout))?.injections ?? []).toEqual([]);
    const state = readState(layout.stateFile)!;
    const auth = { authorization: `Bearer ${readAdminToken(layout.adminTokenFile)}` };
    const url = (name: string) => `http://127.0.0.1:${state.components.find((c) => c.name === name)!.port}`;
    const proxy = (await (await fetch(`${url('fault-proxy')}/faults`, { headers: auth })).json()) as {
      items: Array<{ route: string; fault: unknown }>;
    };
    expect(proxy.items.length).toBeGreaterThan(0);
    expect(proxy.items.filter((i) => i.fault !== null).map((i) => i.route)).toEqual([]);
    for (const service of SERVICE_NAMES) {
      const faults = (await (await fetch(`${url(service)}/admin/faults`, { headers: auth })).json()) as {
        items: unknown[];
      };
      expect(faults.items, service).toEqual([]);
      const c = state.components.find((x) => x.name === service)!;
      // Running, not stopped (a frozen process shows state T in /proc/<pid>/stat).
      const stat = readFileSync(`/proc/${c.process!.pid}/stat`, 'utf8');
      expect(stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3), service).not.toBe('T');
    }
  }, 240_000);

  it('fails when the monitoring is blinded: ServiceDown matching nothing → freeze-product NOT DETECTED, exit 1', async () => {
    const rulesFile = join(varDir, 'monitoring/rules/service-alerts.yml');
    const original = readFileSync(rulesFile, 'utf8');
    const rules = parse(original) as { groups: Array<{ rules: Array<{ alert?: string; expr: string }> }> };
    const serviceDown = rules.groups.flatMap((g) => g.rules).find((x) => x.alert === 'ServiceDown')!;
    serviceDown.expr = 'up{job="no-such-job"} == 0';
    writeFileSync(rulesFile, stringify(rules));
    const prometheus = readState(join(varDir, 'run/vigil.json'))!.components.find(
      (c) => c.name === 'prometheus',
    )!;
    process.kill(prometheus.process!.pid, 'SIGHUP');
    await waitFor(
      'Prometheus to load the blinded rule',
      async () => {
        const res = await fetch(`http://127.0.0.1:${prometheus.port}/api/v1/rules?type=alert`);
        const body = (await res.json()) as {
          data: { groups: Array<{ rules: Array<{ name: string; query: string }> }> };
        };
        return body.data.groups
          .flatMap((g) => g.rules)
          .some((x) => x.name === 'ServiceDown' && x.query.includes('no-such-job'))
          ? true
          : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 250 },
    );
    const r = await vigil('chaos', 'run', 'freeze-product');
    expect(r.out).toMatch(/verdict: freeze-product: NOT DETECTED/);
    expect(r.code).toBe(1);

    // Removed altogether: refused before any fault goes in, naming the field.
    serviceDown.alert = 'ServiceDownRenamed';
    writeFileSync(rulesFile, stringify(rules));
    const list = vigilSync('chaos', 'list');
    expect(list.status).toBe(2);
    expect(list.stderr).toMatch(
      /freeze-product\.yaml: detection\.alerts\[0\]: no alert rule named 'ServiceDown'/,
    );
    writeFileSync(rulesFile, original);
  }, 180_000);
});
