// CPU the order-flow stack burns with no traffic at all (timers, polls, scrapes of nothing), per process.
// Usage: node bench/order-flow/idle-cpu.ts [--seconds 10]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type ServiceName, startStack } from '../../test/order-flow/support/stack.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '10' } } });
const seconds = Number(values.seconds);
const NAMES: ServiceName[] = [
  'hub',
  'smtp-sink',
  'user',
  'product',
  'payment',
  'notification',
  'order',
  'gateway',
];

function cpuSeconds(pid: number): number {
  const fields = (readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1] ?? '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const stack = await startStack({ hub: true });
try {
  await new Promise((resolve) => setTimeout(resolve, 3000)); // start-up work settles
  const before = NAMES.map((n) => cpuSeconds(stack.service(n).child.pid as number));
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const used = NAMES.map((n, i) => cpuSeconds(stack.service(n).child.pid as number) - (before[i] ?? 0));
  const rows = NAMES.map((n, i) => ({
    process: n,
    'CPU ms per second idle': Math.round(((used[i] ?? 0) * 1000) / seconds),
  }));
  console.table(rows);
  console.log(
    `total: ${Math.round((used.reduce((a, b) => a + b, 0) * 1000) / seconds)} ms CPU per second with no traffic`,
  );
} finally {
  await stack.close();
}
