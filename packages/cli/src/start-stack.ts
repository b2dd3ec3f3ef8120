import { mkdirSync } from 'node:fs';
import {
  ensureAdminToken,
  hubWebhookTokenFile,
  readAdminToken,
  writeFreshSecret,
  writeSecretFile,
} from './admin-token.ts';
import { chaosStateFile, cleanupChaos } from './chaos/chaos-state.ts';
import type { StartContext } from './component.ts';
import { createStartContext } from './context.ts';
import { CliError } from './errors.ts';
import type { VarLayout } from './paths.ts';
import { planStart, selectComponents } from './plan.ts';
import { busyPorts } from './port-check.ts';
import { processRef } from './processes.ts';
import { loadRegistry } from './registry.ts';
import { acquireState, type RunState, removeState, writeState } from './run-state.ts';
import { initialComponentState, Supervisor } from './supervisor.ts';
import { displayPath, table } from './table.ts';

export interface StartOptions {
  readonly layout: VarLayout;
  readonly only: readonly string[];
  /** Runs in the background (started by `vigil start --detach`): changes only the closing hint. */
  readonly detached: boolean;
  readonly say: (line: string) => void;
}

const skipLine = (s: { name: string; reason: string }) => `- ${s.name}: skipped (${s.reason})`;

/**
 * The foreground supervisor: plan, refuse on taken ports, start in order, wait for readiness,
 * print the URLs, then supervise until SIGINT/SIGTERM/SIGHUP and stop everything. Returns the exit code.
 */
export async function startStack(opts: StartOptions): Promise<number> {
  const { layout, say } = opts;
  const registered = await loadRegistry();
  const selected = selectComponents(registered, opts.only);
  const planCtx = createStartContext({ registered, components: selected, layout, adminToken: '' });
  const plan = planStart(selected, planCtx);
  if (plan.start.length === 0)
    throw new CliError(
      'NOTHING_TO_START',
      `nothing to start: every component was skipped\n${plan.skipped.map(skipLine).join('\n')}`,
    );
  const stateCtx = createStartContext({ registered, components: plan.start, layout, adminToken: '' });

  for (const dir of [layout.logDir, layout.dataDir, layout.runDir]) mkdirSync(dir, { recursive: true });
  const state: RunState = {
    version: 1,
    supervisor: processRef(process.pid),
    startedAt: new Date().toISOString(),
    state: 'starting',
    varDir: layout.varDir,
    adminTokenFile: process.env.VIGIL_ADMIN_TOKEN ? undefined : layout.adminTokenFile,
    components: plan.start.map((c) => initialComponentState(c, stateCtx, layout)),
    skipped: plan.skipped,
  };
  acquireState(layout.stateFile, state);
  // After the state is ours: a start refused as ALREADY_RUNNING prints only why.
  for (const s of plan.skipped) say(skipLine(s));
  // A chaos run that crashed may have left helpers (stress-ng, a database lock) or a frozen process.
  await cleanupChaos(
    chaosStateFile(layout),
    process.env.VIGIL_ADMIN_TOKEN ?? readAdminToken(layout.adminTokenFile),
    say,
  );

  const busy = await busyPorts(stateCtx);
  if (busy.length > 0) {
    removeState(layout.stateFile);
    throw new CliError('PORT_IN_USE', `${busy.join('\n')}\nnothing was started.`);
  }

  const token = ensureAdminToken(layout.adminTokenFile);
  // Rotated every run; the hub and Alertmanager both read the file (issue 10: no forged alerts).
  writeFreshSecret(hubWebhookTokenFile(layout.varDir));
  const ctx = createStartContext({ registered, components: plan.start, layout, adminToken: token.token });
  writeSecretFile(layout.serviceTokenFile, ctx.serviceToken ?? '');
  const supervisor = new Supervisor({ ctx, layout, state, say });

  let signalled = false;
  const stoppedBySignal = new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      if (signalled) {
        say(`${signal}: already stopping…`);
        return;
      }
      signalled = true;
      say(`${signal}: stopping everything vigil started…`);
      state.state = 'stopping';
      writeState(layout.stateFile, state);
      void supervisor.stopAll().then(resolve);
    };
    for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, onSignal);
  });
  process.on('uncaughtException', (err) => {
    say(`vigil supervisor crashed: ${err.stack ?? err.message}; stopping everything`);
    void supervisor.stopAll().finally(() => {
      removeState(layout.stateFile);
      process.exit(1);
    });
  });

  say(`starting ${plan.start.map((c) => c.name).join(', ')} (logs in ${displayPath(layout.logDir)})`);
  const ok = await supervisor.startAll();
  if (!ok || signalled) {
    await supervisor.stopAll();
    removeState(layout.stateFile);
    if (signalled) return 0;
    say('start failed; everything it had started is stopped.');
    return 1;
  }
  // Printed before the state says ready: `start --detach` prints our output up to that moment.
  say(summary(ctx, state, token.file, opts.detached));
  state.state = 'ready';
  writeState(layout.stateFile, state);

  await stoppedBySignal;
  removeState(layout.stateFile);
  say('stopped.');
  return 0;
}

function summary(
  ctx: StartContext,
  state: RunState,
  tokenFile: string | undefined,
  detached: boolean,
): string {
  const rows = [['NAME', 'URL', 'LOG'], ...state.components.map((c) => [c.name, c.url, displayPath(c.log)])];
  const token = tokenFile
    ? `admin token: in ${displayPath(tokenFile)} (mode 0600; not printed)`
    : 'admin token: from VIGIL_ADMIN_TOKEN';
  const hint = detached
    ? "running in the background: 'vigil status' shows it, 'vigil stop' (or 'make stop') stops it."
    : "supervising in the foreground: Ctrl-C (or 'make stop' in another terminal) stops everything.";
  return [
    `vigil is running (supervisor pid ${process.pid}):`,
    table(rows),
    `data: ${displayPath(ctx.dataDir)}   ${token}`,
    hint,
  ].join('\n');
}
