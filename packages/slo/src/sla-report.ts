import { probeSelector } from './sla-rules.ts';
import type { SlaSpec, SloSpec } from './spec.ts';
import { WINDOW_PLACEHOLDER } from './spec.ts';

// The maths of `vigil sla report`: a calendar month (UTC) cut into buckets (default one hour),
// good and total events per bucket from Prometheus, then attainment, budget spent and breaches.
// Pure functions; the CLI does the HTTP.

/** A calendar month in UTC, in Unix seconds: [start, end). */
export interface MonthRange {
  readonly label: string;
  readonly start: number;
  readonly end: number;
}

/** `YYYY-MM` → the month's range; undefined when malformed. */
export function parseMonth(text: string): MonthRange | undefined {
  const match = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(text);
  if (!match) return undefined;
  const year = Number(match[1]);
  const month = Number(match[2]) - 1;
  return { label: text, start: Date.UTC(year, month, 1) / 1000, end: Date.UTC(year, month + 1, 1) / 1000 };
}

/** The month (UTC) that contains `unixSeconds`. */
export function monthOf(unixSeconds: number): MonthRange {
  const d = new Date(unixSeconds * 1000);
  const label = `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
  return parseMonth(label)!;
}

/** A time slice: events in (end - seconds, end]. */
export interface Slice {
  readonly end: number;
  readonly seconds: number;
}

/**
 * The buckets of a month up to `now`: every step-aligned end (from the month's start) up to
 * min(now, month end), then one partial bucket for the time after the last aligned end.
 */
export function monthBuckets(month: MonthRange, now: number, stepSeconds: number): Slice[] {
  const until = Math.min(now, month.end);
  const slices: Slice[] = [];
  let end = month.start + stepSeconds;
  for (; end <= until; end += stepSeconds) slices.push({ end, seconds: stepSeconds });
  const last = end - stepSeconds;
  if (until > last) slices.push({ end: until, seconds: until - last });
  return slices;
}

/** Good and total events of one bucket (probes, or requests of the SLI). */
export interface Bucket extends Slice {
  readonly good: number;
  readonly total: number;
}

export interface Breach {
  /** Unix seconds: the breach spans (from, to]. */
  readonly from: number;
  readonly to: number;
  readonly good: number;
  readonly total: number;
  readonly attainment: number;
}

export interface Attainment {
  readonly good: number;
  readonly total: number;
  /** good / total; undefined without events. */
  readonly attainment: number | undefined;
  /**
   * Share of the whole month's error budget spent so far: failures over the budget of a month
   * of events at the pace seen so far ((1 − attainment) × elapsed share / (1 − objective)).
   */
  readonly budgetSpent: number | undefined;
  /** Consecutive buckets below the objective, merged. */
  readonly breaches: Breach[];
  /** Buckets with events, of those elapsed. */
  readonly bucketsWithData: number;
  readonly bucketsElapsed: number;
}

/** Attainment, budget spent and breaches of a month's buckets against `objective` (a ratio, e.g. 0.999). */
export function attainment(
  buckets: readonly Bucket[],
  objective: number,
  month: MonthRange,
  now: number,
): Attainment {
  let good = 0;
  let total = 0;
  const breaches: Breach[] = [];
  for (const b of buckets) {
    if (!(b.total > 0)) continue;
    good += b.good;
    total += b.total;
    if (b.good / b.total >= objective) continue;
    const from = b.end - b.seconds;
    const previous = breaches.at(-1);
    if (previous && previous.to === from) {
      const merged = { good: previous.good + b.good, total: previous.total + b.total };
      breaches[breaches.length - 1] = {
        from: previous.from,
        to: b.end,
        ...merged,
        attainment: merged.good / merged.total,
      };
    } else {
      breaches.push({ from, to: b.end, good: b.good, total: b.total, attainment: b.good / b.total });
    }
  }
  const ratio = total > 0 ? good / total : undefined;
  const elapsedShare = (Math.min(now, month.end) - month.start) / (month.end - month.start);
  const budget = 1 - objective;
  return {
    good,
    total,
    attainment: ratio,
    budgetSpent: ratio === undefined ? undefined : ((1 - ratio) * elapsedShare) / budget,
    breaches,
    bucketsWithData: buckets.filter((b) => b.total > 0).length,
    bucketsElapsed: buckets.length,
  };
}

/** PromQL of one bucket of `seconds`: good and total events over (t - seconds, t]. */
export interface BucketQueries {
  readonly good: (seconds: number) => string;
  readonly total: (seconds: number) => string;
}

/** From outside: successful probes and all probes of the SLA's journeys. */
export function probeQueries(sla: SlaSpec): BucketQueries {
  const probes = probeSelector(sla.name);
  return {
    good: (s) => `sum(sum_over_time(${probes}[${s}s]))`,
    total: (s) => `sum(count_over_time(${probes}[${s}s]))`,
  };
}

/**
 * From inside: the SLO's SLI (rates over the bucket) times its length, i.e. requests and good
 * requests in the bucket.
 */
export function sliQueries(slo: SloSpec): BucketQueries {
  const at = (query: string, s: number) => query.replaceAll(WINDOW_PLACEHOLDER, `${s}s`);
  return {
    good: (s) => `(${at(slo.sli.total, s)} - (${at(slo.sli.errors, s)} or vector(0))) * ${s}`,
    total: (s) => `(${at(slo.sli.total, s)}) * ${s}`,
  };
}
