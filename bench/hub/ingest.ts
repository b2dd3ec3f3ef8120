// Ingest benchmark: durable spans/s over OTLP/HTTP protobuf, then overload at 2x that rate.
// Usage: node bench/hub/ingest.ts [--runs 3] [--duration 20] [--connections 16] [--spans 500] [--overload-seconds 15]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { cpuDelta, median, metric, rssBytes, SERVICES, startHub, threadCpuSeconds } from './common.ts';
import { encodeBatch } from './span-batches.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    duration: { type: 'string', default: '20' },
    connections: { type: 'string', default: '16' },
    spans: { type: 'string', default: '500' },
    'overload-seconds': { type: 'string', default: '15' },
    'distinct-batches': { type: 'string', default: '120' },
    /** Offered rate for the overload phase; default twice the measured sustained rate. */
    'overload-rate': { type: 'string' },
  },
});
const RUNS = Number(values.runs);
const DURATION_S = Number(values.duration);
const CONNECTIONS = Number(values.connections);
const SPANS = Number(values.spans);
const OVERLOAD_S = Number(values['overload-seconds']);

process.stdout.write(`encoding ${values['distinct-batches']} batches of ${SPANS} spans… `);
const batches = Array.from({ length: Number(values['distinct-batches']) }, (_, i) =>
  encodeBatch(SERVICES[i % SERVICES.length]!, SPANS),
);
console.log(`done (${(batches[0]!.length / 1024).toFixed(0)} KiB each)`);

const HEADERS = { 'content-type': 'application/x-protobuf' };

async function post(pool: Pool, body: Buffer): Promise<number> {
  const res = await pool.request({ path: '/v1/traces', method: 'POST', headers: HEADERS, body });
  await res.body.dump();
  return res.statusCode;
}

interface Sample {
  stored: number;
  seconds: number;
  rate: number;
  statuses: Record<number, number>;
  maxRssMb: number;
  /** Hub CPU seconds per 100k stored spans: whole process, and its busiest thread. */
  cpuPer100k: number;
  busiestPer100k: number;
}

async function saturate(): Promise<Sample> {
  const dir = mkdtempSync(join(tmpdir(), 'hub-bench-ingest-'));
  const hub = await startHub(dir);
  const pool = new Pool(hub.otlp, { connections: CONNECTIONS, pipelining: 1 });
  const statuses: Record<number, number> = {};
  let maxRss = 0;
  const rssTimer = setInterval(() => {
    maxRss = Math.max(maxRss, rssBytes(hub.child.pid!));
  }, 250);
  let next = 0;
  let stop = false;
  const worker = async () => {
    while (!stop) {
      const s = await post(pool, batches[next++ % batches.length]!);
      statuses[s] = (statuses[s] ?? 0) + 1;
    }
  };
  const workers = Array.from({ length: CONNECTIONS }, worker);
  // 2 s warm-up, then the measured window on the hub's own stored counter.
  await new Promise((r) => setTimeout(r, 2000));
  const before = await metric(hub.api, 'hub_spans_stored_total');
  const cpu0 = threadCpuSeconds(hub.child.pid!);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, DURATION_S * 1000));
  const after = await metric(hub.api, 'hub_spans_stored_total');
  const cpu = cpuDelta(cpu0, threadCpuSeconds(hub.child.pid!));
  const seconds = (performance.now() - t0) / 1000;
  stop = true;
  await Promise.all(workers);
  clearInterval(rssTimer);
  await pool.close();
  await hub.stop();
  rmSync(dir, { recursive: true, force: true });
  const per100k = 100_000 / Math.max(1, after - before);
  return {
    stored: after - before,
    seconds,
    rate: (after - before) / seconds,
    statuses,
    maxRssMb: maxRss / 1048576,
    cpuPer100k: cpu.total * per100k,
    busiestPer100k: cpu.busiest * per100k,
  };
}

