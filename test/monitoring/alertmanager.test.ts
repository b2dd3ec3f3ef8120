import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  alertmanagerCommand,
  monitoringRuntimeLayout,
  monitoringSources,
  prepareAlertmanager,
  renderAlertmanagerConfig,
} from '../../packages/cli/src/monitoring/index.ts';
import { freePort } from './alerting-support/free-port.ts';
import type { ManagedProcess } from './alerting-support/managed-process.ts';
import { startProcess } from './alerting-support/managed-process.ts';
import { repoRoot, TEST_PROFILE } from './alerting-support/monitoring-stack.ts';
import { allRoutes, buildTree, decidingRoutes } from './alerting-support/route-tree.ts';
import { answers, waitFor } from './alerting-support/wait-for.ts';
import type { HttpSink } from './alerting-support/webhook-sink.ts';
import { startHttpSink } from './alerting-support/webhook-sink.ts';

const sources = monitoringSources(repoRoot);
const configText = readFileSync(sources.alertmanagerConfig, 'utf8');
const casesFile = join(repoRoot, 'monitoring/alertmanager/tests/routes.yaml');
type RouteCase = { name: string; labels: Record<string, string>; receivers: string[] };
const cases = (parse(readFileSync(casesFile, 'utf8')) as { cases: RouteCase[] }).cases;

