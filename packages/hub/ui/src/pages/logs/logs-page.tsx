import { useMemo, useRef, useState } from 'react';
import type { LogRecord } from '../../api/types.ts';
import { Empty, ErrorState, Loading } from '../../components/status.tsx';
import { navigate, useLocation } from '../../router/history.ts';
import { LiveTailToggle } from './live-tail-toggle.tsx';
import { filterParams, filtersFromUrl, filtersToUrl, startMs } from './log-filters.ts';
import { LogsFilterForm } from './logs-filter-form.tsx';
import { LogsTable } from './logs-table.tsx';
import { useLiveTail } from './use-live-tail.ts';
import { useLogSearch } from './use-log-search.ts';

const countLabel = (n: number, more: boolean) =>
  `${n}${more ? '+' : ''} log record${n === 1 && !more ? '' : 's'}`;
const NO_PARAMS: Record<string, string | undefined> = {};

export function LogsPage() {
  const { search, href } = useLocation();
  const filters = filtersFromUrl(search);
  const [runs, setRuns] = useState(0);
  const key = `${href}#${runs}`;
  // biome-ignore lint/correctness/useExhaustiveDependencies: key is the whole filter state
  const base = useMemo(() => filterParams(filters), [href]);
  const valid = typeof base !== 'string';
  // biome-ignore lint/correctness/useExhaustiveDependencies: key is the whole filter state
  const params = useMemo(
    () =>
      valid ? { ...base, start: startMs(filters, Date.now()), limit: filters.limit || '100' } : NO_PARAMS,
    [key],
  );
  const logs = useLogSearch(valid ? key : 'invalid', params);
  const [live, setLive] = useState(false);
  const fresh = useRef(new Set<LogRecord['id']>());
  const onRecord = (r: LogRecord) => {
    fresh.current.add(r.id);
    logs.prepend(r);
  };
  const status = useLiveTail(live && valid, href, valid ? base : NO_PARAMS, onRecord);

  return (
    <div className="logs-page">
      <LogsFilterForm
        key={href}
        initial={filters}
        onApply={(f) => {
          setRuns((n) => n + 1);
          navigate(filtersToUrl(f));
        }}
      />
      <div className="section-head">
        <h2 className="section-title">
          {logs.state === 'ready' ? countLabel(logs.records.length, logs.nextCursor !== null) : 'Log records'}
          {filters.trace_id ? (
            <span className="muted">
              {' '}
              of trace <code>{filters.trace_id}</code>
            </span>
          ) : null}
        </h2>
        <LiveTailToggle on={live} status={status} onChange={setLive} />
      </div>
      {!valid ? <ErrorState title="Invalid filter" message={base} /> : null}
      {valid && logs.state === 'loading' ? <Loading what="logs" /> : null}
      {valid && logs.state === 'error' ? (
        <ErrorState title="Log search failed" message={logs.error ?? 'unknown error'} />
      ) : null}
      {valid && logs.state === 'ready' && logs.records.length === 0 ? (
        <Empty>
          No log records match.
          {live ? ' Waiting for new ones…' : ' Widen the time range or turn on live tail.'}
        </Empty>
      ) : null}
      {valid && logs.state === 'ready' && logs.records.length > 0 ? (
        <>
          <LogsTable records={logs.records} freshIds={fresh.current} />
          {logs.error ? <ErrorState title="Could not load more" message={logs.error} /> : null}
          {logs.nextCursor ? (
            <button type="button" className="load-more" onClick={logs.loadMore} disabled={logs.loadingMore}>
              {logs.loadingMore ? 'Loading…' : 'Load more'}
            </button>
          ) : (
            <p className="muted end-of-results">End of results.</p>
          )}
        </>
      ) : null}
    </div>
  );
}
