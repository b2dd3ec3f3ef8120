import { describe, expect, it } from 'vitest';
import { anchorOffset, measureWallClockOffset, nowEpochMs } from '../src/span-clock.ts';

/** A monotonic clock advancing `stepMs` per reading, and a wall clock = floor(mono + trueOffset). */
function clocks(trueOffset: number, stepMs = 0.001) {
  let mono = 100;
  const monoNow = () => {
    mono += stepMs;
    return mono;
  };
  const wallNow = () => Math.floor(mono + trueOffset);
  return { monoNow, wallNow };
}

describe('span clock: the monotonic clock anchored to the wall clock', () => {
  it('measures the offset at a Date.now() tick to within a few readings, not to the millisecond', () => {
    for (const trueOffset of [1_700_000_000_000.25, 1_700_000_000_000.999, 1_700_000_000_000.5]) {
      const { monoNow, wallNow } = clocks(trueOffset);
      expect(Math.abs(measureWallClockOffset(wallNow, monoNow) - trueOffset)).toBeLessThan(0.005);
    }
  });

  it('falls back to millisecond precision, without hanging, when the wall clock does not tick', () => {
    let mono = 0;
    const offset = measureWallClockOffset(
      () => 1_000,
      () => (mono += 0.01),
    );
    expect(Math.abs(offset - (1_000 - mono))).toBeLessThan(0.02);
  });

  it('takes the median of several measurements, so one late tick does not move the anchor', () => {
    const readings = [5, 5.001, 7.5, 4.999, 5.002];
    expect(anchorOffset(5, () => readings.shift()!)).toBe(5.001);
  });

  it('reads the wall clock (to a millisecond) and never goes backwards', () => {
    const samples = Array.from({ length: 10_000 }, () => nowEpochMs());
    for (let i = 1; i < samples.length; i++) expect(samples[i]!).toBeGreaterThanOrEqual(samples[i - 1]!);
    expect(Math.abs(nowEpochMs() - Date.now())).toBeLessThan(3);
  });
});
