import type { Statement } from 'better-sqlite3';
import type { HubDatabase } from '../storage/database.ts';
import type { SpanRecord } from './jaeger-format.ts';
import { jsonPath } from './json-path.ts';

export interface TraceSearch {
  service?: string;
  operation?: string;
  tags: [string, string][];
  minDurationNs?: number;
  maxDurationNs?: number;
  startNs: number;
  endNs: number;
  limit: number;
}

export interface Dependency {
  parent: string;
  child: string;
  callCount: number;
  errorCount: number;
}

// A search whose filters match almost nothing must still answer quickly; it stops after this many spans.
const MAX_SCANNED = 500_000;

/** Read-side SQL for spans; statements are prepared once and reused. */
export class TraceStore {
  readonly #db: HubDatabase;
  readonly #byTrace;
  readonly #services;
  readonly #operations;
  readonly #operationsByKind;
  readonly #searches = new Map<string, Statement<unknown[]>>();

  constructor(db: HubDatabase) {
    this.#db = db;
    this.#byTrace = db.prepare(
      `SELECT s.*, r.json AS resource FROM spans s JOIN resources r ON r.id = s.resource_id
       WHERE s.trace_id = ? ORDER BY s.start_ns`,
    );
    this.#services = db.prepare('SELECT DISTINCT service FROM operations ORDER BY service').pluck();
    this.#operations = db.prepare('SELECT name, kind FROM operations WHERE service = ? ORDER BY name, kind');
    this.#operationsByKind = db.prepare(
      'SELECT name, kind FROM operations WHERE service = ? AND kind = ? ORDER BY name',
    );
  }

  trace(traceId: Buffer): SpanRecord[] {
    return this.#byTrace.all(traceId) as SpanRecord[];
  }

  services(): string[] {
    return this.#services.all() as string[];
  }

  operations(service: string, kind?: number): { name: string; kind: number }[] {
    return (
      kind === undefined ? this.#operations.all(service) : this.#operationsByKind.all(service, kind)
    ) as {
      name: string;
      kind: number;
    }[];
  }

  /** Trace ids with a matching span, most recent first: walks the time index and stops at `limit` distinct traces. */
  searchTraceIds(q: TraceSearch): Buffer[] {
    const where = ['start_ns >= ?', 'start_ns <= ?'];
    const args: unknown[] = [q.startNs, q.endNs];
    if (q.service !== undefined) {
      where.push('service = ?');
      args.push(q.service);
    }
    if (q.operation !== undefined) {
      where.push('name = ?');
      args.push(q.operation);
    }
    if (q.minDurationNs !== undefined) {
      where.push('duration_ns >= ?');
      args.push(q.minDurationNs);
    }
    if (q.maxDurationNs !== undefined) {
      where.push('duration_ns <= ?');
      args.push(q.maxDurationNs);
    }
    for (const [key, value] of q.tags) {
      if (key === 'error') {
        where.push(value === 'true' ? 'status_code = 2' : 'status_code <> 2');
      } else if (key === 'span.kind') {
        where.push('kind = ?');
        args.push(['', 'internal', 'server', 'client', 'producer', 'consumer'].indexOf(value));
      } else {
        // `->` yields JSON text, so the string "500" and the number 500 both match tag value 500.
        where.push(`attributes -> ? IN (?, ?)`);
        args.push(jsonPath(key), JSON.stringify(value), value);
      }
    }
    const index = q.service !== undefined ? 'spans_service_start' : 'spans_start';
    const sql = `SELECT trace_id FROM spans INDEXED BY ${index} WHERE ${where.join(' AND ')} ORDER BY start_ns DESC`;
    let stmt = this.#searches.get(sql);
    if (stmt === undefined) {
      stmt = this.#db.prepare(sql).pluck();
      this.#searches.set(sql, stmt);
    }
    const seen = new Set<string>();
    const ids: Buffer[] = [];
    let scanned = 0;
    for (const id of stmt.iterate(...args) as IterableIterator<Buffer>) {
      const hex = id.toString('hex');
      if (!seen.has(hex)) {
        seen.add(hex);
        ids.push(id);
        if (ids.length >= q.limit) break;
      }
      if (++scanned >= MAX_SCANNED) break;
    }
    return ids;
  }
}
