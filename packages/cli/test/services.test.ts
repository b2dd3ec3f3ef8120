import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isAlive } from '../src/processes.ts';
import type { RunState } from '../src/run-state.ts';
import { freePort, runVigil, tempVarDir } from './helpers/run-vigil.ts';

// The real registry entries: `vigil start` runs the real user and product services.
describe('vigil start with the real user-service and product-service', async () => {
  const varDir = tempVarDir();
  const env = {
    USER_SERVICE_PORT: String(await freePort()),
    PRODUCT_SERVICE_PORT: String(await freePort()),
    // Nothing listens there: exports fail and are counted, the services keep serving.
    HUB_OTLP_PORT: String(await freePort()),
    VIGIL_ADMIN_TOKEN: '',
    VIGIL_COMPONENTS_MODULE: '',
  };
  const vigil = (...args: string[]) => runVigil([...args, '--var-dir', varDir], env, 90_000);
  afterAll(async () => {
    await vigil('stop');
    rmSync(varDir, { recursive: true, force: true });
  });

  it('starts both, they answer with data from var/data, log to var/log, and stop cleanly', async () => {
    const started = await vigil('start', '--detach', '--only', 'user-service,product-service');
    expect(started.code, started.stdout + started.stderr).toBe(0);
    expect(started.stdout).toContain(`user-service     http://127.0.0.1:${env.USER_SERVICE_PORT}`);
    expect(started.stdout).toContain(`product-service  http://127.0.0.1:${env.PRODUCT_SERVICE_PORT}`);

    for (const [port, path] of [
      [env.USER_SERVICE_PORT, '/users'],
      [env.PRODUCT_SERVICE_PORT, '/products'],
    ] as const) {
      // Internal routes need this run's service credential (VIGIL_SERVICE_TOKEN, also in var/run).
      const anonymous = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(5000) });
      expect(anonymous.status).toBe(401);
      const res = await fetch(`http://127.0.0.1:${port}${path}`, {
        headers: { 'x-vigil-service-token': readFileSync(join(varDir, 'run/service-token'), 'utf8').trim() },
        signal: AbortSignal.timeout(5000),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-trace-id')).toMatch(/^[0-9a-f]{32}$/);
    }
    expect(readdirSync(join(varDir, 'data')).some((f) => f.endsWith('.db') || f.endsWith('.sqlite'))).toBe(
      true,
    );
    const userLog = readFileSync(join(varDir, 'log/user-service.log'), 'utf8');
    expect(userLog).toContain('"service":"user-service"');

    const status = await vigil('status');
    expect(status.code, status.stdout).toBe(0);
    expect(status.stdout).toMatch(
      new RegExp(`user-service\\s+running\\s+\\d+\\s+${env.USER_SERVICE_PORT}\\s+yes`),
    );

    const state = JSON.parse(readFileSync(join(varDir, 'run/vigil.json'), 'utf8')) as RunState;
    const stopped = await vigil('stop');
    expect(stopped.code).toBe(0);
    for (const c of state.components) expect(isAlive(c.process)).toBe(false);
    expect(isAlive(state.supervisor)).toBe(false);
    expect(existsSync(join(varDir, 'run/vigil.json'))).toBe(false);
  });
});
