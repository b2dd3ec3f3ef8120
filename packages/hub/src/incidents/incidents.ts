import type { WebhookPayload } from '../alerts/alertmanager-payload.ts';
import type { ConsoleDatabase } from '../storage/console-db.ts';

export type IncidentStatus = 'triggered' | 'acknowledged' | 'resolved';

export interface Incident {
  id: number;
  groupKey: string;
  alertmanager: string;
  title: string;
  alertname: string;
  service: string;
  severity: string;
  team: string;
  groupLabels: Record<string, string>;
  status: IncidentStatus;
  policy: string | null;
  createdAt: string;
  updatedAt: string;
  ackedBy: string | null;
  ackSilence: string | null;
  resolvedAt: string | null;
}

export interface TimelineEntry {
  id: number;
  at: string;
  kind: string;
  actor: string | null;
  message: string;
}

interface Row {
  id: number;
  group_key: string;
  alertmanager: string;
  title: string;
  alertname: string;
  service: string;
  severity: string;
  team: string;
  group_labels: string;
  status: IncidentStatus;
  policy: string | null;
  created_ms: number;
  updated_ms: number;
  acked_by: string | null;
  ack_silence: string | null;
  resolved_ms: number | null;
}

const iso = (ms: number) => new Date(ms).toISOString();

function toIncident(r: Row): Incident {
  return {
    id: r.id,
    groupKey: r.group_key,
    alertmanager: r.alertmanager,
    title: r.title,
    alertname: r.alertname,
    service: r.service,
    severity: r.severity,
    team: r.team,
    groupLabels: JSON.parse(r.group_labels) as Record<string, string>,
    status: r.status,
    policy: r.policy,
    createdAt: iso(r.created_ms),
    updatedAt: iso(r.updated_ms),
    ackedBy: r.acked_by,
    ackSilence: r.ack_silence,
    resolvedAt: r.resolved_ms === null ? null : iso(r.resolved_ms),
  };
}

/** What the escalation engine is told as incidents change. */
export interface IncidentEvents {
  triggered(incident: Incident): void;
  acknowledged(incident: Incident, by: string): void;
  unacknowledged(incident: Incident, by: string): void;
  resolved(incident: Incident): void;
}

/**
 * Incidents from Alertmanager notification groups: one open incident per group key
 * (triggered → acknowledged → resolved), with a timeline de-duplicated by (incident, dedup key),
 * so Alertmanager's retries and repeats never add an entry twice.
 */
export class IncidentStore {
  readonly #db: ConsoleDatabase;
  readonly #now: () => number;
  events: IncidentEvents | undefined;
  readonly #openByKey;
  readonly #insert;
  readonly #get;
  readonly #timelineInsert;
  readonly #timeline;
  readonly #setStatus;
  readonly #open;
  readonly #touch;

