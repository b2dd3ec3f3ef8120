import type { SpanLog } from '../../api/types.ts';
import { formatDurationUs } from '../../lib/format.ts';
import { KeyValueTable } from './key-value-table.tsx';

const EXCEPTION_KEYS = new Set(['event', 'exception.type', 'exception.message', 'exception.stacktrace']);

export function SpanEvent({ log, spanStart }: { log: SpanLog; spanStart: number }) {
  const field = (key: string) => log.fields.find((f) => f.key === key)?.value;
  const name = String(field('event') ?? 'event');
  const offset = `+${formatDurationUs(Math.max(log.timestamp - spanStart, 0))}`;
  if (name === 'exception') {
    const rest = log.fields.filter((f) => !EXCEPTION_KEYS.has(f.key));
    const stack = field('exception.stacktrace');
    return (
      <li className="span-event exception">
        <div className="span-event-head">
          <span className="error-badge">exception</span>
          <strong>{String(field('exception.type') ?? 'Error')}</strong>
          <span>{String(field('exception.message') ?? '')}</span>
          <span className="muted right">{offset}</span>
        </div>
        {stack !== undefined ? <pre className="stack">{String(stack)}</pre> : null}
        {rest.length > 0 ? <KeyValueTable rows={rest} label="Event attributes" /> : null}
      </li>
    );
  }
  const rest = log.fields.filter((f) => f.key !== 'event');
  return (
    <li className="span-event">
      <div className="span-event-head">
        <strong>{name}</strong>
        <span className="muted right">{offset}</span>
      </div>
      {rest.length > 0 ? <KeyValueTable rows={rest} label="Event attributes" /> : null}
    </li>
  );
}
