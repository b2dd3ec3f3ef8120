import { describe, expect, it } from 'vitest';
import { Arrivals } from '../src/arrivals.ts';
import { ArrivalSchedule, constantRate } from '../src/executor.ts';
import { Recorder } from '../src/stats.ts';

/** An open model at 1,000/s (one arrival each ms) on a clock the test moves by hand. */
function setup(maxInFlight: number) {
  let now = 100;
  const t0 = 100;
  const recorder = new Recorder(0, 0, 10);
  const started: number[] = [];
  let inFlight = 0;
  const arrivals = new Arrivals(
    new ArrivalSchedule(constantRate(1000, 1000)),
    t0,
    recorder,
    () => inFlight < maxInFlight,
    (scheduledAt) => {
      inFlight++;
      started.push(scheduledAt);
    },
    () => now,
  );
  return {
    arrivals,
    recorder,
    started,
    at: (ms: number) => {
      now = t0 + ms;
    },
    end: () => {
      inFlight--;
      arrivals.next();
    },
  };
}

describe('Arrivals (the open model on the runner)', () => {
  it('a batch keeps every request on its own scheduled instant; lag is counted per arrival', () => {
    const { arrivals, recorder, started, at } = setup(100);
    // A late wake-up at 3.5 ms releases the four arrivals due at 0, 1, 2 and 3 ms together.
    at(3.5);
    arrivals.release(4);
    expect(started).toEqual([100, 101, 102, 103]);
    const report = recorder.flush();
    expect(report.due).toBe(4);
    // Lags 3.5, 2.5, 1.5, 0.5 ms: three were sent more than 1 ms late.
    expect(report.late).toBe(3);
    expect([...report.lag!]).toEqual([3500, 2500, 1500, 500]);
    // On time next: released at its due instant, not late.
    at(4);
    arrivals.release(5);
    expect(started.at(-1)).toBe(104);
    expect(recorder.flush()).toMatchObject({ due: 1, late: 0 });
  });

  it('arrivals beyond the in-flight limit wait, keep their instants, and count as late', () => {
    const { arrivals, recorder, started, at, end } = setup(2);
    at(2.2);
    arrivals.release(3);
    expect(started).toEqual([100, 101]);
    expect(arrivals.backlog).toBe(1);
    // An iteration ends at 10 ms: the waiting arrival (due at 2 ms) starts, timed from 2 ms.
    at(10);
    end();
    expect(started).toEqual([100, 101, 102]);
    expect(arrivals.backlog).toBe(0);
    const report = recorder.flush();
    expect(report.due).toBe(3);
    expect([...report.lag!]).toEqual([2200, 1200, 8000]);
    expect(report.late).toBe(3);
  });
});
