import { describe, expect, it } from 'vitest';
import { ArrivalSchedule, constantRate, type OpenExecutor, parseStages } from '../src/executor.ts';

function all(executor: OpenExecutor, worker = 0, workers = 1): number[] {
  const s = new ArrivalSchedule(executor, worker, workers);
  const out: number[] = [];
  for (let t = s.next(); t !== undefined; t = s.next()) out.push(t);
  return out;
}

describe('ArrivalSchedule', () => {
  it('spaces a constant 5,000/s exactly 0.2 ms apart for the whole duration', () => {
    const times = all(constantRate(5000, 2000));
    expect(times).toHaveLength(10_000);
    times.forEach((t, i) => {
      expect(Math.abs(t - i * 0.2)).toBeLessThan(1e-6);
    });
    expect(times[times.length - 1]!).toBeLessThan(2000);
  });

  it('splits the arrivals between workers without loss or overlap', () => {
    const exec = constantRate(997, 3000);
    const whole = all(exec);
    const parts = [0, 1, 2].map((w) => all(exec, w, 3));
    expect(parts.map((p) => p.length)).toEqual([997, 997, 997]);
    const merged = parts.flat().sort((a, b) => a - b);
    expect(merged).toHaveLength(whole.length);
    merged.forEach((t, i) => {
      expect(t).toBeCloseTo(whole[i]!, 9);
    });
  });

  it('ramps linearly: 0 → 100/s over 10 s is 500 arrivals, denser at the end', () => {
    const times = all({ kind: 'open', startRate: 0, stages: [{ target: 100, duration: 10_000 }] });
    expect(times).toHaveLength(500);
    // Cumulative arrivals at t are 5 t² (t in s): the 125th arrival is due at t = 5 s.
    expect(times[125]!).toBeCloseTo(5000, 0);
    const firstHalf = times.filter((t) => t < 5000).length;
    expect(firstHalf).toBe(125);
  });

  it('follows stages in order: ramp up, hold, ramp down to zero, pause', () => {
    const exec: OpenExecutor = {
      kind: 'open',
      startRate: 10,
      stages: parseStages('50:2s,50:2s,0:2s,0:1s'),
    };
    const times = all(exec);
    // (10+50)/2*2 + 50*2 + 50/2*2 = 60 + 100 + 50
    expect(times.length).toBe(210);
    const inHold = times.filter((t) => t >= 2000 && t < 4000).length;
    expect(inHold).toBe(100);
    expect(times.every((t) => t < 6000)).toBe(true);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it('rejects malformed stages with the offending item', () => {
    expect(() => parseStages('10:30s,fast')).toThrow(/item 2 'fast'/);
    expect(() => parseStages('10:0s')).toThrow(/positive/);
  });
});
