import type { Statement } from 'better-sqlite3';
import type { HubDatabase } from '../storage/database.ts';
import type { StoredLog } from '../storage/writer.ts';
import { jsonPath } from './json-path.ts';
import { LEVELS, type LevelName, levelName } from './log-levels.ts';

export interface LogSearch {
  service?: string;
  levels: LevelName[];
  text?: string;
  traceId?: Buffer;
  attrs: [string, string][];
  startNs?: number;
  endNs?: number;
  limit: number;
  cursor?: { timeNs: number; id: number };
}

export interface LogRecord {
  id: number;
  time: string;
  time_unix_nano: string;
  service: string;
  level: string;
  severity_number: number;
  severity_text: string | null;
  body: string;
  trace_id: string | null;
  span_id: string | null;
  attributes: Record<string, unknown>;
}

interface LogRowDb {
  id: number;
  time_ns: number;
  service: string;
  severity_number: number;
  severity_text: string | null;
  body: string;
  trace_id: Buffer | null;
  span_id: Buffer | null;
  attributes: string;
}

// Stored rows carry ids as BLOBs; rows fresh from the writer (live tail) carry them as hex.
const hex = (id: Buffer | string | null) =>
  id === null ? null : typeof id === 'string' ? id : id.toString('hex');

export function toLogRecord(r: LogRowDb | StoredLog): LogRecord {
  return {
    id: r.id,
    time: new Date(Math.floor(r.time_ns / 1e6)).toISOString(),
    time_unix_nano: BigInt(Math.round(r.time_ns)).toString(),
    service: r.service,
    level: levelName(r.severity_number, r.severity_text),
    severity_number: r.severity_number,
    severity_text: r.severity_text,
    body: r.body,
    trace_id: hex(r.trace_id),
    span_id: hex(r.span_id),
    attributes: JSON.parse(r.attributes),
  };
}

export function encodeCursor(r: { time_ns: number; id: number }): string {
  return Buffer.from(`${r.time_ns}:${r.id}`).toString('base64url');
}

export function decodeCursor(s: string): { timeNs: number; id: number } | null {
  const m = /^([0-9]{1,20}):([0-9]{1,16})$/.exec(Buffer.from(s, 'base64url').toString('utf8'));
  return m ? { timeNs: Number(m[1]), id: Number(m[2]) } : null;
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Read-side SQL for logs; search statements are cached by shape. */
export class LogStore {
  readonly #db: HubDatabase;
  readonly #byTrace;
  readonly #searches = new Map<string, Statement<unknown[]>>();

  constructor(db: HubDatabase) {
    this.#db = db;
    this.#byTrace = db.prepare(
      `SELECT id, time_ns, service, severity_number, severity_text, body, trace_id, span_id, attributes
       FROM logs WHERE trace_id = ? ORDER BY time_ns, id LIMIT 10000`,
    );
  }

  byTrace(traceId: Buffer): LogRecord[] {
    return (this.#byTrace.all(traceId) as LogRowDb[]).map(toLogRecord);
  }

  /** Newest first; `next_cursor` continues strictly after the last record returned. */
  search(q: LogSearch): { data: LogRecord[]; next_cursor: string | null } {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.service !== undefined) {
      where.push('service = ?');
      args.push(q.service);
    }
    if (q.levels.length > 0) {
      where.push(`(${q.levels.map(() => 'severity_number BETWEEN ? AND ?').join(' OR ')})`);
      for (const l of q.levels) args.push(...LEVELS[l]);
    }
    if (q.text !== undefined) {
      where.push(`body LIKE ? ESCAPE '\\'`);
      args.push(`%${escapeLike(q.text)}%`);
    }
    if (q.traceId !== undefined) {
      where.push('trace_id = ?');
      args.push(q.traceId);
    }
    for (const [key, value] of q.attrs) {
      where.push('attributes -> ? IN (?, ?)');
      args.push(jsonPath(key), JSON.stringify(value), value);
    }
    if (q.startNs !== undefined) {
      where.push('time_ns >= ?');
      args.push(q.startNs);
    }
    if (q.endNs !== undefined) {
      where.push('time_ns <= ?');
      args.push(q.endNs);
    }
    if (q.cursor !== undefined) {
      where.push('(time_ns < ? OR (time_ns = ? AND id < ?))');
      args.push(q.cursor.timeNs, q.cursor.timeNs, q.cursor.id);
    }
    const sql = `SELECT id, time_ns, service, severity_number, severity_text, body, trace_id, span_id, attributes
      FROM logs ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY time_ns DESC, id DESC LIMIT ?`;
    let stmt = this.#searches.get(sql);
    if (stmt === undefined) {
      stmt = this.#db.prepare(sql);
      this.#searches.set(sql, stmt);
    }
    const rows = stmt.all(...args, q.limit + 1) as LogRowDb[];
    const more = rows.length > q.limit;
    if (more) rows.length = q.limit;
    const last = rows[rows.length - 1];
    return { data: rows.map(toLogRecord), next_cursor: more && last ? encodeCursor(last) : null };
  }
}

/** The same filters as `search`, for records arriving on the live tail. */
export function logMatcher(q: LogSearch): (r: StoredLog) => boolean {
  const text = q.text?.toLowerCase();
  const traceHex = q.traceId?.toString('hex');
  return (r) => {
    if (q.service !== undefined && r.service !== q.service) return false;
    if (
      q.levels.length > 0 &&
      !q.levels.some((l) => r.severity_number >= LEVELS[l][0] && r.severity_number <= LEVELS[l][1])
    ) {
      return false;
    }
    if (text !== undefined && !r.body.toLowerCase().includes(text)) return false;
    if (traceHex !== undefined && r.trace_id !== traceHex) return false;
    if (q.attrs.length > 0) {
      const attrs = JSON.parse(r.attributes) as Record<string, unknown>;
      for (const [k, v] of q.attrs) {
        const a = attrs[k];
        if (a === undefined || String(typeof a === 'object' ? JSON.stringify(a) : a) !== v) return false;
      }
    }
    return true;
  };
}
