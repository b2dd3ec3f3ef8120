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

/** Inserts batches of rows in one transaction; statements and caches are prepared once. */
export function createRowWriter(
  db: HubDatabase,
): (batches: WriteBatch[]) => { spans: number; logs: StoredLog[] } {
  const insertSpan = db.prepare(
    `INSERT INTO spans (trace_id, span_id, parent_span_id, service, name, kind, start_ns, duration_ns,
       status_code, status_message, flags, attributes, events, links, resource_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
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
        for (const r of batch.spans) {
          const opKey = r.service + '\u0000' + r.name + '\u0000' + r.kind;
          if (!operations.has(opKey)) {
            insertOperation.run(r.service, r.name, r.kind);
            operations.add(opKey);
          }
          insertSpan.run(
            Buffer.from(r.trace_id, 'hex'),
            Buffer.from(r.span_id, 'hex'),
            hexId(r.parent_span_id),
            r.service,
            r.name,
            r.kind,
            r.start_ns,
            r.duration_ns,
            r.status_code,
            r.status_message,
            r.flags,
            r.attributes,
            r.events,
            r.links,
            resourceId(r.resource),
          );
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