  constructor(db: ConsoleDatabase, now: () => number = Date.now) {
    this.#db = db;
    this.#now = now;
    this.#openByKey = db.prepare("SELECT * FROM incidents WHERE group_key = ? AND status != 'resolved'");
    this.#insert = db.prepare(
      `INSERT INTO incidents (group_key, alertmanager, title, alertname, service, severity, team, group_labels, status, policy, created_ms, updated_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'triggered', ?, ?, ?)`,
    );
    this.#get = db.prepare('SELECT * FROM incidents WHERE id = ?');
    this.#timelineInsert = db.prepare(
      'INSERT OR IGNORE INTO timeline (incident_id, at_ms, kind, actor, message, dedup) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.#timeline = db.prepare(
      'SELECT id, at_ms, kind, actor, message FROM timeline WHERE incident_id = ? ORDER BY at_ms, id',
    );
    this.#setStatus = db.prepare(
      'UPDATE incidents SET status = ?, acked_by = ?, ack_silence = ?, resolved_ms = ?, updated_ms = ? WHERE id = ?',
    );
    this.#open = db.prepare("SELECT * FROM incidents WHERE status != 'resolved'");
    this.#touch = db.prepare('UPDATE incidents SET updated_ms = ? WHERE id = ?');
  }

  get(id: number): Incident | undefined {
    const row = this.#get.get(id) as Row | undefined;
    return row ? toIncident(row) : undefined;
  }

  timeline(id: number): TimelineEntry[] {
    return (
      this.#timeline.all(id) as Array<{
        id: number;
        at_ms: number;
        kind: string;
        actor: string | null;
        message: string;
      }>
    ).map((r) => ({ id: r.id, at: iso(r.at_ms), kind: r.kind, actor: r.actor, message: r.message }));
  }

  /** Adds a timeline entry once per (incident, dedup); returns whether it was new. */
  note(
    incidentId: number,
    kind: string,
    message: string,
    opts: { actor?: string | null; dedup?: string; atMs?: number } = {},
  ): boolean {
    const info = this.#timelineInsert.run(
      incidentId,
      opts.atMs ?? this.#now(),
      kind,
      opts.actor ?? null,
      message.slice(0, 2000),
      opts.dedup ?? `${kind}:${this.#now()}:${Math.random()}`,
    );
    if (info.changes > 0) this.#touch.run(this.#now(), incidentId);
    return info.changes > 0;
  }

  list(opts: { status?: IncidentStatus | 'open'; q?: string; limit: number }): Incident[] {
    const where: string[] = [];
    const args: Array<string | number> = [];
    if (opts.status === 'open') where.push("status != 'resolved'");
    else if (opts.status) {
      where.push('status = ?');
      args.push(opts.status);
    }
    if (opts.q) {
      where.push(
        "(title LIKE ? ESCAPE '\\' OR alertname LIKE ? ESCAPE '\\' OR service LIKE ? ESCAPE '\\' OR team LIKE ? ESCAPE '\\')",
      );
      const like = `%${opts.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      args.push(like, like, like, like);
    }
    const sql = `SELECT * FROM incidents ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY (status = 'resolved'), updated_ms DESC LIMIT ?`;
    return (this.#db.prepare(sql).all(...args, opts.limit) as Row[]).map(toIncident);
  }

  /** Applies one Alertmanager notification; returns the incident it belongs to, if any. */
  ingest(
    payload: WebhookPayload,
    alertmanager: string,
    policyFor: (labels: Record<string, string>) => string | null,
  ): Incident | undefined {
    const now = this.#now();
    const events: Array<() => void> = [];
    const incident = this.#db.transaction(() => {
      let row = this.#openByKey.get(payload.groupKey) as Row | undefined;
      const firing = payload.alerts.filter((a) => a.status === 'firing');
      if (!row) {
        if (payload.status !== 'firing' || firing.length === 0) return undefined; // resolution of nothing we track
        const labels = { ...payload.commonLabels, ...payload.groupLabels };
        const alertname = labels.alertname ?? firing[0]!.labels.alertname ?? 'alert';
        const service = labels.service ?? firing[0]!.labels.service ?? '';
        const title = payload.commonAnnotations.summary ?? `${alertname}${service ? ` on ${service}` : ''}`;
        const policy = policyFor(labels);
        const info = this.#insert.run(
          payload.groupKey,
          alertmanager,
          title.slice(0, 500),
          alertname,
          service,
          labels.severity ?? '',
          labels.team ?? '',
          JSON.stringify(payload.groupLabels),
          policy,
          now,
          now,
        );
        row = this.#get.get(Number(info.lastInsertRowid)) as Row;
        this.note(
          row.id,
          'triggered',
          `incident opened from ${alertname}${service ? ` on ${service}` : ''}`,
          { dedup: 'triggered' },
        );
        const inc = toIncident(row);
        events.push(() => this.events?.triggered(inc));
      }
      const id = row.id;
      for (const a of payload.alerts) {
        const who = Object.entries(a.labels)
          .filter(([k]) => k !== 'alertname')
          .map(([k, v]) => `${k}=${v}`)
          .join(', ');
        if (a.status === 'firing')
          this.note(id, 'alert.fired', `${a.labels.alertname ?? 'alert'} firing (${who})`, {
            dedup: `fired:${a.fingerprint}:${a.startsAt}`,
            atMs: Date.parse(a.startsAt) || now,
          });
        else
          this.note(id, 'alert.resolved', `${a.labels.alertname ?? 'alert'} resolved (${who})`, {
            dedup: `resolved:${a.fingerprint}:${a.endsAt}`,
          });
      }
      if (payload.status === 'resolved') {
        this.#setStatus.run('resolved', row.acked_by, row.ack_silence, now, now, id);
        this.note(id, 'resolved', 'all alerts of the group resolved', { dedup: 'resolved' });
        const inc = toIncident(this.#get.get(id) as Row);
        events.push(() => this.events?.resolved(inc));
      }
      return toIncident(this.#get.get(id) as Row);
    })();
    for (const e of events) e();
    return incident;
  }

  open(): Incident[] {
    return (this.#open.all() as Row[]).map(toIncident);
  }

  /** Resolves an open incident whose alerts Alertmanager no longer lists (e.g. the resolution was silenced by its ACK!). */
  resolveGone(id: number, why: string): void {
    const row = this.#get.get(id) as Row | undefined;
    if (!row || row.status === 'resolved') return;
    const now = this.#now();
    this.#db.transaction(() => {
      this.#setStatus.run('resolved', row.acked_by, row.ack_silence, now, now, id);
      this.note(id, 'resolved', why, { dedup: 'resolved' });
    })();
    this.events?.resolved(this.get(id)!);
  }

  /** Marks every open incident whose group labels all equal `labels`' as acknowledged. */
  acknowledgeMatching(labels: Record<string, string>, by: string, silenceId: string): Incident[] {
    const hits = (this.#open.all() as Row[]).filter((r) => {
      const g = JSON.parse(r.group_labels) as Record<string, string>;
      const keys = Object.keys(g);
      return keys.length > 0 && keys.every((k) => labels[k] === g[k]);
    });
    return hits.flatMap((r) => (this.acknowledge(r.id, by, silenceId) ? [this.get(r.id)!] : []));
  }

  /**
   * Acknowledges an open incident; `how` names a different timeline entry (e.g. a silence made
   * outside Vigil, found by the reconciliation).
   */
  acknowledge(
    id: number,
    by: string,
    silenceId: string | null,
    how?: { kind: string; message: string },
  ): boolean {
    const row = this.#get.get(id) as Row | undefined;
    if (!row || row.status === 'resolved') return false;
    const now = this.#now();
    this.#db.transaction(() => {
      this.#setStatus.run('acknowledged', by, silenceId, null, now, id);
      this.note(
        id,
        how?.kind ?? 'acknowledged',
        how?.message ??
          `acknowledged by ${by}${silenceId ? ` (Alertmanager silence ${silenceId}, ACK!)` : ''}`,
        {
          actor: by,
          dedup: `ack:${silenceId ?? now}`,
        },
      );
    })();
    const inc = this.get(id)!;
    this.events?.acknowledged(inc, by);
    return true;
  }

  unacknowledgeSilence(silenceId: string, by: string, message?: string): Incident[] {
    const rows = this.#db
      .prepare("SELECT * FROM incidents WHERE ack_silence = ? AND status = 'acknowledged'")
      .all(silenceId) as Row[];
    const now = this.#now();
    return rows.map((r) => {
      this.#db.transaction(() => {
        this.#setStatus.run('triggered', null, null, null, now, r.id);
        this.note(
          r.id,
          'unacknowledged',
          message ?? `acknowledgement withdrawn by ${by} (silence ${silenceId} expired); escalation restarts`,
          {
            actor: by,
            dedup: `unack:${silenceId}`,
          },
        );
      })();
      const inc = this.get(r.id)!;
      this.events?.unacknowledged(inc, by);
      return inc;
    });
  }
}
