import type { LogRecord } from '../../api/types.ts';
import type { Loadable } from '../../api/use-api.ts';
import { LevelBadge } from '../../components/level-badge.tsx';
import { LogAttributes } from '../../components/log-attributes.tsx';
import { ServiceChip } from '../../components/service-chip.tsx';
import { Empty, ErrorState, Loading } from '../../components/status.tsx';
import { formatClock } from '../../lib/format.ts';
import { Link } from '../../router/link.tsx';

interface Props {
  traceId: string;
  logs: Loadable<LogRecord[]>;
  selectedSpan: string | undefined;
  onSelectSpan: (spanId: string) => void;
  onHoverSpan: (spanId: string | undefined) => void;
}

export function TraceLogs({ traceId, logs, selectedSpan, onSelectSpan, onHoverSpan }: Props) {
  return (
    <section className="panel trace-logs" aria-label="Trace logs">
      <div className="section-head">
        <h3>Logs of this trace</h3>
        <Link to={`/logs?trace_id=${traceId}`}>Open in log search</Link>
      </div>
      {logs.state === 'loading' ? <Loading what="logs" /> : null}
      {logs.state === 'error' ? (
        <ErrorState title="Could not load this trace's logs" message={logs.message} />
      ) : null}
      {logs.state === 'ready' && logs.data.length === 0 ? (
        <Empty>No log lines carry this trace id.</Empty>
      ) : null}
      {logs.state === 'ready' && logs.data.length > 0 ? (
        <table className="logs">
          <thead>
            <tr>
              <th>Time</th>
              <th>Service</th>
              <th>Level</th>
              <th className="col-message">Message</th>
            </tr>
          </thead>
          <tbody>
            {logs.data.map((log) => {
              const spanId = log.span_id ?? undefined;
              const linked = spanId !== undefined;
              return (
                <tr
                  key={log.id}
                  className={`log-row${linked ? ' linked' : ''}${linked && spanId === selectedSpan ? ' selected' : ''}`}
                  data-span-id={spanId}
                  onClick={linked ? () => onSelectSpan(spanId) : undefined}
                  onMouseEnter={linked ? () => onHoverSpan(spanId) : undefined}
                  onMouseLeave={linked ? () => onHoverSpan(undefined) : undefined}
                  title={linked ? `Select span ${spanId}` : undefined}
                >
                  <td className="nowrap">
                    <time dateTime={log.time}>{formatClock(new Date(log.time))}</time>
                  </td>
                  <td>
                    <ServiceChip service={log.service} />
                  </td>
                  <td>
                    <LevelBadge level={log.level} />
                  </td>
                  <td className="log-body">
                    {log.body}
                    <LogAttributes attributes={log.attributes} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
