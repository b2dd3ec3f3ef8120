import { useState } from 'react';
import { getJson, query } from '../../api/client.ts';
import { canRespond, send, useSession } from '../../api/session.ts';
import { usePoll } from '../../api/use-poll.ts';
import { ErrorState, Loading } from '../../components/status.tsx';
import { formatRelative } from '../../lib/format.ts';
import { navigate, useLocation } from '../../router/history.ts';
import { Link } from '../../router/link.tsx';

export interface ConsoleAlert {
  fingerprint: string;
  labels: Record<string, string>;
  state: string;
  startsAt: string;
  silencedBy: Array<{ id: string; createdBy: string; comment: string }>;
  inhibitedBy: string[];
}

/** A group as the list shows it: its alerts are fetched when it is opened (/api/alerts/group). */
export interface AlertGroup {
  key: string;
  alertname: string;
  service: string;
  severity: string;
  team: string;
  state: 'firing' | 'acknowledged' | 'silenced' | 'inhibited';
  summary: string;
  description: string;
  runbookUrl: string;
  startsAt: string;
  alertmanagers: string[];
  ack: { by: string; silenceId: string; alertmanager: string; comment: string; endsAt: string } | null;
  links: { dashboard: string; traces: string; logs: string };
  count: number;
  states: Partial<Record<AlertGroup['state'], number>>;
}

interface AlertsResponse {
  alertmanagers: Array<{ name: string; url: string; ok: boolean; error?: string }>;
  total: number;
  matched: number;
  alerts: number;
  facets: { severity: string[]; service: string[]; team: string[] };
  groups: AlertGroup[];
}

interface GroupResponse {
  total: number;
  alerts: ConsoleAlert[];
}

const DETAIL_PAGE = 200;

