import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  promtoolCheckMetrics,
  type RunningService,
  runToExit,
  startService,
} from '@vigil/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ENTRY = 'services/user/src/server.ts';
const dataDir = mkdtempSync(join(tmpdir(), 'user-service-'));
let service: RunningService | undefined;

beforeAll(async () => {
  service = await startService({ entry: ENTRY, env: { VIGIL_DATA_DIR: dataDir, LOG_LEVEL: 'info' } });
});
afterAll(async () => {
  await service?.stop('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

describe('user-service as a real process', () => {
  it('serves over HTTP with x-trace-id, persists to its data dir and masks emails in logs', async () => {
    const s = service!;
    const res = await fetch(`${s.url}/users/2`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-trace-id')).toMatch(/^[0-9a-f]{32}$/);
    expect(((await res.json()) as { email: string }).email).toBe('brook@example.com');
    const created = await fetch(`${s.url}/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Zed Private', email: 'zed.private@example.com', segment: 'premium' }),
    });
    expect(created.status).toBe(201);
    expect(s.output()).not.toContain('zed.private@example.com');
  });

  it('exposes RED metrics by route template that promtool accepts', async () => {
    const s = service!;
    for (const id of [3, 4, 5, 999]) await (await fetch(`${s.url}/users/${id}`)).arrayBuffer();
    const text = await (await fetch(`${s.url}/metrics`)).text();
    expect(text).toMatch(/http_requests_total\{[^}]*route="\/users\/:id"[^}]*\}/);
    expect(text).not.toMatch(/route="\/users\/3"/);
    const lint = await promtoolCheckMetrics(text);
    expect(lint.output).toBe('');
    expect(lint.code).toBe(0);
  });

  it('exits 0 on SIGTERM', async () => {
    const exit = await service!.stop('SIGTERM');
    service = undefined;
    expect(exit).toEqual({ code: 0, signal: null });
  });

  it('refuses to start on invalid config with a message naming the variable', async () => {
    const result = await runToExit(ENTRY, { PORT: 'abc', VIGIL_DATA_DIR: dataDir });
    expect(result.code).not.toBe(0);
    expect(result.code).not.toBeNull();
    expect(result.stderr).toMatch(/user-service: invalid configuration: PORT: /);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});
