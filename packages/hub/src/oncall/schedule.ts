import { DateTime } from 'luxon';
import type { Layer, Schedule } from './oncall-config.ts';

const WEEKDAY_INDEX: Record<string, number> = {
  monday: 1,
  tuesday: 2,
  wednesday: 3,
  thursday: 4,
  friday: 5,
  saturday: 6,
  sunday: 7,
};

export interface Shift {
  user: string;
  /** Where the answer comes from: a layer name or "override". */
  source: string;
  start: number;
  end: number;
}

function handoffOn(day: DateTime, layer: Layer): DateTime {
  const [h, m] = layer.handoff.split(':').map(Number) as [number, number];
  return day.set({ hour: h, minute: m, second: 0, millisecond: 0 });
}

/** The layer's shift covering `at` (ms), or undefined before its start / on an excluded day. */
export function layerShift(layer: Layer, zone: string, at: number): Shift | undefined {
  const local = DateTime.fromMillis(at, { zone });
  const first = handoffOn(DateTime.fromISO(layer.start, { zone }), layer);
  if (local < first) return undefined;
  // The local day whose hand-off began the current day-shift (hand-offs keep wall-clock time across DST).
  let day = local.startOf('day');
  if (local < handoffOn(day, layer)) day = day.minus({ days: 1 });
  const days = Math.round(day.diff(first.startOf('day'), 'days').days);
  const len = layer.rotation === 'daily' ? 1 : 7;
  const turn = Math.floor(days / len);
  const shiftStart = handoffOn(first.startOf('day').plus({ days: turn * len }), layer);
  const shiftEnd = handoffOn(first.startOf('day').plus({ days: (turn + 1) * len }), layer);
  if (layer.days && !layer.days.some((d) => WEEKDAY_INDEX[d] === day.weekday)) return undefined;
  const user = layer.users[turn % layer.users.length]!;
  const start = layer.days
    ? Math.max(shiftStart.toMillis(), handoffOn(day, layer).toMillis())
    : shiftStart.toMillis();
  const end = layer.days
    ? Math.min(shiftEnd.toMillis(), handoffOn(day.plus({ days: 1 }), layer).toMillis())
    : shiftEnd.toMillis();
  return { user, source: layer.name, start, end };
}

function nextLocalHandoff(layer: Layer, zone: string, at: number): number {
  const today = handoffOn(DateTime.fromMillis(at, { zone }).startOf('day'), layer);
  return (
    today.toMillis() > at ? today : handoffOn(today.plus({ days: 1 }).startOf('day'), layer)
  ).toMillis();
}

/**
 * The next instant after `at` where a layer above `below` (or any layer, by default) may take
 * over — its next daily hand-off — or an override starts or ends.
 */
function nextBoundary(schedule: Schedule, at: number, below = -1): number {
  const zone = schedule.time_zone;
  const edges = [
    ...schedule.layers
      .slice(below + 1)
      .map((l) =>
        Math.max(nextLocalHandoff(l, zone, at), handoffOn(DateTime.fromISO(l.start, { zone }), l).toMillis()),
      ),
    ...schedule.overrides.flatMap((o) => [
      DateTime.fromISO(o.start, { zone }).toMillis(),
      DateTime.fromISO(o.end, { zone }).toMillis(),
    ]),
  ].filter((t) => t > at);
  return edges.length ? Math.min(...edges) : Number.POSITIVE_INFINITY;
}

/** Who is on call at `at`: an override, else the last layer that has someone. `end` is when this answer may change. */
export function onCallAt(schedule: Schedule, at: number): Shift | undefined {
  for (const o of schedule.overrides) {
    const start = DateTime.fromISO(o.start, { zone: schedule.time_zone }).toMillis();
    const end = DateTime.fromISO(o.end, { zone: schedule.time_zone }).toMillis();
    if (at >= start && at < end) return { user: o.user, source: 'override', start, end };
  }
  for (let i = schedule.layers.length - 1; i >= 0; i--) {
    const shift = layerShift(schedule.layers[i]!, schedule.time_zone, at);
    if (shift) return { ...shift, end: Math.min(shift.end, nextBoundary(schedule, at, i)) };
  }
  return undefined;
}

type Slot = Shift | { user: null; source: 'nobody'; start: number; end: number };

/** The current shift and the next `count` (adjacent slots with the same person and source merged). */
export function upcoming(schedule: Schedule, at: number, count = 3): Slot[] {
  const out: Slot[] = [];
  let t = at;
  for (let guard = 0; guard < 1000 && out.length <= count; guard++) {
    const s: Slot = onCallAt(schedule, t) ?? {
      user: null,
      source: 'nobody',
      start: t,
      end: nextBoundary(schedule, t),
    };
    if (!Number.isFinite(s.end)) {
      out.push(s);
      break;
    }
    const last = out[out.length - 1];
    if (last && last.user === s.user && last.source === s.source) last.end = s.end;
    else out.push({ ...s });
    t = s.end;
  }
  return out.slice(0, count + 1);
}
