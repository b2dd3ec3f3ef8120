import { parseDuration } from './duration.ts';

/**
 * A k6-style threshold: `p95(order) < 300ms`, `p99 < 250ms`, `error_rate < 1%`, `checks > 99%`,
 * `rps >= 100`, `late_rate < 0.1%`. The selector in parentheses names a journey, a step, or
 * `journey/step`; without it the metric covers every request.
 */
export interface Threshold {
  readonly expr: string;
  readonly metric: ThresholdMetric;
  readonly selector: string | null;
  readonly op: '<' | '<=' | '>' | '>=';
  /** Milliseconds for latencies, a fraction for rates, per second for rps, a count otherwise. */
  readonly value: number;
}

export const LATENCY_METRICS = ['p50', 'p90', 'p95', 'p99', 'p99.9', 'max', 'mean'] as const;
const RATE_METRICS = ['error_rate', 'checks', 'late_rate'] as const;
const OTHER_METRICS = ['rps', 'requests', 'errors', 'late'] as const;
export type ThresholdMetric =
  | (typeof LATENCY_METRICS)[number]
  | (typeof RATE_METRICS)[number]
  | (typeof OTHER_METRICS)[number];
const ALL: readonly string[] = [...LATENCY_METRICS, ...RATE_METRICS, ...OTHER_METRICS];

export class ThresholdError extends Error {
  constructor(expr: string, why: string) {
    super(`threshold '${expr}': ${why}`);
    this.name = 'ThresholdError';
  }
}

export function parseThreshold(expr: string): Threshold {
  const m =
    /^\s*([a-z_]+(?:\.[0-9]+)?|p[0-9]+(?:\.[0-9]+)?)\s*(?:\(\s*([^)]+?)\s*\))?\s*(<=|>=|<|>)\s*([0-9]+(?:\.[0-9]+)?)\s*([a-z%]*)\s*$/.exec(
      expr,
    );
  if (!m)
    throw new ThresholdError(
      expr,
      'expected <metric>[(<journey|step>)] <op> <value>, e.g. p95(order) < 300ms',
    );
  const [, metric, selector, op, rawValue, unit] = m as unknown as [
    string,
    string,
    string | undefined,
    Threshold['op'],
    string,
    string,
  ];
  if (!ALL.includes(metric))
    throw new ThresholdError(expr, `unknown metric '${metric}' (one of ${ALL.join(', ')})`);
  let value = Number(rawValue);
  if ((LATENCY_METRICS as readonly string[]).includes(metric)) {
    if (unit === '%') throw new ThresholdError(expr, 'a latency needs a time unit (ms, s, us)');
    value = unit ? parseDuration(`${rawValue}${unit}`) : value;
  } else if ((RATE_METRICS as readonly string[]).includes(metric)) {
    if (unit === '%') value /= 100;
    else if (unit !== '')
      throw new ThresholdError(expr, `a rate is a fraction or a percentage, not '${unit}'`);
    else if (value > 1) throw new ThresholdError(expr, 'a rate without % must be between 0 and 1');
  } else if (unit !== '' && !(metric === 'rps' && unit === '')) {
    throw new ThresholdError(expr, `'${metric}' takes a plain number`);
  }
  return { expr: expr.trim(), metric: metric as ThresholdMetric, selector: selector ?? null, op, value };
}

/** The numbers a threshold reads, for one selector (or all requests). */
export interface ThresholdSubject {
  latency: Record<(typeof LATENCY_METRICS)[number], number>;
  requests: number;
  errors: number;
  checksPassed: number;
  checksFailed: number;
  rps: number;
  late: number;
  due: number;
}

export interface ThresholdResult {
  expr: string;
  /** The measured value in the threshold's unit (ms, fraction, per second, count). */
  actual: number;
  ok: boolean;
}

export function metricValue(t: Threshold, s: ThresholdSubject): number {
  switch (t.metric) {
    case 'error_rate':
      return s.requests === 0 ? 0 : s.errors / s.requests;
    case 'checks': {
      const total = s.checksPassed + s.checksFailed;
      return total === 0 ? 1 : s.checksPassed / total;
    }
    case 'late_rate':
      return s.due === 0 ? 0 : s.late / s.due;
    case 'rps':
      return s.rps;
    case 'requests':
      return s.requests;
    case 'errors':
      return s.errors;
    case 'late':
      return s.late;
    default:
      return s.latency[t.metric];
  }
}

export function evaluateThreshold(t: Threshold, subject: ThresholdSubject): ThresholdResult {
  const actual = metricValue(t, subject);
  const ok =
    t.op === '<'
      ? actual < t.value
      : t.op === '<='
        ? actual <= t.value
        : t.op === '>'
          ? actual > t.value
          : actual >= t.value;
  return { expr: t.expr, actual, ok };
}
