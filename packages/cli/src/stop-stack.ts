import type { VarLayout } from './paths.ts';
import { isAlive, terminate } from './processes.ts';
import { liveChildren, readState, removeState } from './run-state.ts';

/**
 * Stops what `vigil start` started: asks the supervisor (SIGTERM) to stop its children in order;
 * if it does not finish in time or is already dead, stops the recorded children directly.
 */
export async function stopStack(
  layout: VarLayout,
  say: (line: string) => void,
  graceMs = 10_000,
): Promise<number> {
  const state = readState(layout.stateFile);
  if (!state) {
    say('vigil is not running (nothing to stop).');
    return 0;
  }
  const names = state.components.map((c) => c.name).join(', ');
  if (isAlive(state.supervisor)) {
    say(`stopping vigil (supervisor pid ${state.supervisor.pid}): ${names}`);
    process.kill(state.supervisor.pid, 'SIGTERM');
    // The supervisor gives each component `graceMs` before SIGKILL; allow for all of them.
    await terminateWithin([state.supervisor], graceMs * (state.components.length + 1));
  } else {
    say(`the vigil supervisor (pid ${state.supervisor.pid}) is gone; stopping what it left running`);
  }
  const left = liveChildren(state);
  if (left.length > 0) await terminate(left, graceMs);
  const stillAlive = [...liveChildren(state), ...(isAlive(state.supervisor) ? [state.supervisor] : [])];
  if (stillAlive.length > 0) {
    say(`could not stop pid(s) ${stillAlive.map((p) => p.pid).join(', ')}`);
    return 1;
  }
  removeState(layout.stateFile);
  say('stopped.');
  return 0;
}

async function terminateWithin(refs: Parameters<typeof terminate>[0], ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (refs.some(isAlive) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
  if (refs.some(isAlive)) await terminate(refs, 0);
}
