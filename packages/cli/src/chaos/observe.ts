/** What the runner reads from the monitoring: Prometheus queries, Alertmanager alerts, hub notifications. */

export interface Sample {
  readonly metric: Record<string, string>;
  readonly value: [number, string];
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`);
  return (await res.json()) as T;
}

export async function promQuery(prometheusUrl: string, query: string): Promise<Sample[]> {
  const body = await getJson<{ data: { result: Sample[] } }>(
    `${prometheusUrl}/api/v1/query?query=${encodeURIComponent(query)}`,
  );
  return body.data.result;
}

/** Alertmanager API v2 alert (GET /api/v2/alerts). */
export interface AmAlert {
  readonly labels: Record<string, string>;
  readonly startsAt: string;
  readonly fingerprint: string;
  readonly status: {
    readonly state: 'active' | 'suppressed' | 'unprocessed';
    readonly inhibitedBy: string[];
    readonly silencedBy: string[];
  };
}

/** Alerts Alertmanager holds as firing now (active, silenced or inhibited alike: Prometheus sent them). */
export async function amAlerts(alertmanagerUrl: string): Promise<AmAlert[]> {
  return getJson<AmAlert[]>(
    `${alertmanagerUrl}/api/v2/alerts?active=true&silenced=true&inhibited=true&unprocessed=true`,
  );
}

/** Alerts of the `ALERTS` series that are pending or firing (Prometheus side). */
export async function promAlerts(
  prometheusUrl: string,
): Promise<Array<{ labels: Record<string, string>; state: string }>> {
  const body = await getJson<{ data: { alerts: Array<{ labels: Record<string, string>; state: string }> } }>(
    `${prometheusUrl}/api/v1/alerts`,
  );
  return body.data.alerts;
}

export interface HubNotification {
  readonly id: string | number;
  readonly receivedAt?: string;
  readonly [key: string]: unknown;
}

/**
 * Notifications the hub received from Alertmanager (GET /api/alerts/notifications, read with the
 * hub webhook's secret: LocalStack.hubReadToken); [] when unavailable.
 */
export async function hubNotifications(
  hubUrl: string | undefined,
  token: string | undefined,
): Promise<unknown[]> {
  if (!hubUrl || !token) return [];
  try {
    const res = await fetch(`${hubUrl}/api/alerts/notifications?limit=200`, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(5000),
    });
    if (!res.ok) return [];
    const body = (await res.json()) as { data?: unknown[] };
    return body.data ?? [];
  } catch {
    return [];
  }
}

export function labelsMatch(labels: Record<string, string>, want: Readonly<Record<string, string>>): boolean {
  return Object.entries(want).every(([k, v]) => labels[k] === v);
}