function amtool(args: string[]): { status: number | null; output: string } {
  const r = spawnSync('amtool', args, { encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe('alertmanager.yml', () => {
  it('passes amtool check-config', () => {
    const r = amtool(['check-config', sources.alertmanagerConfig]);
    expect(r.output).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });

  it('sends tickets in office hours only (Mon-Fri 09:00-17:00 UTC), in the repo and the rendered copies', () => {
    type Route = { receiver: string; active_time_intervals?: string[]; routes?: Route[] };
    for (const text of [
      configText,
      renderAlertmanagerConfig(configText, {
        templatesDir: sources.templatesDir,
        hubWebhookUrl: 'http://127.0.0.1:4000/api/alerts/webhook',
        smtpSmarthost: '127.0.0.1:2525',
      }),
    ]) {
      const config = parse(text) as {
        route: Route;
        time_intervals: Array<{ name: string; time_intervals: unknown[] }>;
      };
      const ticket = config.route.routes?.find((r) => r.receiver === 'ticket-email');
      expect(ticket?.active_time_intervals).toEqual(['office-hours']);
      expect(config.time_intervals.find((t) => t.name === 'office-hours')?.time_intervals).toEqual([
        { weekdays: ['monday:friday'], times: [{ start_time: '09:00', end_time: '17:00' }], location: 'UTC' },
      ]);
      // Nothing that pages waits for office hours.
      const paging = config.route.routes?.filter((r) => /page|escalation/.test(r.receiver)) ?? [];
      expect(paging.every((r) => r.active_time_intervals === undefined)).toBe(true);
    }
  });

  it('keeps secrets out of the repo: every Slack, PagerDuty and SMTP secret is a *_file field', () => {
    const config = parse(configText) as {
      global: Record<string, unknown>;
      receivers: Array<{ slack_configs?: object[]; pagerduty_configs?: object[]; email_configs?: object[] }>;
    };
    expect(config.global.smtp_auth_password_file).toMatch(/^\/etc\/vigil\/secrets\//);
    expect(config.global.slack_api_url_file).toMatch(/^\/etc\/vigil\/secrets\//);
    for (const forbidden of ['smtp_auth_password', 'slack_api_url'])
      expect(config.global).not.toHaveProperty(forbidden);
    for (const receiver of config.receivers) {
      for (const pd of receiver.pagerduty_configs ?? []) {
        expect(pd).toHaveProperty('routing_key_file');
        expect(pd).not.toHaveProperty('routing_key');
        expect(pd).not.toHaveProperty('service_key');
      }
      for (const slack of receiver.slack_configs ?? []) expect(slack).not.toHaveProperty('api_url');
      for (const mail of receiver.email_configs ?? []) expect(mail).not.toHaveProperty('auth_password');
    }
  });

  it('renders local-mode and test-profile copies that amtool accepts, with no secret files left', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-am-render-'));
    try {
      const variants = {
        local: {
          templatesDir: sources.templatesDir,
          hubWebhookUrl: 'http://127.0.0.1:4000/api/alerts/webhook',
          smtpSmarthost: '127.0.0.1:2525',
        },
        test: {
          templatesDir: sources.templatesDir,
          hubWebhookUrl: 'http://127.0.0.1:1/hub',
          smtpSmarthost: '127.0.0.1:2',
          slackUrl: 'http://127.0.0.1:1/slack',
          pagerdutyUrl: 'http://127.0.0.1:1/pagerduty',
          timings: TEST_PROFILE.timings,
        },
      };
      for (const [name, options] of Object.entries(variants)) {
        const rendered = renderAlertmanagerConfig(configText, options);
        expect(rendered).not.toMatch(/_file:/);
        expect(rendered).not.toContain('vigil.internal');
        const file = join(dir, `${name}.yml`);
        writeFileSync(file, rendered);
        const r = amtool(['check-config', file]);
        expect(r.status, r.output).toBe(0);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('routing (amtool config routes test)', () => {
  const tree = buildTree((parse(configText) as { route: object }).route);

  it.each(cases)('$name', (c) => {
    const labels = Object.entries(c.labels).map(([k, v]) => `${k}=${v}`);
    const r = amtool([
      'config',
      'routes',
      'test',
      `--config.file=${sources.alertmanagerConfig}`,
      `--verify.receivers=${c.receivers.join(',')}`,
      ...labels,
    ]);
    expect(r.output.split('\n')[0]).toBe(c.receivers.join(','));
    expect(r.status, r.output).toBe(0);
    // The route model must agree with amtool, or the coverage check below means nothing.
    expect(decidingRoutes(tree, c.labels).map((n) => n.receiver)).toEqual(c.receivers);
  });

  it('has a case for every route of the tree', () => {
    const decided = new Set(cases.flatMap((c) => decidingRoutes(tree, c.labels).map((n) => n.id)));
    // The root only decides when no child matches; its first child matches everything.
    const uncovered = allRoutes(tree)
      .filter((n) => n.id !== 'root' && !decided.has(n.id))
      .map(
        (n) => `${n.id} {${n.matchers.map((m) => `${m.name}${m.op}"${m.value}"`).join(',')}} → ${n.receiver}`,
      );
    expect(uncovered, `routes without a case in ${casesFile}`).toEqual([]);
  });
});

describe('live Alertmanager (test profile): inhibition', () => {
  let dir: string;
  let am: ManagedProcess;
  let sink: HttpSink;
  let url: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-am-live-'));
    sink = await startHttpSink();
    const layout = monitoringRuntimeLayout(dir);
    prepareAlertmanager({
      sources,
      layout,
      hubWebhookUrl: `${sink.url}/hub`,
      smtpSmarthost: `127.0.0.1:${await freePort()}`,
      slackUrl: `${sink.url}/slack`,
      pagerdutyUrl: `${sink.url}/pagerduty`,
      timings: TEST_PROFILE.timings,
    });
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const cmd = alertmanagerCommand(layout, port);
    am = startProcess('alertmanager', cmd.cmd, cmd.args);
    await waitFor('alertmanager ready', () => answers(`${url}/-/ready`), { timeoutMs: 20_000 }).catch(
      (err) => {
        throw new Error(`${err.message}\n${am.output()}`);
      },
    );
  });

  afterAll(async () => {
    await am?.stop();
    await sink?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const post = async (alerts: Array<Record<string, string>>) => {
    const body = alerts.map((labels) => ({ labels, annotations: { summary: `${labels.alertname} test` } }));
    const res = await fetch(`${url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
  };

  it('a critical inhibits the same service’s warnings; ServiceDown inhibits its latency and error alerts', async () => {
    await post([
      { alertname: 'ServiceDown', severity: 'critical', service: 'svc-a', team: 'commerce' },
      { alertname: 'HighLatency', severity: 'warning', service: 'svc-a', team: 'commerce' },
      { alertname: 'HighErrorRate', severity: 'critical', service: 'svc-a', team: 'commerce' },
      { alertname: 'HighLatency', severity: 'warning', service: 'svc-b', team: 'commerce' },
    ]);
    type ApiAlert = { labels: Record<string, string>; status: { state: string; inhibitedBy: string[] } };
    const alerts = await waitFor(
      'the four alerts with inhibition computed',
      async () => {
        const list = (await (await fetch(`${url}/api/v2/alerts`)).json()) as ApiAlert[];
        const mine = list.filter((a) => a.labels.service === 'svc-a' || a.labels.service === 'svc-b');
        return mine.length === 4 && mine.some((a) => a.status.state === 'suppressed') ? mine : undefined;
      },
      { timeoutMs: 10_000 },
    );
    const state = (name: string, service: string) =>
      alerts.find((a) => a.labels.alertname === name && a.labels.service === service)?.status.state;
    expect(state('ServiceDown', 'svc-a')).toBe('active');
    expect(state('HighLatency', 'svc-a')).toBe('suppressed');
    expect(state('HighErrorRate', 'svc-a')).toBe('suppressed');
    expect(state('HighLatency', 'svc-b')).toBe('active');
  });
});
