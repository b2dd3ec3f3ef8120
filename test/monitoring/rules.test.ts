import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runbookUrl } from '@vigil/slo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { freePort } from './alerting-support/free-port.ts';
import {
  type MonitoringStack,
  promQuery,
  startMonitoringStack,
} from './alerting-support/monitoring-stack.ts';
import { type ServiceUnderTest, serviceUnderTest } from './alerting-support/service-under-test.ts';
import { waitFor } from './alerting-support/wait-for.ts';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const rulesDir = join(repo, 'monitoring/prometheus/rules');
const testsDir = join(repo, 'monitoring/prometheus/tests');
const runbooksDir = join(repo, 'docs/runbooks');
const SEVERITIES = ['critical', 'warning', 'ticket', 'info'];

interface AlertRule {
  alert: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface RuleFile {
  groups: Array<{ name: string; rules: Array<AlertRule | { record: string }> }>;
}
interface ExpAlert {
  exp_labels?: Record<string, string>;
  exp_annotations?: Record<string, string>;
}
interface TestFile {
  rule_files: string[];
  tests: Array<{ name?: string; alert_rule_test?: Array<{ alertname: string; exp_alerts?: ExpAlert[] }> }>;
}

const yamlFiles = (dir: string, suffix: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith(suffix))
    .sort()
    .map((f) => join(dir, f));

function promtool(...args: string[]) {
  const run = spawnSync('promtool', args, { cwd: repo, encoding: 'utf8', timeout: 170_000 });
  if (run.error) throw new Error(`promtool not runnable (Debian package 'prometheus'): ${run.error.message}`);
  return { code: run.status, output: `${run.stdout}${run.stderr}` };
}

/** Every alerting rule, with the rule file defining it. */
function collectAlerts() {
  const alerts: Array<AlertRule & { file: string }> = [];
  for (const file of yamlFiles(rulesDir, '.yml')) {
    const parsed = parse(readFileSync(file, 'utf8')) as RuleFile;
    for (const group of parsed.groups) {
      for (const rule of group.rules) if ('alert' in rule) alerts.push({ ...rule, file });
    }
  }
  return alerts;
}

/** Alert name → the firing and quiet cases that test it, counted only where the test loads its rule file. */
function collectCases() {
  const cases: Array<{ alertname: string; ruleFiles: string[]; where: string; fired: ExpAlert[] }> = [];
  for (const file of yamlFiles(testsDir, '.test.yml')) {
    const parsed = parse(readFileSync(file, 'utf8')) as TestFile;
    const ruleFiles = parsed.rule_files.map((r) => resolve(dirname(file), r));
    for (const test of parsed.tests) {
      for (const c of test.alert_rule_test ?? []) {
        cases.push({
          alertname: c.alertname,
          ruleFiles,
          where: `${file}: ${test.name}`,
          fired: c.exp_alerts ?? [],
        });
      }
    }
  }
  return cases;
}

describe('Prometheus rules', () => {
  let alerts: ReturnType<typeof collectAlerts>;
  let cases: ReturnType<typeof collectCases>;
  beforeAll(() => {
    alerts = collectAlerts();
    cases = collectCases();
  });

  it('pass promtool check rules', () => {
    const { code, output } = promtool('check', 'rules', ...yamlFiles(rulesDir, '.yml'));
    expect(output).not.toMatch(/FAILED/);
    expect(code, output).toBe(0);
  });

  // One promtool run per file, each with its own time budget: the calendar-month SLA file alone
  // evaluates 33 days of a 1-minute rule group (30 s on a quiet machine; one run of them all
  // passed 170 s when the box was busy).
  it.each(yamlFiles(testsDir, '.test.yml').map((f) => relative(repo, f)))(
    'pass the promtool unit tests of %s',
    (file) => {
      const { code, output } = promtool('test', 'rules', file);
      expect(code, output).toBe(0);
    },
    180_000,
  );

  it('give every alert a severity, a team, summary, description and its runbook URL', () => {
    const problems: string[] = [];
    for (const a of alerts) {
      if (!SEVERITIES.includes(a.labels?.severity ?? ''))
        problems.push(`${a.alert}: severity must be one of ${SEVERITIES}`);
      if (!a.labels?.team) problems.push(`${a.alert}: no team label`);
      for (const key of ['summary', 'description']) {
        if (!a.annotations?.[key]) problems.push(`${a.alert}: no ${key} annotation`);
      }
      if (a.annotations?.runbook_url !== runbookUrl(a.alert)) {
        problems.push(`${a.alert}: runbook_url must be ${runbookUrl(a.alert)}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('have a runbook in docs/runbooks/ for every alert', () => {
    const missing = [...new Set(alerts.map((a) => a.alert))].filter(
      (n) => !existsSync(join(runbooksDir, `${n}.md`)),
    );
    expect(missing, `missing runbooks: ${missing.join(', ')}`).toEqual([]);
  });

  it('test every alert firing (with service, severity, team and the annotations) and staying quiet', () => {
    const names = [...new Set(alerts.map((a) => a.alert))].sort();
    const casesFor = (name: string) =>
      cases.filter(
        (c) => c.alertname === name && alerts.some((a) => a.alert === name && c.ruleFiles.includes(a.file)),
      );
    const firing = names.filter((n) => casesFor(n).some((c) => c.fired.length > 0));
    const quiet = names.filter((n) => casesFor(n).some((c) => c.fired.length === 0));
    const pct = (n: number) => `${n}/${names.length} (${Math.round((100 * n) / names.length)}%)`;
    console.log(`alert test coverage: ${pct(firing.length)} fire, ${pct(quiet.length)} stay quiet`);
    const sloNames = new Set(
      cases.flatMap((c) => c.fired.map((f) => f.exp_labels?.slo)).filter((s): s is string => s !== undefined),
    );
    console.log(`SLOs with a firing burn-rate test: ${[...sloNames].sort().join(', ') || 'none'}`);

    expect(
      names.filter((n) => !firing.includes(n)),
      'alerts without a firing test case',
    ).toEqual([]);
    expect(
      names.filter((n) => !quiet.includes(n)),
      'alerts without a quiet test case',
    ).toEqual([]);
    const incomplete = cases.flatMap((c) =>
      c.fired
        .filter(
          (f) =>
            !['severity', 'service', 'team'].every((k) => f.exp_labels?.[k]) ||
            !['summary', 'description', 'runbook_url'].every((k) => f.exp_annotations?.[k]),
        )
        .map(() => `${c.where} (${c.alertname})`),
    );
    expect(incomplete, 'firing cases must assert severity/service/team and all annotations').toEqual([]);
  });
});

// promtool feeds the rules synthetic series; this runs them against what a real service exports,
// in the test profile (1s scrapes and evaluations, every `for` shortened to 2s).
describe('the rules on a live Prometheus scraping a running user-service', () => {
  let sut: ServiceUnderTest;
  let stack: MonitoringStack | undefined;
  let traffic = true;
  let load: Promise<void> = Promise.resolve();

  beforeAll(async () => {
    sut = serviceUnderTest(await freePort());
    await sut.start();
    stack = await startMonitoringStack({
      services: [{ service: sut.service, port: Number(new URL(sut.url).port) }],
    });
    load = (async () => {
      while (traffic) {
        // 200s and 404s: healthy traffic (a 404 is the client's mistake, not an error)
        await Promise.all(
          [fetch(`${sut.url}/users`), fetch(`${sut.url}/users/999999`)].map((r) =>
            r.then((x) => x.arrayBuffer()).catch(() => {}),
          ),
        );
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
  });

  afterAll(async () => {
    traffic = false;
    await load;
    await stack?.stop();
    await sut?.close();
  });

  it('evaluate without errors, record the RED series, and raise nothing on a healthy service', async () => {
    const prom = stack!.prometheusUrl;
    await waitFor(
      'RED recording rules with data for user-service',
      async () => {
        const found = await Promise.all(
          [
            'service:http_requests:rate5m{service="user-service"} > 0.1',
            'service:http_request_error_ratio:rate5m{service="user-service"} == 0',
            'service:http_request_duration_seconds:p95_5m{service="user-service"} > 0',
            'slo:sli_error:ratio_rate5m{slo="user-service-availability"} == 0',
          ].map((q) => promQuery(prom, q)),
        );
        return found.every((r) => r.length === 1) ? true : undefined;
      },
      { timeoutMs: 45_000, intervalMs: 500 },
    );
    // ScrapeTargetMissing (the other services, the hub are not running here) proves the alerts
    // have been evaluated past their shortened `for`.
    await waitFor(
      'ScrapeTargetMissing firing for the services not started',
      async () =>
        (await promQuery(prom, 'ALERTS{alertname="ScrapeTargetMissing", alertstate="firing"}')).length > 0
          ? true
          : undefined,
      { timeoutMs: 30_000, intervalMs: 500 },
    );

    const rules = (await (await fetch(`${prom}/api/v1/rules`)).json()) as {
      data: {
        groups: Array<{ name: string; rules: Array<{ name: string; health: string; lastError?: string }> }>;
      };
    };
    const unhealthy = rules.data.groups.flatMap((g) =>
      g.rules
        .filter((r) => r.health !== 'ok')
        .map((r) => `${g.name}/${r.name}: ${r.health} ${r.lastError ?? ''}`),
    );
    expect(unhealthy).toEqual([]);
    expect(rules.data.groups.flatMap((g) => g.rules).length).toBeGreaterThan(100);

    // EventLoopLagHigh and HighLatency depend on how loaded the shared test machine is: they are
    // right to fire when it is starved, so they are not held against the rules here.
    const loadDependent = new Set(['ScrapeTargetMissing', 'EventLoopLagHigh', 'HighLatency']);
    const raised = (await promQuery(prom, 'ALERTS'))
      .filter((a) => !loadDependent.has(a.metric.alertname ?? ''))
      .map((a) => `${a.metric.alertname} ${a.metric.alertstate} ${JSON.stringify(a.metric)}`);
    expect(raised, 'alerts raised on a healthy, freshly started service').toEqual([]);
  }, 120_000);
});
