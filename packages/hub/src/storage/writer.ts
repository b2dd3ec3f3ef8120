import { EventEmitter } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { LogRow } from '../otlp/normalize-logs.ts';
import type { SpanRow } from '../otlp/normalize-traces.ts';
import type { IngestQueue } from './ingest-queue.ts';
import type { FromWriter, ToWriter, WriterInit } from './writer-protocol.ts';

export type { StoredLog } from './row-writer.ts';

export type SubmitResult =
  | { accepted: true; done: Promise<void> }
  | { accepted: false; reason: 'queue_full' | 'closed' };

interface Pending {
  items: number;
  bytes: number;
  resolve: () => void;
  reject: (err: Error) => void;
}

/**
 * Front of the writer thread. Requests hand over rows and wait; the thread commits whatever has
 * arrived in one large transaction and acknowledges — so an OTLP 200 means committed (WAL), and
 * a kill -9 can lose only unacknowledged data.
 * Events: 'spans' (count stored), 'logs' (StoredLog[] stored), 'write_error', 'retention', 'retention_error'.
 */
export class StoreWriter extends EventEmitter {
  readonly queue: IngestQueue;
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #closed = false;
  #exited: Promise<void>;
  #ready: Promise<void>;
  #idle: (() => void)[] = [];

  constructor(init: WriterInit, queue: IngestQueue) {
    super();
    this.queue = queue;
    // Its own heap cap, so the writer's garbage cannot push the hub's RSS past its budget.
    this.#worker = new Worker(new URL('./writer-worker.ts', import.meta.url), {
      workerData: init,
      resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 16 },
    });
    let onReady!: () => void;
    let onFail!: (err: Error) => void;
    this.#ready = new Promise((resolve, reject) => {
      onReady = resolve;
      onFail = reject;
    });
    this.#worker.on('message', (msg: FromWriter) => this.#onMessage(msg, onReady));
    this.#worker.once('error', (err) => {
      onFail(err);
      this.emit('write_error', err);
    });
    this.#exited = new Promise((resolve) =>
      this.#worker.once('exit', () => {
        this.#closed = true;
        const err = new Error('writer thread exited');
        for (const p of this.#pending.values()) p.reject(err);
        this.#pending.clear();
        resolve();
      }),
    );
  }

  /** False once the writer thread has stopped (closed or crashed): the hub is then not ready. */
  get running(): boolean {
    return !this.#closed;
  }

  /** Resolves once the thread has opened the database (rejects if it could not). */
  ready(): Promise<void> {
    return this.#ready;
  }

  #onMessage(msg: FromWriter, onReady: () => void): void {
    switch (msg.type) {
      case 'ready':
        onReady();
        return;
      case 'done':
      case 'failed': {
        const err = msg.type === 'failed' ? new Error(msg.message) : null;
        for (const id of msg.ids) {
          const p = this.#pending.get(id);
          if (!p) continue;
          this.#pending.delete(id);
          this.queue.release(p.items, p.bytes);
          if (err) p.reject(err);
          else p.resolve();
        }
        if (msg.type === 'failed') this.emit('write_error', err);
        else {
          if (msg.spans > 0) this.emit('spans', msg.spans);
          if (msg.logs.length > 0) this.emit('logs', msg.logs);
        }
        if (this.#pending.size === 0) for (const fn of this.#idle.splice(0)) fn();
        return;
      }
      case 'retention':
        this.emit('retention', msg.spans, msg.logs);
        return;
      case 'retention_error':
        this.emit('retention_error', new Error(msg.message));
        return;
      case 'closed':
        return;
    }
  }

  submit(spans: SpanRow[] | null, logs: LogRow[] | null, bytes: number): SubmitResult {
    if (this.#closed) return { accepted: false, reason: 'closed' };
    const items = (spans?.length ?? 0) + (logs?.length ?? 0);
    if (!this.queue.offer(items, bytes)) return { accepted: false, reason: 'queue_full' };
    const id = this.#nextId++;
    const done = new Promise<void>((resolve, reject) =>
      this.#pending.set(id, { items, bytes, resolve, reject }),
    );
    const msg: ToWriter = { type: 'write', id, spans, logs };
    this.#worker.postMessage(msg);
    return { accepted: true, done };
  }

  /** Resolves when everything submitted so far is committed (or failed). */
  drain(): Promise<void> {
    if (this.#pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Refuses new work (callers answer 503), commits what is queued, closes the database. */
  async close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#worker.postMessage({ type: 'close' } satisfies ToWriter);
    }
    await this.#exited;
  }
}
