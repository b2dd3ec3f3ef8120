// SLO rule groups' evaluation time: the long windows (3d, the 28d/30d period) from the raw
// series at every evaluation ("before", the rules as of commit 473774e) against the same windows
// from recorded 5m/1h rates summed by a subquery ("after", the committed slo-generated.yml).
//
// One real Prometheus evaluates both rule sets side by side over the same TSDB: DAYS days of
// synthetic history (promtool tsdb create-blocks-from openmetrics) holding the raw RED counters
// the SLIs read and the recorded base rates the "after" rules read, one sample every 15 s. The
// "before" copy writes its records under other names (prefix `before_`), so the two never
// collide. Reads `evaluationTime` of every group from /api/v1/rules after each evaluation.
//
// Usage: nice -n 10 flock /tmp/vigil-stack.lock node bench/slo-rules/run.ts [--days 7] [--rounds 20]
import { execFileSync, spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort } from '@vigil/service-kit/testing';
import { parse, stringify } from 'yaml';
import { median, round } from '../lib/stats.ts';

const { values } = parseArgs({
  options: { days: { type: 'string', default: '7' }, rounds: { type: 'string', default: '20' } },
});
const DAYS = Number(values.days);
const ROUNDS = Number(values.rounds);
const STEP = 15;
const repo = new URL('../../', import.meta.url).pathname;
const before = join(import.meta.dirname, 'slo-rules-before.yml');
const after = join(repo, 'monitoring/prometheus/rules/slo-generated.yml');

type Rule = { record?: string; alert?: string; expr: string };
type Groups = { groups: Array<{ name: string; interval?: string; rules: Rule[] }> };

/** The SLO groups of a rules file, records renamed with `prefix` (also where its own rules read them). */
function sloGroups(file: string, prefix: string): Groups {
  const groups = (parse(readFileSync(file, 'utf8')) as Groups).groups.filter((g) =>
    g.name.startsWith('slo:'),
  );
  const names = new Set(groups.flatMap((g) => g.rules.flatMap((r) => (r.record ? [r.record] : []))));
  const rename = (expr: string) =>
    prefix
      ? expr.replace(/\bslo:[a-z_]+:[a-z_0-9]+\b/g, (m) =>
          names.has(m) ? `${prefix}${m.replaceAll(':', '_')}` : m,
        )
      : expr;
  return {
    groups: groups.map((g) => ({
      name: `${prefix}${g.name}`,
      rules: g.rules.map((r) => ({
        ...r,
        ...(r.record ? { record: rename(r.record) } : {}),
        ...(r.alert ? { alert: `${prefix}${r.alert}` } : {}),
        expr: rename(r.expr),
      })),
    })),
  };
}

/** DAYS of history ending now: RED counters of the SLIs' services and the recorded base rates. */
async function writeHistory(file: string, end: number): Promise<number> {
  const out = createWriteStream(file);
  const write = (line: string) =>
    out.write(line) ? undefined : new Promise<void>((r) => out.once('drain', () => r()));
  const services: Record<string, string[]> = {
    gateway: ['/products', '/products/:id', '/orders', '/users/:id'],
    'order-service': ['/orders', '/orders/:id'],
    'product-service': ['/products', '/products/:id'],
    'user-service': ['/users/:id'],
    hub: ['/v1/traces', '/v1/logs'],
  };
  const start = end - DAYS * 86_400;
  let samples = 0;
  const series: Array<{ name: string; labels: string; perStep: number }> = [];
  for (const [service, routes] of Object.entries(services))
    for (const route of routes)
      for (const [status, rate] of [
        ['200', 5],
        ['500', 0.005],
      ] as const) {
        const labels = `service="${service}",method="GET",route="${route}",status="${status}"`;
        series.push({ name: 'http_requests_total', labels, perStep: rate * STEP });
        if (service === 'gateway') {
          series.push({ name: 'http_request_duration_seconds_count', labels, perStep: rate * STEP });
          series.push({
            name: 'http_request_duration_seconds_bucket',
            labels: `${labels},le="0.5"`,
            perStep: rate * 0.99 * STEP,
          });
        }
      }
  const slos = (
    parse(readFileSync(join(repo, 'monitoring/slo/slos.yaml'), 'utf8')) as {
      slos: Array<{ name: string; service: string }>;
    }
  ).slos;
  const recorded: Array<{ name: string; labels: string; value: number }> = slos.flatMap((slo) =>
    ['5m', '1h'].flatMap((w) => [
      { name: `slo:sli_events:rate${w}`, labels: `slo="${slo.name}",service="${slo.service}"`, value: 20 },
      { name: `slo:sli_errors:rate${w}`, labels: `slo="${slo.name}",service="${slo.service}"`, value: 0.02 },
    ]),
  );
  // OpenMetrics wants each metric family's samples together: one family at a time.
  for (const name of [...new Set([...series.map((s) => s.name), ...recorded.map((r) => r.name)])]) {
    await write(`# TYPE ${name.replace(/_total$/, '')} ${name.endsWith('_total') ? 'counter' : 'unknown'}\n`);
    for (const s of series.filter((x) => x.name === name)) {
      let value = 0;
      for (let t = start; t <= end; t += STEP, value += s.perStep, samples++)
        await write(`${s.name}{${s.labels}} ${value} ${t}\n`);
    }
    for (const r of recorded.filter((x) => x.name === name))
      for (let t = start; t <= end; t += STEP, samples++)
        await write(`${r.name}{${r.labels}} ${r.value} ${t}\n`);
  }
  await write('# EOF\n');
  await new Promise<void>((r) => out.end(() => r()));
  return samples;
}

