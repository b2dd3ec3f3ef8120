// The HDR histograms (hdr-histogram-js) the main thread merges the workers' samples into.
import hdr from 'hdr-histogram-js';
import { HIGHEST_US, toMicros } from './stats.ts';

/** Latencies in µs, 1 µs .. 2 min (HIGHEST_US), 3 significant digits (0.1 %). */
export function newHistogram(): hdr.Histogram {
  return hdr.build({
    bitBucketSize: 32,
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_US,
    numberOfSignificantValueDigits: 3,
    autoResize: false,
  });
}

export function recordMs(h: hdr.Histogram, ms: number): void {
  h.recordValue(toMicros(ms));
}

/** Records every sample (µs) into each of `into` (merging across workers and intervals). */
export function recordSamples(samples: Uint32Array, ...into: hdr.Histogram[]): void {
  for (const h of into) for (let i = 0; i < samples.length; i++) h.recordValue(samples[i]!);
}

export interface Percentiles {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
}

/** Percentiles in milliseconds. */
export function percentiles(h: hdr.Histogram): Percentiles {
  const count = h.totalCount;
  const at = (p: number) => (count === 0 ? 0 : h.getValueAtPercentile(p) / 1000);
  return {
    count,
    mean: count === 0 ? 0 : h.mean / 1000,
    p50: at(50),
    p90: at(90),
    p95: at(95),
    p99: at(99),
    p999: at(99.9),
    max: count === 0 ? 0 : h.maxValue / 1000,
  };
}
