import type { CSSProperties } from 'react';
import { formatDurationUs } from '../../lib/format.ts';
import { serviceColour } from '../../lib/service-colour.ts';
import type { SpanNode } from '../../lib/trace-model.ts';

interface Props {
  node: SpanNode;
  traceStart: number;
  traceDuration: number;
  selected: boolean;
  highlighted: boolean;
  collapsed: boolean;
  onSelect: (spanId: string) => void;
  onToggle: (spanId: string) => void;
}

const INDENT = 14;

export function WaterfallRow(props: Props) {
  const { node, traceStart, traceDuration, selected, highlighted, collapsed, onSelect, onToggle } = props;
  const { span, service } = node;
  const total = traceDuration > 0 ? traceDuration : 1;
  const left = ((span.startTime - traceStart) / total) * 100;
  const width = Math.max((span.duration / total) * 100, 0.3);
  const colour = serviceColour(service);
  const placement = durationPlacement(left, width);
  const classes = [
    'wf-row',
    selected ? 'selected' : '',
    highlighted ? 'highlighted' : '',
    node.error ? 'is-error' : '',
  ]
    .filter(Boolean)
    .join(' ');
  const hasChildren = node.children.length > 0;
  return (
    <div className="wf-line">
      <button
        type="button"
        className={classes}
        data-span-id={span.spanID}
        aria-pressed={selected}
        onClick={() => onSelect(span.spanID)}
      >
        <span
          className="wf-label"
          style={{ paddingLeft: `${node.depth * INDENT + 22}px` }}
          title={`${service} ${span.operationName}`}
        >
          <span className="wf-service-mark" style={{ background: colour }} />
          <span className="wf-service">{service}</span>
          <span className="wf-op">{span.operationName}</span>
          {node.error ? (
            <span className="wf-error" title="error">
              !
            </span>
          ) : null}
        </span>
        <span className="wf-track">
          <span
            className="wf-bar"
            style={{ left: `${left}%`, width: `${width}%`, background: colour }}
            title={`${service} ${span.operationName} ${formatDurationUs(span.duration)}`}
          />
          <span className={placement.inside ? 'wf-duration inside' : 'wf-duration'} style={placement.style}>
            {formatDurationUs(span.duration)}
          </span>
        </span>
      </button>
      {hasChildren ? (
        <button
          type="button"
          className="wf-toggle"
          style={{ left: `${node.depth * INDENT + 4}px` }}
          aria-expanded={!collapsed}
          aria-label={`${collapsed ? 'Expand' : 'Collapse'} ${span.operationName}`}
          onClick={() => onToggle(span.spanID)}
        >
          {collapsed ? '▸' : '▾'}
        </button>
      ) : null}
    </div>
  );
}

/** The duration label goes after the bar, else before it, else inside its right end. */
function durationPlacement(left: number, width: number): { inside: boolean; style: CSSProperties } {
  if (left + width <= 85) return { inside: false, style: { left: `${left + width + 0.5}%` } };
  if (left >= 15) return { inside: false, style: { right: `${100 - left + 0.5}%` } };
  return { inside: true, style: { right: `${Math.max(100 - left - width, 0) + 0.5}%` } };
}
