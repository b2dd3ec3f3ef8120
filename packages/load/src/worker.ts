// Worker-thread entry: says when it is loaded, then runs one share of the executor from the
// common start instant the main thread sends, and reports to the main thread.
import { parentPort, workerData } from 'node:worker_threads';
import { type Runner, type RunnerInit, startRunner, warmUp } from './runner.ts';
import { Ticker } from './ticker.ts';

const port = parentPort;
if (!port) throw new Error('worker.ts runs as a worker thread');
const init = workerData as RunnerInit;
// The open model's clock thread loads now, so the common start does not wait for it.
const ticker =
  init.executor.kind === 'open'
    ? new Ticker(init.executor, init.worker, init.workers, init.batchMs)
    : undefined;
let runner: Runner | undefined;
port.on('message', (m: { type?: string; t?: number; startAt?: number }) => {
  if (m.type === 'start')
    runner = startRunner({ ...init, startAt: m.startAt ?? 0 }, (r) => port.postMessage(r), ticker);
  else if (m.type === 'flush') runner?.flush(m.t ?? 0);
  else if (m.type === 'stop') {
    if (runner) runner.stop();
    else port.postMessage({ type: 'done', report: null });
  }
});
await Promise.all([warmUp(), ticker?.ready]);
port.postMessage({ type: 'ready' });
