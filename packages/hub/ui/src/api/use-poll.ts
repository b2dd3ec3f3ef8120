import { useEffect, useRef, useState } from 'react';

export type Polled<T> = { data: T | undefined; error: string | undefined; updatedAt: number | undefined };

/**
 * Loads `load` now and every `intervalMs` while mounted, keeping the last good data on screen
 * (so scroll position and selection survive each refresh). A change of `key` reloads at once.
 */
export function usePoll<T>(
  key: string,
  load: (signal: AbortSignal) => Promise<T>,
  intervalMs = 3000,
): Polled<T> & { reload(): void } {
  const [state, setState] = useState<Polled<T>>({ data: undefined, error: undefined, updatedAt: undefined });
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` and `tick` drive reloads
  useEffect(() => {
    let ctrl = new AbortController();
    let stopped = false;
    const run = () => {
      ctrl = new AbortController();
      loadRef.current(ctrl.signal).then(
        (data) => {
          if (!stopped) setState({ data, error: undefined, updatedAt: Date.now() });
        },
        (err: unknown) => {
          if (!stopped && !ctrl.signal.aborted)
            setState((s) => ({ ...s, error: err instanceof Error ? err.message : String(err) }));
        },
      );
    };
    run();
    const timer = setInterval(run, intervalMs);
    return () => {
      stopped = true;
      clearInterval(timer);
      ctrl.abort();
    };
  }, [key, tick, intervalMs]);
  return { ...state, reload: () => setTick((n) => n + 1) };
}
