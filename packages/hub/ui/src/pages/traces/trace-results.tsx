import { api } from '../../api/client.ts';
import { useApi } from '../../api/use-api.ts';
import { Empty, ErrorState, Loading } from '../../components/status.tsx';
import { buildTraceModel } from '../../lib/trace-model.ts';
import { TraceResultRow } from './trace-result-row.tsx';

export function TraceResults({
  params,
  queryKey,
}: {
  params: Record<string, string | number | undefined>;
  queryKey: string;
}) {
  const result = useApi(`traces:${queryKey}`, (signal) => api.searchTraces(params, signal));
  if (result.state === 'loading') return <Loading what="traces" />;
  if (result.state === 'error') return <ErrorState title="Trace search failed" message={result.message} />;
  if (result.data.length === 0) {
    return (
      <Empty>
        No traces match. Widen the time range, clear filters, or check that services export to the hub (
        <code>OTEL_EXPORTER_OTLP_ENDPOINT</code>).
      </Empty>
    );
  }
  const models = result.data.map(buildTraceModel).sort((a, b) => b.start - a.start);
  const maxDuration = Math.max(...models.map((m) => m.duration));
  return (
    <section>
      <h2 className="section-title">
        {models.length} trace{models.length === 1 ? '' : 's'}
      </h2>
      <ul className="trace-results">
        {models.map((m) => (
          <TraceResultRow key={m.traceId} model={m} maxDuration={maxDuration} />
        ))}
      </ul>
    </section>
  );
}
