import { getJson } from '../../api/client.ts';
import { usePoll } from '../../api/use-poll.ts';
import { ErrorState, Loading } from '../../components/status.tsx';

interface SinkRequest {
  id: number;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
  receivedAt: number;
}

/** What the local webhook sink received: the Slack and PagerDuty messages of local mode. */
export function SinkPage() {
  const polled = usePoll(
    'sink',
    (signal) => getJson<{ data: SinkRequest[] }>('/api/webhook-sink/requests', signal),
    3000,
  );
  if (!polled.data)
    return polled.error ? (
      <ErrorState title="Webhook sink" message={polled.error} />
    ) : (
      <Loading what="sink requests" />
    );
  return (
    <div className="sink-page">
      <h2 className="section-title">Local webhook sink ({polled.data.data.length} newest requests)</h2>
      <ul className="sink-requests">
        {polled.data.data.map((r) => (
          <li key={r.id} className="panel">
            <strong>
              {r.method} {r.path}
            </strong>{' '}
            <span className="muted">{new Date(r.receivedAt).toLocaleString()}</span>
            <pre>{JSON.stringify(r.body, null, 2)}</pre>
          </li>
        ))}
      </ul>
    </div>
  );
}
