import { useEffect, useMemo, useState } from 'react';
import { ApiError, api } from '../../api/client.ts';
import type { Trace } from '../../api/types.ts';
import { useApi } from '../../api/use-api.ts';
import { ErrorState, Loading } from '../../components/status.tsx';
import { buildTraceModel } from '../../lib/trace-model.ts';
import { navigate, useLocation } from '../../router/history.ts';
import { Link } from '../../router/link.tsx';
import { SpanDetails } from './span-details.tsx';
import { TraceLogs } from './trace-logs.tsx';
import { TraceSummary } from './trace-summary.tsx';
import { TraceWaterfall } from './trace-waterfall.tsx';

const NOT_FOUND = 'not-found' as const;

export function TracePage({ traceId }: { traceId: string }) {
  const trace = useApi(`trace:${traceId}`, (signal) =>
    api.trace(traceId, signal).catch((err: unknown) => {
      if (err instanceof ApiError && err.status === 404) return NOT_FOUND as typeof NOT_FOUND;
      throw err;
    }),
  );
  const logs = useApi(`trace-logs:${traceId}`, (signal) => api.traceLogs(traceId, signal));
  if (trace.state === 'loading') return <Loading what="trace" />;
  if (trace.state === 'error') return <ErrorState title="Could not load the trace" message={trace.message} />;
  if (trace.data === NOT_FOUND || trace.data === null) {
    return (
      <div className="state state-error" role="alert">
        <strong>Trace not found</strong>
        <p>
          No trace <code>{traceId}</code> is stored — it may have expired or not arrived yet.{' '}
          <Link to="/traces">Search traces</Link>
        </p>
      </div>
    );
  }
  return <TraceView trace={trace.data} logs={logs} />;
}

function TraceView({ trace, logs }: { trace: Trace; logs: Parameters<typeof TraceLogs>[0]['logs'] }) {
  const model = useMemo(() => buildTraceModel(trace), [trace]);
  const { search } = useLocation();
  const fromUrl = search.get('span') ?? undefined;
  const selectedNode = fromUrl ? model.byId.get(fromUrl) : undefined;
  const selected = selectedNode ? fromUrl : undefined;
  const [hovered, setHovered] = useState<string | undefined>(undefined);
  // The selected span lives in the URL (?span=), so a span can be linked to and survives reloads.
  const setSelected = (spanId: string | undefined) =>
    navigate(`/traces/${trace.traceID}${spanId ? `?span=${spanId}` : ''}`, { replace: true });
  const select = (spanId: string) => setSelected(selected === spanId ? undefined : spanId);
  useEffect(() => {
    if (selected)
      document.querySelector(`.waterfall [data-span-id="${selected}"]`)?.scrollIntoView({ block: 'nearest' });
  }, [selected]);
  return (
    <div className="trace-page">
      <TraceSummary model={model} />
      <div className={selectedNode ? 'trace-main with-details' : 'trace-main'}>
        <TraceWaterfall model={model} selected={selected} highlighted={hovered} onSelect={select} />
        {selectedNode ? (
          <SpanDetails
            node={selectedNode}
            process={trace.processes[selectedNode.span.processID]}
            traceStart={model.start}
            onClose={() => setSelected(undefined)}
          />
        ) : null}
      </div>
      <TraceLogs
        traceId={trace.traceID}
        logs={logs}
        selectedSpan={selected}
        onSelectSpan={(id) => {
          if (model.byId.has(id)) setSelected(id);
        }}
        onHoverSpan={setHovered}
      />
    </div>
  );
}
