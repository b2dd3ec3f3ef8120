import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive, processRef } from '../src/processes.ts';
import type { RunState } from '../src/run-state.ts';
import { FIXTURE_COMPONENTS, freePort, MAIN, runVigil, tempVarDir, waitFor } from './helpers/run-vigil.ts';

// Supervisor behaviour with two tiny fixture services (beta starts after alpha), real processes and ports.
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(extra: Record<string, string> = {}) {
  const varDir = tempVarDir();
  const env = {
    VIGIL_COMPONENTS_MODULE: FIXTURE_COMPONENTS,
    ALPHA_PORT: String(await freePort()),
    BETA_PORT: String(await freePort()),
    VIGIL_ADMIN_TOKEN: '',
    ...extra,
  };
  const vigil = (...args: string[]) => runVigil([...args, '--var-dir', varDir], env);
  const state = (): RunState | undefined =>
    existsSync(join(varDir, 'run/vigil.json'))
      ? (JSON.parse(readFileSync(join(varDir, 'run/vigil.json'), 'utf8')) as RunState)
      : undefined;
  cleanups.push(async () => {
    await vigil('stop');
    rmSync(varDir, { recursive: true, force: true });
  });
  return { varDir, env, vigil, state };
}

const get = async (port: string, path: string) => {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(2000) });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
};
const listening = (port: string) =>
  fetch(`http://127.0.0.1:${port}/health/ready`, { signal: AbortSignal.timeout(1000) }).then(
    () => true,
    () => false,
  );

