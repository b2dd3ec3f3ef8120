// The short gameday: the whole local stack (`vigil start`, test profile: 1 s scrapes and
// evaluations, `for` 2 s, group_wait 1 s) with real Prometheus, Alertmanager, hub and fault
// proxy; every experiment of chaos/experiments injected for real and detected within its bound.
// Then the monitoring is blinded on purpose and the same machinery must fail.
import { type SpawnSyncReturns, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { loadCatalogue } from '../../packages/cli/src/chaos/catalogue.ts';
import type { GamedayReport } from '../../packages/cli/src/chaos/gameday.ts';
import { CATALOGUE_DIR } from '../../packages/cli/src/commands/chaos.ts';
import { components } from '../../packages/cli/src/components.ts';
import { repoRoot } from '../../packages/cli/src/paths.ts';
import { readState } from '../../packages/cli/src/run-state.ts';
import { freePort } from '../monitoring/alerting-support/free-port.ts';
import { waitFor } from '../monitoring/alerting-support/wait-for.ts';

/**
 * One experiment per fault family whose detection fits the test profile on the 2-core CI machine.
 * The whole catalogue is `vigil gameday` (docs/chaos-engineering.md has its last table): under
 * this machine's load several experiments are late against their bounds (Node restarts take
 * ~20 s), which is a finding, not a test to hide it in.
 */
const SHORT_GAMEDAY = ['freeze-product', 'refused-notification', 'memory-order', 'cpu-stress-neighbour'];

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
  it('detects one experiment of each fault family within its bound, with no false alert in the control phase', async () => {
    const out = join(varDir, 'gameday-report');
    const r = await vigil(
      'gameday',
      '--only',
      SHORT_GAMEDAY.join(','),
      '--warmup',
      '120s',
      '--control',
      '10s',
      '--cooldown',
      '0s',
      '--resolve-timeout',
      '15s',
      '--allow-unresolved',
      '--quiet-hold',
      '10s',
      '--out',
      out,
    );
    const report = JSON.parse(readFileSync(join(out, 'gameday.json'), 'utf8')) as GamedayReport;
    const lines = report.experiments.map(
      (e) =>
        `${e.experiment}: ${e.outcome} ${e.pageSeconds?.toFixed(1) ?? '-'} s (bound ${e.bound?.notifySeconds ?? '-'} s)`,
    );
    console.log(
      `short gameday: ${report.summary}; warm-up alerts: ${report.control.warmupAlerts.join(', ') || 'none'}\n${lines.join('\n')}`,
    );
    expect(report.control.falseAlerts, r.out.slice(-4000)).toEqual([]);
    expect(report.experiments.map((e) => e.experiment).sort()).toEqual([...SHORT_GAMEDAY].sort());
    const families = new Set(
      loadCatalogue(CATALOGUE_DIR)
        .filter((e) => SHORT_GAMEDAY.includes(e.name))
        .map((e) => e.fault.kind.split('.')[0]),
    );
    expect([...families].sort()).toEqual(['app', 'network', 'process', 'resource']);
    expect(
      report.experiments.filter((e) => !e.passed).map((e) => `${e.experiment}: ${e.verdict}`),
      r.out.slice(-6000),
    ).toEqual([]);
    expect(r.code).toBe(0);
    expect(readFileSync(join(out, 'gameday.html'), 'utf8')).toContain('PASSED');
  }, 900_000);

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
