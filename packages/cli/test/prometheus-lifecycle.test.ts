import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { createStartContext } from '../src/context.ts';
import {
  monitoringRuntimeLayout,
  PROMETHEUS_LIFECYCLE_ENV,
  prometheusCommand,
  prometheusComponent,
} from '../src/monitoring/index.ts';
import { varLayout } from '../src/paths.ts';
import { freePort, tempVarDir, waitFor } from './helpers/run-vigil.ts';

// The real Prometheus binary, started with the arguments `vigil start` gives it.
describe('Prometheus lifecycle API in local mode', () => {
  const varDir = tempVarDir();
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    rmSync(varDir, { recursive: true, force: true });
  });

  async function startPrometheus(cmd: { cmd: string; args: readonly string[] }, port: number) {
    const child = spawn(cmd.cmd, [...cmd.args], { stdio: 'ignore' });
    children.push(child);
    await waitFor(
      async () => {
        const res = await fetch(`http://127.0.0.1:${port}/-/ready`).catch(() => null);
        return res?.ok;
      },
      { description: 'prometheus ready', timeoutMs: 15_000 },
    );
    return child;
  }

  const layout = monitoringRuntimeLayout(varDir);
  mkdirSync(layout.configDir, { recursive: true });
  writeFileSync(layout.prometheusConfig, 'global:\n  scrape_interval: 15s\n');

  it('is off unless asked: POST /-/quit is refused and Prometheus keeps running', async () => {
    expect(process.env[PROMETHEUS_LIFECYCLE_ENV]).toBeUndefined();
    const port = await freePort();
    const ctx = createStartContext({
      registered: [prometheusComponent],
      components: [prometheusComponent],
      layout: varLayout(varDir),
      adminToken: 't',
      env: { PROMETHEUS_PORT: String(port) },
    });
    const cmd = prometheusComponent.command(ctx);
    expect(cmd.args).not.toContain('--web.enable-lifecycle');
    const child = await startPrometheus(cmd, port);
    for (const path of ['/-/quit', '/-/reload']) {
      const res = await fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST' });
      expect(res.status).toBe(403);
      expect(await res.text()).toMatch(/lifecycle API is not enabled/i);
    }
    expect((await fetch(`http://127.0.0.1:${port}/-/ready`)).ok).toBe(true);
    expect(child.exitCode).toBeNull();
    child.kill('SIGTERM');
  });

  it('is on when asked (lifecycle option): POST /-/quit stops it', async () => {
    const port = await freePort();
    const child = await startPrometheus(
      prometheusCommand(monitoringRuntimeLayout(varDir), port, '127.0.0.1', { lifecycle: true }),
      port,
    );
    const exited = new Promise((r) => child.once('exit', r));
    const res = await fetch(`http://127.0.0.1:${port}/-/quit`, { method: 'POST' });
    expect(res.status).toBe(200);
    await exited;
  });
});
