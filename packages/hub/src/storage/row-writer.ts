import type { LogRow } from '../otlp/normalize-logs.ts';
import type { SpanRow } from '../otlp/normalize-traces.ts';
import type { HubDatabase } from './database.ts';

export interface WriteBatch {
  spans: SpanRow[] | null;
  logs: LogRow[] | null;
}

export interface StoredLog extends LogRow {
  id: number;
}

const hexId = (s: string | null) => (s === null ? null : Buffer.from(s, 'hex'));

const SPAN_COLUMNS = 15;
const SPAN_GROUP = 32;

function fillSpanArgs(args: unknown[], at: number, r: SpanRow, resourceId: (json: string) => number): void {
  args[at] = Buffer.from(r.trace_id, 'hex');
  args[at + 1] = Buffer.from(r.span_id, 'hex');
  args[at + 2] = hexId(r.parent_span_id);
  args[at + 3] = r.service;
  args[at + 4] = r.name;
  args[at + 5] = r.kind;
  args[at + 6] = r.start_ns;
  args[at + 7] = r.duration_ns;
  args[at + 8] = r.status_code;
  args[at + 9] = r.status_message;
  args[at + 10] = r.flags;
  args[at + 11] = r.attributes;
  args[at + 12] = r.events;
  args[at + 13] = r.links;
  args[at + 14] = resourceId(r.resource);
}

/** Inserts batches of rows in one transaction; statements and caches are prepared once. */
export function createRowWriter(
  db: HubDatabase,
): (batches: WriteBatch[]) => { spans: number; logs: StoredLog[] } {
  const spanSql = (rows: number) =>
    `INSERT INTO spans (trace_id, span_id, parent_span_id, service, name, kind, start_ns, duration_ns,
       status_code, status_message, flags, attributes, events, links, resource_id)
     VALUES ${Array.from({ length: rows }, () => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`;
  // Spans go in groups of SPAN_GROUP rows per statement: one step per group instead of per row.
  const insertSpanGroup = db.prepare(spanSql(SPAN_GROUP));
  const insertSpan = db.prepare(spanSql(1));
  const groupArgs: unknown[] = new Array(SPAN_GROUP * SPAN_COLUMNS);
  const insertLog = db.prepare(
    `INSERT INTO logs (time_ns, service, severity_number, severity_text, body, trace_id, span_id, attributes, resource_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertResource = db.prepare('INSERT OR IGNORE INTO resources (json) VALUES (?)');
  const selectResource = db.prepare('SELECT id FROM resources WHERE json = ?').pluck();
  const insertOperation = db.prepare(
    'INSERT OR IGNORE INTO operations (service, name, kind) VALUES (?, ?, ?)',
  );
  const resourceIds = new Map<string, number>();
  const operations = new Set<string>();

  const resourceId = (json: string): number => {
    let id = resourceIds.get(json);
    if (id === undefined) {
      insertResource.run(json);
      id = selectResource.get(json) as number;
      resourceIds.set(json, id);
    }
    return id;
  };

  return db.transaction((batches: WriteBatch[]) => {
    let spans = 0;
    const logs: StoredLog[] = [];
    for (const batch of batches) {
      if (batch.spans) {
        const rows = batch.spans;
        for (const r of rows) {
          const opKey = r.service + '\u0000' + r.name + '\u0000' + r.kind;
          if (!operations.has(opKey)) {
            insertOperation.run(r.service, r.name, r.kind);
            operations.add(opKey);
          }
        }
        const grouped = rows.length - (rows.length % SPAN_GROUP);
        for (let i = 0; i < grouped; i += SPAN_GROUP) {
          for (let j = 0; j < SPAN_GROUP; j++)
            fillSpanArgs(groupArgs, j * SPAN_COLUMNS, rows[i + j]!, resourceId);
          insertSpanGroup.run(groupArgs);
        }
        const single: unknown[] = new Array(SPAN_COLUMNS);
        for (let i = grouped; i < rows.length; i++) {
          fillSpanArgs(single, 0, rows[i]!, resourceId);
          insertSpan.run(single);
        }
        spans += batch.spans.length;
      }
      if (batch.logs) {
        for (const r of batch.logs) {
          const info = insertLog.run(
            r.time_ns,
            r.service,
            r.severity_number,
            r.severity_text,
            r.body,
            hexId(r.trace_id),
            hexId(r.span_id),
            r.attributes,
            resourceId(r.resource),
          );
          logs.push({ ...r, id: Number(info.lastInsertRowid) });
        }
      }
    }
    return { spans, logs };
  });
}
