import { Worker } from 'node:worker_threads';
import type { Dependency } from './trace-store.ts';

/** Runs dependency queries on a worker thread (started on first use), one at a time. */
export class DependencyQuery {
  readonly #file: string;
  #worker: Worker | null = null;
  #nextId = 1;
  readonly #pending = new Map<number, { resolve: (d: Dependency[]) => void; reject: (e: Error) => void }>();

  constructor(file: string) {
    this.#file = file;
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(new URL('./dependency-worker.ts', import.meta.url), {
      workerData: { file: this.#file },
    });
    worker.on('message', (msg: { id: number; data?: Dependency[]; error?: string }) => {
      const p = this.#pending.get(msg.id);
      if (!p) return;
      this.#pending.delete(msg.id);
      if (msg.error !== undefined) p.reject(new Error(msg.error));
      else p.resolve(msg.data ?? []);
    });
    const fail = (err: Error) => {
      for (const p of this.#pending.values()) p.reject(err);
      this.#pending.clear();
      this.#worker = null;
    };
    worker.on('error', fail);
    worker.on('exit', () => fail(new Error('dependency worker exited')));
    worker.unref();
    this.#worker = worker;
    return worker;
  }

  run(startNs: number, endNs: number): Promise<Dependency[]> {
    const worker = this.#start();
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      worker.postMessage({ id, startNs, endNs });
    });
  }

  async close(): Promise<void> {
    const w = this.#worker;
    this.#worker = null;
    if (w) await w.terminate();
  }
}
