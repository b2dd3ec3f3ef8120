import { useMemo, useState } from 'react';
import { ErrorState } from '../../components/status.tsx';
import { navigate, useLocation } from '../../router/history.ts';
import { TraceResults } from './trace-results.tsx';
import { TraceSearchForm } from './trace-search-form.tsx';
import { apiParams, searchFromUrl, searchToUrl, type TraceSearch } from './trace-search-query.ts';

export function TraceSearchPage() {
  const { search, href } = useLocation();
  const [runs, setRuns] = useState(0);
  const s = searchFromUrl(search);
  // The time window is fixed per search, so a re-render does not move it.
  // biome-ignore lint/correctness/useExhaustiveDependencies: href and runs are the whole search state
  const params = useMemo(() => apiParams(s, Date.now()), [href, runs]);
  const onSearch = (next: TraceSearch) => {
    setRuns((n) => n + 1);
    navigate(searchToUrl(next));
  };
  return (
    <div className="split">
      <aside>
        <TraceSearchForm key={href} initial={s} onSearch={onSearch} />
      </aside>
      <section className="grow">
        {typeof params === 'string' ? (
          <ErrorState title="Cannot search" message={params} />
        ) : (
          <TraceResults params={params} queryKey={`${href}#${runs}`} />
        )}
      </section>
    </div>
  );
}
