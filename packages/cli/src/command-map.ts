/** A `vigil` subcommand: a module in commands/ exporting `run(args): Promise<exitCode>`. */
export interface CommandModule {
  run(args: string[]): Promise<number>;
}

export interface CommandEntry {
  readonly summary: string;
  readonly load: () => Promise<CommandModule>;
}

/** To add a command: create commands/<name>.ts and add one line here. Loaded lazily. */
export const commands: Record<string, CommandEntry> = {
  start: {
    summary: 'start the local stack and supervise it (Ctrl-C stops)',
    load: () => import('./commands/start.ts'),
  },
  stop: { summary: "stop everything 'vigil start' started", load: () => import('./commands/stop.ts') },
  status: {
    summary: 'show each component: running, pid, port, ready, URL',
    load: () => import('./commands/status.ts'),
  },
  urls: { summary: 'print the URL of every running component', load: () => import('./commands/urls.ts') },
  slo: {
    summary: 'validate SLO specs and generate their burn-rate rules',
    load: () => import('./commands/slo.ts'),
  },
  sla: {
    summary: 'SLA report: attainment, budget spent and breaches per SLA for a month (vigil sla --help)',
    load: () => import('./commands/sla.ts'),
  },
  user: {
    summary: 'add, remove and list alert-console users (vigil user --help)',
    load: () => import('./commands/user.ts'),
  },
  fault: {
    summary: 'inject, list and clear chaos faults (vigil fault --help)',
    load: () => import('./commands/fault.ts'),
  },
  load: {
    summary: 'run a load scenario against the stack, with thresholds and a report (vigil load --help)',
    load: () => import('./commands/load.ts'),
  },
  chaos: {
    summary: 'chaos experiments: list, run, monkey, cleanup, render-k8s (vigil chaos --help)',
    load: () => import('./commands/chaos.ts'),
  },
  gameday: {
    summary: 'control phase + every chaos experiment under load; JSON and HTML report (vigil gameday --help)',
    load: () => import('./commands/gameday.ts'),
  },
};
