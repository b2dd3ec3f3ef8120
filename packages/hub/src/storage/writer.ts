import { EventEmitter } from 'node:events';
import type { LogRow } from '../otlp/normalize-logs.ts';
import type { SpanRow } from '../otlp/normalize-traces.ts';
import type { HubDatabase } from './database.ts';
import type { IngestJob, IngestQueue } from './ingest-queue.ts';

export interface StoredLog extends LogRow {
  id: number;
}

export interface WriterEvents {
  spans: (count: number) => void;
  logs: (rows: StoredLog[]) => void;
  write_error: (err: Error) => void;
}

export type SubmitResult =
  | { accepted: true; done: Promise<void> }
  | { accepted: false; reason: 'queue_full' | 'closed' };

/**
 * The only code that writes spans and logs. Requests enqueue rows and wait; the writer commits
 * whatever is queued in one large transaction per turn of the event loop, then acknowledges —
 * so an OTLP 200 means the data is committed (WAL), and a kill -9 can lose only unacknowledged data.
 */
export class StoreWriter extends EventEmitter {
  readonly #queue: IngestQueue;
  readonly #batch: number;
  #scheduled = false;
  #closed = false;
  #idle: (() => void)[] = [];
  readonly #resourceIds = new Map<string, number>();
  readonly #operations = new Set<string>();
  readonly #insertSpan;
  readonly #insertLog;
  readonly #insertResource;
  readonly #selectResource;
  readonly #insertOperation;
  readonly #commit;

  constructor(db: HubDatabase, queue: IngestQueue, batch: number) {
    super();
    this.#queue = queue;
    this.#batch = batch;
    this.#insertSpan = db.prepare(
      `INSERT INTO spans (trace_id, span_id, parent_span_id, service, name, kind, start_ns, duration_ns,
         status_code, status_message, flags, attributes, events, links, resource_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#insertLog = db.prepare(
      `INSERT INTO logs (time_ns, service, severity_number, severity_text, body, trace_id, span_id, attributes, resource_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#insertResource = db.prepare('INSERT OR IGNORE INTO resources (json) VALUES (?)');
    this.#selectResource = db.prepare('SELECT id FROM resources WHERE json = ?').pluck();
    this.#insertOperation = db.prepare(
      'INSERT OR IGNORE INTO operations (service, name, kind) VALUES (?, ?, ?)',
    );
    this.#commit = db.transaction((jobs: IngestJob[]) => this.#write(jobs));
  }

  get queue(): IngestQueue {
    return this.#queue;
  }

  submit(spans: SpanRow[] | null, logs: LogRow[] | null, bytes: number): SubmitResult {
    if (this.#closed) return { accepted: false, reason: 'closed' };
    let resolve!: () => void;
    let reject!: (err: Error) => void;
    const done = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const items = (spans?.length ?? 0) + (logs?.length ?? 0);
    if (!this.#queue.offer({ spans, logs, items, bytes, resolve, reject })) {
      return { accepted: false, reason: 'queue_full' };
    }
    this.#schedule();
    return { accepted: true, done };
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => this.#flushOnce());
  }

  #flushOnce(): void {
    this.#scheduled = false;
    const jobs = this.#queue.take(this.#batch);
    if (jobs.length > 0) {
      let stored: { spans: number; logs: StoredLog[] } | null = null;
      try {
        stored = this.#commit(jobs);
      } catch (err) {
        // Nothing of this transaction is stored; the exporters get a retryable 503 and resend.
        const e = err instanceof Error ? err : new Error(String(err));
        for (const job of jobs) job.reject(e);
        this.emit('write_error', e);
      }
      if (stored !== null) {
        for (const job of jobs) job.resolve();
        if (stored.spans > 0) this.emit('spans', stored.spans);
        if (stored.logs.length > 0) this.emit('logs', stored.logs);
      }
    }
    if (this.#queue.length > 0) this.#schedule();
    else for (const fn of this.#idle.splice(0)) fn();
  }

  #resourceId(json: string): number {
    let id = this.#resourceIds.get(json);
    if (id === undefined) {
      this.#insertResource.run(json);
      id = this.#selectResource.get(json) as number;
      this.#resourceIds.set(json, id);
    }
    return id;
  }

  #write(jobs: IngestJob[]): { spans: number; logs: StoredLog[] } {
    let spans = 0;
    const logs: StoredLog[] = [];
    for (const job of jobs) {
      if (job.spans) {
        for (const r of job.spans) {
          const opKey = r.service + '\u0000' + r.name + '\u0000' + r.kind;
          if (!this.#operations.has(opKey)) {
            this.#insertOperation.run(r.service, r.name, r.kind);
            this.#operations.add(opKey);
          }
          this.#insertSpan.run(
            r.trace_id,
            r.span_id,
            r.parent_span_id,
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
            this.#resourceId(r.resource),
          );
        }
        spans += job.spans.length;
      }
      if (job.logs) {
        for (const r of job.logs) {
          const info = this.#insertLog.run(
            r.time_ns,
            r.service,
            r.severity_number,
            r.severity_text,
            r.body,
            r.trace_id,
            r.span_id,
            r.attributes,
            this.#resourceId(r.resource),
          );
          logs.push({ ...r, id: Number(info.lastInsertRowid) });
        }
      }
    }
    return { spans, logs };
  }

  /** Resolves when everything queued so far is committed. */
  drain(): Promise<void> {
    if (this.#queue.length === 0 && !this.#scheduled) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Refuses new work (callers answer 503) and commits what is queued. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.drain();
  }
}
