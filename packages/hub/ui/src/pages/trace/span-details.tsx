import type { Process } from '../../api/types.ts';
import { ServiceChip } from '../../components/service-chip.tsx';
import { formatDateTime, formatDurationUs } from '../../lib/format.ts';
import { parentId, type SpanNode, tagValue } from '../../lib/trace-model.ts';
import { Link } from '../../router/link.tsx';
import { KeyValueTable } from './key-value-table.tsx';
import { SpanEvent } from './span-event.tsx';

const STATUS_KEYS = new Set(['span.kind', 'otel.status_code', 'otel.status_description', 'error']);

interface Props {
  node: SpanNode;
  process: Process | undefined;
  traceStart: number;
  onClose: () => void;
}

export function SpanDetails({ node, process, traceStart, onClose }: Props) {
  const { span } = node;
  const status = String(tagValue(span.tags, 'otel.status_code') ?? 'UNSET');
  const description = tagValue(span.tags, 'otel.status_description');
  const attributes = span.tags.filter((t) => !STATUS_KEYS.has(t.key));
  const parent = parentId(span);
  const links = span.references.filter((r) => !(r.refType === 'CHILD_OF' && r.spanID === parent));
  return (
    <aside className="panel span-details" aria-label="Span details" data-span-id={span.spanID}>
      <div className="span-details-head">
        <h3>{span.operationName}</h3>
        <button type="button" className="ghost" onClick={onClose} aria-label="Close span details">
          ×
        </button>
      </div>
      <dl className="facts">
        <dt>Service</dt>
        <dd>
          <ServiceChip service={node.service} />
        </dd>
        <dt>Kind</dt>
        <dd>{String(tagValue(span.tags, 'span.kind') ?? 'internal')}</dd>
        <dt>Duration</dt>
        <dd>{formatDurationUs(span.duration)}</dd>
        <dt>Start</dt>
        <dd>
          {formatDateTime(new Date(span.startTime / 1000))}{' '}
          <span className="muted">(+{formatDurationUs(span.startTime - traceStart)})</span>
        </dd>
        <dt>Status</dt>
        <dd>
          <span className={`status status-${status.toLowerCase()}`}>{status}</span>
          {description !== undefined ? <span> {String(description)}</span> : null}
        </dd>
        <dt>Span ID</dt>
        <dd>
          <code>{span.spanID}</code>
        </dd>
        {parent ? (
          <>
            <dt>Parent</dt>
            <dd>
              <code>{parent}</code>
            </dd>
          </>
        ) : null}
      </dl>
      {links.length > 0 ? (
        <>
          <h4>Links</h4>
          <ul className="span-links">
            {links.map((r) => (
              <li key={`${r.traceID}:${r.spanID}`}>
                <span className="muted">{r.refType === 'FOLLOWS_FROM' ? 'follows from' : 'child of'}</span>{' '}
                <Link to={`/traces/${r.traceID}?span=${r.spanID}`}>
                  <code>
                    {r.traceID.slice(0, 12)}…/{r.spanID}
                  </code>
                </Link>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <h4>Attributes</h4>
      <KeyValueTable rows={attributes} label="Attributes" />
      <h4>Events</h4>
      {span.logs.length === 0 ? (
        <p className="muted">No events.</p>
      ) : (
        <ul className="span-events">
          {span.logs.map((log, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: events have no id and their list never reorders
            <SpanEvent key={`${log.timestamp}:${i}`} log={log} spanStart={span.startTime} />
          ))}
        </ul>
      )}
      <h4>Resource</h4>
      <KeyValueTable rows={process?.tags ?? []} label="Resource attributes" />
    </aside>
  );
}
