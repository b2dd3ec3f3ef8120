import { useEffect, useState } from 'react';

export type Loadable<T> =
  | { state: 'loading' }
  | { state: 'error'; message: string }
  | { state: 'ready'; data: T };

/** Runs `load` whenever `key` changes; stale responses are aborted and ignored. */
export function useApi<T>(key: string, load: (signal: AbortSignal) => Promise<T>): Loadable<T> {
  const [result, setResult] = useState<Loadable<T>>({ state: 'loading' });
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` captures every input of `load`
  useEffect(() => {
    const ctrl = new AbortController();
    setResult({ state: 'loading' });
    load(ctrl.signal).then(
      (data) => {
        if (!ctrl.signal.aborted) setResult({ state: 'ready', data });
      },
      (err: unknown) => {
        if (!ctrl.signal.aborted)
          setResult({ state: 'error', message: err instanceof Error ? err.message : String(err) });
      },
    );
    return () => ctrl.abort();
  }, [key]);
  return result;
}
