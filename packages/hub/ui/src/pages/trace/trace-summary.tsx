import { ErrorBadge } from '../../components/error-badge.tsx';
import { ServiceChip } from '../../components/service-chip.tsx';
import { formatDateTime, formatDurationUs } from '../../lib/format.ts';
import type { TraceModel } from '../../lib/trace-model.ts';

export function TraceSummary({ model }: { model: TraceModel }) {
  const root = model.root;
  return (
    <header className="trace-summary">
      <h2>
        {root ? (
          <>
            <span className="muted">{root.service}:</span> {root.span.operationName}
          </>
        ) : (
          'Trace'
        )}
        {model.errorCount > 0 ? <ErrorBadge count={model.errorCount} /> : null}
      </h2>
      <div className="trace-summary-meta">
        <span>
          Trace <code>{model.traceId}</code>
        </span>
        <span>Started {formatDateTime(new Date(model.start / 1000))}</span>
        <span>Duration {formatDurationUs(model.duration)}</span>
        <span>
          {model.rows.length} spans · {model.services.length} services
        </span>
      </div>
      <div className="trace-summary-services">
        {model.services.map((s) => (
          <ServiceChip key={s} service={s} />
        ))}
      </div>
    </header>
  );
}
