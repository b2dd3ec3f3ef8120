// Worker-thread entry: says when it is loaded, then runs one share of the executor from the
// common start instant the main thread sends, and reports to the main thread.
import { parentPort, workerData } from 'node:worker_threads';
import { type Runner, type RunnerInit, startRunner, warmUp } from './runner.ts';

const port = parentPort;
if (!port) throw new Error('worker.ts runs as a worker thread');
let runner: Runner | undefined;
port.on('message', (m: { type?: string; t?: number; startEpoch?: number }) => {
  if (m.type === 'start')
    runner = startRunner({ ...(workerData as RunnerInit), startEpoch: m.startEpoch ?? 0 }, (r) =>
      port.postMessage(r),
    );
  else if (m.type === 'flush') runner?.flush(m.t ?? 0);
  else if (m.type === 'stop') {
    if (runner) runner.stop();
    else port.postMessage({ type: 'done', report: null });
  }
});
await warmUp();
port.postMessage({ type: 'ready' });
