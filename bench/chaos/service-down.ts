// Time to page for a dead or frozen service with the PRODUCTION monitoring settings
// (monitoring/prometheus/prometheus.yml, rules, alertmanager.yml as `vigil start` renders them
// without the test profile). Starts its own stack on free ports, then N rounds alternating:
//   dead   — the supervisor is paused (SIGSTOP) so it cannot restart the service, then kill -9;
//            the supervisor is resumed once the page arrived (it then restarts the service);
//   frozen — SIGSTOP of the service (the port stays open, scrapes time out), SIGCONT after.
// The page is the PagerDuty event the local webhook sink receives (route `page`, ServiceDown);
// time to page = signal → that request. Prints each round and the medians; exit 1 if any round
// did not page within 60 s.
//
//   nice -n 10 flock /tmp/vigil-stack.lock node bench/chaos/service-down.ts [--rounds 6]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort } from '@vigil/service-kit/testing';
import { groupWaitFor, settingsInForce } from '../../packages/cli/src/chaos/bounds.ts';
import { amAlerts, promQuery } from '../../packages/cli/src/chaos/observe.ts';
import { components } from '../../packages/cli/src/components.ts';
import { repoRoot } from '../../packages/cli/src/paths.ts';
import { readState } from '../../packages/cli/src/run-state.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '6' } } });
const rounds = Number(values.rounds);
const SERVICES = ['product-service', 'user-service', 'notification-service'];
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0
    ? Number.NaN
    : s.length % 2
      ? s[(s.length - 1) / 2]!
      : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    await sleep(200);
  }
  throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
}

const varDir = mkdtempSync(join(tmpdir(), 'vigil-servicedown-'));
const env: NodeJS.ProcessEnv = { ...process.env };
delete env.VIGIL_MONITORING_PROFILE;
delete env.VIGIL_ADMIN_TOKEN;
for (const c of components) {
  env[c.portEnv] = String(await freePort());
  for (const extra of c.extraPorts ?? []) env[extra.env] = String(await freePort());
}
const vigil = (...args: string[]) =>
  spawnSync(process.execPath, ['packages/cli/src/main.ts', ...args, '--var-dir', varDir], {
    cwd: repoRoot,
    env,
    encoding: 'utf8',
    timeout: 240_000,
  });

type Row = { mode: 'dead' | 'frozen'; service: string; firingS: number; pageS: number; boundS: number };
const rows: Row[] = [];
let failed = 0;
try {
  const started = vigil('start', '--detach');
  if (started.status !== 0) throw new Error(`vigil start failed:\n${started.stdout}${started.stderr}`);
  const state = () => readState(join(varDir, 'run/vigil.json'))!;
  const url = (name: string) => `http://127.0.0.1:${state().components.find((c) => c.name === name)!.port}`;
  const prom = url('prometheus');
  const am = url('alertmanager');
  const sink = url('webhook-sink');
  const settings = settingsInForce(repoRoot, varDir);
  const serviceDown = settings.rules.get('ServiceDown')!;
  console.log(
    `production settings: scrape ${settings.scrapeInterval}s (timeout ${settings.scrapeTimeout}s), evaluation ${settings.evaluationInterval}s, ServiceDown for ${serviceDown.forSeconds}s (${settings.source.prometheus})`,
  );
  const allUp = async () => {
    const r = await promQuery(prom, 'up{job="vigil-services"} == 0');
    const n = await promQuery(prom, 'up{job="vigil-services"} == 1');
    return r.length === 0 && n.length >= 6 ? true : undefined;
  };
  await until('every service scraped up', allUp, 120_000);
  const pages = async (since: number, service: string) => {
    const res = await fetch(`${sink}/requests?limit=200`);
    const body = (await res.json()) as { data: Array<{ path: string; receivedAt: number; body?: unknown }> };
    return body.data.find(
      (r) =>
        r.path.includes('pagerduty') &&
        r.receivedAt >= since &&
        JSON.stringify(r.body ?? '').includes('ServiceDown') &&
        JSON.stringify(r.body ?? '').includes(service) &&
        JSON.stringify(r.body ?? '').includes('"trigger"'),
    );
  };
  for (let i = 0; i < rounds; i++) {
    const mode = i % 2 === 0 ? 'dead' : 'frozen';
    const service = SERVICES[i % SERVICES.length]!;
    await until(
      // Only the previous round's ServiceDown matters (a stack without traffic may hold others).
      'no ServiceDown firing before the round',
      async () => ((await amAlerts(am)).some((a) => a.labels.alertname === 'ServiceDown') ? undefined : true),
      180_000,
    );
    // Land the fault at a random point of the scrape and evaluation cycles.
    await sleep(Math.random() * settings.scrapeInterval * 1000);
    const s = state();
    const target = s.components.find((c) => c.name === service)!.process!.pid;
    const t0 = Date.now();
    if (mode === 'dead') {
      process.kill(s.supervisor.pid, 'SIGSTOP');
      process.kill(target, 'SIGKILL');
    } else process.kill(target, 'SIGSTOP');
    let firingAt: number | undefined;
    try {
      const page = await until(
        `the ServiceDown page of ${service}`,
        async () => {
          if (firingAt === undefined) {
            const a = await amAlerts(am);
            if (a.some((x) => x.labels.alertname === 'ServiceDown' && x.labels.service === service))
              firingAt = Date.now();
          }
          return pages(t0, service);
        },
        60_000,
      );
      const wait = groupWaitFor(settings.route, { alertname: 'ServiceDown', service, severity: 'critical' });
      const boundS =
        settings.scrapeInterval +
        (mode === 'frozen' ? settings.scrapeTimeout : 0) +
        settings.evaluationInterval +
        Math.ceil(serviceDown.forSeconds / settings.evaluationInterval) * settings.evaluationInterval +
        wait;
      const row: Row = {
        mode,
        service,
        firingS: ((firingAt ?? page.receivedAt) - t0) / 1000,
        pageS: (page.receivedAt - t0) / 1000,
        boundS,
      };
      rows.push(row);
      console.log(
        `round ${i + 1}: ${mode} ${service}: firing in Alertmanager after ${row.firingS.toFixed(1)} s, paged after ${row.pageS.toFixed(1)} s (bound ${boundS} s)`,
      );
    } catch (err) {
      failed += 1;
      console.log(`round ${i + 1}: ${mode} ${service}: ${(err as Error).message}`);
    } finally {
      if (mode === 'dead') process.kill(s.supervisor.pid, 'SIGCONT');
      else process.kill(target, 'SIGCONT');
    }
    await until('the service up again', allUp, 120_000);
  }
  for (const mode of ['dead', 'frozen'] as const) {
    const xs = rows.filter((r) => r.mode === mode);
    if (xs.length)
      console.log(
        `${mode}: median time to page ${median(xs.map((r) => r.pageS)).toFixed(1)} s over ${xs.length} rounds (min ${Math.min(...xs.map((r) => r.pageS)).toFixed(1)}, max ${Math.max(...xs.map((r) => r.pageS)).toFixed(1)}; bound ${xs[0]!.boundS} s)`,
      );
  }
  console.log(
    `all: median ${median(rows.map((r) => r.pageS)).toFixed(1)} s over ${rows.length} rounds; ${failed} round(s) without a page`,
  );
} finally {
  vigil('stop');
  rmSync(varDir, { recursive: true, force: true });
}
process.exit(failed > 0 || rows.length === 0 ? 1 : 0);
