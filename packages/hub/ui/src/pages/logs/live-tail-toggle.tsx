import type { TailStatus } from './use-live-tail.ts';

const LABEL: Record<TailStatus, string> = {
  off: 'off',
  connecting: 'connecting…',
  live: 'live',
  reconnecting: 'connection lost, retrying…',
};

export function LiveTailToggle({
  on,
  status,
  onChange,
}: {
  on: boolean;
  status: TailStatus;
  onChange: (on: boolean) => void;
}) {
  return (
    <label className={`live-tail live-tail-${status}`}>
      <input type="checkbox" name="live" checked={on} onChange={(e) => onChange(e.target.checked)} />
      Live tail
      <span className="live-tail-status">{LABEL[status]}</span>
    </label>
  );
}
