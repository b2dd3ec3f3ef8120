import { describe, expect, it } from 'vitest';
import {
  attainment,
  type Bucket,
  monthBuckets,
  monthOf,
  parseMonth,
  probeQueries,
  sliQueries,
  validateSpec,
} from '../src/index.ts';

const HOUR = 3600;
const feb2024 = parseMonth('2024-02')!;

/** Hourly buckets of February 2024 from its start, `good`/`total` per hour. */
function hours(values: Array<[number, number]>): Bucket[] {
  return values.map(([good, total], i) => ({
    end: feb2024.start + (i + 1) * HOUR,
    seconds: HOUR,
    good,
    total,
  }));
}

describe('calendar months', () => {
  it('parses YYYY-MM into [1st 00:00 UTC, next 1st) and refuses anything else', () => {
    expect(feb2024).toEqual({
      label: '2024-02',
      start: Date.UTC(2024, 1, 1) / 1000,
      end: Date.UTC(2024, 2, 1) / 1000,
    });
    expect((feb2024.end - feb2024.start) / 86_400).toBe(29); // leap year
    expect(parseMonth('2023-12')!.end).toBe(Date.UTC(2024, 0, 1) / 1000);
    for (const bad of ['2024-13', '2024-2', '24-02', '2024-00', ''])
      expect(parseMonth(bad), bad).toBeUndefined();
    expect(monthOf(Date.UTC(2024, 1, 29, 23, 59, 59) / 1000).label).toBe('2024-02');
    expect(monthOf(Date.UTC(2024, 2, 1) / 1000).label).toBe('2024-03');
  });

  it('cuts the month into step-aligned buckets up to now, then one partial bucket', () => {
    const now = feb2024.start + 2 * HOUR + 600;
    expect(monthBuckets(feb2024, now, HOUR)).toEqual([
      { end: feb2024.start + HOUR, seconds: HOUR },
      { end: feb2024.start + 2 * HOUR, seconds: HOUR },
      { end: now, seconds: 600 },
    ]);
    // exactly on a boundary: no empty partial bucket
    expect(monthBuckets(feb2024, feb2024.start + 2 * HOUR, HOUR)).toHaveLength(2);
    // a past month stops at its end: 29 days of hours
    const past = monthBuckets(feb2024, feb2024.end + 86_400 * 40, HOUR);
    expect(past).toHaveLength(29 * 24);
    expect(past.at(-1)).toEqual({ end: feb2024.end, seconds: HOUR });
  });
});

describe('attainment, budget spent and breaches', () => {
  it('weights every event the same (not an average of hourly ratios)', () => {
    // 1 of 10 failed in a quiet hour, 0 of 990 in a busy one: 999/1000, not (0.9 + 1) / 2
    const a = attainment(
      hours([
        [9, 10],
        [990, 990],
      ]),
      0.99,
      feb2024,
      feb2024.end,
    );
    expect(a.good).toBe(999);
    expect(a.total).toBe(1000);
    expect(a.attainment).toBeCloseTo(0.999, 12);
  });

  it('budget spent: the failures over the budget of a whole month at the pace seen so far', () => {
    // a complete month at 99.95% against 99.9%: half the budget
    const month = attainment(hours([[9995, 10000]]), 0.999, feb2024, feb2024.end);
    expect(month.budgetSpent).toBeCloseTo(0.5, 9);
    // the same failure ratio after a quarter of the month: an eighth of the month's budget
    const quarter = feb2024.start + (feb2024.end - feb2024.start) / 4;
    expect(attainment(hours([[9995, 10000]]), 0.999, feb2024, quarter).budgetSpent).toBeCloseTo(0.125, 9);
    // 0.2% failed over the whole month: the promise is broken (spent > 1)
    expect(attainment(hours([[998, 1000]]), 0.999, feb2024, feb2024.end).budgetSpent).toBeCloseTo(2, 9);
  });

  it('lists buckets below the objective, consecutive ones merged into one breach', () => {
    const a = attainment(
      hours([
        [100, 100],
        [90, 100],
        [0, 50],
        [100, 100],
        [99, 100],
        [100, 100],
      ]),
      0.999,
      feb2024,
      feb2024.end,
    );
    const t = (h: number) => feb2024.start + h * HOUR;
    expect(a.breaches).toEqual([
      { from: t(1), to: t(3), good: 90, total: 150, attainment: 0.6 },
      { from: t(4), to: t(5), good: 99, total: 100, attainment: 0.99 },
    ]);
  });

  it('skips buckets without events: no data is neither good nor a breach, and is counted apart', () => {
    const a = attainment(
      hours([
        [0, 0],
        [100, 100],
        [0, 0],
      ]),
      0.999,
      feb2024,
      feb2024.end,
    );
    expect(a.attainment).toBe(1);
    expect(a.breaches).toEqual([]);
    expect([a.bucketsWithData, a.bucketsElapsed]).toEqual([1, 3]);
    const none = attainment(hours([[0, 0]]), 0.999, feb2024, feb2024.end);
    expect(none.attainment).toBeUndefined();
    expect(none.budgetSpent).toBeUndefined();
  });

  it('a partial bucket that follows an aligned one merges into the same breach', () => {
    const buckets: Bucket[] = [
      { end: feb2024.start + HOUR, seconds: HOUR, good: 50, total: 100 },
      { end: feb2024.start + HOUR + 300, seconds: 300, good: 0, total: 10 },
    ];
    expect(attainment(buckets, 0.999, feb2024, feb2024.start + HOUR + 300).breaches).toEqual([
      { from: feb2024.start, to: feb2024.start + HOUR + 300, good: 50, total: 110, attainment: 50 / 110 },
    ]);
  });
});

