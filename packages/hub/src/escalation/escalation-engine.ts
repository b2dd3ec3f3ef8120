import type BetterSqlite3 from 'better-sqlite3';
import type { ChannelSender, Notification } from '../channels/channels.ts';
import type { Incident, IncidentEvents, IncidentStore } from '../incidents/incidents.ts';
import type { OncallConfig, Target } from '../oncall/oncall-config.ts';
import { onCallAt } from '../oncall/schedule.ts';
import type { ConsoleDatabase } from '../storage/console-db.ts';
import type { EngineMetrics } from './escalation-metrics.ts';

interface EscalationRow {
  incident_id: number;
  policy: string;
  generation: number;
  round: number;
  step: number;
  due_ms: number;
}

interface DeliveryRow {
  key: string;
  incident_id: number;
  channel: string;
  type: string;
  target: string;
  action: 'trigger' | 'acknowledge' | 'resolve';
  attempts: number;
  due_ms: number;
}

export interface EngineLogger {
  error(obj: Record<string, unknown>, msg: string): void;
}

export interface EscalationOptions {
  db: ConsoleDatabase;
  incidents: IncidentStore;
  oncall: () => OncallConfig | undefined;
  /** Not needed where the engine only records (`wake` set): the thread that ticks sends. */
  sender?: Pick<ChannelSender, 'send'>;
  metrics: EngineMetrics;
  logger: EngineLogger;
  /**
   * Set where another thread runs the loop (escalation/escalation-thread.ts): called instead of
   * ticking here when a step may be due now (a new incident, an ack or resolution to send).
   */
  wake?: () => void;
  /** The console's own URL, for links in notifications. */
  consoleUrl: string;
  tickMs?: number;
  maxAttempts?: number;
  backoffMs?: (attempt: number) => number;
  now?: () => number;
}

/**
 * Runs escalation policies for unacknowledged incidents. Everything it owes is in the database:
 * an `escalations` row per incident (the next step and when it is due) and a `deliveries` row per
 * notification, keyed `i<incident>/g<generation>/r<round>/s<step>/<user>/<channel>`. Firing a step
 * inserts its deliveries and advances the row in one transaction, so after a crash or kill -9 a
 * step is neither lost (its row is still due) nor repeated (its deliveries already exist).
 * Deliveries are sent and retried with exponential backoff until delivered or `maxAttempts`.
 */
