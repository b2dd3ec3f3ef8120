import { type FormEvent, useState } from 'react';
import { getJson } from '../../api/client.ts';
import { canRespond, send, useSession } from '../../api/session.ts';
import { usePoll } from '../../api/use-poll.ts';
import { ErrorState, Loading } from '../../components/status.tsx';
import { useLocation } from '../../router/history.ts';

interface Matcher {
  name: string;
  value: string;
  isRegex: boolean;
  isEqual: boolean;
}
interface Silence {
  alertmanager: string;
  id: string;
  status: { state: string };
  matchers: Matcher[];
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
}

const OPS: Array<[string, boolean, boolean]> = [
  ['=~', true, true],
  ['!~', true, false],
  ['!=', false, false],
  ['=', false, true],
];

/** One matcher a line: name=value, name!=value, name=~regex, name!~regex (quotes optional). */
export function parseMatchers(text: string): Matcher[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((line) => {
      for (const [op, isRegex, isEqual] of OPS) {
        const i = line.indexOf(op);
        if (i > 0) {
          let value = line.slice(i + op.length).trim();
          if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
          return { name: line.slice(0, i).trim(), value, isRegex, isEqual };
        }
      }
      return { name: line, value: '', isRegex: false, isEqual: true };
    });
}

export function formatMatcher(m: Matcher): string {
  return `${m.name}${m.isRegex ? (m.isEqual ? '=~' : '!~') : m.isEqual ? '=' : '!='}${m.value}`;
}

export function SilencesPage() {
  const { search } = useLocation();
  const session = useSession();
  const responder = canRespond(session);
  const polled = usePoll('silences', (signal) =>
    getJson<{ alertmanagers: Array<{ name: string; ok: boolean; error?: string }>; data: Silence[] }>(
      '/api/silences',
      signal,
    ),
  );
  const [editing, setEditing] = useState<string | undefined>();
  const [am, setAm] = useState('');
  const [matchers, setMatchers] = useState(search.get('matchers') ?? '');
  const [duration, setDuration] = useState('2h');
  const [comment, setComment] = useState('');
  const [preview, setPreview] = useState<
    { count: number; alerts: Array<{ fingerprint: string; labels: Record<string, string> }> } | undefined
  >();
  const [message, setMessage] = useState<string | undefined>();
  const [showExpired, setShowExpired] = useState(false);
  const alertmanager = am || polled.data?.alertmanagers[0]?.name || '';

  const doPreview = async () => {
    setMessage(undefined);
    try {
      setPreview(
        await send('POST', '/api/silences/preview', { alertmanager, matchers: parseMatchers(matchers) }),
      );
    } catch (err) {
      setPreview(undefined);
      setMessage(`Preview failed: ${(err as Error).message}`);
    }
  };
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setMessage(undefined);
    try {
      const r = await send<{ silenceId: string }>('POST', '/api/silences', {
        alertmanager,
        ...(editing ? { id: editing } : {}),
        matchers: parseMatchers(matchers),
        duration,
        comment,
      });
      setMessage(`Silence ${r.silenceId} saved`);
      setEditing(undefined);
      setPreview(undefined);
      polled.reload();
    } catch (err) {
      setMessage(`Not saved: ${(err as Error).message}`);
    }
  };
  const expire = async (s: Silence) => {
    try {
      await send('DELETE', `/api/silences/${encodeURIComponent(s.alertmanager)}/${encodeURIComponent(s.id)}`);
      setMessage(`Silence ${s.id} expired`);
      polled.reload();
    } catch (err) {
      setMessage(`Not expired: ${(err as Error).message}`);
    }
  };

  const list = (polled.data?.data ?? []).filter((s) => showExpired || s.status.state !== 'expired');
  return (
    <div className="silences-page">
      {responder ? (
        <form className="panel silence-form" onSubmit={save} aria-label="silence">
          <h2 className="section-title">{editing ? `Edit silence ${editing.slice(0, 8)}` : 'New silence'}</h2>
          <label>
            Alertmanager
            <select value={alertmanager} onChange={(e) => setAm(e.target.value)}>
              {(polled.data?.alertmanagers ?? []).map((a) => (
                <option key={a.name}>{a.name}</option>
              ))}
            </select>
          </label>
          <label>
            Matchers (one a line: name=value, name=~regex, name!=value)
            <textarea
              aria-label="matchers"
              rows={3}
              value={matchers}
              onChange={(e) => setMatchers(e.target.value)}
              required
            />
          </label>
          <label>
            Duration
            <input
              aria-label="duration"
              value={duration}
              onChange={(e) => setDuration(e.target.value)}
              pattern="[0-9]+[mhd]"
            />
          </label>
          <label>
            Comment
            <input
              aria-label="comment"
              value={comment}
              onChange={(e) => setComment(e.target.value)}
              required
            />
          </label>
          <div>
            <button type="button" onClick={doPreview}>
              Preview
            </button>{' '}
            <button type="submit">{editing ? 'Save changes' : 'Create silence'}</button>{' '}
            {editing ? (
              <button type="button" onClick={() => setEditing(undefined)}>
                Cancel
              </button>
            ) : null}
          </div>
          {preview ? (
            <div className="silence-preview" role="status">
              Matches {preview.count} alert{preview.count === 1 ? '' : 's'} now
              <ul>
                {preview.alerts.slice(0, 20).map((a) => (
                  <li key={a.fingerprint}>
                    {a.labels.alertname} {a.labels.service}
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
        </form>
      ) : null}
      {message ? (
        <div className="state" role="status">
          {message}
        </div>
      ) : null}
      <div className="section-head">
        <h2 className="section-title">Silences</h2>
        <label>
          <input type="checkbox" checked={showExpired} onChange={(e) => setShowExpired(e.target.checked)} />{' '}
          show expired
        </label>
      </div>
      {!polled.data && polled.error ? (
        <ErrorState title="Cannot load silences" message={polled.error} />
      ) : null}
      {!polled.data && !polled.error ? <Loading what="silences" /> : null}
      <table className="silences">
        <thead>
          <tr>
            <th>state</th>
            <th>matchers</th>
            <th>by</th>
            <th>comment</th>
            <th>ends</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {list.map((s) => (
            <tr key={`${s.alertmanager}/${s.id}`} data-silence={s.id}>
              <td>{s.status.state}</td>
              <td>{s.matchers.map(formatMatcher).join(', ')}</td>
              <td>{s.createdBy}</td>
              <td>{s.comment}</td>
              <td className="nowrap">{new Date(s.endsAt).toLocaleString()}</td>
              <td className="nowrap">
                {responder && s.status.state !== 'expired' ? (
                  <>
                    <button
                      type="button"
                      onClick={() => {
                        setEditing(s.id);
                        setAm(s.alertmanager);
                        setMatchers(s.matchers.map(formatMatcher).join('\n'));
                        setComment(s.comment);
                      }}
                    >
                      Edit
                    </button>{' '}
                    <button type="button" onClick={() => expire(s)}>
                      Expire
                    </button>
                  </>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
