import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { processRef } from '../src/processes.ts';
import { acquireState, type RunState, readState, writeState } from '../src/run-state.ts';

function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '0']);
  return child.pid!;
}

function state(supervisorPid: number, childPids: number[] = []): RunState {
  return {
    version: 1,
    supervisor: processRef(supervisorPid),
    startedAt: new Date().toISOString(),
    state: 'ready',
    varDir: '/tmp',
    adminTokenFile: undefined,
    skipped: [],
    components: childPids.map((pid, i) => ({
      name: `c${i}`,
      process: processRef(pid),
      port: 1000 + i,
      ports: { main: 1000 + i },
      url: '',
      readyUrl: '',
      log: '',
      status: 'ready',
      restarts: 0,
    })),
  };
}

describe('the run state file as a lock', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const file = () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-state-'));
    dirs.push(dir);
    const runDir = join(dir, 'run');
    mkdirSync(runDir);
    return join(runDir, 'vigil.json');
  };

  it('is created when absent and refused while its supervisor lives', () => {
    const f = file();
    acquireState(f, state(process.pid));
    expect(readState(f)?.supervisor.pid).toBe(process.pid);
    expect(() => acquireState(f, state(process.pid))).toThrow(/already running \(supervisor pid/);
  });

  it('takes over a file left by a dead supervisor whose children are gone', () => {
    const f = file();
    const dead = deadPid();
    writeState(f, state(dead, [deadPid()]));
    acquireState(f, state(process.pid));
    expect(readState(f)?.supervisor.pid).toBe(process.pid);
  });

  it('refuses while children of a dead supervisor still run', () => {
    const f = file();
    writeState(f, state(deadPid(), [process.pid]));
    expect(() => acquireState(f, state(process.pid))).toThrow(/left 1 process\(es\) running \(pids/);
  });

  it('does not mistake a reused pid for the recorded process', () => {
    const f = file();
    const s = state(process.pid);
    writeState(f, { ...s, supervisor: { pid: process.pid, startTime: '1' } });
    acquireState(f, state(process.pid));
    expect(readState(f)?.supervisor.startTime).not.toBe('1');
  });

  it('treats a corrupt file as stale', () => {
    const f = file();
    acquireState(f, state(process.pid));
    writeFileSync(f, '{"version":1,"supe');
    expect(readState(f)).toBeUndefined();
    acquireState(f, state(process.pid));
    expect(existsSync(f)).toBe(true);
  });
});
