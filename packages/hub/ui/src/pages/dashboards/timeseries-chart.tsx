import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { SERIES_PALETTE } from './colours.ts';
import type { SeriesData } from './panel-data.ts';
import { formatValue } from './units.ts';

const HEIGHT = 220;

interface Props {
  xs: number[];
  series: SeriesData[];
  unit: string;
  min?: number | undefined;
  max?: number | undefined;
}

function hasIsolatedValue(values: (number | null)[]): boolean {
  return values.some(
    (v, i) => v !== null && (values[i - 1] ?? null) === null && (values[i + 1] ?? null) === null,
  );
}

function options(props: Props, width: number): uPlot.Options {
  const { unit, min, max } = props;
  return {
    width,
    height: HEIGHT,
    series: [
      {},
      ...props.series.map((s, i) => ({
        label: s.label,
        stroke: SERIES_PALETTE[i % SERIES_PALETTE.length]!,
        width: 1.5,
        spanGaps: false,
        // As Grafana does: a value with no neighbour would draw no line, so the series gets dots.
        points: { show: hasIsolatedValue(s.values), size: 5 },
        value: (_u: uPlot, v: number | null) => formatValue(unit, v),
      })),
    ],
    scales: {
      y: {
        range: (_u, dataMin, dataMax) => {
          const lo = min ?? (dataMin === null ? 0 : Math.min(0, dataMin));
          let hi = max ?? (dataMax === null ? 1 : dataMax);
          if (hi <= lo) hi = lo + 1;
          return [lo, hi + (max === undefined ? (hi - lo) * 0.05 : 0)];
        },
      },
    },
    axes: [
      { stroke: '#6b7280', grid: { stroke: '#eef0f3' } },
      {
        stroke: '#6b7280',
        grid: { stroke: '#eef0f3' },
        size: 70,
        values: (_u, splits) => splits.map((v) => formatValue(unit, v)),
      },
    ],
    legend: { show: true, live: true },
    cursor: { drag: { x: false, y: false } },
  };
}

/** A uPlot line chart of aligned series; rebuilt when the data changes, resized with its container. */
export function TimeseriesChart({ xs, series, unit, min, max }: Props) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const data: uPlot.AlignedData = [xs, ...series.map((s) => s.values)];
    const plot = new uPlot(options({ xs, series, unit, min, max }, Math.max(200, el.clientWidth)), data, el);
    const resize = new ResizeObserver(() =>
      plot.setSize({ width: Math.max(200, el.clientWidth), height: HEIGHT }),
    );
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [xs, series, unit, min, max]);
  return <div className="dash-chart" ref={host} data-series-count={series.length} />;
}
