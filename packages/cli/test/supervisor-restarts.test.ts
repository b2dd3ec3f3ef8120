import { mkdirSync, rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { Component } from '../src/component.ts';
import { createStartContext } from '../src/context.ts';
import { varLayout } from '../src/paths.ts';
import { processRef } from '../src/processes.ts';
import { type RunState, readState, writeState } from '../src/run-state.ts';
import { initialComponentState, Supervisor } from '../src/supervisor.ts';
import { freePort, tempVarDir, waitFor } from './helpers/run-vigil.ts';

// The Supervisor in-process with a fixture that dies every time right after it is seen ready.
describe('Supervisor restart limit', () => {
  const varDir = tempVarDir();
  afterAll(() => rmSync(varDir, { recursive: true, force: true }));

  it('restarts with backoff, then gives up after maxRestarts and marks the component failed', async () => {
    const port = await freePort();
    const crashy: Component = {
      name: 'crashy',
      port,
      portEnv: 'CRASHY_PORT',
      command: (ctx) => ({
        cmd: ctx.node,
        args: ['packages/cli/test/fixtures/fixture-server.ts'],
        env: { FIXTURE_MODE: 'crash-after-ready' },
      }),
      readyUrl: (ctx) => `http://${ctx.host}:${ctx.port('crashy')}/health/ready`,
    };
    const layout = varLayout(varDir);
    mkdirSync(layout.runDir, { recursive: true });
    const ctx = createStartContext({
      registered: [crashy],
      components: [crashy],
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
      components: [initialComponentState(crashy, ctx, layout)],
      skipped: [],
    };
    writeState(layout.stateFile, state);
    const lines: string[] = [];
    const supervisor = new Supervisor({ ctx, layout, state, say: (l) => lines.push(l), maxRestarts: 1 });
    try {
      expect(await supervisor.startAll()).toBe(true);
      await waitFor(
        'the supervisor to give up',
        () => readState(layout.stateFile)?.components[0]?.status === 'failed',
      );
      const final = readState(layout.stateFile)!.components[0]!;
      expect(final.restarts).toBe(1);
      expect(final.process).toBeNull();
      expect(
        lines.some((l) =>
          l.includes('crashy died unexpectedly (exit code 1); restarting in 1 s (attempt 1/1)'),
        ),
      ).toBe(true);
      expect(lines.some((l) => l.includes('crashy died (exit code 1); gave up after 1 restarts'))).toBe(true);
    } finally {
      await supervisor.stopAll();
    }
  });
});
