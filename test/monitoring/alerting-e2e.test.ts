// End to end with the real binaries: a service, Prometheus and Alertmanager (test profile),
// a webhook sink standing in for the hub, Slack and PagerDuty, and an SMTP sink.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  monitoringRuntimeLayout,
  monitoringSources,
  preparePrometheus,
} from '../../packages/cli/src/monitoring/index.ts';
import { freePort } from './alerting-support/free-port.ts';
import type { MonitoringStack } from './alerting-support/monitoring-stack.ts';
import {
  promQuery,
  repoRoot,
  rulesSourceDir,
  startMonitoringStack,
  TEST_PROFILE,
} from './alerting-support/monitoring-stack.ts';
import type { ServiceUnderTest } from './alerting-support/service-under-test.ts';
import { serviceUnderTest } from './alerting-support/service-under-test.ts';
import type { SmtpSink } from './alerting-support/smtp-sink.ts';
import { startSmtpSink } from './alerting-support/smtp-sink.ts';
import { waitFor } from './alerting-support/wait-for.ts';
import type { HttpSink } from './alerting-support/webhook-sink.ts';
import { startHttpSink, webhookPayloads } from './alerting-support/webhook-sink.ts';

const seconds = (d: string) => Number(d.replace(/s$/, ''));
// Theoretical worst case from kill to notification: the next scrape fails, the next evaluation
// sees up == 0, the alert stays pending for `for`, then Alertmanager waits group_wait.
const BOUND_S =
  seconds(TEST_PROFILE.scrapeInterval) +
  seconds(TEST_PROFILE.evaluationInterval) +
  seconds(TEST_PROFILE.alertFor) +
  seconds(TEST_PROFILE.timings.groupWait);
// Judged against twice the bound, as the short gameday does (test/chaos/gameday.test.ts): this
// runs in CI beside other test files on two cores, where a notification can be seconds late
// without the alert being wrong. The strict bound is measured on a quiet machine by
// bench/chaos/service-down.ts and `make gameday`.
const allowed = (bound: number) => 2 * bound;

function repoHasServiceDownRule(): boolean {
  const dir = rulesSourceDir();
  try {
    return readdirSync(dir).some(
      (f) => f.endsWith('.yml') && /alert:\s*ServiceDown\b/.test(readFileSync(join(dir, f), 'utf8')),
    );
  } catch {
    return false;
  }
}

