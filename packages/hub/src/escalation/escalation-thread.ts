import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { OncallConfig } from '../oncall/oncall-config.ts';
import type { EngineLogger } from './escalation-engine.ts';
import type { EngineMetrics } from './escalation-metrics.ts';
import type { EscalationInit, FromEscalation, ToEscalation } from './escalation-protocol.ts';

/**
 * Runs the escalation engine's loop (escalation-worker.ts) on its own thread and relays its
 * counters and errors to the main thread. Everything it owes is in console.db, so a thread that
 * dies is started again and carries on where the rows say (as after a restart of the hub).
 */
export class EscalationThread {
  readonly #init: Omit<EscalationInit, 'oncall'>;
  readonly #metrics: EngineMetrics;
  readonly #logger: EngineLogger;
  #worker: Worker | undefined;
  #stopping = false;
  #kicked = false;
  #restart: NodeJS.Timeout | undefined;
  #stopped: (() => void) | undefined;
  #oncall: OncallConfig | undefined;

  constructor(init: Omit<EscalationInit, 'oncall'>, metrics: EngineMetrics, logger: EngineLogger) {
    this.#init = init;
    this.#metrics = metrics;
    this.#logger = logger;
  }

  start(): void {
    // Its own heap cap, like the writer thread: the sends' garbage stays out of the hub's budget.
    const worker = new Worker(new URL('./escalation-worker.ts', import.meta.url), {
      workerData: { ...this.#init, oncall: this.#oncall },
      resourceLimits: { maxOldGenerationSizeMb: 48, maxYoungGenerationSizeMb: 8 },
    });
    worker.on('message', (m: FromEscalation) => this.#onMessage(m));
    worker.on('error', (err) =>
      this.#logger.error({ err }, 'escalation thread failed; starting it again in 1 s'),
    );
    worker.on('exit', () => {
      if (this.#worker !== worker || this.#stopping) return;
      this.#worker = undefined;
      this.#restart = setTimeout(() => this.start(), 1000);
    });
    worker.unref();
    this.#worker = worker;
  }

  /** A new good on-call config: the thread uses it from its next step on. */
  oncall(config: OncallConfig): void {
    this.#oncall = config;
    this.#post({ type: 'oncall', config });
  }

  /**
   * A step may be due now (a new incident) or an acknowledge/resolve is to be sent: tick soon.
   * Posted on the next turn of the loop, after the caller's transaction has committed; coalesced.
   */
  kick(): void {
    if (this.#kicked) return;
    this.#kicked = true;
    setImmediate(() => {
      this.#kicked = false;
      this.#post({ type: 'kick' });
    });
  }

  /** Waits for the sends in flight (each bounded by the notify timeout), then ends the thread. */
  async stop(): Promise<void> {
    this.#stopping = true;
    clearTimeout(this.#restart);
    const worker = this.#worker;
    if (!worker) return;
    const stopped = new Promise<void>((resolve) => {
      this.#stopped = resolve;
    });
    this.#post({ type: 'stop' });
    const bound = this.#init.notifyTimeoutMs + 2000;
    await Promise.race([stopped, once(worker, 'exit'), new Promise((r) => setTimeout(r, bound).unref())]);
    await worker.terminate();
  }

  /** Ends the thread the way a crash would (it is started again after 1 s); for the tests of that. */
  async crash(): Promise<void> {
    await this.#worker?.terminate();
  }

  #post(m: ToEscalation): void {
    this.#worker?.postMessage(m);
  }

  #onMessage(m: FromEscalation): void {
    if (m.type === 'step') this.#metrics.step(m.policy);
    else if (m.type === 'notification') this.#metrics.notification(m.channelType, m.outcome);
    else if (m.type === 'lag') this.#metrics.lag(m.seconds);
    else if (m.type === 'log') this.#logger.error(m.obj, m.msg);
    else if (m.type === 'stopped') this.#stopped?.();
  }
}