const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-slo-rules-'));
let prometheus: ReturnType<typeof spawn> | undefined;
try {
  const end = Math.floor(Date.now() / 1000);
  const t0 = Date.now();
  const samples = await writeHistory(join(dir, 'history.om'), end);
  execFileSync('promtool', [
    'tsdb',
    'create-blocks-from',
    'openmetrics',
    '-q',
    join(dir, 'history.om'),
    join(dir, 'data'),
  ]);
  rmSync(join(dir, 'history.om'));
  console.log(
    `history: ${DAYS} days, ${samples} samples every ${STEP}s, blocks in ${round((Date.now() - t0) / 1000, 1)} s`,
  );
  writeFileSync(join(dir, 'before.yml'), stringify(sloGroups(before, 'before_'), { lineWidth: 0 }));
  writeFileSync(join(dir, 'after.yml'), stringify(sloGroups(after, ''), { lineWidth: 0 }));
  writeFileSync(
    join(dir, 'prometheus.yml'),
    stringify({
      global: { evaluation_interval: '5s' },
      rule_files: [join(dir, 'before.yml'), join(dir, 'after.yml')],
    }),
  );
  const port = await freePort();
  prometheus = spawn(
    'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--storage.tsdb.retention.time=${DAYS + 2}d`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: 'ignore' },
  );
  const url = `http://127.0.0.1:${port}`;
  const times = new Map<string, Map<string, number>>(); // group → lastEvaluation → seconds
  const deadline = Date.now() + 60_000 + ROUNDS * 15_000;
  const done = () => times.size > 0 && [...times.values()].every((m) => m.size >= ROUNDS);
  while (!done() && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 2_000));
    const body = (await fetch(`${url}/api/v1/rules?type=record`)
      .then((r) => r.json())
      .catch(() => undefined)) as
      | { data: { groups: Array<{ name: string; evaluationTime: number; lastEvaluation: string }> } }
      | undefined;
    for (const g of body?.data.groups ?? []) {
      if (g.lastEvaluation.startsWith('0001')) continue;
      const m = times.get(g.name) ?? new Map<string, number>();
      m.set(g.lastEvaluation, g.evaluationTime);
      times.set(g.name, m);
    }
  }
  const rows: Array<[string, number, number]> = [];
  for (const [name, m] of times) {
    if (name.startsWith('before_')) continue;
    const b = times.get(`before_${name}`);
    // The first evaluation reads cold blocks: left out.
    const med = (x: Map<string, number>) => median([...x.values()].slice(1)) * 1000;
    if (b) rows.push([name, med(b), med(m)]);
  }
  console.log(
    `median evaluation time per SLO group (ms), ${ROUNDS} evaluations each, both sets in one Prometheus:`,
  );
  console.log('group                                  before    after   after/before');
  for (const [name, b, a] of rows)
    console.log(
      `${name.padEnd(38)} ${round(b, 2).toString().padStart(7)} ${round(a, 2).toString().padStart(8)}   ${round(a / b, 3)}`,
    );
  const sum = (i: 1 | 2) => rows.reduce((s, r) => s + r[i], 0);
  console.log(
    `${'all SLO groups'.padEnd(38)} ${round(sum(1), 2).toString().padStart(7)} ${round(sum(2), 2).toString().padStart(8)}   ${round(sum(2) / sum(1), 3)}`,
  );
} finally {
  prometheus?.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  rmSync(dir, { recursive: true, force: true });
}
