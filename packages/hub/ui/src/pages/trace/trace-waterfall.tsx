import type { TraceModel } from '../../lib/trace-model.ts';
import { TimeAxis } from './time-axis.tsx';
import { WaterfallRow } from './waterfall-row.tsx';

interface Props {
  model: TraceModel;
  selected: string | undefined;
  highlighted: string | undefined;
  onSelect: (spanId: string) => void;
}

export function TraceWaterfall({ model, selected, highlighted, onSelect }: Props) {
  return (
    <section className="waterfall" aria-label="Span waterfall">
      <div className="wf-header">
        <span className="wf-label">Service · operation</span>
        <span className="wf-track">
          <TimeAxis duration={model.duration} />
        </span>
      </div>
      {model.rows.map((node) => (
        <WaterfallRow
          key={node.span.spanID}
          node={node}
          traceStart={model.start}
          traceDuration={model.duration}
          selected={node.span.spanID === selected}
          highlighted={node.span.spanID === highlighted}
          onSelect={onSelect}
        />
      ))}
    </section>
  );
}
