import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { childEnv } from './child-env.ts';
import type { Component, StartContext } from './component.ts';
import { which } from './which.ts';

/**
 * Starts one component with stdout+stderr appended to `log`. The child leads its own process
 * group so a terminal's Ctrl-C reaches only the supervisor, which then stops children in order.
 */
export function spawnComponent(component: Component, ctx: StartContext, log: string): ChildProcess {
  const { cmd, args, env } = component.command(ctx);
  mkdirSync(dirname(log), { recursive: true });
  const fd = openSync(log, 'a');
  try {
    return spawn(which(cmd) ?? cmd, [...args], {
      cwd: ctx.repoRoot,
      env: childEnv(component, ctx, env),
      stdio: ['ignore', fd, fd],
      detached: true,
    });
  } finally {
    closeSync(fd);
  }
}
