import { readFileSync } from 'node:fs';

/** Identity of a running process: its pid and kernel start time, so a reused pid is never mistaken for it. */
export interface ProcessRef {
  readonly pid: number;
  /** Field 22 of /proc/<pid>/stat; undefined where /proc is unavailable. */
  readonly startTime: string | undefined;
}

function procStat(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces; everything after its closing paren splits cleanly.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

export function processRef(pid: number): ProcessRef {
  return { pid, startTime: procStat(pid)?.[19] };
}

/** True when `ref` still runs (not a zombie, not a newer process that reused the pid). */
export function isAlive(ref: ProcessRef | undefined | null): boolean {
  if (!ref || !Number.isInteger(ref.pid) || ref.pid <= 0) return false;
  try {
    process.kill(ref.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const fields = procStat(ref.pid);
  if (!fields) return ref.startTime === undefined;
  if (fields[0] === 'Z' || fields[0] === 'X') return false;
  return ref.startTime === undefined || fields[19] === ref.startTime;
}

/** Sends `signal` to the process group of `ref` (children run as group leaders), falling back to the pid. */
export function signalGroup(ref: ProcessRef, signal: NodeJS.Signals): void {
  if (!isAlive(ref)) return;
  try {
    process.kill(-ref.pid, signal);
  } catch {
    try {
      process.kill(ref.pid, signal);
    } catch {}
  }
}

async function waitDead(refs: readonly ProcessRef[], ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (refs.some(isAlive)) {
    if (Date.now() >= end) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once every process is gone (or after the SIGKILL bound). */
export async function terminate(refs: readonly ProcessRef[], graceMs = 10_000): Promise<void> {
  const alive = refs.filter(isAlive);
  for (const ref of alive) signalGroup(ref, 'SIGTERM');
  if (await waitDead(alive, graceMs)) return;
  for (const ref of alive) signalGroup(ref, 'SIGKILL');
  await waitDead(alive, 5000);
}
