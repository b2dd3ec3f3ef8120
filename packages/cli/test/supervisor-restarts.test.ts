import { mkdirSync, rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { Component } from '../src/component.ts';
import { createStartContext } from '../src/context.ts';
import { varLayout } from '../src/paths.ts';
import { processRef } from '../src/processes.ts';
import { type RunState, readState, writeState } from '../src/run-state.ts';
import { initialComponentState, Supervisor } from '../src/supervisor.ts';
import { freePort, tempVarDir, waitFor } from './helpers/run-vigil.ts';

/** The Supervisor in-process with one fixture component in `varDir`. */
async function fixtureSupervisor(varDir: string, env: Record<string, string>, maxRestarts: number) {
  const port = await freePort();
  const fixture: Component = {
    name: 'crashy',
    port,
    portEnv: 'CRASHY_PORT',
    command: (ctx) => ({ cmd: ctx.node, args: ['packages/cli/test/fixtures/fixture-server.ts'], env }),
    readyUrl: (ctx) => `http://${ctx.host}:${ctx.port('crashy')}/health/ready`,
  };
  const layout = varLayout(varDir);
  mkdirSync(layout.runDir, { recursive: true });
  const ctx = createStartContext({
    registered: [fixture],
    components: [fixture],
    layout,
    adminToken: 't',
    env: {},
  });
  const state: RunState = {
    version: 1,
    supervisor: processRef(process.pid),
    startedAt: new Date().toISOString(),
    state: 'starting',
    varDir,
    adminTokenFile: undefined,
    components: [initialComponentState(fixture, ctx, layout)],
    skipped: [],
  };
  writeState(layout.stateFile, state);
  const lines: string[] = [];
  const supervisor = new Supervisor({ ctx, layout, state, say: (l) => lines.push(l), maxRestarts });
  const component = () => readState(layout.stateFile)!.components[0]!;
  return { supervisor, lines, component };
}

describe('Supervisor restarts', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('restarts with backoff, then reports a crash loop and marks the component failed', async () => {
    const varDir = tempVarDir();
    dirs.push(varDir);
    const { supervisor, lines, component } = await fixtureSupervisor(
      varDir,
      { FIXTURE_MODE: 'crash-after-ready' },
      1,
    );
    try {
      expect(await supervisor.startAll()).toBe(true);
      await waitFor(() => component().status === 'failed', {
        description: 'the supervisor to give up',
        timeoutMs: 15_000,
      });
      const final = component();
      expect(final.restarts).toBe(1);
      expect(final.process).toBeNull();
      expect(
        lines.some((l) =>
          l.includes('crashy died unexpectedly (exit code 1); restarting in 1 s (attempt 1/1)'),
        ),
      ).toBe(true);
      expect(
        lines.some(
          (l) =>
            l.includes('crashy is in a crash loop: died (exit code 1) 2 times in a row') &&
            l.includes('gave up after 1 restarts'),
        ),
      ).toBe(true);
    } finally {
      await supervisor.stopAll();
    }
  });

  it('restarts a component killed again while it is still starting (double kill)', async () => {
    const varDir = tempVarDir();
    dirs.push(varDir);
    // Each start takes 800 ms to become ready, so the restarted process can be killed while 'starting'.
    const { supervisor, lines, component } = await fixtureSupervisor(
      varDir,
      { FIXTURE_READY_AFTER_MS: '800' },
      5,
    );
    try {
      expect(await supervisor.startAll()).toBe(true);
      const first = component().process!.pid;
      process.kill(first, 'SIGKILL');
      const second = await waitFor(
        () => {
          const c = component();
          return c.status === 'starting' && c.process && c.process.pid !== first ? c.process.pid : undefined;
        },
        { description: 'the restart to be spawned', timeoutMs: 15_000 },
      );
      process.kill(second, 'SIGKILL');
      const third = await waitFor(
        () => {
          const c = component();
          return c.status === 'ready' && c.process && c.process.pid !== second ? c.process.pid : undefined;
        },
        { description: 'the component to be back after the second kill', timeoutMs: 15_000 },
      );
      expect(third).not.toBe(first);
      expect(component().restarts).toBe(2);
      expect(lines.some((l) => l.includes('restarting in 2 s (attempt 2/5)'))).toBe(true);
      expect(lines.some((l) => l.includes('crashy is back'))).toBe(true);
    } finally {
      await supervisor.stopAll();
    }
  });
});
