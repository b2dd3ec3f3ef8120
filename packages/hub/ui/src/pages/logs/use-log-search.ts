import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../../api/client.ts';
import type { LogRecord } from '../../api/types.ts';

export interface LogSearch {
  state: 'loading' | 'ready' | 'error';
  error: string | undefined;
  records: LogRecord[];
  nextCursor: string | null;
  loadingMore: boolean;
  loadMore: () => void;
  prepend: (r: LogRecord) => void;
}

const MAX_ROWS = 5000;

/** First page on every key change, then cursor pages appended by loadMore(). */
export function useLogSearch(key: string, params: Record<string, string | undefined>): LogSearch {
  const [records, setRecords] = useState<LogRecord[]>([]);
  const [state, setState] = useState<LogSearch['state']>('loading');
  const [error, setError] = useState<string | undefined>(undefined);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const ctrl = useRef<AbortController | null>(null);
  const paramsRef = useRef(params);
  paramsRef.current = params;

  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` captures every input of params
  useEffect(() => {
    const c = new AbortController();
    ctrl.current = c;
    setState('loading');
    setError(undefined);
    setRecords([]);
    setNextCursor(null);
    setLoadingMore(false);
    api.logs(paramsRef.current, c.signal).then(
      (page) => {
        if (c.signal.aborted) return;
        setRecords(page.data);
        setNextCursor(page.next_cursor);
        setState('ready');
      },
      (err: unknown) => {
        if (c.signal.aborted) return;
        setError(err instanceof Error ? err.message : String(err));
        setState('error');
      },
    );
    return () => c.abort();
  }, [key]);

  const loadMore = useCallback(() => {
    const c = ctrl.current;
    if (!nextCursor || !c || loadingMore) return;
    setLoadingMore(true);
    api.logs({ ...paramsRef.current, cursor: nextCursor }, c.signal).then(
      (page) => {
        if (c.signal.aborted) return;
        setRecords((prev) => {
          const seen = new Set(prev.map((r) => r.id));
          return [...prev, ...page.data.filter((r) => !seen.has(r.id))];
        });
        setNextCursor(page.next_cursor);
        setLoadingMore(false);
      },
      (err: unknown) => {
        if (c.signal.aborted) return;
        setError(err instanceof Error ? err.message : String(err));
        setLoadingMore(false);
      },
    );
  }, [nextCursor, loadingMore]);

  const prepend = useCallback((r: LogRecord) => {
    setRecords((prev) => (prev.some((p) => p.id === r.id) ? prev : [r, ...prev].slice(0, MAX_ROWS)));
  }, []);

  return { state, error, records, nextCursor, loadingMore, loadMore, prepend };
}
