// Fills a hub database with N synthetic spans by bulk INSERT (not over OTLP), for the query benchmark.
// Usage: node bench/hub/seed-spans.ts <data-dir> [--spans 5000000] [--hours 24]
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openHubDatabase } from '@vigil/hub';
import { SERVICES } from './common.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { spans: { type: 'string', default: '5000000' }, hours: { type: 'string', default: '24' } },
});
const dir = positionals[0];
if (!dir) throw new Error('usage: seed-spans.ts <data-dir> [--spans N] [--hours H]');
const TOTAL = Number(values.spans);
const SPAN_MS = Number(values.hours) * 3_600_000;
const PER_TRACE = 10;

const db = openHubDatabase(join(dir, 'hub.db'));
// Bulk load: indexes are rebuilt once at the end (a sorted build beats 5M random B-tree inserts).
db.exec(
  'DROP INDEX IF EXISTS spans_trace; DROP INDEX IF EXISTS spans_service_start; DROP INDEX IF EXISTS spans_start;',
);
db.pragma('synchronous = OFF');
const resourceIds = SERVICES.map((s) => {
  const json = JSON.stringify({
    'service.name': s,
    'service.version': '0.1.0',
    'deployment.environment': 'bench',
  });
  db.prepare('INSERT OR IGNORE INTO resources (json) VALUES (?)').run(json);
  return db.prepare('SELECT id FROM resources WHERE json = ?').pluck().get(json) as number;
});
const OPS = [
  'GET /products/:id',
  'POST /orders',
  'GET /users/:id',
  'POST /payments',
  'POST /notifications',
  'SELECT rows',
];
const insertOp = db.prepare('INSERT OR IGNORE INTO operations (service, name, kind) VALUES (?, ?, ?)');
for (const s of SERVICES) for (const op of OPS) for (const k of [2, 3]) insertOp.run(s, op, k);

const insert = db.prepare(
  `INSERT INTO spans (trace_id, span_id, parent_span_id, service, name, kind, start_ns, duration_ns,
     status_code, status_message, flags, attributes, events, links, resource_id)
   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, 1, ?, NULL, NULL, ?)`,
);
const endMs = Date.now();
const startMs = endMs - SPAN_MS;
const traces = Math.ceil(TOTAL / PER_TRACE);
const t0 = performance.now();
const BATCH_TRACES = 5000;
const writeBatch = db.transaction((from: number, to: number) => {
  for (let t = from; t < to; t++) {
    const traceStartNs = (startMs + (t / traces) * SPAN_MS) * 1e6;
    const traceId = randomBytes(16);
    const ids = randomBytes(8 * PER_TRACE);
    for (let i = 0; i < PER_TRACE; i++) {
      const svc = (t + Math.floor(i / 2)) % SERVICES.length;
      const status = (t * 7 + i) % 97 === 0 ? 2 : 0;
      insert.run(
        traceId,
        ids.subarray(i * 8, i * 8 + 8),
        i === 0 ? null : ids.subarray((i - 1) * 8, i * 8),
        SERVICES[svc],
        OPS[svc],
        i % 2 === 0 ? 2 : 3,
        traceStartNs + i * 100_000,
        (PER_TRACE - i) * 1_000_000 + (t % 1000) * 1000,
        status,
        `{"http.route":"/x/:id","http.response.status_code":${status === 2 ? 500 : 200},"url.path":"/x/${t}","otel.scope.name":"@vigil/telemetry"}`,
        resourceIds[svc],
      );
    }
  }
});
for (let t = 0; t < traces; t += BATCH_TRACES) {
  writeBatch(t, Math.min(traces, t + BATCH_TRACES));
  if (t % 100_000 === 0) process.stdout.write(`\r${(t * PER_TRACE).toLocaleString()} spans`);
}
const inserted = performance.now();
console.log(
  `\rinserted ${(traces * PER_TRACE).toLocaleString()} spans in ${((inserted - t0) / 1000).toFixed(1)} s; building indexes…`,
);
db.close();
const db2 = openHubDatabase(join(dir, 'hub.db')); // re-creates the indexes
db2.pragma('wal_checkpoint(TRUNCATE)');
db2.close();
console.log(`indexes built in ${((performance.now() - inserted) / 1000).toFixed(1)} s`);
