import { formatDurationUs } from '../../lib/format.ts';

const TICKS = [0, 0.25, 0.5, 0.75, 1];

export function TimeAxis({ duration }: { duration: number }) {
  return (
    <div className="time-axis" aria-hidden="true">
      {TICKS.map((t) => (
        <span key={t} className="tick" style={{ left: `${t * 100}%` }}>
          {formatDurationUs(duration * t)}
        </span>
      ))}
    </div>
  );
}
