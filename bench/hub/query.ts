// Query latency over the HTTP API on a large store (seed it first with seed-spans.ts).
// Usage: node bench/hub/query.ts <data-dir> [--runs 3] [--requests 400]
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { Pool } from 'undici';
import { median, percentile, rssBytes, SERVICES, startHub } from './common.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { runs: { type: 'string', default: '3' }, requests: { type: 'string', default: '400' } },
});
const dir = positionals[0];
if (!dir) throw new Error('usage: query.ts <data-dir> [--runs N] [--requests N]');
const RUNS = Number(values.runs);
const REQUESTS = Number(values.requests);

const ro = new Database(join(dir, 'hub.db'), { readonly: true });
const total = ro.prepare('SELECT max(rowid) FROM spans').pluck().get() as number;
const count = ro.prepare('SELECT count(*) FROM spans').pluck().get() as number;
const range = ro.prepare('SELECT min(start_ns) AS lo, max(start_ns) AS hi FROM spans').get() as {
  lo: number;
  hi: number;
};
const byRowid = ro.prepare('SELECT trace_id FROM spans WHERE rowid = ?').pluck();
const traceIds: string[] = [];
while (traceIds.length < REQUESTS) {
  const id = byRowid.get(1 + Math.floor(Math.random() * total)) as Buffer | undefined;
  if (id) traceIds.push(id.toString('hex'));
}
ro.close();
console.log(
  `${count.toLocaleString()} spans stored, ${((range.hi - range.lo) / 3.6e12).toFixed(1)} h of data`,
);

// Retention must not trim the benchmark data while it runs.
const hub = await startHub(dir, { VIGIL_HUB_RETENTION_HOURS: '8760', VIGIL_HUB_MAX_DB_MB: '1000000' });
const pool = new Pool(hub.api, { connections: 1 });

async function timed(path: string): Promise<{ ms: number; body: any }> {
  const t0 = performance.now();
  const res = await pool.request({ path, method: 'GET' });
  const body = await res.body.json();
  const ms = performance.now() - t0;
  if (res.statusCode !== 200)
    throw new Error(`${path} → ${res.statusCode} ${JSON.stringify(body).slice(0, 200)}`);
  return { ms, body };
}

function searchPath(): string {
  const service = SERVICES[Math.floor(Math.random() * SERVICES.length)]!;
  const hourNs = 3.6e12;
  const startNs = range.lo + Math.random() * Math.max(0, range.hi - range.lo - hourNs);
  const start = Math.floor(startNs / 1000);
  const end = Math.floor((startNs + hourNs) / 1000);
  return `/api/traces?service=${encodeURIComponent(service)}&start=${start}&end=${end}&limit=20`;
}

const byIdP99: number[] = [];
const searchP99: number[] = [];
for (let run = 0; run < RUNS; run++) {
  for (let i = 0; i < 30; i++) await timed(`/api/traces/${traceIds[i]}`); // warm-up
  const byId: number[] = [];
  for (const id of traceIds) {
    const r = await timed(`/api/traces/${id}`);
    if (r.body.data[0].spans.length === 0) throw new Error('empty trace');
    byId.push(r.ms);
  }
  const search: number[] = [];
  let traces = 0;
  for (let i = 0; i < REQUESTS / 2; i++) {
    const r = await timed(searchPath());
    traces += r.body.data.length;
    search.push(r.ms);
  }
  byId.sort((a, b) => a - b);
  search.sort((a, b) => a - b);
  byIdP99.push(percentile(byId, 99));
  searchP99.push(percentile(search, 99));
  console.log(
    `run ${run + 1}: trace by id p50 ${percentile(byId, 50).toFixed(2)} ms p99 ${percentile(byId, 99).toFixed(2)} ms (n=${byId.length}); ` +
      `service+1h search p50 ${percentile(search, 50).toFixed(1)} ms p99 ${percentile(search, 99).toFixed(1)} ms ` +
      `(n=${search.length}, ${(traces / search.length).toFixed(1)} traces/answer); hub RSS ${(rssBytes(hub.child.pid!) / 1048576).toFixed(0)} MB`,
  );
}
console.log(
  `median p99: trace by id ${median(byIdP99).toFixed(2)} ms, service+time search ${median(searchP99).toFixed(1)} ms`,
);
await pool.close();
await hub.stop();
