import { getJson } from '../../api/client.ts';
import { usePoll } from '../../api/use-poll.ts';
import { ErrorState, Loading } from '../../components/status.tsx';

interface Oncall {
  dir: string;
  problems: string[];
  schedules: Array<{
    name: string;
    timeZone: string;
    shifts: Array<{
      user: string | null;
      fullName: string | null;
      source: string;
      start: string;
      end: string;
    }>;
  }>;
  policies: Array<{
    name: string;
    repeat: number;
    steps: Array<{ delayMs: number; targets: Array<Record<string, unknown>> }>;
  }>;
}

const target = (t: Record<string, unknown>) =>
  t.schedule ? `on call in ${t.schedule}` : t.user ? `user ${t.user}` : `channel ${t.channel}`;

export function OncallPage() {
  const polled = usePoll('oncall', (signal) => getJson<Oncall>('/api/oncall', signal), 30_000);
  if (!polled.data)
    return polled.error ? <ErrorState title="On-call" message={polled.error} /> : <Loading what="on-call" />;
  const d = polled.data;
  return (
    <div className="oncall-page">
      {d.problems.length ? (
        <div className="state state-error" role="alert">
          <strong>{d.dir} has problems (the last good version is in use):</strong>
          <ul>
            {d.problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </div>
      ) : null}
      <h2 className="section-title">Who is on call</h2>
      {d.schedules.map((s) => (
        <div key={s.name} className="panel schedule" data-schedule={s.name}>
          <h3>
            {s.name} <span className="muted">({s.timeZone})</span>
          </h3>
          <ol>
            {s.shifts.map((sh, i) => (
              <li key={sh.start} className={i === 0 ? 'now' : 'next'}>
                <strong>{i === 0 ? 'Now' : 'Next'}:</strong> {sh.fullName ?? 'nobody'}{' '}
                <span className="muted">
                  ({sh.source}) {new Date(sh.start).toLocaleString()} → {new Date(sh.end).toLocaleString()}
                </span>
              </li>
            ))}
          </ol>
        </div>
      ))}
      <h2 className="section-title">Escalation policies</h2>
      {d.policies.map((p) => (
        <div key={p.name} className="panel">
          <h3>
            {p.name} <span className="muted">(repeats {p.repeat}×)</span>
          </h3>
          <ol>
            {p.steps.map((st, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: steps are ordered and static
              <li key={i}>
                after {Math.round(st.delayMs / 1000)} s: {st.targets.map(target).join(', ')}
              </li>
            ))}
          </ol>
        </div>
      ))}
    </div>
  );
}
