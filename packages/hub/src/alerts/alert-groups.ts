import type { AmAlert, AmSilence } from './alertmanager-client.ts';

export const ACK_PREFIX = 'ACK!';
export const ALERT_STATES = ['firing', 'acknowledged', 'silenced', 'inhibited'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

export interface ConsoleAlert {
  fingerprint: string;
  alertmanagers: string[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  state: AlertState;
  /** Who or what mutes it: the ACK!/other silences, or the inhibiting alerts' names. */
  silencedBy: Array<{ id: string; alertmanager: string; createdBy: string; comment: string; endsAt: string }>;
  inhibitedBy: string[];
  generatorURL: string;
}

export interface AlertGroup {
  key: string;
  alertname: string;
  service: string;
  severity: string;
  team: string;
  state: AlertState;
  summary: string;
  description: string;
  runbookUrl: string;
  startsAt: string;
  alertmanagers: string[];
  ack: { by: string; silenceId: string; alertmanager: string; comment: string; endsAt: string } | null;
  links: { dashboard: string; traces: string; logs: string };
  alerts: ConsoleAlert[];
}

export interface AlertFilter {
  severity?: string | undefined;
  service?: string | undefined;
  team?: string | undefined;
  state?: AlertState | undefined;
  q?: string | undefined;
}

const STATE_RANK: Record<AlertState, number> = { firing: 0, acknowledged: 1, silenced: 2, inhibited: 3 };
const SEVERITY_RANK: Record<string, number> = { critical: 0, warning: 1, ticket: 2, info: 3 };
const RANGES: Array<[string, number]> = [
  ['15m', 15 * 60_000],
  ['1h', 3_600_000],
  ['6h', 6 * 3_600_000],
  ['24h', 24 * 3_600_000],
];

/** The console's time range that covers an alert that started at `startsAt`, with 15 minutes before it. */
function rangeFor(startsAt: string, now: number): string {
  const span = now - Date.parse(startsAt) + 15 * 60_000;
  return (RANGES.find(([, ms]) => ms >= span) ?? RANGES[RANGES.length - 1]!)[0];
}

function linksFor(service: string, startsAt: string, now: number): AlertGroup['links'] {
  const range = rangeFor(startsAt, now);
  const s = encodeURIComponent(service);
  return {
    dashboard: `/dashboards/vigil-service-overview?service=${s}&range=${range}`,
    traces: `/traces?service=${s}&tags=${encodeURIComponent('{"error":"true"}')}&range=${range}`,
    logs: `/logs?service=${s}&level=error&range=${range}`,
  };
}

/**
 * Merges the alerts of every Alertmanager (an alert listed by two — an HA pair — appears once)
 * into groups by alertname and service, with each alert's console state:
 * inhibited > silenced (ACK! silence = acknowledged) > firing.
 */
export function buildAlertGroups(
  sources: Array<{ alertmanager: string; alerts: AmAlert[]; silences: AmSilence[] }>,
  now = Date.now(),
): AlertGroup[] {
  const silenceById = new Map<string, { am: string; s: AmSilence }>();
  for (const src of sources) for (const s of src.silences) silenceById.set(s.id, { am: src.alertmanager, s });
  const byFingerprint = new Map<string, ConsoleAlert>();
  const nameByFingerprint = new Map<string, string>();
  for (const src of sources)
    for (const a of src.alerts) nameByFingerprint.set(a.fingerprint, a.labels.alertname ?? '');

  for (const src of sources) {
    for (const a of src.alerts) {
      const known = byFingerprint.get(a.fingerprint);
      if (known) {
        if (!known.alertmanagers.includes(src.alertmanager)) known.alertmanagers.push(src.alertmanager);
        continue;
      }
      const silencedBy = (a.status.silencedBy ?? []).flatMap((id) => {
        const hit = silenceById.get(id);
        return hit
          ? [
              {
                id,
                alertmanager: hit.am,
                createdBy: hit.s.createdBy,
                comment: hit.s.comment,
                endsAt: hit.s.endsAt,
              },
            ]
          : [{ id, alertmanager: src.alertmanager, createdBy: '', comment: '', endsAt: '' }];
      });
      const inhibitedBy = (a.status.inhibitedBy ?? []).map((fp) => nameByFingerprint.get(fp) || fp);
      const state: AlertState =
        inhibitedBy.length > 0
          ? 'inhibited'
          : silencedBy.length > 0
            ? silencedBy.some((s) => s.comment.startsWith(ACK_PREFIX))
              ? 'acknowledged'
              : 'silenced'
            : 'firing';
      byFingerprint.set(a.fingerprint, {
        fingerprint: a.fingerprint,
        alertmanagers: [src.alertmanager],
        labels: a.labels,
        annotations: a.annotations,
        startsAt: a.startsAt,
        state,
        silencedBy,
        inhibitedBy,
        generatorURL: a.generatorURL,
      });
    }
  }

  const groups = new Map<string, AlertGroup>();
  for (const alert of byFingerprint.values()) {
    const alertname = alert.labels.alertname ?? '';
    const service = alert.labels.service ?? '';
    const key = `${alertname}|${service}`;
    let g = groups.get(key);
    if (!g) {
      g = {
        key,
        alertname,
        service,
        severity: alert.labels.severity ?? '',
        team: alert.labels.team ?? '',
        state: alert.state,
        summary: alert.annotations.summary ?? '',
        description: alert.annotations.description ?? '',
        runbookUrl: alert.annotations.runbook_url ?? '',
        startsAt: alert.startsAt,
        alertmanagers: [],
        ack: null,
        links: linksFor(service, alert.startsAt, now),
        alerts: [],
      };
      groups.set(key, g);
    }
    g.alerts.push(alert);
    for (const am of alert.alertmanagers) if (!g.alertmanagers.includes(am)) g.alertmanagers.push(am);
    if (STATE_RANK[alert.state] < STATE_RANK[g.state]) g.state = alert.state;
    if ((SEVERITY_RANK[alert.labels.severity ?? ''] ?? 9) < (SEVERITY_RANK[g.severity] ?? 9))
      g.severity = alert.labels.severity ?? '';
    if (alert.startsAt < g.startsAt) {
      g.startsAt = alert.startsAt;
      g.links = linksFor(service, alert.startsAt, now);
    }
    const ack = alert.silencedBy.find((s) => s.comment.startsWith(ACK_PREFIX));
    if (ack && !g.ack)
      g.ack = {
        by: ack.createdBy,
        silenceId: ack.id,
        alertmanager: ack.alertmanager,
        comment: ack.comment,
        endsAt: ack.endsAt,
      };
  }
  for (const g of groups.values()) g.alerts.sort((a, b) => (a.startsAt < b.startsAt ? -1 : 1));
  return [...groups.values()].sort(
    (a, b) =>
      STATE_RANK[a.state] - STATE_RANK[b.state] ||
      (SEVERITY_RANK[a.severity] ?? 9) - (SEVERITY_RANK[b.severity] ?? 9) ||
      (a.startsAt < b.startsAt ? -1 : a.startsAt > b.startsAt ? 1 : 0) ||
      (a.key < b.key ? -1 : 1),
  );
}
