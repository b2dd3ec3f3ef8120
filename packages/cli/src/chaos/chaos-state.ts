import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { VarLayout } from '../paths.ts';
import { isAlive, type ProcessRef, processRef } from '../processes.ts';

/** One step that undoes (part of) an injected fault; every step is safe to run twice. */
export type RollbackStep =
  /** Resume a frozen process. */
  | { readonly type: 'sigcont'; readonly process: ProcessRef }
  /** End a helper process we started (stress-ng, the database lock holder, a TTL watchdog). */
  | { readonly type: 'kill'; readonly process: ProcessRef; readonly group: boolean }
  /** Clear a fault in the fault proxy. */
  | { readonly type: 'proxy-clear'; readonly url: string; readonly route: string }
  /** Clear an in-process fault (`id`, or every fault of the service when empty) through its admin API. */
  | { readonly type: 'service-fault-clear'; readonly url: string; readonly id: string };

export interface Injection {
  readonly experiment: string;
  readonly kind: string;
  readonly target: string | undefined;
  readonly startedAt: string;
  /** The fault's own TTL ends it by then, whatever happens to the runner. */
  readonly expiresAt: string;
  readonly rollback: RollbackStep[];
}

/** `var/run/chaos.json`: what the chaos runner has injected and not yet rolled back. */
export interface ChaosState {
  readonly version: 1;
  runner: ProcessRef;
  injections: Injection[];
}

export function chaosStateFile(layout: VarLayout): string {
  return join(layout.runDir, 'chaos.json');
}

export function readChaosState(file: string): ChaosState | undefined {
  try {
    const s = JSON.parse(readFileSync(file, 'utf8')) as ChaosState;
    return s?.version === 1 && Array.isArray(s.injections) ? s : undefined;
  } catch {
    return undefined;
  }
}

function write(file: string, state: ChaosState): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, file);
}

/** Records an injection before the fault goes in, so a crash in between still leaves its rollback. */
export function recordInjection(file: string, injection: Injection): void {
  const state = readChaosState(file) ?? { version: 1, runner: processRef(process.pid), injections: [] };
  state.runner = processRef(process.pid);
  state.injections.push(injection);
  write(file, state);
}

export function updateInjection(file: string, injection: Injection): void {
  const state = readChaosState(file);
  if (!state) return;
  state.injections = state.injections.map((i) =>
    i.experiment === injection.experiment && i.startedAt === injection.startedAt ? injection : i,
  );
  write(file, state);
}

export function forgetInjection(file: string, injection: Injection): void {
  const state = readChaosState(file);
  if (!state) return;
  state.injections = state.injections.filter(
    (i) => !(i.experiment === injection.experiment && i.startedAt === injection.startedAt),
  );
  if (state.injections.length === 0) rmSync(file, { force: true });
  else write(file, state);
}

/** True when another live runner has faults in: a second runner must not add its own on top. */
export function liveRunner(file: string): ProcessRef | undefined {
  const state = readChaosState(file);
  if (!state || state.injections.length === 0) return undefined;
  return state.runner.pid !== process.pid && isAlive(state.runner) ? state.runner : undefined;
}

export async function runStep(step: RollbackStep, token: string | undefined): Promise<string> {
  switch (step.type) {
    case 'sigcont':
      if (!isAlive(step.process)) return `pid ${step.process.pid} is gone`;
      process.kill(step.process.pid, 'SIGCONT');
      return `resumed pid ${step.process.pid}`;
    case 'kill':
      if (!isAlive(step.process)) return `helper pid ${step.process.pid} already ended`;
      try {
        process.kill(step.group ? -step.process.pid : step.process.pid, 'SIGKILL');
      } catch {
        process.kill(step.process.pid, 'SIGKILL');
      }
      return `ended helper pid ${step.process.pid}`;
    case 'proxy-clear':
    case 'service-fault-clear': {
      const url =
        step.type === 'proxy-clear'
          ? `${step.url}/faults/${step.route}`
          : `${step.url}/admin/faults${step.id ? `/${step.id}` : ''}`;
      try {
        const res = await fetch(url, {
          method: 'DELETE',
          headers: { authorization: `Bearer ${token ?? ''}` },
          signal: AbortSignal.timeout(5000),
        });
        await res.arrayBuffer();
        return `DELETE ${url}: ${res.status}`;
      } catch {
        // The process is gone, and its faults with it (they live in its memory).
        return `DELETE ${url}: not reachable (the fault ended with the process)`;
      }
    }
  }
}

/** Rolls back every recorded injection (all of them: the caller decided the runner is gone). */
export async function cleanupChaos(
  file: string,
  token: string | undefined,
  say: (line: string) => void,
): Promise<number> {
  const state = readChaosState(file);
  if (!state) return 0;
  for (const injection of state.injections) {
    say(`chaos cleanup: ${injection.experiment} (${injection.kind}, injected ${injection.startedAt})`);
    for (const step of injection.rollback) say(`  ${await runStep(step, token)}`);
  }
  rmSync(file, { force: true });
  return state.injections.length;
}
