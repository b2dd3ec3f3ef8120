import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { hashPassword } from '../src/auth/password.ts';
import { freePorts, waitFor } from './helpers.ts';

/** The briefing's headless Chromium flags, for every browser test and benchmark. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface RealAlertmanager {
  url: string;
  output(): string;
  stop(): Promise<void>;
}

/** The real Alertmanager binary with `config` (YAML text), in `dir`, on a free port. */
export async function startAlertmanager(dir: string, config: string): Promise<RealAlertmanager> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'alertmanager.yml'), config);
  const [port] = await freePorts(1);
  let output = '';
  const child: ChildProcess = spawn(
    'prometheus-alertmanager',
    [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'am-data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (d) => {
    output += d;
  });
  child.stderr?.on('data', (d) => {
    output += d;
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${url}/-/ready`)).ok, {
    description: 'alertmanager ready',
    timeoutMs: 20_000,
  }).catch((err) => {
    throw new Error(`${(err as Error).message}\n${output.slice(-2000)}`);
  });
  return {
    url,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/** An Alertmanager config that sends every group to the hub's webhook with its bearer token. */
export function hubAlertmanagerConfig(hubApiUrl: string, tokenFile: string, groupWait = '1s'): string {
  return `route:
  receiver: vigil-hub
  group_by: [alertname, service]
  group_wait: ${groupWait}
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: vigil-hub
    webhook_configs:
      - url: ${hubApiUrl}/api/alerts/webhook
        send_resolved: true
        http_config:
          authorization:
            type: Bearer
            credentials_file: ${tokenFile}
`;
}

export async function postAlerts(
  amUrl: string,
  alerts: Array<{ labels: Record<string, string>; annotations?: Record<string, string>; endsAt?: string }>,
): Promise<void> {
  const res = await fetch(`${amUrl}/api/v2/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(
      alerts.map((a) => ({
        labels: a.labels,
        annotations: a.annotations ?? { summary: `${a.labels.alertname} on ${a.labels.service}` },
        startsAt: new Date(Date.now() - 1000).toISOString(),
        ...(a.endsAt ? { endsAt: a.endsAt } : {}),
      })),
    ),
  });
  if (res.status !== 200) throw new Error(`alertmanager refused alerts: ${res.status} ${await res.text()}`);
}

/**
 * Sends the hub one firing notification for a group of one alert, shaped as Alertmanager's
 * webhook (version 4) sends it; `labels` must hold alertname and service (the group's labels).
 */
export async function sendFiring(
  hub: { apiUrl: string; webhookToken: string },
  labels: Record<string, string> & { alertname: string; service: string },
  fingerprint: string,
): Promise<number> {
  const { alertname, service } = labels;
  const res = await fetch(`${hub.apiUrl}/api/alerts/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${hub.webhookToken}` },
    body: JSON.stringify({
      version: '4',
      groupKey: `{}:{alertname="${alertname}", service="${service}"}`,
      truncatedAlerts: 0,
      status: 'firing',
      receiver: 'vigil-hub',
      groupLabels: { alertname, service },
      commonLabels: labels,
      commonAnnotations: { summary: `${service} is down` },
      externalURL: 'http://127.0.0.1:9093',
      alerts: [
        {
          status: 'firing',
          labels,
          annotations: {},
          startsAt: new Date().toISOString(),
          endsAt: '0001-01-01T00:00:00Z',
          fingerprint,
        },
      ],
    }),
  });
  await res.arrayBuffer();
  return res.status;
}

/** Writes `<dir>/oncall/oncall.yaml`, the hub's on-call file under its data directory. */
export function writeOncall(dir: string, yaml: string): void {
  mkdirSync(join(dir, 'oncall'), { recursive: true });
  writeFileSync(join(dir, 'oncall', 'oncall.yaml'), yaml);
}

/**
 * An on-call file that pages one webhook channel (`hook`, at `<sinkUrl>/webhook/page`) for every
 * critical alert, once per step: the first step now, the others after `laterDelays` (`3000ms`).
 */
export function webhookPagingOncall(sinkUrl: string, laterDelays: string[] = []): string {
  const steps = ['0s', ...laterDelays].map((d) => `      - { delay: ${d}, targets: [{ channel: hook }] }\n`);
  return `channels:
  - { name: hook, type: webhook, url: "${sinkUrl}/webhook/page" }
policies:
  - name: page
    steps:
${steps.join('')}routing:
  - { match: { severity: critical }, policy: page }
`;
}

export const PASSWORD = 'correct horse battery staple';

/** Writes a users file with one user per role, all with PASSWORD. */
export async function writeUsers(
  file: string,
  users: Array<[string, 'viewer' | 'responder' | 'admin']>,
): Promise<void> {
  const hash = await hashPassword(PASSWORD);
  writeFileSync(
    file,
    stringify({ users: users.map(([name, role]) => ({ name, role, password_hash: hash })) }),
  );
}

export interface Session {
  cookie: string;
  csrf: string;
}

export async function login(apiUrl: string, name: string, password = PASSWORD): Promise<Session> {
  const res = await fetch(`${apiUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, password }),
  });
  if (res.status !== 200) throw new Error(`login ${name}: ${res.status} ${await res.text()}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  const body = (await res.json()) as { csrfToken: string };
  return { cookie, csrf: body.csrfToken };
}

/** A console API call; `session` adds the cookie and (unless csrf: false) the CSRF header. */
export async function call(
  apiUrl: string,
  method: string,
  path: string,
  opts: { session?: Session; body?: unknown; csrf?: boolean; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (opts.session) {
    headers.cookie = opts.session.cookie;
    if (opts.csrf !== false) headers['x-csrf-token'] = opts.session.csrf;
  }
  const res = await fetch(`${apiUrl}${path}`, {
    method,
    headers,
    ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: res.status, body };
}
