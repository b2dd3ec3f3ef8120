import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runbookUrl } from '@vigil/slo';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

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

  it('pass every promtool unit test', () => {
    const { code, output } = promtool('test', 'rules', ...yamlFiles(testsDir, '.test.yml'));
    expect(code, output).toBe(0);
  }, 180_000);

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
