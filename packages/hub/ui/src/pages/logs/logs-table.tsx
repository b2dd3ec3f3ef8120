import type { LogRecord } from '../../api/types.ts';
import { LevelBadge } from '../../components/level-badge.tsx';
import { LogAttributes } from '../../components/log-attributes.tsx';
import { ServiceChip } from '../../components/service-chip.tsx';
import { formatDateTime } from '../../lib/format.ts';
import { Link } from '../../router/link.tsx';

export function LogsTable({ records, freshIds }: { records: LogRecord[]; freshIds: Set<LogRecord['id']> }) {
  return (
    <table className="logs" aria-label="Log records">
      <thead>
        <tr>
          <th>Time</th>
          <th>Service</th>
          <th>Level</th>
          <th className="col-message">Message</th>
          <th>Trace</th>
        </tr>
      </thead>
      <tbody>
        {records.map((r) => (
          <tr key={r.id} className={freshIds.has(r.id) ? 'log-row fresh' : 'log-row'} data-log-id={r.id}>
            <td className="nowrap">
              <time dateTime={r.time}>{formatDateTime(new Date(r.time))}</time>
            </td>
            <td>
              <ServiceChip service={r.service} />
            </td>
            <td>
              <LevelBadge level={r.level} />
            </td>
            <td className="log-body">
              {r.body}
              <LogAttributes attributes={r.attributes} />
            </td>
            <td className="nowrap">
              {r.trace_id ? (
                <Link to={`/traces/${r.trace_id}`} className="trace-link" title={`Open trace ${r.trace_id}`}>
                  <code>{r.trace_id.slice(0, 12)}…</code>
                </Link>
              ) : (
                <span className="muted">—</span>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
