import { performance } from 'node:perf_hooks';
import type { ArrivalSchedule } from './executor.ts';

/**
 * The runner's side of the open model: turns "the first n arrivals are released" (ticker.ts) into
 * iterations, each with its own scheduled instant, whenever and however many at a time they are
 * released (coordinated omission: a request counts from when it should have been sent). Arrivals
 * beyond the in-flight limit wait in order and start as iterations end; every arrival's dispatch
 * lag (start − due) is recorded, and one more than LATE_MS late counts as a late send.
 */
export class Arrivals {
  private launched = 0;
  private readonly waiting: number[] = [];
  private readonly schedule: ArrivalSchedule;
  private readonly t0: number;
  private readonly recorder: { dispatched(lagMs: number): void };
  private readonly hasRoom: () => boolean;
  private readonly start: (scheduledAt: number) => void;
  private readonly now: () => number;

  /**
   * `t0`: the schedule's time 0 on this thread's clock; `start(scheduledAt)` begins an iteration
   * timed from `scheduledAt` (same clock); `hasRoom()` says whether another may be in flight.
   */
  constructor(
    schedule: ArrivalSchedule,
    t0: number,
    recorder: { dispatched(lagMs: number): void },
    hasRoom: () => boolean,
    start: (scheduledAt: number) => void,
    now: () => number = () => performance.now(),
  ) {
    this.schedule = schedule;
    this.t0 = t0;
    this.recorder = recorder;
    this.hasRoom = hasRoom;
    this.start = start;
    this.now = now;
  }

  /** `released` arrivals of the schedule are due in total: starts (or queues) the new ones. */
  release(released: number): void {
    while (this.launched < released) {
      const due = this.schedule.next();
      if (due === undefined) return;
      this.launched++;
      if (this.hasRoom()) this.launch(due);
      else this.waiting.push(due);
    }
  }

  /** An iteration ended: the oldest waiting arrival, if any, starts in its place. */
  next(): void {
    const due = this.waiting.shift();
    if (due !== undefined) this.launch(due);
  }

  /** Arrivals released but not started (the in-flight limit was reached). */
  get backlog(): number {
    return this.waiting.length;
  }

  private launch(due: number): void {
    const at = this.t0 + due;
    this.recorder.dispatched(this.now() - at);
    this.start(at);
  }
}
