import { type FormEvent, useState } from 'react';
import { getJson, query } from '../../api/client.ts';
import { canRespond, send, useSession } from '../../api/session.ts';
import { usePoll } from '../../api/use-poll.ts';
import { ErrorState, Loading } from '../../components/status.tsx';
import { formatRelative } from '../../lib/format.ts';
import { navigate, useLocation } from '../../router/history.ts';
import { Link } from '../../router/link.tsx';

interface Incident {
  id: number;
  title: string;
  alertname: string;
  service: string;
  severity: string;
  team: string;
  status: 'triggered' | 'acknowledged' | 'resolved';
  policy: string | null;
  createdAt: string;
  updatedAt: string;
  ackedBy: string | null;
  resolvedAt: string | null;
}

export function IncidentsPage() {
  const { search, href } = useLocation();
  const status = search.get('status') ?? 'open';
  const q = search.get('q') ?? '';
  const polled = usePoll(href, (signal) =>
    getJson<{ data: Incident[] }>(
      `/api/incidents${query({ status: status === 'all' ? undefined : status, q })}`,
      signal,
    ),
  );
  const set = (k: string, v: string) => {
    const next = new URLSearchParams(search);
    next.set(k, v);
    navigate(`/incidents?${next}`, { replace: true });
  };
  return (
    <div className="incidents-page">
      <div className="panel alert-filters">
        <label>
          status
          <select aria-label="status" value={status} onChange={(e) => set('status', e.target.value)}>
            {['open', 'triggered', 'acknowledged', 'resolved', 'all'].map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label className="grow">
          search
          <input
            type="search"
            aria-label="search incidents"
            defaultValue={q}
            onKeyDown={(e) => {
              if (e.key === 'Enter') set('q', (e.target as HTMLInputElement).value);
            }}
          />
        </label>
      </div>
      {!polled.data && polled.error ? (
        <ErrorState title="Cannot load incidents" message={polled.error} />
      ) : null}
      {!polled.data && !polled.error ? <Loading what="incidents" /> : null}
      {polled.data && polled.data.data.length === 0 ? (
        <div className="state state-empty">No incidents.</div>
      ) : null}
      <ul className="incident-list">
        {polled.data?.data.map((i) => (
          <li key={i.id} className={`incident state-${i.status}`}>
            <Link to={`/incidents/${i.id}`}>
              <span className={`badge badge-${i.status}`}>{i.status}</span> #{i.id} {i.title}
            </Link>{' '}
            <span className="muted">
              {i.service} · {i.severity} · opened {formatRelative(new Date(i.createdAt))}
              {i.ackedBy ? ` · acked by ${i.ackedBy}` : ''}
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}

interface Detail {
  incident: Incident & { groupLabels: Record<string, string> };
  timeline: Array<{ id: number; at: string; kind: string; actor: string | null; message: string }>;
  escalation: { step: number; round: number; dueAt: string; state: string } | null;
  deliveries: Array<{
    key: string;
    channel: string;
    type: string;
    target: string;
    action: string;
    state: string;
    attempts: number;
    last_error: string | null;
  }>;
}

export function IncidentPage({ id }: { id: string }) {
  const session = useSession();
  const polled = usePoll(
    `incident-${id}`,
    (signal) => getJson<Detail>(`/api/incidents/${encodeURIComponent(id)}`, signal),
    2000,
  );
  const [note, setNote] = useState('');
  const [message, setMessage] = useState<string | undefined>();
  const act = async (what: string, fn: () => Promise<unknown>) => {
    setMessage(undefined);
    try {
      await fn();
      setMessage(what);
      polled.reload();
    } catch (err) {
      setMessage(`Failed: ${(err as Error).message}`);
    }
  };
  if (!polled.data)
    return polled.error ? (
      <ErrorState title={`Incident ${id}`} message={polled.error} />
    ) : (
      <Loading what="incident" />
    );
  const { incident: i, timeline, escalation, deliveries } = polled.data;
  const addNote = (e: FormEvent) => {
    e.preventDefault();
    void act('Note added', () => send('POST', `/api/incidents/${i.id}/notes`, { text: note })).then(() =>
      setNote(''),
    );
  };
  return (
    <div className="incident-page">
      <div className="section-head">
        <h2 className="section-title">
          <span className={`badge badge-${i.status}`} data-testid="incident-status">
            {i.status}
          </span>{' '}
          #{i.id} {i.title}
        </h2>
        {canRespond(session) && i.status === 'triggered' ? (
          <button
            type="button"
            onClick={() => act('Acknowledged', () => send('POST', `/api/incidents/${i.id}/ack`, {}))}
          >
            Acknowledge
          </button>
        ) : null}
      </div>
      <p className="muted">
        {i.alertname} on {i.service} · severity {i.severity} · team {i.team || '—'} · policy{' '}
        {i.policy ?? 'none'}
        {escalation
          ? ` · escalation ${escalation.state}${escalation.state === 'pending' ? `, step ${escalation.step + 1} due ${new Date(escalation.dueAt).toLocaleTimeString()}` : ''}`
          : ''}
      </p>
      <p>
        <Link to={`/alerts?q=${encodeURIComponent(i.alertname)}`}>alerts</Link> ·{' '}
        <Link to={`/logs?service=${encodeURIComponent(i.service)}&level=error`}>logs</Link> ·{' '}
        <Link to={`/traces?service=${encodeURIComponent(i.service)}`}>traces</Link>
      </p>
      {message ? (
        <div className="state" role="status">
          {message}
        </div>
      ) : null}
      <h3>Timeline</h3>
      <ol className="timeline">
        {timeline.map((e) => (
          <li key={e.id} className={`tl tl-${e.kind.replace('.', '-')}`} data-kind={e.kind}>
            <span className="nowrap muted">{new Date(e.at).toLocaleTimeString()}</span>{' '}
            <strong>{e.kind}</strong> {e.actor ? <em>{e.actor}: </em> : null}
            {e.message}
          </li>
        ))}
      </ol>
      {canRespond(session) ? (
        <form onSubmit={addNote} className="note-form">
          <input
            aria-label="note"
            value={note}
            onChange={(e) => setNote(e.target.value)}
            placeholder="Add a note (what you found, what you did)"
            required
          />
          <button type="submit">Add note</button>
        </form>
      ) : null}
      <h3>Notifications</h3>
      <table className="deliveries">
        <thead>
          <tr>
            <th>channel</th>
            <th>to</th>
            <th>action</th>
            <th>state</th>
            <th>attempts</th>
            <th>last error</th>
          </tr>
        </thead>
        <tbody>
          {deliveries.map((d) => (
            <tr key={d.key}>
              <td>
                {d.channel} <span className="muted">({d.type})</span>
              </td>
              <td>{d.target === '-' ? '' : d.target}</td>
              <td>{d.action}</td>
              <td>{d.state}</td>
              <td>{d.attempts}</td>
              <td>{d.last_error ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
