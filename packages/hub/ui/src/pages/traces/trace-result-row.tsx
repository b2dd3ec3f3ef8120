import { ErrorBadge } from '../../components/error-badge.tsx';
import { ServiceChip } from '../../components/service-chip.tsx';
import { formatDateTime, formatDurationUs, formatRelative } from '../../lib/format.ts';
import type { TraceModel } from '../../lib/trace-model.ts';
import { Link } from '../../router/link.tsx';

export function TraceResultRow({ model: m, maxDuration }: { model: TraceModel; maxDuration: number }) {
  const counts = new Map<string, number>();
  for (const r of m.rows) counts.set(r.service, (counts.get(r.service) ?? 0) + 1);
  const start = new Date(m.start / 1000);
  const title = m.root ? `${m.root.service}: ${m.root.span.operationName}` : m.traceId;
  return (
    <li className="trace-result" data-trace-id={m.traceId}>
      <Link to={`/traces/${m.traceId}`} className="trace-result-link">
        <div className="trace-result-head">
          <span className="trace-result-title">{title}</span>
          {m.errorCount > 0 ? <ErrorBadge count={m.errorCount} /> : null}
          <span className="trace-result-duration">{formatDurationUs(m.duration)}</span>
        </div>
        <div
          className="trace-result-bar"
          style={{ width: `${maxDuration > 0 ? Math.max((m.duration / maxDuration) * 100, 1) : 100}%` }}
        />
        <div className="trace-result-meta">
          <span className="muted">
            {m.rows.length} span{m.rows.length === 1 ? '' : 's'}
          </span>
          {[...counts].map(([svc, n]) => (
            <ServiceChip key={svc} service={svc} count={n} />
          ))}
          <span className="muted right" title={formatDateTime(start)}>
            {formatDateTime(start)} · {formatRelative(start)}
          </span>
          <code className="muted">{m.traceId.slice(0, 12)}</code>
        </div>
      </Link>
    </li>
  );
}
