/** A background loop: one sweep every `pollMs`, or at once on `kick()`; never two sweeps at a time. */
export interface PollingWorker {
  start(): void;
  /** Sweep now (new work was queued) instead of waiting for the next poll. */
  kick(): void;
  /** Stops polling and waits for the sweep in flight. */
  stop(): Promise<void>;
}

export interface PollingWorkerOptions {
  pollMs: number;
  /** One sweep over the due work; it should check `isStopped()` between items. */
  sweep: (isStopped: () => boolean) => Promise<void>;
  onError: (err: unknown) => void;
}

export function createPollingWorker(options: PollingWorkerOptions): PollingWorker {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  // A kick during a sweep asks for one more sweep right after it, so no queued work waits a poll.
  let again = false;
  const isStopped = () => stopped;

  async function loop(): Promise<void> {
    do {
      again = false;
      await options.sweep(isStopped);
    } while (again && !stopped);
  }

  function run(): void {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = loop()
      .catch(options.onError)
      .finally(() => {
        running = undefined;
        schedule();
      });
  }

  function schedule(): void {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(run, options.pollMs);
    timer.unref();
  }

  return {
    start: schedule,
    kick: run,
    async stop(): Promise<void> {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
