import type { VarLayout } from './paths.ts';
import { isAlive } from './processes.ts';
import { probe } from './readiness.ts';
import { readState } from './run-state.ts';

export interface ComponentReport {
  readonly name: string;
  readonly running: boolean;
  /** The supervisor's view: starting, ready, restarting, failed, stopped. */
  readonly status: string;
  readonly pid: number | null;
  readonly port: number;
  readonly ready: boolean;
  readonly url: string;
  readonly log: string;
  readonly restarts: number;
}

export interface StackReport {
  readonly running: boolean;
  readonly supervisorPid: number | null;
  readonly supervisorAlive: boolean;
  readonly startedAt: string | null;
  readonly components: readonly ComponentReport[];
  readonly skipped: readonly { readonly name: string; readonly reason: string }[];
}

/** What runs now: the state file checked against live pids and a readiness probe of each component. */
export async function stackStatus(layout: VarLayout): Promise<StackReport> {
  const state = readState(layout.stateFile);
  if (!state) {
    return {
      running: false,
      supervisorPid: null,
      supervisorAlive: false,
      startedAt: null,
      components: [],
      skipped: [],
    };
  }
  const components = await Promise.all(
    state.components.map(async (c): Promise<ComponentReport> => {
      const running = isAlive(c.process);
      return {
        name: c.name,
        running,
        status: c.status,
        pid: running ? (c.process?.pid ?? null) : null,
        port: c.port,
        ready: running && (await probe(c.readyUrl, 1500)),
        url: c.url,
        log: c.log,
        restarts: c.restarts,
      };
    }),
  );
  const supervisorAlive = isAlive(state.supervisor);
  return {
    running: supervisorAlive || components.some((c) => c.running),
    supervisorPid: state.supervisor.pid,
    supervisorAlive,
    startedAt: state.startedAt,
    components,
    skipped: state.skipped,
  };
}
