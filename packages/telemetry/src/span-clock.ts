// The clock of every span (issue 11: "no child span starts before its parent"). Epoch milliseconds
// with sub-millisecond precision from the monotonic clock, anchored to the system wall clock.
//
// `performance.timeOrigin + performance.now()` (what @opentelemetry/core's hrTime() does) is fixed
// at process start: timeOrigin is itself an estimate, and the monotonic clock then drifts from the
// wall clock (NTP slewing), so two processes disagree by milliseconds (2.2 ms measured between
// Vigil's services) and a server span could appear to start before the client span that called it.
// The SDK's AnchoredClock anchors each local root span at `Date.now()`, which is whole
// milliseconds: still up to 1 ms apart between processes.
//
// Here the offset between the wall clock and performance.now() is measured at a tick of Date.now()
// (the moment the wall clock passes a whole millisecond, found by spinning at most ~1 ms), which
// pins it to within a few microseconds; on this VM single ticks are late by up to 2.5 ms now and
// then (a preempted spin, a jittery clock source), so the offset is the median of several
// measurements, taken again every ANCHOR_INTERVAL_MS so the drift never accumulates. Every process anchored this way reads the same system clock, so spans of
// different processes are ordered as their events were. Readings never go backwards within a
// process: a re-anchoring that moves the clock back holds it until real time catches up.

/** How often the offset is measured again (each costs about ANCHOR_SAMPLES ms of spinning). */
export const ANCHOR_INTERVAL_MS = 60_000;
/** Measurements per anchoring; their median is the offset. */
export const ANCHOR_SAMPLES = 5;
/** Give up waiting for a tick after this long (a frozen or faked Date): fall back to ms precision. */
const MAX_SPIN_MS = 5;

/**
 * Wall clock minus performance.now(), in ms, measured at a Date.now() tick: the tick falls between
 * the monotonic readings taken just before the previous Date.now() call and just after the one
 * that saw the new millisecond.
 */
export function measureWallClockOffset(
  wallNow: () => number = Date.now,
  monoNow: () => number = () => performance.now(),
): number {
  const first = wallNow();
  const spinUntil = monoNow() + MAX_SPIN_MS;
  let beforePrevious = monoNow();
  for (;;) {
    const before = monoNow();
    const wall = wallNow();
    const after = monoNow();
    if (wall !== first) return wall - (beforePrevious + after) / 2;
    if (after > spinUntil) return first - after;
    beforePrevious = before;
  }
}

/** The median of `samples` measurements (measureWallClockOffset). */
export function anchorOffset(
  samples: number = ANCHOR_SAMPLES,
  measure: () => number = measureWallClockOffset,
): number {
  const values = Array.from({ length: samples }, () => measure()).sort((a, b) => a - b);
  return values[Math.floor(values.length / 2)]!;
}

let offset = anchorOffset();
let anchoredAt = performance.now();
let last = 0;

/** Now, in epoch ms with sub-millisecond precision, on the wall-clock-anchored monotonic clock. */
export function nowEpochMs(): number {
  const mono = performance.now();
  if (mono - anchoredAt >= ANCHOR_INTERVAL_MS) {
    offset = anchorOffset();
    anchoredAt = performance.now();
  }
  const now = mono + offset;
  if (now > last) last = now;
  return last;
}
