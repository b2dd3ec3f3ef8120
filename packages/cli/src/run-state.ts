import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { CliError } from './errors.ts';
import { isAlive, type ProcessRef } from './processes.ts';

export type ComponentStatus = 'starting' | 'ready' | 'restarting' | 'failed' | 'stopped';

export interface ComponentState {
  readonly name: string;
  process: ProcessRef | null;
  readonly port: number;
  /** Every port the component binds, by key (`main` plus its extra ports). */
  readonly ports: Readonly<Record<string, number>>;
  readonly url: string;
  readonly readyUrl: string;
  readonly log: string;
  status: ComponentStatus;
  restarts: number;
}

/** `var/run/vigil.json`: what one supervisor started, for `vigil stop` and `vigil status` in other terminals. */
export interface RunState {
  readonly version: 1;
  readonly supervisor: ProcessRef;
  readonly startedAt: string;
  state: 'starting' | 'ready' | 'stopping' | 'failed';
  readonly varDir: string;
  readonly adminTokenFile: string | undefined;
  readonly components: ComponentState[];
  readonly skipped: readonly { readonly name: string; readonly reason: string }[];
}

export function readState(file: string): RunState | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const state = JSON.parse(text) as RunState;
    return state && state.version === 1 && state.supervisor ? state : undefined;
  } catch {
    return undefined;
  }
}

/** Atomic replace, so a reader never sees half a file. */
export function writeState(file: string, state: RunState): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, file);
}

export function removeState(file: string): void {
  rmSync(file, { force: true });
}

export function liveChildren(state: RunState): ProcessRef[] {
  return state.components.flatMap((c) => (c.process && isAlive(c.process) ? [c.process] : []));
}

/**
 * Creates the state file exclusively, so two `vigil start` never run at once. A file left by a
 * supervisor that died is taken over only when none of its children still run.
 */
export function acquireState(file: string, initial: RunState): void {
  mkdirSync(dirname(file), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, `${JSON.stringify(initial, null, 2)}\n`, { flag: 'wx' });
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const existing = readState(file);
    if (existing && isAlive(existing.supervisor)) {
      throw new CliError(
        'ALREADY_RUNNING',
        `vigil is already running (supervisor pid ${existing.supervisor.pid}); see 'vigil status', or 'vigil stop' first`,
      );
    }
    const orphans = existing ? liveChildren(existing) : [];
    if (orphans.length > 0) {
      throw new CliError(
        'ORPHANS_RUNNING',
        `an earlier vigil supervisor died and left ${orphans.length} process(es) running (pids ${orphans
          .map((p) => p.pid)
          .join(', ')}); run 'vigil stop' first`,
      );
    }
    removeState(file);
  }
  throw new CliError('STATE_BUSY', `could not create ${file}; is another 'vigil start' starting right now?`);
}