describe('the queries of a bucket', () => {
  const parsed = validateSpec({
    slos: [
      {
        name: 'gw',
        service: 'gateway',
        team: 'platform',
        objective: 99.9,
        period: '30d',
        sli: {
          errors: 'sum(rate(e{a="1"}[{{window}}]))',
          total: 'sum(rate(t[{{window}}]))',
        },
      },
    ],
    slas: [
      { name: 'shop', team: 'platform', objective: 99.9, slo: 'gw', journeys: [{ name: 'home', path: '/' }] },
    ],
  });
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  const { slas, slos } = parsed.spec;

  it('counts probes of the SLA over the bucket (outside)', () => {
    const q = probeQueries(slas[0]!);
    expect(q.good(3600)).toBe('sum(sum_over_time(probe_success{job="blackbox", sla="shop"}[3600s]))');
    expect(q.total(600)).toBe('sum(count_over_time(probe_success{job="blackbox", sla="shop"}[600s]))');
  });

  it("turns the SLO's SLI rates into events of the bucket (inside); no errors at all is 0, not nothing", () => {
    const q = sliQueries(slos[0]!);
    expect(q.total(3600)).toBe('(sum(rate(t[3600s]))) * 3600');
    expect(q.good(3600)).toBe('(sum(rate(t[3600s])) - (sum(rate(e{a="1"}[3600s])) or vector(0))) * 3600');
  });
});

describe('the SLA spec', () => {
  const slo = {
    name: 'gw',
    service: 'gateway',
    team: 'platform',
    objective: 99.9,
    period: '30d',
    sli: { errors: 'sum(rate(e[{{window}}]))', total: 'sum(rate(t[{{window}}]))' },
  };
  it('refuses an SLA naming an unknown SLO, a duplicate journey and an objective out of range', () => {
    const result = validateSpec({
      slos: [slo],
      slas: [
        {
          name: 'shop',
          team: 'platform',
          objective: 100,
          slo: 'nope',
          journeys: [
            { name: 'a', path: '/x' },
            { name: 'a', path: '/y' },
          ],
        },
      ],
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([
      "slas[0] (shop): slo 'nope' is not an SLO of this spec",
      'slas[0] (shop): objective 100 is out of range: 0 < objective < 100 (e.g. 99.9)',
      "slas[0] (shop): duplicate journey 'a'",
    ]);
  });

  it('refuses a journey path that is not an absolute path', () => {
    const result = validateSpec({
      slos: [slo],
      slas: [
        { name: 'shop', team: 'p', objective: 99, slo: 'gw', journeys: [{ name: 'a', path: 'http://x/' }] },
      ],
    });
    expect(result.ok).toBe(false);
  });
});
