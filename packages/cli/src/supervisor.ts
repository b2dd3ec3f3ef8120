import type { ChildProcess } from 'node:child_process';
import { componentUrl } from './child-env.ts';
import type { Component, StartContext } from './component.ts';
import { fileSize, logTail } from './log-tail.ts';
import { componentLog, type VarLayout } from './paths.ts';
import { processRef, terminate } from './processes.ts';
import { waitReady } from './readiness.ts';
import type { ComponentState, RunState } from './run-state.ts';
import { writeState } from './run-state.ts';
import { spawnComponent } from './spawn-component.ts';

export interface SupervisorOptions {
  readonly ctx: StartContext;
  readonly layout: VarLayout;
  readonly state: RunState;
  readonly say: (line: string) => void;
  /** Consecutive restarts of one component before giving up on it (default 5). */
  readonly maxRestarts?: number;
  /** Up this long, a component's restart count starts over (default 60 s). */
  readonly stableAfterMs?: number;
  /** SIGTERM → SIGKILL bound per component on stop (default 10 s). */
  readonly stopGraceMs?: number;
}

interface Running {
  readonly component: Component;
  readonly state: ComponentState;
  child: ChildProcess | undefined;
  exited: string | undefined;
  startedAt: number;
  /** Size of the (appended) log when this process started: its failure report starts there. */
  logOffset: number;
  consecutiveRestarts: number;
  restartTimer: NodeJS.Timeout | undefined;
  /** Set once the component was first seen ready: from then on any death, in any state, is restarted. */
  supervised: boolean;
}

export function initialComponentState(c: Component, ctx: StartContext, layout: VarLayout): ComponentState {
  const ports: Record<string, number> = { main: ctx.port(c.name) };
  for (const extra of c.extraPorts ?? []) ports[extra.key] = ctx.port(`${c.name}.${extra.key}`);
  return {
    name: c.name,
    process: null,
    port: ctx.port(c.name),
    ports,
    url: componentUrl(c, ctx),
    readyUrl: c.readyUrl(ctx),
    log: componentLog(layout, c.name),
    status: 'stopped',
    restarts: 0,
  };
}

/** Starts components in dependency order, restarts the ones that die, and stops them all in reverse order. */
export class Supervisor {
  readonly #opts: SupervisorOptions;
  readonly #running = new Map<string, Running>();
  #stopping = false;
  #stopped: Promise<void> | undefined;

