import { useEffect, useState } from 'react';
import { ancestors, type SpanNode, type TraceModel } from '../../lib/trace-model.ts';
import { TimeAxis } from './time-axis.tsx';
import { WaterfallRow } from './waterfall-row.tsx';

interface Props {
  model: TraceModel;
  selected: string | undefined;
  highlighted: string | undefined;
  onSelect: (spanId: string) => void;
}

/** Rows in depth-first order without the descendants of collapsed spans. */
function visibleRows(rows: SpanNode[], collapsed: Set<string>): SpanNode[] {
  const out: SpanNode[] = [];
  let hideBelow = Number.POSITIVE_INFINITY;
  for (const node of rows) {
    if (node.depth > hideBelow) continue;
    hideBelow = collapsed.has(node.span.spanID) ? node.depth : Number.POSITIVE_INFINITY;
    out.push(node);
  }
  return out;
}

export function TraceWaterfall({ model, selected, highlighted, onSelect }: Props) {
  const [collapsed, setCollapsed] = useState<Set<string>>(() => new Set());
  const toggle = (spanId: string) =>
    setCollapsed((prev) => {
      const next = new Set(prev);
      if (!next.delete(spanId)) next.add(spanId);
      return next;
    });
  // A span selected from elsewhere (a log line, the URL) is never hidden inside a collapsed parent.
  useEffect(() => {
    const open = selected ? ancestors(model, selected) : [];
    setCollapsed((prev) =>
      open.some((id) => prev.has(id)) ? new Set([...prev].filter((id) => !open.includes(id))) : prev,
    );
  }, [selected, model]);
  return (
    <section className="waterfall" aria-label="Span waterfall">
      <div className="wf-header">
        <span className="wf-label">Service · operation</span>
        <span className="wf-track">
          <TimeAxis duration={model.duration} />
        </span>
      </div>
      {visibleRows(model.rows, collapsed).map((node) => (
        <WaterfallRow
          key={node.span.spanID}
          node={node}
          traceStart={model.start}
          traceDuration={model.duration}
          selected={node.span.spanID === selected}
          highlighted={node.span.spanID === highlighted}
          collapsed={collapsed.has(node.span.spanID)}
          onSelect={onSelect}
          onToggle={toggle}
        />
      ))}
    </section>
  );
}
