import { parseDuration } from './duration.ts';

/** Closed model: `vus` virtual users, each running iterations back to back (plus think time). */
export interface ClosedExecutor {
  readonly kind: 'closed';
  readonly vus: number;
  /** Milliseconds. */
  readonly duration: number;
}

/** A stage of the open model: the arrival rate moves linearly to `target` (iterations/s) over `duration` ms. */
export interface Stage {
  readonly target: number;
  readonly duration: number;
}

/**
 * Open model: iterations start on a schedule whatever the earlier ones are doing (constant
 * rate = one stage whose target equals startRate). Latency counts from the scheduled time.
 */
export interface OpenExecutor {
  readonly kind: 'open';
  readonly startRate: number;
  readonly stages: readonly Stage[];
  /** Most iterations in flight per run; arrivals beyond wait (and count as late). Default 2000. */
  readonly maxInFlight?: number;
}

export type Executor = ClosedExecutor | OpenExecutor;

export function constantRate(rate: number, duration: number): OpenExecutor {
  return { kind: 'open', startRate: rate, stages: [{ target: rate, duration }] };
}

export function executorDuration(e: Executor): number {
  return e.kind === 'closed' ? e.duration : e.stages.reduce((sum, s) => sum + s.duration, 0);
}

export function describeExecutor(e: Executor): string {
  if (e.kind === 'closed') return `closed model, ${e.vus} VUs for ${e.duration / 1000}s`;
  if (e.stages.length === 1 && e.stages[0]!.target === e.startRate)
    return `open model, constant ${e.startRate} it/s for ${e.stages[0]!.duration / 1000}s`;
  return `open model, ramping from ${e.startRate} it/s: ${e.stages
    .map((s) => `${s.target} it/s over ${s.duration / 1000}s`)
    .join(', ')}`;
}

/** `--stages 50:30s,200:1m,200:2m` → [{target 50, 30 s}, ...]. */
export function parseStages(text: string): Stage[] {
  return text.split(',').map((part, i) => {
    const m = /^\s*([0-9]+(?:\.[0-9]+)?)\s*:\s*(\S+)\s*$/.exec(part);
    if (!m) throw new Error(`--stages item ${i + 1} '${part}' must be <rate>:<duration>, e.g. 100:30s`);
    const duration = parseDuration(m[2]!);
    if (duration <= 0) throw new Error(`--stages item ${i + 1}: the duration must be positive`);
    return { target: Number(m[1]), duration };
  });
}

/**
 * The scheduled start times (ms from the run's start) of the open model's arrivals that belong
 * to one worker: arrival i goes to worker i % workers, so the workers together follow the
 * schedule exactly. Arrival i is due when the integral of the (piecewise linear) rate reaches i.
 */
export class ArrivalSchedule {
  private readonly stages: readonly Stage[];
  private readonly startRate: number;
  private readonly step: number;
  private index: number;
  private stage = 0;
  private stageStart = 0;
  private stageCount = 0; // arrivals (cumulative, fractional) before the current stage

  constructor(executor: OpenExecutor, worker = 0, workers = 1) {
    this.stages = executor.stages;
    this.startRate = executor.startRate;
    this.step = workers;
    this.index = worker;
  }

  private rateAtStageStart(stage: number): number {
    return stage === 0 ? this.startRate : this.stages[stage - 1]!.target;
  }

  /** The next due time (ms from start), or undefined when the schedule is over. */
  next(): number | undefined {
    while (this.stage < this.stages.length) {
      const { target, duration } = this.stages[this.stage]!;
      const r0 = this.rateAtStageStart(this.stage) / 1000;
      const r1 = target / 1000;
      const a = (r1 - r0) / (2 * duration);
      const x = this.index - this.stageCount;
      const stageTotal = ((r0 + r1) / 2) * duration;
      // Decided on counts, not on the solved time: near a zero rate the inverse is ill-conditioned.
      if (x < stageTotal - 1e-9) {
        const disc = r0 * r0 + 4 * a * x;
        const denom = r0 + Math.sqrt(Math.max(0, disc));
        const tau = x <= 0 ? 0 : denom > 0 ? (2 * x) / denom : duration;
        this.index += this.step;
        return this.stageStart + Math.min(tau, duration);
      }
      this.stageCount += stageTotal;
      this.stageStart += duration;
      this.stage++;
    }
    return undefined;
  }
}

/** Splits n into `parts` near-equal shares (first ones get the remainder). */
export function share(n: number, parts: number, index: number): number {
  return Math.floor(n / parts) + (index < n % parts ? 1 : 0);
}