  constructor(opts: SupervisorOptions) {
    this.#opts = opts;
    for (const c of opts.ctx.components) {
      const state = opts.state.components.find((s) => s.name === c.name);
      if (!state) throw new Error(`no state for ${c.name}`);
      this.#running.set(c.name, {
        component: c,
        state,
        child: undefined,
        exited: undefined,
        startedAt: 0,
        logOffset: 0,
        consecutiveRestarts: 0,
        restartTimer: undefined,
        supervised: false,
      });
    }
  }

  get stopping(): boolean {
    return this.#stopping;
  }

  /** Resolves true once every component is ready; on any failure stops what it started and resolves false. */
  async startAll(): Promise<boolean> {
    const { ctx } = this.#opts;
    const started = new Map<string, Promise<boolean>>();
    let failed = false;
    const names = new Set(ctx.components.map((c) => c.name));
    for (const c of ctx.components) {
      const deps = (c.after ?? []).filter((d) => names.has(d)).map((d) => started.get(d)!);
      started.set(
        c.name,
        Promise.all(deps).then(async (ok) => {
          if (failed || this.#stopping || !ok.every(Boolean)) return false;
          const good = await this.#startOne(c.name, () => failed || this.#stopping);
          if (!good) failed = true;
          return good;
        }),
      );
    }
    const results = await Promise.all(started.values());
    if (results.every(Boolean) && !this.#stopping) return true;
    await this.stopAll();
    return false;
  }

  async #startOne(name: string, abort: () => boolean): Promise<boolean> {
    const run = this.#running.get(name)!;
    const { ctx, say } = this.#opts;
    const began = Date.now();
    try {
      await run.component.prepare?.(ctx);
      this.#spawn(run);
    } catch (err) {
      say(`✗ ${name}: could not start: ${(err as Error).message}`);
      return false;
    }
    const outcome = await waitReady(run.state.readyUrl, run.component.readyTimeoutMs ?? 30_000, () =>
      abort() ? 'startup aborted' : run.exited ? `exited during startup (${run.exited})` : undefined,
    );
    if (!outcome.ready) {
      if (outcome.reason !== 'startup aborted') {
        say(`✗ ${name}: ${outcome.reason}`);
        const tail = logTail(run.state.log, 20, run.logOffset);
        say(
          tail
            ? `  last lines of ${run.state.log}:\n${indent(tail)}`
            : `  it wrote nothing to ${run.state.log}`,
        );
      }
      return false;
    }
    run.state.status = 'ready';
    run.supervised = true;
    this.#save();
    say(`✓ ${name} ready in ${((Date.now() - began) / 1000).toFixed(1)} s`);
    return true;
  }

  #spawn(run: Running): void {
    const { ctx } = this.#opts;
    run.logOffset = fileSize(run.state.log);
    const child = spawnComponent(run.component, ctx, run.state.log);
    run.child = child;
    run.exited = undefined;
    run.startedAt = Date.now();
    run.state.process = child.pid ? processRef(child.pid) : null;
    run.state.status = 'starting';
    this.#save();
    const onGone = (why: string): void => {
      if (run.child !== child || run.exited) return;
      run.exited = why;
      run.state.process = null;
      // Once supervised, a death while ready, starting (a restart not yet ready) or anything else is
      // restarted; only the first start-up of `vigil start` fails fast (startAll reports it).
      if (!this.#stopping && run.supervised) this.#scheduleRestart(run, why);
      else if (!this.#stopping) this.#save();
    };
    child.once('error', (err) => onGone(err.message));
    child.once('exit', (code, signal) => onGone(signal ? `killed by ${signal}` : `exit code ${code}`));
  }

  #scheduleRestart(run: Running, why: string): void {
    const { say } = this.#opts;
    const maxRestarts = this.#opts.maxRestarts ?? 5;
    if (run.restartTimer) return; // already scheduled (a second report of the same death)
    if (Date.now() - run.startedAt > (this.#opts.stableAfterMs ?? 60_000)) run.consecutiveRestarts = 0;
    if (run.consecutiveRestarts >= maxRestarts) {
      run.state.status = 'failed';
      this.#save();
      say(
        `${stamp()} ✗ ${run.component.name} is in a crash loop: died (${why}) ${maxRestarts + 1} times in a row ` +
          `without staying up ${Math.round((this.#opts.stableAfterMs ?? 60_000) / 1000)} s; ` +
          `gave up after ${maxRestarts} restarts, see ${run.state.log}`,
      );
      return;
    }
    const delay = Math.min(30_000, 1000 * 2 ** run.consecutiveRestarts);
    run.consecutiveRestarts += 1;
    run.state.restarts += 1;
    run.state.status = 'restarting';
    this.#save();
    say(
      `${stamp()} ! ${run.component.name} died unexpectedly (${why}); restarting in ${delay / 1000} s ` +
        `(attempt ${run.consecutiveRestarts}/${maxRestarts}), see ${run.state.log}`,
    );
    run.restartTimer = setTimeout(() => {
      run.restartTimer = undefined;
      if (this.#stopping) return;
      try {
        this.#spawn(run);
      } catch (err) {
        this.#scheduleRestart(run, (err as Error).message);
        return;
      }
      const child = run.child;
      void waitReady(run.state.readyUrl, run.component.readyTimeoutMs ?? 30_000, () =>
        run.exited || this.#stopping || run.child !== child ? 'gone' : undefined,
      ).then(async (outcome) => {
        // A death during this start was already handed to #scheduleRestart by the exit handler.
        if (run.exited || this.#stopping || run.child !== child) return;
        if (outcome.ready) {
          run.state.status = 'ready';
          this.#save();
          say(`${stamp()} ✓ ${run.component.name} is back (pid ${run.state.process?.pid})`);
          return;
        }
        // Alive but never ready: stop it and count it as a failed attempt (the exit handler restarts it).
        say(`${stamp()} ✗ ${run.component.name} restarted but is not ready: ${outcome.reason}; stopping it`);
        const ref = run.state.process;
        if (ref) await terminate([ref], this.#opts.stopGraceMs ?? 10_000);
      });
    }, delay);
  }

  /**
   * Idempotent: stops every started component, dependents before what they depend on; components
   * of one wave stop in parallel (SIGTERM, SIGKILL after the bound).
   */
  stopAll(): Promise<void> {
    this.#stopping = true;
    this.#stopped ??= (async () => {
      const grace = this.#opts.stopGraceMs ?? 10_000;
      for (const run of this.#running.values()) if (run.restartTimer) clearTimeout(run.restartTimer);
      for (const wave of stopWaves([...this.#running.values()].map((r) => r.component))) {
        await Promise.all(
          wave.map(async (name) => {
            const run = this.#running.get(name)!;
            const ref = run.state.process;
            if (ref && !run.exited) await terminate([ref], grace);
            run.state.process = null;
            run.state.status = 'stopped';
          }),
        );
      }
    })();
    return this.#stopped;
  }

  #save(): void {
    writeState(this.#opts.layout.stateFile, this.#opts.state);
  }
}

/** Stop order: each wave holds the components nothing still running starts `after`. */
export function stopWaves(components: readonly Component[]): string[][] {
  const remaining = new Map(components.map((c) => [c.name, c]));
  const waves: string[][] = [];
  while (remaining.size > 0) {
    const needed = new Set([...remaining.values()].flatMap((c) => c.after ?? []));
    let wave = [...remaining.keys()].filter((name) => !needed.has(name));
    // A cycle cannot be planned (plan.ts rejects it); stop the rest together rather than loop.
    if (wave.length === 0) wave = [...remaining.keys()];
    for (const name of wave) remaining.delete(name);
    waves.push(wave);
  }
  return waves;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}

function stamp(): string {
  return `[${new Date().toISOString().slice(11, 19)}]`;
}