describe('vigil start/status/stop', () => {
  it('starts in order, passes the common env, shows status, refuses a second start, and stops everything', async () => {
    const { varDir, env, vigil, state } = await setup();
    const started = await vigil('start', '--detach');
    expect(started.code, started.stdout + started.stderr).toBe(0);
    expect(started.stdout).toMatch(/alpha ready[\s\S]*beta ready/);
    expect(started.stdout).toContain(`http://127.0.0.1:${env.BETA_PORT}`);
    expect(started.stdout).toContain(join(varDir, 'log/beta.log'));

    const token = readFileSync(join(varDir, 'run/admin-token'), 'utf8').trim();
    expect(token.length).toBeGreaterThanOrEqual(32);
    expect(statSync(join(varDir, 'run/admin-token')).mode & 0o777).toBe(0o600);
    expect(started.stdout).not.toContain(token);

    const beta = await get(env.BETA_PORT, '/env');
    expect(beta.body).toEqual({
      PORT: env.BETA_PORT,
      HOST: '127.0.0.1',
      VIGIL_DATA_DIR: join(varDir, 'data'),
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
      VIGIL_ADMIN_TOKEN: token,
      ALPHA_URL: `http://127.0.0.1:${env.ALPHA_PORT}`,
    });

    const status = await vigil('status', '--json');
    expect(status.code).toBe(0);
    const report = JSON.parse(status.stdout) as {
      components: { name: string; running: boolean; ready: boolean }[];
    };
    expect(report.components.map((c) => [c.name, c.running, c.ready])).toEqual([
      ['alpha', true, true],
      ['beta', true, true],
    ]);
    const table = await vigil('status');
    expect(table.stdout).toMatch(new RegExp(`beta\\s+running\\s+\\d+\\s+${env.BETA_PORT}\\s+yes`));

    const second = await vigil('start', '--detach');
    expect(second.code).not.toBe(0);
    expect(second.stdout + second.stderr).toContain('already running');

    const pids = state()!.components.map((c) => c.process!);
    const supervisor = state()!.supervisor;
    const stopped = await vigil('stop');
    expect(stopped.code).toBe(0);
    for (const ref of [...pids, supervisor]) expect(isAlive(ref)).toBe(false);
    expect(state()).toBeUndefined();
    expect(await listening(env.ALPHA_PORT)).toBe(false);
    expect((await vigil('status')).code).toBe(3);
  });

  it('says what it skips once the stack is its own: not on a refused second start; every component skipped → why', async () => {
    const { vigil } = await setup({
      FIXTURE_GAMMA_SKIP: 'gamma is off here',
      GAMMA_PORT: String(await freePort()),
    });
    const started = await vigil('start', '--detach');
    expect(started.code, started.stdout + started.stderr).toBe(0);
    expect(started.stdout).toContain('- gamma: skipped (gamma is off here)');
    const second = await vigil('start', '--detach');
    expect(second.code).not.toBe(0);
    expect(second.stdout + second.stderr).toContain('already running');
    expect(second.stdout + second.stderr).not.toContain('skipped');
    expect((await vigil('stop')).code).toBe(0);
    const nothing = await vigil('start', '--detach', '--only', 'gamma');
    expect(nothing.code).not.toBe(0);
    expect(nothing.stdout + nothing.stderr).toMatch(
      /nothing to start: every component was skipped\n- gamma: skipped \(gamma is off here\)/,
    );
  });

  it('refuses to start when a port is taken, naming the port, the component and its env var; starts nothing', async () => {
    const { env, vigil, state } = await setup();
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(Number(env.BETA_PORT), '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => blocker.close(() => r())));

    const result = await vigil('start', '--detach');
    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr).toContain(
      `port ${env.BETA_PORT} (beta) is already in use by another process; stop it or set BETA_PORT`,
    );
    expect(await listening(env.ALPHA_PORT)).toBe(false);
    expect(state()).toBeUndefined();
  });

  it('rejects a port variable that is not a port with exit code 2', async () => {
    const { vigil } = await setup({ ALPHA_PORT: 'eighty' });
    const result = await vigil('start', '--detach');
    expect(result.code).toBe(2);
    expect(result.stdout + result.stderr).toContain('ALPHA_PORT="eighty" is not a TCP port');
  });

  it('fails cleanly when a component never becomes ready: log tail shown, nothing left running', async () => {
    const { env, vigil, state } = await setup({
      FIXTURE_BETA_MODE: 'never-ready',
      FIXTURE_READY_TIMEOUT_MS: '2000',
    });
    const result = await vigil('start', '--detach');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('✗ beta: not ready after 2 s');
    expect(result.stdout).toMatch(/last lines of .*beta\.log:\n.*"mode":"never-ready"/);
    expect(await listening(env.ALPHA_PORT)).toBe(false);
    expect(await listening(env.BETA_PORT)).toBe(false);
    expect(state()).toBeUndefined();
  });

  it('fails cleanly when a component exits during startup', async () => {
    const { env, vigil, state } = await setup({ FIXTURE_BETA_MODE: 'exit' });
    const result = await vigil('start', '--detach');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('✗ beta: exited during startup (exit code 3)');
    expect(result.stdout).toContain('fixture: exiting on purpose during startup');
    expect(await listening(env.ALPHA_PORT)).toBe(false);
    expect(state()).toBeUndefined();
  });

  it('restarts a child killed with SIGKILL', async () => {
    const { env, vigil, state } = await setup();
    expect((await vigil('start', '--detach')).code).toBe(0);
    const before = state()!.components.find((c) => c.name === 'alpha')!.process!;
    process.kill(before.pid, 'SIGKILL');
    const after = await waitFor(
      () => {
        const alpha = state()?.components.find((c) => c.name === 'alpha');
        return alpha?.status === 'ready' && alpha.process && alpha.process.pid !== before.pid
          ? alpha
          : undefined;
      },
      { description: 'alpha restarted and ready', timeoutMs: 15_000 },
    );
    expect(after.restarts).toBe(1);
    expect(isAlive(after.process)).toBe(true);
    expect((await get(env.ALPHA_PORT, '/health/ready')).status).toBe(200);
    expect((await vigil('status')).stdout).toMatch(/alpha\s+running\s+\d+\s+\d+\s+yes\s+1/);
  });

  it('stops what a dead supervisor left running', async () => {
    const { env, vigil, state } = await setup();
    expect((await vigil('start', '--detach')).code).toBe(0);
    const s = state()!;
    process.kill(s.supervisor.pid, 'SIGKILL');
    await waitFor(() => !isAlive(s.supervisor), { description: 'supervisor gone', timeoutMs: 15_000 });
    const refused = await vigil('start', '--detach');
    expect(refused.stdout + refused.stderr).toContain('left 2 process(es) running');
    const stopped = await vigil('stop');
    expect(stopped.code).toBe(0);
    expect(stopped.stdout).toContain('is gone; stopping what it left running');
    for (const c of s.components) expect(isAlive(c.process)).toBe(false);
    expect(await listening(env.BETA_PORT)).toBe(false);
  });

  it('in the foreground, SIGINT stops every child and exits 0', async () => {
    const { varDir, env, state } = await setup();
    const child = spawn(process.execPath, [MAIN, 'start', '--var-dir', varDir], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    cleanups.push(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    await waitFor(() => out.includes('Ctrl-C'), { description: 'foreground start ready', timeoutMs: 15_000 });
    const children = state()!.components.map((c) => c.process!);
    expect(children.every(isAlive)).toBe(true);
    expect(isAlive(processRef(child.pid!))).toBe(true);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    for (const ref of children) expect(isAlive(ref)).toBe(false);
    expect(state()).toBeUndefined();
    expect(await listening(env.ALPHA_PORT)).toBe(false);
  });
});
