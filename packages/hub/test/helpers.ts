import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePorts, waitFor } from '@vigil/service-kit/testing';
import pino from 'pino';
import { createHub, type Hub } from '../src/app.ts';
import { parseHubConfig } from '../src/config.ts';
import { ExportLogsServiceRequest, ExportTraceServiceRequest } from '../src/otlp/proto.ts';

export interface TestHub {
  hub: Hub;
  dir: string;
  otlpUrl: string;
  apiUrl: string;
  /** The bearer token the webhook accepts (written to <dir>/webhook-token). */
  webhookToken: string;
  webhookTokenFile: string;
  close(): Promise<void>;
}

/** Console defaults for a test hub: its own token, users file and on-call dir; no real Alertmanager. */
export function testConsoleEnv(dir: string): Record<string, string> {
  const tokenFile = join(dir, 'webhook-token');
  mkdirSync(dir, { recursive: true });
  if (!existsSync(tokenFile))
    writeFileSync(tokenFile, `test-webhook-token-${randomHex(8)}\n`, { mode: 0o600 });
  return {
    VIGIL_HUB_WEBHOOK_TOKEN_FILE: tokenFile,
    VIGIL_HUB_USERS_FILE: join(dir, 'users.yaml'),
    VIGIL_HUB_ONCALL_DIR: join(dir, 'oncall'),
    // Port 9 (discard) refuses: a test never reads a developer's running Alertmanager by accident.
    VIGIL_HUB_ALERTMANAGERS: 'local=http://127.0.0.1:9',
  };
}

export function tempDir(prefix = 'hub-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** An in-process hub on free ports with its own data directory (removed on close). */
export async function startTestHub(
  env: Record<string, string> = {},
  dir = tempDir(),
  logger: pino.Logger = pino({ level: 'silent' }),
): Promise<TestHub> {
  const consoleEnv = testConsoleEnv(dir);
  const config = parseHubConfig({
    VIGIL_DATA_DIR: dir,
    HUB_PORT: '0',
    HUB_OTLP_PORT: '0',
    ...consoleEnv,
    ...env,
  });
  const hub = await createHub(config, { logger });
  await hub.receiver.listen({ host: '127.0.0.1', port: 0 });
  await hub.query.listen({ host: '127.0.0.1', port: config.HUB_PORT });
  const otlpPort = (hub.receiver.server.address() as AddressInfo).port;
  const apiPort = (hub.query.server.address() as AddressInfo).port;
  return {
    hub,
    dir,
    otlpUrl: `http://127.0.0.1:${otlpPort}`,
    apiUrl: `http://127.0.0.1:${apiPort}`,
    webhookTokenFile: config.VIGIL_HUB_WEBHOOK_TOKEN_FILE!,
    webhookToken: readFileSync(config.VIGIL_HUB_WEBHOOK_TOKEN_FILE!, 'utf8').trim(),
    async close() {
      await hub.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function randomHex(bytes: number): string {
  let s = '';
  for (let i = 0; i < bytes; i++)
    s += Math.floor(Math.random() * 256)
      .toString(16)
      .padStart(2, '0');
  return s;
}

export interface SpanSpec {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name?: string;
  startNs?: bigint;
  durationNs?: bigint;
  attributes?: Record<string, string | number | boolean>;
}

function kv(attrs: Record<string, string | number | boolean>) {
  return Object.entries(attrs).map(([key, v]) => ({
    key,
    value:
      typeof v === 'string'
        ? { stringValue: v }
        : typeof v === 'boolean'
          ? { boolValue: v }
          : Number.isInteger(v)
            ? { intValue: v }
            : { doubleValue: v },
  }));
}

/** An OTLP trace request as a plain object in protobufjs field names (ids as bytes). */
export function traceRequestObject(service: string, spans: SpanSpec[]) {
  const now = BigInt(Date.now()) * 1_000_000n;
  return {
    resourceSpans: [
      {
        resource: { attributes: kv({ 'service.name': service }) },
        scopeSpans: [
          {
            scope: { name: 'hub-test' },
            spans: spans.map((s) => {
              const start = s.startNs ?? now;
              return {
                traceId: Buffer.from(s.traceId, 'hex'),
                spanId: Buffer.from(s.spanId, 'hex'),
                parentSpanId: s.parentSpanId ? Buffer.from(s.parentSpanId, 'hex') : undefined,
                name: s.name ?? 'op',
                kind: 2,
                startTimeUnixNano: start.toString(),
                endTimeUnixNano: (start + (s.durationNs ?? 1_000_000n)).toString(),
                attributes: kv(s.attributes ?? {}),
              };
            }),
          },
        ],
      },
    ],
  };
}

export function encodeTraces(service: string, spans: SpanSpec[]): Buffer {
  const msg = ExportTraceServiceRequest.fromObject(traceRequestObject(service, spans));
  return Buffer.from(ExportTraceServiceRequest.encode(msg).finish());
}

export function encodeLogs(obj: unknown): Buffer {
  return Buffer.from(ExportLogsServiceRequest.encode(ExportLogsServiceRequest.fromObject(obj)).finish());
}

export async function postOtlp(
  url: string,
  body: Buffer | string,
  contentType = 'application/x-protobuf',
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; body: Buffer }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': contentType, ...headers },
    body,
  });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

export async function getJson(url: string): Promise<{ status: number; body: any }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.json() };
}

export const SERVER_ENTRY = fileURLToPath(new URL('../src/server.ts', import.meta.url));

/** Starts `node src/server.ts` as a real process; resolves when /health/ready answers. */
export async function spawnHub(
  dir: string,
  ports: { api: number; otlp: number },
  env: Record<string, string> = {},
  // Measured: 34 s from spawn to ready at load average 29 on the shared 2-core machine (module loading).
  readyTimeoutMs = 60_000,
): Promise<ChildProcess> {
  const child = spawn(process.execPath, [SERVER_ENTRY], {
    env: {
      ...process.env,
      VIGIL_DATA_DIR: dir,
      HUB_PORT: String(ports.api),
      HUB_OTLP_PORT: String(ports.otlp),
      LOG_LEVEL: 'warn',
      ...testConsoleEnv(dir),
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`hub exited ${child.exitCode}: ${stderr}`);
      return (await fetch(`http://127.0.0.1:${ports.api}/health/ready`)).ok;
    },
    { description: 'hub readiness', timeoutMs: readyTimeoutMs },
  );
  return child;
}

export { freePorts, waitFor };
