import { type AlertFilter, type AlertGroup, type AlertState, buildAlertGroups } from './alert-groups.ts';
import type { AlertmanagerClient, AmAlert, AmSilence } from './alertmanager-client.ts';

export interface SourceStatus {
  name: string;
  url: string;
  ok: boolean;
  error?: string;
}

/** A group without its alerts: what the Alerts page lists (the alerts are paged on demand). */
export type GroupSummary = Omit<AlertGroup, 'alerts'> & {
  count: number;
  states: Partial<Record<AlertState, number>>;
};

export interface AlertsSnapshot {
  /** When Alertmanager was asked (ms since the epoch). */
  at: number;
  sources: SourceStatus[];
  silences: Array<AmSilence & { alertmanager: string }>;
  groups: AlertGroup[];
  summaries: GroupSummary[];
  byKey: Map<string, AlertGroup>;
  facets: { severity: string[]; service: string[]; team: string[] };
  /** Per group, the lower-cased text the free-text search looks in. */
  haystacks: Map<string, string>;
}

function summarise(g: AlertGroup): GroupSummary {
  const { alerts, ...rest } = g;
  const states: Partial<Record<AlertState, number>> = {};
  for (const a of alerts) states[a.state] = (states[a.state] ?? 0) + 1;
  return { ...rest, count: alerts.length, states };
}

/** While someone has read the view this recently, it is refreshed ahead of their next read. */
const WATCHED_MS = 30_000;

/**
 * Alertmanager's alerts and silences, grouped, cached for `ttlMs` and fetched single-flight:
 * however many viewers poll the Alerts page, each Alertmanager is asked at most once per TTL,
 * and a request that arrives while a fetch is under way waits for that fetch. While the page is
 * watched the answer is refreshed every TTL in the background, so a read (a page load included)
 * gets an answer at most TTL + one fetch old without waiting for Alertmanager; an answer older
 * than `3 × TTL` is never served. `invalidate()` (after an ack or a silence change) makes the
 * next read wait for a fresh fetch.
 */
export class AlertsView {
  readonly #alertmanagers: AlertmanagerClient[];
  readonly #ttlMs: number;
  readonly #now: () => number;
  #snapshot: AlertsSnapshot | undefined;
  #inflight: { generation: number; promise: Promise<AlertsSnapshot> } | undefined;
  #generation = 0;
  #lastRead = Number.NEGATIVE_INFINITY;
  #timer: NodeJS.Timeout | undefined;

  constructor(alertmanagers: AlertmanagerClient[], ttlMs: number, now: () => number = Date.now) {
    this.#alertmanagers = alertmanagers;
    this.#ttlMs = ttlMs;
    this.#now = now;
  }

  /** Refreshes ahead while watched (call once; `stop()` ends it). */
  start(): void {
    if (this.#ttlMs <= 0) return;
    this.#timer ??= setInterval(() => {
      if (this.#now() - this.#lastRead < WATCHED_MS && !this.#inflight) void this.#refresh().catch(() => {});
    }, this.#ttlMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  invalidate(): void {
    this.#generation++;
    this.#snapshot = undefined;
  }

  async get(): Promise<AlertsSnapshot> {
    const now = this.#now();
    this.#lastRead = now;
    const snap = this.#snapshot;
    if (snap && now - snap.at < this.#ttlMs) return snap;
    if (snap && now - snap.at < 3 * this.#ttlMs) {
      if (!this.#inflight) void this.#refresh().catch(() => {});
      return snap; // stale within bounds: answered now, fresh by the next poll
    }
    return this.#refresh();
  }

  #refresh(): Promise<AlertsSnapshot> {
    if (this.#inflight?.generation === this.#generation) return this.#inflight.promise;
    const generation = this.#generation;
    const promise: Promise<AlertsSnapshot> = this.#fetch()
      .then((s) => {
        if (generation === this.#generation) this.#snapshot = s;
        return s;
      })
      .finally(() => {
        if (this.#inflight?.promise === promise) this.#inflight = undefined;
      });
    this.#inflight = { generation, promise };
    return promise;
  }

  async #fetch(): Promise<AlertsSnapshot> {
    const at = this.#now();
    const raw = await Promise.all(
      this.#alertmanagers.map(async (am) => {
        try {
          const [alerts, silences] = await Promise.all([am.alerts(), am.silences()]);
          return { name: am.name, url: am.url, ok: true, alerts, silences };
        } catch (err) {
          return {
            name: am.name,
            url: am.url,
            ok: false,
            error: (err as Error).message,
            alerts: [] as AmAlert[],
            silences: [] as AmSilence[],
          };
        }
      }),
    );
    const groups = buildAlertGroups(
      raw.map((s) => ({ alertmanager: s.name, alerts: s.alerts, silences: s.silences })),
      at,
    );
    const haystacks = new Map<string, string>();
    for (const g of groups)
      haystacks.set(
        g.key,
        [
          g.alertname,
          g.service,
          g.summary,
          g.description,
          ...g.alerts.flatMap((a) => Object.values(a.labels)),
        ]
          .join('\n')
          .toLowerCase(),
      );
    return {
      at,
      sources: raw.map((s) => ({
        name: s.name,
        url: s.url,
        ok: s.ok,
        ...(s.ok ? {} : { error: s.error }),
      })),
      silences: raw.flatMap((s) => s.silences.map((sil) => ({ alertmanager: s.name, ...sil }))),
      groups,
      summaries: groups.map(summarise),
      byKey: new Map(groups.map((g) => [g.key, g])),
      facets: {
        severity: [...new Set(groups.map((g) => g.severity))].sort(),
        service: [...new Set(groups.map((g) => g.service))].sort(),
        team: [...new Set(groups.map((g) => g.team))].sort(),
      },
      haystacks,
    };
  }
}

/** The summaries of the groups that pass `f`, in the snapshot's order. */
export function filterSummaries(snap: AlertsSnapshot, f: AlertFilter): GroupSummary[] {
  const q = f.q?.trim().toLowerCase();
  return snap.summaries.filter((g) => {
    if (f.severity && g.severity !== f.severity) return false;
    if (f.service && g.service !== f.service) return false;
    if (f.team && g.team !== f.team) return false;
    if (f.state && !g.states[f.state]) return false;
    if (q && !snap.haystacks.get(g.key)?.includes(q)) return false;
    return true;
  });
}
