import { describe, expect, it } from 'vitest';
import { backoffMs } from '../src/index.ts';

describe('backoffMs', () => {
  it('grows exponentially from baseMs, with ±20 % jitter, and is capped at maxMs', () => {
    const options = { baseMs: 100, maxMs: 1000 };
    for (let i = 0; i < 50; i++) {
      expect(backoffMs(1, options)).toBeGreaterThanOrEqual(80);
      expect(backoffMs(1, options)).toBeLessThanOrEqual(120);
      expect(backoffMs(3, options)).toBeGreaterThanOrEqual(320);
      expect(backoffMs(3, options)).toBeLessThanOrEqual(480);
      expect(backoffMs(30, options)).toBeGreaterThanOrEqual(800);
      expect(backoffMs(30, options)).toBeLessThanOrEqual(1200);
    }
  });
});