/** An opened group: its alerts, a page at a time, refreshed with the list. */
function GroupDetail({ group }: { group: AlertGroup }) {
  const [limit, setLimit] = useState(DETAIL_PAGE);
  const polled = usePoll(
    `${group.key}|${limit}`,
    (signal) => getJson<GroupResponse>(`/api/alerts/group${query({ key: group.key, limit })}`, signal),
    3000,
  );
  const data = polled.data;
  return (
    <div className="alert-detail">
      <p>{group.description}</p>
      {!data && polled.error ? <ErrorState title="Cannot load the alerts" message={polled.error} /> : null}
      {!data && !polled.error ? <Loading what="alerts of the group" /> : null}
      {data ? (
        <table className="alert-table">
          <thead>
            <tr>
              <th>state</th>
              <th>labels</th>
              <th>since</th>
              <th>muted by</th>
            </tr>
          </thead>
          <tbody>
            {data.alerts.map((a) => (
              <tr key={a.fingerprint}>
                <td>{a.state}</td>
                <td>
                  {Object.entries(a.labels)
                    .map(([k, v]) => `${k}=${v}`)
                    .join(', ')}
                </td>
                <td className="nowrap">{formatRelative(new Date(a.startsAt))}</td>
                <td>
                  {a.silencedBy
                    .map((s) => `silence ${s.id.slice(0, 8)} by ${s.createdBy}: ${s.comment}`)
                    .join('; ')}
                  {a.inhibitedBy.length ? `inhibited by ${a.inhibitedBy.join(', ')}` : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {data && data.total > data.alerts.length ? (
        <button type="button" className="load-more" onClick={() => setLimit((n) => n + DETAIL_PAGE)}>
          Show {Math.min(DETAIL_PAGE, data.total - data.alerts.length)} more of{' '}
          {data.total - data.alerts.length}
        </button>
      ) : null}
      <Link
        to={`/silences?matchers=${encodeURIComponent(`alertname=${group.alertname}\nservice=${group.service}`)}`}
      >
        Silence…
      </Link>
    </div>
  );
}

const FILTERS = ['severity', 'service', 'team', 'state', 'q'] as const;
const PAGE = 100;

export function AlertsPage() {
  const { search, href } = useLocation();
  const session = useSession();
  const responder = canRespond(session);
  const filters = Object.fromEntries(FILTERS.map((f) => [f, search.get(f) ?? ''])) as Record<
    (typeof FILTERS)[number],
    string
  >;
  const [open, setOpen] = useState<string | null>(null);
  const [shown, setShown] = useState(PAGE);
  const polled = usePoll(
    `${href}|${shown}`,
    (signal) => getJson<AlertsResponse>(`/api/alerts${query({ ...filters, limit: shown })}`, signal),
    3000,
  );
  const [message, setMessage] = useState<string | undefined>();
  const [duration, setDuration] = useState('2h');

  const setFilter = (name: string, value: string) => {
    const next = new URLSearchParams(search);
    if (value) next.set(name, value);
    else next.delete(name);
    navigate(`/alerts${next.toString() ? `?${next}` : ''}`, { replace: true });
  };

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

  const data = polled.data;
  return (
    <div className="alerts-page">
      <div className="section-head">
        <h2 className="section-title">
          Alerts{' '}
          {data ? (
            <span className="muted">
              {data.matched} of {data.total} groups · {data.alerts} alerts
            </span>
          ) : null}
        </h2>
        <span className="muted live-indicator" data-updated={polled.updatedAt ?? ''}>
          {polled.updatedAt
            ? `live · updated ${new Date(polled.updatedAt).toLocaleTimeString()}`
            : 'loading…'}
        </span>
      </div>
      {data?.alertmanagers
        .filter((a) => !a.ok)
        .map((a) => (
          <div key={a.name} className="state state-error" role="alert">
            Alertmanager <strong>{a.name}</strong> ({a.url}) is not answering: {a.error}
          </div>
        ))}
      <div className="panel alert-filters">
        {(['severity', 'service', 'team'] as const).map((f) => (
          <label key={f}>
            {f}
            <select aria-label={f} value={filters[f]} onChange={(e) => setFilter(f, e.target.value)}>
              <option value="">all</option>
              {(data?.facets[f] ?? []).map((v) => (
                <option key={v} value={v}>
                  {v || '(none)'}
                </option>
              ))}
            </select>
          </label>
        ))}
        <label>
          state
          <select
            aria-label="state"
            value={filters.state}
            onChange={(e) => setFilter('state', e.target.value)}
          >
            <option value="">all</option>
            {['firing', 'acknowledged', 'silenced', 'inhibited'].map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label className="grow">
          search
          <input
            aria-label="search alerts"
            type="search"
            defaultValue={filters.q}
            placeholder="name, service, label or text"
            onKeyDown={(e) => {
              if (e.key === 'Enter') setFilter('q', (e.target as HTMLInputElement).value);
            }}
          />
        </label>
        {responder ? (
          <label>
            ack for
            <select aria-label="ack duration" value={duration} onChange={(e) => setDuration(e.target.value)}>
              {['30m', '1h', '2h', '4h', '8h', '24h'].map((d) => (
                <option key={d}>{d}</option>
              ))}
            </select>
          </label>
        ) : null}
      </div>
      {message ? (
        <div className="state" role="status">
          {message}
        </div>
      ) : null}
      {!data && polled.error ? <ErrorState title="Cannot load alerts" message={polled.error} /> : null}
      {!data && !polled.error ? <Loading what="alerts" /> : null}
      {data && data.groups.length === 0 ? <div className="state state-empty">No alerts match.</div> : null}
      <ul className="alert-groups">
        {data?.groups.map((g) => (
          <li
            key={g.key}
            className={`alert-group state-${g.state}${open === g.key ? ' selected' : ''}`}
            data-group={g.key}
          >
            <div className="alert-group-head">
              <button
                type="button"
                className="link-button"
                aria-expanded={open === g.key}
                onClick={() => setOpen(open === g.key ? null : g.key)}
              >
                <span className={`badge badge-${g.state}`}>{g.state}</span>{' '}
                <span className={`sev sev-${g.severity}`}>{g.severity}</span> <strong>{g.alertname}</strong>{' '}
                <span className="muted">on</span> {g.service || '—'}{' '}
                <span className="muted">
                  · {g.count} alert{g.count === 1 ? '' : 's'} · {formatRelative(new Date(g.startsAt))}
                </span>
              </button>
              <span className="alert-actions">
                <Link to={g.links.dashboard}>dashboard</Link>
                <Link to={g.links.traces}>traces</Link>
                <Link to={g.links.logs}>logs</Link>
                {g.runbookUrl ? (
                  <a href={g.runbookUrl} target="_blank" rel="noreferrer">
                    runbook
                  </a>
                ) : null}
                {responder && g.state === 'firing' ? (
                  <button
                    type="button"
                    onClick={() =>
                      act(`Acknowledged ${g.alertname} on ${g.service} for ${duration}`, () =>
                        send('POST', '/api/alerts/ack', {
                          alertmanager: g.alertmanagers[0],
                          labels: { alertname: g.alertname, ...(g.service ? { service: g.service } : {}) },
                          duration,
                        }),
                      )
                    }
                  >
                    Ack
                  </button>
                ) : null}
                {responder && g.ack ? (
                  <button
                    type="button"
                    onClick={() =>
                      act(`Acknowledgement of ${g.alertname} withdrawn`, () =>
                        send('POST', '/api/alerts/unack', {
                          alertmanager: g.ack!.alertmanager,
                          silenceId: g.ack!.silenceId,
                        }),
                      )
                    }
                  >
                    Un-ack
                  </button>
                ) : null}
              </span>
            </div>
            <div className="alert-summary">
              {g.summary}
              {g.ack ? (
                <span className="muted">
                  {' '}
                  — acknowledged by <strong>{g.ack.by}</strong> until{' '}
                  {new Date(g.ack.endsAt).toLocaleString()}
                </span>
              ) : null}
            </div>
            {open === g.key ? <GroupDetail group={g} /> : null}
          </li>
        ))}
      </ul>
      {data && data.matched > data.groups.length ? (
        <button type="button" className="load-more" onClick={() => setShown((n) => n + PAGE)}>
          Show {Math.min(PAGE, data.matched - data.groups.length)} more of {data.matched - data.groups.length}
        </button>
      ) : null}
    </div>
  );
}
