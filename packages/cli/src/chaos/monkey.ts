import type { Experiment } from './catalogue.ts';
import { mayRunTogether } from './gameday.ts';

/** A seeded PRNG (mulberry32): the same seed gives the same sequence. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The chaos monkey's rounds: each round is up to `concurrency` experiments picked at random
 * among those that may run together (never two on one service, no alert two faults could
 * raise). The same seed and catalogue give the same rounds, so a run can be repeated.
 */
export function* monkeyRounds(
  experiments: readonly Experiment[],
  seed: number,
  concurrency = 2,
): Generator<Experiment[]> {
  if (experiments.length === 0) return;
  const random = seededRandom(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  for (;;) {
    const round = [pick(experiments)];
    while (round.length < concurrency) {
      const fits = experiments.filter((e) => !round.includes(e) && round.every((x) => mayRunTogether(x, e)));
      if (fits.length === 0) break;
      round.push(pick(fits));
    }
    yield round;
  }
}

/** The first `rounds` rounds of a seed, by experiment name. */
export function monkeyPlan(
  experiments: readonly Experiment[],
  seed: number,
  rounds: number,
  concurrency = 2,
): string[][] {
  const out: string[][] = [];
  for (const round of monkeyRounds(experiments, seed, concurrency)) {
    if (out.length >= rounds) break;
    out.push(round.map((e) => e.name));
  }
  return out;
}
