import { describe, expect, it } from 'vitest';
import { Aggregator } from '../src/aggregate.ts';
import { newHistogram, percentiles, recordMs } from '../src/histogram.ts';
import { Recorder } from '../src/stats.ts';
import { evaluateThreshold, parseThreshold } from '../src/thresholds.ts';

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('histogram merging across workers and seconds', () => {
  it('gives the same percentiles as one histogram of every value', () => {
    const rand = prng(42);
    const reference = newHistogram();
    const workers = [new Recorder(0, 5, 100), new Recorder(1, 5, 100)];
    const agg = new Aggregator();
    let maxSeen = 0;
    for (let second = 1; second <= 4; second++) {
      for (const [w, rec] of workers.entries()) {
        for (let i = 0; i < 3000; i++) {
          // Long-tailed: mostly 1-20 ms, sometimes up to 2 s.
          const ms = rand() < 0.01 ? 200 + rand() * 1800 : 1 + rand() * 19;
          maxSeen = Math.max(maxSeen, ms);
          recordMs(reference, ms);
          rec.request(
            { key: w === 0 ? 'j/a' : 'j/b', latencyMs: ms, status: 200, traceId: `t${i}`, at: 0 },
            { passed: 1, failed: 0 },
          );
        }
        agg.add(rec.flush(), second);
      }
    }
    agg.closeBucket();
    const merged = percentiles(agg.overall);
    const expected = percentiles(reference);
    // Every percentile is the same bucket value; the max is equal within the 3-digit resolution
    // (a decoded histogram knows the bucket of its max, not the raw value).
    const { max, ...rest } = merged;
    const { max: expectedMax, ...expectedRest } = expected;
    expect(rest).toEqual(expectedRest);
    expect(merged.count).toBe(24_000);
    expect(Math.abs(max - expectedMax) / expectedMax).toBeLessThan(0.001);
    expect(Math.abs(max - maxSeen) / maxSeen).toBeLessThan(0.001);
    expect(agg.timeline.map((p) => p.t)).toEqual([1, 2, 3, 4]);
    expect(agg.timeline.map((p) => p.requests)).toEqual([6000, 6000, 6000, 6000]);
    expect(agg.stepSummaries(4).map((s) => [s.key, s.requests])).toEqual([
      ['j/a', 12_000],
      ['j/b', 12_000],
    ]);
    // The slowest kept are the true slowest of all workers.
    const slow = agg.slowest(5);
    expect(slow[0]!.latencyMs).toBe(maxSeen);
    expect(slow.map((s) => s.latencyMs)).toEqual([...slow.map((s) => s.latencyMs)].sort((a, b) => b - a));
  });

  it('counts errors by kind and keeps every failure with its trace id', () => {
    const rec = new Recorder(0, 3, 100);
    const agg = new Aggregator();
    rec.request({ key: 'o/place', latencyMs: 5, status: 201, traceId: 'a', at: 0 }, { passed: 2, failed: 0 });
    rec.request(
      {
        key: 'o/place',
        latencyMs: 9,
        status: 503,
        traceId: 'b',
        at: 0,
        kind: 'status',
        message: 'status 503',
      },
      { passed: 0, failed: 1 },
    );
    rec.request(
      {
        key: 'o/place',
        latencyMs: 10_000,
        status: 0,
        traceId: null,
        at: 0,
        kind: 'timeout',
        message: 'timeout',
      },
      { passed: 0, failed: 0 },
    );
    rec.request(
      { key: 'o/read', latencyMs: 3, status: 200, traceId: 'c', at: 0, kind: 'check', message: 'id' },
      { passed: 1, failed: 1 },
    );
    agg.add(rec.flush(), 1);
    const totals = agg.totals();
    expect(totals).toMatchObject({ requests: 4, failed: 3, checksPassed: 3, checksFailed: 2 });
    expect(totals.errors).toMatchObject({ status: 1, timeout: 1, check: 1, reset: 0 });
    expect(agg.failures.map((f) => f.traceId)).toEqual(['b', null, 'c']);
    const subject = agg.subject('o', 1)!;
    expect(evaluateThreshold(parseThreshold('error_rate < 50%'), subject).ok).toBe(false);
    expect(evaluateThreshold(parseThreshold('checks > 50%'), subject)).toMatchObject({
      ok: true,
      actual: 0.6,
    });
    expect(evaluateThreshold(parseThreshold('max(place) < 1s'), agg.subject('place', 1)!).ok).toBe(false);
    expect(evaluateThreshold(parseThreshold('p50(read) <= 3.01ms'), agg.subject('read', 1)!).ok).toBe(true);
  });

  it('keeps exactly the N slowest requests, slowest first (ties in arrival order), and every failure', () => {
    const rec = new Recorder(0, 3, 100);
    const step = rec.step('j/s');
    for (const [i, ms] of [5, 1, 9, 3, 7, 9, 2, 8].entries())
      rec.record(step, ms, 200, `t${i}`, undefined, 1, 0);
    rec.record(step, 0.5, 500, 'fail', { kind: 'status', message: 'status 500' }, 0, 1);
    const report = rec.flush();
    expect(report.slowest.map((r) => [r.latencyMs, r.traceId])).toEqual([
      [9, 't2'],
      [9, 't5'],
      [8, 't7'],
    ]);
    expect(report.failures.map((r) => r.traceId)).toEqual(['fail']);
    expect(report.steps['j/s']).toMatchObject({ requests: 9, failed: 1, checksPassed: 8, checksFailed: 1 });
    expect([...report.steps['j/s']!.samples]).toEqual([5000, 1000, 9000, 3000, 7000, 9000, 2000, 8000, 500]);
  });

  it('parses k6-style thresholds and rejects bad ones', () => {
    expect(parseThreshold('p95(order) < 300ms')).toMatchObject({
      metric: 'p95',
      selector: 'order',
      op: '<',
      value: 300,
    });
    expect(parseThreshold('p99.9<1.5s')).toMatchObject({ metric: 'p99.9', selector: null, value: 1500 });
    expect(parseThreshold('error_rate < 1%')).toMatchObject({ value: 0.01 });
    expect(() => parseThreshold('p95(order) < 30%')).toThrow(/time unit/);
    expect(() => parseThreshold('latency < 3')).toThrow(/unknown metric/);
    expect(() => parseThreshold('checks > 99')).toThrow(/between 0 and 1/);
  });
});