async function overload(rate: number) {
  const dir = mkdtempSync(join(tmpdir(), 'hub-bench-overload-'));
  const hub = await startHub(dir);
  // Many exporters at once: enough connections that in-flight spans exceed the hub's queue bound.
  const pool = new Pool(hub.otlp, { connections: 256, pipelining: 1 });
  const statuses: Record<string, number> = {};
  let maxRss = 0;
  const rssTimer = setInterval(() => {
    maxRss = Math.max(maxRss, rssBytes(hub.child.pid!));
  }, 100);
  const perSecond = rate / SPANS;
  const intervalMs = 1000 / perSecond;
  let inFlight = 0;
  let sent = 0;
  let skipped = 0;
  const pending: Promise<void>[] = [];
  const t0 = performance.now();
  const storedBefore = await metric(hub.api, 'hub_spans_stored_total');
  // Open loop: batches leave on a fixed schedule whether or not the hub keeps up.
  while (performance.now() - t0 < OVERLOAD_S * 1000) {
    const due = Math.floor((performance.now() - t0) / intervalMs);
    while (sent < due) {
      sent++;
      if (inFlight >= 512) {
        skipped++;
        continue;
      }
      inFlight++;
      pending.push(
        post(pool, batches[sent % batches.length]!)
          .then(
            (s) => {
              statuses[s] = (statuses[s] ?? 0) + 1;
            },
            () => {
              statuses.error = (statuses.error ?? 0) + 1;
            },
          )
          .finally(() => {
            inFlight--;
          }),
      );
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  await Promise.all(pending);
  const seconds = (performance.now() - t0) / 1000;
  const storedDuring = (await metric(hub.api, 'hub_spans_stored_total')) - storedBefore;
  clearInterval(rssTimer);
  // Recovery: the same process accepts a batch again once the flood stops.
  const r0 = performance.now();
  let recovered = false;
  while (performance.now() - r0 < 30_000) {
    if ((await post(pool, batches[0]!)) === 200) {
      recovered = true;
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const recoveryMs = performance.now() - r0;
  const shed = await metric(hub.api, 'hub_ingest_shed_total');
  await pool.close();
  await hub.stop();
  rmSync(dir, { recursive: true, force: true });
  return {
    offeredRate: rate,
    seconds,
    sent,
    skipped,
    statuses,
    storedRate: storedDuring / seconds,
    shed,
    maxRssMb: maxRss / 1048576,
    recovered,
    recoveryMs,
  };
}

const samples: Sample[] = [];
for (let i = 0; i < RUNS; i++) {
  const s = await saturate();
  samples.push(s);
  console.log(
    `run ${i + 1}: ${Math.round(s.rate)} spans/s stored (${s.stored} in ${s.seconds.toFixed(1)} s), statuses ${JSON.stringify(s.statuses)}, max RSS ${s.maxRssMb.toFixed(0)} MB, ` +
      `hub CPU ${s.cpuPer100k.toFixed(2)} s per 100k spans (busiest thread ${s.busiestPer100k.toFixed(2)} s)`,
  );
}
const sustained = median(samples.map((s) => s.rate));
console.log(
  `median sustained stored rate: ${Math.round(sustained)} spans/s over ${RUNS} runs of ${DURATION_S} s`,
);
const busiest = median(samples.map((s) => s.busiestPer100k));
console.log(
  `median hub CPU per 100k spans: ${median(samples.map((s) => s.cpuPer100k)).toFixed(2)} s; busiest thread ${busiest.toFixed(2)} s ` +
    `(CPU-bound ceiling with a free core per thread ≈ ${Math.round(100_000 / busiest)} spans/s)`,
);

if (OVERLOAD_S > 0) {
  const o = await overload(values['overload-rate'] ? Number(values['overload-rate']) : 2 * sustained);
  console.log(
    `overload at ${Math.round(o.offeredRate)} spans/s offered for ${o.seconds.toFixed(1)} s: statuses ${JSON.stringify(o.statuses)}, ` +
      `client-side skipped ${o.skipped}, stored ${Math.round(o.storedRate)} spans/s, shed ${o.shed} requests, ` +
      `max RSS ${o.maxRssMb.toFixed(0)} MB, recovered=${o.recovered} after ${o.recoveryMs.toFixed(0)} ms`,
  );
}