export class EscalationEngine implements IncidentEvents {
  readonly #o: Required<Omit<EscalationOptions, 'tickMs' | 'wake' | 'sender'>> &
    Pick<EscalationOptions, 'wake' | 'sender'> & { tickMs: number };
  readonly #db: ConsoleDatabase;
  #timer: NodeJS.Timeout | undefined;
  #ticking = false;
  #kicked = false;
  readonly #inflight = new Set<string>();
  readonly #sends = new Set<Promise<void>>();
  readonly #settling: Array<{
    d: DeliveryRow;
    error: string | undefined;
    resolve: () => void;
    reject: (err: Error) => void;
  }> = [];
  readonly #statements = new Map<string, BetterSqlite3.Statement<unknown[]>>();

  constructor(opts: EscalationOptions) {
    this.#o = {
      tickMs: 200,
      maxAttempts: 8,
      backoffMs: (attempt) => Math.min(60_000, 1000 * 2 ** (attempt - 1)),
      now: Date.now,
      ...opts,
    };
    this.#db = opts.db;
  }

  /** A prepared statement, compiled once per SQL text (every path here runs per incident or tick). */
  #sql(text: string): BetterSqlite3.Statement<unknown[]> {
    let st = this.#statements.get(text);
    if (!st) {
      st = this.#db.prepare<unknown[]>(text);
      this.#statements.set(text, st);
    }
    return st;
  }

  /** A tick soon (coalesced): a burst of new incidents costs one pass, not one each. */
  #kick(): void {
    if (this.#o.wake) {
      this.#o.wake();
      return;
    }
    if (this.#kicked) return;
    this.#kicked = true;
    setImmediate(() => {
      this.#kicked = false;
      void this.tick();
    });
  }

  start(): void {
    if (!this.#o.sender) throw new Error('the escalation loop needs a channel sender');
    this.#timer ??= setInterval(() => void this.tick(), this.#o.tickMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await Promise.allSettled([...this.#sends]);
  }

  // --- incident events -------------------------------------------------------------------------

  triggered(incident: Incident): void {
    this.#begin(incident, 0);
  }

  unacknowledged(incident: Incident): void {
    const gen =
      (this.#sql('SELECT generation FROM escalations WHERE incident_id = ?').pluck().get(incident.id) as
        | number
        | undefined) ?? -1;
    this.#begin(incident, gen + 1);
  }

  acknowledged(incident: Incident, by: string): void {
    this.#halt(incident, 'acknowledge', `escalation stopped: acknowledged by ${by}`);
  }

  resolved(incident: Incident): void {
    this.#halt(incident, 'resolve', 'escalation stopped: resolved');
  }

  #begin(incident: Incident, generation: number): void {
    const cfg = this.#o.oncall();
    const policy = incident.policy ? cfg?.policies.get(incident.policy) : undefined;
    if (!incident.policy) {
      this.#o.incidents.note(
        incident.id,
        'escalation',
        'no escalation policy routes this alert (monitoring/oncall routing); nobody is paged',
        { dedup: `nopolicy:${generation}` },
      );
      return;
    }
    if (!policy) {
      this.#o.incidents.note(
        incident.id,
        'escalation.error',
        `escalation policy "${incident.policy}" is not loaded (check monitoring/oncall)`,
        { dedup: `missing:${generation}` },
      );
      return;
    }
    const now = this.#o.now();
    this.#sql(
      `INSERT INTO escalations (incident_id, policy, generation, round, step, due_ms, state) VALUES (?, ?, ?, 0, 0, ?, 'pending')
         ON CONFLICT (incident_id) DO UPDATE SET policy = excluded.policy, generation = excluded.generation, round = 0, step = 0, due_ms = excluded.due_ms, state = 'pending'`,
    ).run(incident.id, policy.name, generation, now + policy.steps[0]!.delay);
    this.#o.incidents.note(
      incident.id,
      'escalation',
      `escalation policy "${policy.name}" started (${policy.steps.length} steps, repeat ${policy.repeat})`,
      { dedup: `start:${generation}` },
    );
    // Not inline: this runs inside the notification's transaction; the step fires on the next tick.
    this.#kick();
  }

  #halt(incident: Incident, action: 'acknowledge' | 'resolve', message: string): void {
    const now = this.#o.now();
    this.#db
      .transaction(() => {
        const info = this.#sql(
          "UPDATE escalations SET state = 'stopped' WHERE incident_id = ? AND state = 'pending'",
        ).run(incident.id);
        if (info.changes > 0)
          this.#o.incidents.note(incident.id, 'escalation', message, { dedup: `halt:${action}:${now}` });
        // PagerDuty incidents opened for this one follow it: acknowledge / resolve with the same dedup_key.
        const pd = this.#sql(
          "SELECT DISTINCT channel FROM deliveries WHERE incident_id = ? AND type = 'pagerduty' AND action = 'trigger'",
        )
          .pluck()
          .all(incident.id) as string[];
        for (const channel of pd)
          this.#sql(
            `INSERT OR IGNORE INTO deliveries (key, incident_id, channel, type, target, action, state, next_ms, created_ms, due_ms)
             VALUES (?, ?, ?, 'pagerduty', '-', ?, 'pending', ?, ?, ?)`,
          ).run(
            `i${incident.id}/${action}/${incident.ackSilence ?? now}/${channel}`,
            incident.id,
            channel,
            action,
            now,
            now,
            now,
          );
      })
      .immediate();
    this.#kick();
  }

  // --- the loop ---------------------------------------------------------------------------------

  /** Fires due steps, then sends due deliveries. Re-entrant calls are no-ops. */
  async tick(): Promise<void> {
    if (this.#ticking) return;
    this.#ticking = true;
    try {
      const now = this.#o.now();
      const due = this.#sql(
        "SELECT * FROM escalations WHERE state = 'pending' AND due_ms <= ? ORDER BY due_ms LIMIT 100",
      ).all(now) as EscalationRow[];
      // The due steps in one commit (each its own savepoint: a failing step rolls back alone).
      // Fewer commits also mean fewer times the other thread's connection has to re-read pages.
      try {
        if (due.length > 0)
          this.#db
            .transaction(() => {
              for (const row of due) {
                try {
                  this.#fire(row, now);
                } catch (err) {
                  this.#o.logger.error({ err, incident: row.incident_id }, 'escalation step failed');
                }
              }
            })
            .immediate();
      } catch (err) {
        // Nothing of it committed: the steps are still due and fire on a later tick.
        this.#o.logger.error({ err }, 'escalation steps could not be recorded');
      }
      const deliveries = this.#sql(
        "SELECT key, incident_id, channel, type, target, action, attempts, due_ms FROM deliveries WHERE state = 'pending' AND next_ms <= ? ORDER BY next_ms LIMIT 100",
      ).all(now) as DeliveryRow[];
      for (const d of deliveries) {
        if (this.#inflight.has(d.key)) continue;
        this.#inflight.add(d.key);
        const p = this.#deliver(d)
          .catch((err) =>
            // Not recorded: still pending, so it is sent again (same key) on a later tick.
            this.#o.logger.error({ err, key: d.key }, 'recording a delivery outcome failed'),
          )
          .finally(() => {
            this.#inflight.delete(d.key);
            this.#sends.delete(p);
          });
        this.#sends.add(p);
      }
    } finally {
      this.#ticking = false;
    }
  }

  #fire(row: EscalationRow, now: number): void {
    const cfg = this.#o.oncall();
    const policy = cfg?.policies.get(row.policy);
    const incidents = this.#o.incidents;
    const prefix = `i${row.incident_id}/g${row.generation}/r${row.round}/s${row.step}`;
    // IMMEDIATE: the write lock first, then the re-read (the main thread's connection writes too).
    this.#db
      .transaction(() => {
        // Re-read under the write lock: another tick or an ack may have moved it.
        const cur = this.#sql("SELECT * FROM escalations WHERE incident_id = ? AND state = 'pending'").get(
          row.incident_id,
        ) as EscalationRow | undefined;
        if (!cur || cur.generation !== row.generation || cur.round !== row.round || cur.step !== row.step)
          return;
        if (!cfg || !policy) {
          incidents.note(
            row.incident_id,
            'escalation.error',
            `escalation policy "${row.policy}" is not loaded; retrying in 30 s`,
            { dedup: `${prefix}/missing` },
          );
          this.#sql('UPDATE escalations SET due_ms = ? WHERE incident_id = ?').run(
            now + 30_000,
            row.incident_id,
          );
          return;
        }
        const step = policy.steps[row.step]!;
        const sent: string[] = [];
        for (const target of step.targets) {
          for (const d of this.#resolve(cfg, target, now, row.incident_id, prefix)) {
            this.#sql(
              `INSERT OR IGNORE INTO deliveries (key, incident_id, channel, type, target, action, state, next_ms, created_ms, due_ms)
               VALUES (?, ?, ?, ?, ?, 'trigger', 'pending', ?, ?, ?)`,
            ).run(
              `${prefix}/${d.user ?? '-'}/${d.channel}`,
              row.incident_id,
              d.channel,
              cfg.channels.get(d.channel)!.type,
              d.user ?? '-',
              now,
              now,
              row.due_ms,
            );
            sent.push(`${d.user ? `${d.user} by ` : ''}${d.channel}`);
          }
        }
        const label = `step ${row.step + 1}/${policy.steps.length}${policy.repeat ? ` (round ${row.round + 1}/${policy.repeat + 1})` : ''}`;
        incidents.note(
          row.incident_id,
          'escalated',
          `${label}: notifying ${sent.join(', ') || 'nobody (see above)'}`,
          { dedup: `${prefix}/fired` },
        );
        let [round, next] = [row.round, row.step + 1];
        if (next >= policy.steps.length) [round, next] = [round + 1, 0];
        if (round > policy.repeat) {
          this.#sql("UPDATE escalations SET state = 'done' WHERE incident_id = ?").run(row.incident_id);
          incidents.note(
            row.incident_id,
            'escalation',
            `policy "${policy.name}" exhausted without an acknowledgement`,
            { dedup: `${prefix}/done` },
          );
        } else {
          this.#sql('UPDATE escalations SET round = ?, step = ?, due_ms = ? WHERE incident_id = ?').run(
            round,
            next,
            Math.max(row.due_ms, now - 1000) + policy.steps[next]!.delay,
            row.incident_id,
          );
        }
      })
      .immediate();
    this.#o.metrics.step(row.policy);
    this.#o.metrics.lag(Math.max(0, now - row.due_ms) / 1000);
  }

  #resolve(
    cfg: OncallConfig,
    t: Target,
    now: number,
    incidentId: number,
    prefix: string,
  ): Array<{ user?: string; channel: string }> {
    if ('channel' in t) return [{ channel: t.channel }];
    let user: string | undefined;
    if ('user' in t) user = t.user;
    else {
      const schedule = cfg.schedules.get(t.schedule)!;
      user = onCallAt(schedule, now)?.user;
      if (!user) {
        this.#o.incidents.note(
          incidentId,
          'escalation.error',
          `nobody is on call in schedule "${t.schedule}"`,
          { dedup: `${prefix}/nobody/${t.schedule}` },
        );
        return [];
      }
    }
    const channels =
      t.channels ??
      cfg.users.get(user)?.channels ??
      [...cfg.channels.values()]
        .filter((c) => c.type === 'email')
        .map((c) => c.name)
        .slice(0, 1);
    return channels.map((channel) => ({ user: user!, channel }));
  }

  async #deliver(d: DeliveryRow): Promise<void> {
    const cfg = this.#o.oncall();
    const incidents = this.#o.incidents;
    const channel = cfg?.channels.get(d.channel);
    const incident = incidents.get(d.incident_id);
    const user = d.target !== '-' ? cfg?.users.get(d.target) : undefined;
    const step = /\/r([0-9]+)\/s([0-9]+)\//.exec(d.key);
    const n: Notification | undefined = incident && {
      key: d.key,
      action: d.action,
      incident: {
        id: incident.id,
        title: incident.title,
        service: incident.service,
        severity: incident.severity,
        url: `${this.#o.consoleUrl}/incidents/${incident.id}`,
      },
      context: step ? `escalation step ${Number(step[2]) + 1}, round ${Number(step[1]) + 1}` : d.action,
      user: user ? { name: user.name, email: user.email } : undefined,
    };
    let error: string | undefined;
    if (!channel) error = `channel "${d.channel}" is not configured`;
    else if (!n) error = 'incident is gone';
    else {
      try {
        await this.#o.sender!.send(channel, n);
      } catch (err) {
        error = (err as Error).message;
      }
    }
    // The outcome, its counter and its timeline entry in one transaction, shared with the other
    // outcomes that arrived in the same turn of the loop; the key stays in flight until it commits.
    await this.#settleSoon(d, error);
  }

  #settleSoon(d: DeliveryRow, error: string | undefined): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#settling.push({ d, error, resolve, reject });
      if (this.#settling.length === 1) setImmediate(() => this.#settleBatch());
    });
  }

  #settleBatch(): void {
    const batch = this.#settling.splice(0);
    const settled: typeof batch = [];
    try {
      this.#db
        .transaction(() => {
          for (const s of batch) {
            try {
              this.#db.transaction(() => this.#settle(s.d, s.error))(); // a savepoint: fails alone
              settled.push(s);
            } catch (err) {
              s.reject(err as Error);
            }
          }
        })
        .immediate();
    } catch (err) {
      for (const s of settled) s.reject(err as Error);
      return;
    }
    for (const s of settled) s.resolve();
  }

  #settle(d: DeliveryRow, error: string | undefined): void {
    const incidents = this.#o.incidents;
    const now = this.#o.now();
    const who = `${d.target !== '-' ? `${d.target} by ` : ''}${d.channel}`;
    if (!error) {
      this.#sql(
        "UPDATE deliveries SET state = 'delivered', attempts = attempts + 1, sent_ms = ?, last_error = NULL WHERE key = ?",
      ).run(now, d.key);
      this.#o.metrics.notification(d.type, 'delivered');
      const what = d.action === 'trigger' ? 'notified' : `sent ${d.action} to`;
      incidents.note(
        d.incident_id,
        'notified',
        `${what} ${who}${d.attempts ? ` (attempt ${d.attempts + 1})` : ''}`,
        { dedup: `delivered:${d.key}` },
      );
      return;
    }
    const attempts = d.attempts + 1;
    if (attempts >= this.#o.maxAttempts) {
      this.#sql("UPDATE deliveries SET state = 'failed', attempts = ?, last_error = ? WHERE key = ?").run(
        attempts,
        error,
        d.key,
      );
      this.#o.metrics.notification(d.type, 'failed');
      incidents.note(
        d.incident_id,
        'delivery.failed',
        `giving up on ${who} after ${attempts} attempts: ${error}`,
        { dedup: `failed:${d.key}` },
      );
      this.#o.logger.error({ key: d.key, error }, 'notification failed for good');
      return;
    }
    const wait = this.#o.backoffMs(attempts);
    this.#sql('UPDATE deliveries SET attempts = ?, next_ms = ?, last_error = ? WHERE key = ?').run(
      attempts,
      now + wait,
      error,
      d.key,
    );
    this.#o.metrics.notification(d.type, 'retry');
    incidents.note(
      d.incident_id,
      'delivery.retry',
      `${who} failed (${error}); retry ${attempts + 1} in ${Math.round(wait / 1000)} s`,
      { dedup: `retry:${d.key}:${attempts}` },
    );
  }

  /** Deliveries of an incident, for the console. */
  deliveries(incidentId: number): Array<Record<string, unknown>> {
    return this.#sql(
      'SELECT key, channel, type, target, action, state, attempts, created_ms, sent_ms, last_error FROM deliveries WHERE incident_id = ? ORDER BY created_ms, key',
    ).all(incidentId) as Array<Record<string, unknown>>;
  }

  pending(incidentId: number): { step: number; round: number; dueAt: string; state: string } | null {
    const r = this.#sql('SELECT step, round, due_ms, state FROM escalations WHERE incident_id = ?').get(
      incidentId,
    ) as { step: number; round: number; due_ms: number; state: string } | undefined;
    return r
      ? { step: r.step, round: r.round, dueAt: new Date(r.due_ms).toISOString(), state: r.state }
      : null;
  }
}