function promtoolCheckConfig(file: string): { status: number | null; output: string } {
  const r = spawnSync('promtool', ['check', 'config', file], { encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe('prometheus.yml (promtool check config)', () => {
  const sources = monitoringSources(repoRoot);

  it('the checked-in file is valid (targets come later from file_sd)', () => {
    const r = promtoolCheckConfig(sources.prometheusConfig);
    expect(r.status, r.output).toBe(0);
  });

  it('the local-mode copy `vigil start` renders is valid, with its targets present and the real rules loaded', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-prom-local-'));
    try {
      const layout = monitoringRuntimeLayout(dir);
      preparePrometheus({
        sources,
        layout,
        targets: {
          services: [
            { service: 'gateway', port: 8080 },
            { service: 'user-service', port: 8001 },
          ],
          hubPort: 4000,
          prometheusPort: 9090,
          alertmanagerPort: 9093,
        },
      });
      const r = promtoolCheckConfig(layout.prometheusConfig);
      expect(r.status, r.output).toBe(0);
      expect(r.output).not.toContain('WARNING');
      expect(r.output).toMatch(/SUCCESS: \d+ rule files found/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the full-stack variant (same file and rules, profiles/full-stack/targets) is valid', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-prom-full-'));
    try {
      cpSync(sources.prometheusConfig, join(dir, 'prometheus.yml'));
      cpSync(sources.rulesDir, join(dir, 'rules'), { recursive: true });
      cpSync(join(repoRoot, 'monitoring/prometheus/profiles/full-stack/targets'), join(dir, 'targets'), {
        recursive: true,
      });
      const r = promtoolCheckConfig(join(dir, 'prometheus.yml'));
      expect(r.status, r.output).toBe(0);
      expect(r.output).not.toContain('WARNING');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('local mode: vigil start runs Prometheus and Alertmanager with the rendered configs', () => {
  let varDir: string;
  let env: NodeJS.ProcessEnv;
  const vigil = (...args: string[]) =>
    spawnSync(process.execPath, ['packages/cli/src/main.ts', ...args, '--var-dir', varDir], {
      cwd: repoRoot,
      env,
      encoding: 'utf8',
      timeout: 90_000,
    });

  beforeAll(async () => {
    varDir = mkdtempSync(join(tmpdir(), 'vigil-local-monitoring-'));
    env = {
      ...process.env,
      PROMETHEUS_PORT: String(await freePort()),
      ALERTMANAGER_PORT: String(await freePort()),
      USER_SERVICE_PORT: String(await freePort()),
      // Nothing listens there: the service's exports fail quietly.
      HUB_OTLP_PORT: String(await freePort()),
    };
  });

  afterAll(() => {
    vigil('stop');
    rmSync(varDir, { recursive: true, force: true });
  });

  it('scrapes the started service through the file_sd targets it wrote, with the repo rules loaded', async () => {
    const started = vigil('start', '--detach', '--only', 'user-service,prometheus,alertmanager');
    expect(started.status, `${started.stdout}${started.stderr}`).toBe(0);
    const prom = `http://127.0.0.1:${env.PROMETHEUS_PORT}`;
    const targets = JSON.parse(readFileSync(join(varDir, 'monitoring/targets/services.json'), 'utf8'));
    expect(targets).toEqual([
      { targets: [`127.0.0.1:${env.USER_SERVICE_PORT}`], labels: { service: 'user-service' } },
    ]);
    await waitFor(
      'user-service, Prometheus and Alertmanager scraped and up',
      async () => {
        const up = await promQuery(prom, 'up == 1');
        const jobs = new Set(up.map((s) => `${s.metric.job}/${s.metric.service}`));
        return ['vigil-services/user-service', 'prometheus/prometheus', 'alertmanager/alertmanager'].every(
          (j) => jobs.has(j),
        )
          ? true
          : undefined;
      },
      { timeoutMs: 45_000, intervalMs: 500 },
    );
    const rules = (await (await fetch(`${prom}/api/v1/rules?type=alert`)).json()) as {
      data: { groups: Array<{ file: string; rules: Array<{ name: string }> }> };
    };
    expect(rules.data.groups.flatMap((g) => g.rules.map((r) => r.name))).toContain('ServiceDown');
    // The rules are this run's copies of the repo's files (runbook links rebased onto this run's
    // console): the same files, under var/monitoring/rules.
    const renderedRules = join(varDir, 'monitoring', 'rules');
    expect(rules.data.groups.every((g) => g.file.startsWith(renderedRules))).toBe(true);
    expect(new Set(rules.data.groups.map((g) => g.file.slice(renderedRules.length + 1)))).toEqual(
      new Set(readdirSync(join(repoRoot, 'monitoring/prometheus/rules')).filter((f) => f.endsWith('.yml'))),
    );
    const am = await (await fetch(`http://127.0.0.1:${env.ALERTMANAGER_PORT}/api/v2/status`)).json();
    expect((am as { config: { original: string } }).config.original).toContain('smtp_smarthost: 127.0.0.1:');
    const status = vigil('status');
    expect(status.stdout).toMatch(
      new RegExp(`prometheus\\s+running\\s+\\d+\\s+${env.PROMETHEUS_PORT}\\s+yes`),
    );
    expect(status.stdout).toMatch(
      new RegExp(`alertmanager\\s+running\\s+\\d+\\s+${env.ALERTMANAGER_PORT}\\s+yes`),
    );
  }, 180_000);
});

describe('ServiceDown end to end (real Prometheus + Alertmanager, test profile)', () => {
  let sink: HttpSink;
  let smtp: SmtpSink;
  let sut: ServiceUnderTest;
  let stack: MonitoringStack | undefined;

  beforeAll(async () => {
    if (!repoHasServiceDownRule()) throw new Error(`${rulesSourceDir()}/*.yml has no ServiceDown alert`);
    sink = await startHttpSink();
    smtp = await startSmtpSink();
    sut = serviceUnderTest(await freePort());
    await sut.start();
    stack = await startMonitoringStack({
      services: [{ service: sut.service, port: Number(new URL(sut.url).port) }],
      alertmanager: {
        hubWebhookUrl: `${sink.url}/hub`,
        smtpPort: smtp.port,
        slackUrl: `${sink.url}/slack`,
        pagerdutyUrl: `${sink.url}/pagerduty`,
        timings: TEST_PROFILE.timings,
      },
    });
  });

  afterAll(async () => {
    await stack?.stop();
    await sut?.close();
    await sink?.close();
    await smtp?.close();
  });

  const logs = () =>
    stack?.processes.map((p) => `--- ${p.name}\n${p.output().slice(-4000)}`).join('\n') ?? '';
  const serviceDown = (status: 'firing' | 'resolved', receiver = 'vigil-hub') =>
    webhookPayloads(sink, '/hub').find(
      (p) =>
        p.receiver === receiver &&
        p.alerts.some(
          (a) =>
            a.labels.alertname === 'ServiceDown' && a.labels.service === sut.service && a.status === status,
        ),
    );
  const mail = (status: 'FIRING' | 'RESOLVED') =>
    smtp.mails.find(
      (m) =>
        m.subject.includes(`[${status}`) &&
        m.subject.includes('ServiceDown') &&
        m.subject.includes(sut.service),
    );

  it('kill → ServiceDown reaches the hub webhook, PagerDuty, Slack and email within the bound; restart → resolved', async () => {
    const prom = stack!.prometheusUrl;
    await waitFor(
      'the target up and the ServiceDown rule loaded',
      async () => {
        const up = await promQuery(prom, `up{job="vigil-services",service="${sut.service}"} == 1`);
        const rules = (await (await fetch(`${prom}/api/v1/rules?type=alert`)).json()) as {
          data: { groups: Array<{ rules: Array<{ name: string }> }> };
        };
        const loaded = rules.data.groups.some((g) => g.rules.some((r) => r.name === 'ServiceDown'));
        return up.length === 1 && loaded ? true : undefined;
      },
      { timeoutMs: 20_000 },
    );

    const killedAt = Date.now();
    await sut.kill();

    const fired = await waitFor('ServiceDown at the hub webhook', () => serviceDown('firing'), {
      timeoutMs: 30_000,
    });
    const firingMail = await waitFor('ServiceDown email', () => mail('FIRING'), { timeoutMs: 15_000 }).catch(
      (err) => {
        throw new Error(
          `${err.message}; mails: ${JSON.stringify(smtp.mails.map((m) => m.subject))}\n${logs()}`,
        );
      },
    );
    const alert = fired.alerts.find((a) => a.labels.alertname === 'ServiceDown')!;
    expect(alert.labels).toMatchObject({ severity: 'critical', service: sut.service, job: 'vigil-services' });
    expect(alert.labels.team).toBeTruthy();
    expect(alert.annotations.runbook_url).toMatch(/\/runbooks\/ServiceDown$/);
    expect(firingMail.to).toContain('oncall@vigil.example');
    await waitFor(
      'PagerDuty and Slack stand-ins paged',
      () =>
        sink.received.some(
          (r) => r.path === '/pagerduty' && JSON.stringify(r.body).includes('ServiceDown'),
        ) && sink.received.some((r) => r.path === '/slack' && JSON.stringify(r.body).includes('ServiceDown'))
          ? true
          : undefined,
      { timeoutMs: 10_000 },
    );

    const webhookS = (fired.receivedAt - killedAt) / 1000;
    const emailS = (firingMail.receivedAt - killedAt) / 1000;
    console.log(
      `time to notify (ServiceDown, ${sut.kind} service): webhook ${webhookS.toFixed(2)} s, email ${emailS.toFixed(2)} s; ` +
        `bound ${BOUND_S} s, allowed ${allowed(BOUND_S)} s`,
    );
    expect(webhookS).toBeLessThanOrEqual(allowed(BOUND_S));
    expect(emailS).toBeLessThanOrEqual(allowed(BOUND_S));

    const restartedAt = Date.now();
    await sut.start();
    const resolved = await waitFor('resolved ServiceDown at the hub webhook', () => serviceDown('resolved'), {
      timeoutMs: 30_000,
    });
    await waitFor('resolved ServiceDown email', () => mail('RESOLVED'), { timeoutMs: 15_000 });
    console.log(
      `time to resolved notification after restart: ${((resolved.receivedAt - restartedAt) / 1000).toFixed(2)} s`,
    );
  }, 180_000);
});

// The SLO of the gateway pages (critical); the user-service one is a warning that a critical
// HighErrorRate on the same service would inhibit, so the gateway is the one to measure.
describe('ErrorBudgetBurnFast end to end (generated SLO rules, test profile)', () => {
  const SLO = 'gateway-availability';
  let sink: HttpSink;
  let smtp: SmtpSink;
  let gateway: ServiceUnderTest;
  let stack: MonitoringStack | undefined;
  let path = '/users/1';
  let loading = true;
  let load: Promise<unknown> | undefined;

  beforeAll(async () => {
    sink = await startHttpSink();
    smtp = await startSmtpSink();
    gateway = serviceUnderTest(await freePort(), 'gateway');
    await gateway.start();
    load = Promise.all(
      [0, 1, 2].map(async () => {
        while (loading)
          await fetch(`${gateway.url}${path}`).then(
            (r) => r.arrayBuffer(),
            () => undefined,
          );
      }),
    );
    stack = await startMonitoringStack({
      services: [{ service: 'gateway', port: Number(new URL(gateway.url).port) }],
      alertmanager: {
        hubWebhookUrl: `${sink.url}/hub`,
        smtpPort: smtp.port,
        timings: TEST_PROFILE.timings,
      },
    });
  });

  afterAll(async () => {
    loading = false;
    await load;
    await stack?.stop();
    await gateway?.close();
    await sink?.close();
    await smtp?.close();
  });

  it('100% errors → ErrorBudgetBurnFast reaches the hub webhook and email within the bound', async () => {
    const prom = stack!.prometheusUrl;
    // Healthy traffic first, above the SLO's min_traffic guard over the 1h window.
    await waitFor(
      'healthy traffic above the SLO traffic guard',
      async () => {
        const events = await promQuery(prom, `slo:sli_events:rate1h{slo="${SLO}"} >= 0.05`);
        const ratio = await promQuery(prom, `slo:sli_error:ratio_rate5m{slo="${SLO}"} == 0`);
        return events.length && ratio.length ? true : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );

    const failingSince = Date.now();
    path = '/fail';
    const burning = (p: {
      receiver: string;
      alerts: Array<{ status: string; labels: Record<string, string> }>;
    }) =>
      p.receiver === 'vigil-hub' &&
      p.alerts.some(
        (a) => a.labels.alertname === 'ErrorBudgetBurnFast' && a.labels.slo === SLO && a.status === 'firing',
      );
    const fired = await waitFor(
      'ErrorBudgetBurnFast at the hub webhook',
      () => webhookPayloads(sink, '/hub').find(burning),
      {
        timeoutMs: 30_000,
      },
    );
    const mail = await waitFor(
      'ErrorBudgetBurnFast email',
      () =>
        smtp.mails.find((m) => m.subject.includes('[FIRING') && m.subject.includes('ErrorBudgetBurnFast')),
      { timeoutMs: 15_000 },
    );
    const alert = fired.alerts.find((a) => a.labels.alertname === 'ErrorBudgetBurnFast')!;
    expect(alert.labels).toMatchObject({
      severity: 'critical',
      service: 'gateway',
      team: 'platform',
      slo: SLO,
    });

    // The new 5xx series needs two scrapes before rate() sees it, then the recording rules and
    // the alert evaluate, `for` elapses and Alertmanager waits group_wait.
    const bound =
      2 * seconds(TEST_PROFILE.scrapeInterval) +
      seconds(TEST_PROFILE.evaluationInterval) +
      seconds(TEST_PROFILE.alertFor) +
      seconds(TEST_PROFILE.timings.groupWait);
    const webhookS = (fired.receivedAt - failingSince) / 1000;
    const emailS = (mail.receivedAt - failingSince) / 1000;
    console.log(
      `time to notify (ErrorBudgetBurnFast ${SLO}): webhook ${webhookS.toFixed(2)} s, email ${emailS.toFixed(2)} s; ` +
        `bound ${bound} s, allowed ${allowed(bound)} s`,
    );
    expect(webhookS).toBeLessThanOrEqual(allowed(bound));
    expect(emailS).toBeLessThanOrEqual(allowed(bound));
  }, 180_000);
});
