import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  type Attainment,
  attainment,
  type Bucket,
  type BucketQueries,
  durationSeconds,
  type MonthRange,
  monthBuckets,
  monthOf,
  parseMonth,
  probeQueries,
  SLO_SPEC,
  type Slice,
  sliQueries,
  validateSpecText,
} from '@vigil/slo';
import { defaultUrl } from '@vigil/topology';
import { repoRoot, varLayout } from '../paths.ts';
import { readState } from '../run-state.ts';

export const usage = `usage: vigil sla report [--month YYYY-MM] [--prometheus <url>] [--step <duration>] [--json] [--spec <file>]

Prints, per SLA of the spec (default monitoring/slo/slos.yaml), for a calendar month (UTC; default
the current one, up to now): attainment, share of the month's error budget spent, and breaches
(consecutive --step buckets, default 1h, below the objective), measured from outside (the
blackbox exporter's probe_success) and from inside (the SLI of the SLO the SLA names).
Prometheus: --prometheus, else the running stack's, else ${defaultUrl('prometheus')}.
Exit codes: 0 ok, 1 invalid spec or Prometheus unreachable, 2 bad usage.`;

const DEFAULT_SPEC = SLO_SPEC;
/** Prometheus refuses a range query of more than 11,000 points. */
const MAX_POINTS = 10_000;

export async function run(args: string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (err) {
    console.error(`vigil sla: ${(err as Error).message}\n${usage}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(usage);
    return 0;
  }
  if (positionals.length !== 1 || positionals[0] !== 'report') {
    console.error(usage);
    return 2;
  }
  const now = Math.floor(Date.now() / 1000);
  const month = values.month === undefined ? monthOf(now) : parseMonth(values.month);
  if (!month) {
    console.error(`vigil sla: --month must be YYYY-MM, got ${JSON.stringify(values.month)}`);
    return 2;
  }
  const step = durationSeconds(values.step ?? '1h');
  if (step === undefined || step < 60) {
    console.error(`vigil sla: --step must be a duration of at least 1m (e.g. 1h, 1d), got ${values.step}`);
    return 2;
  }
  if (month.start > now) {
    console.error(`vigil sla: ${month.label} has not started`);
    return 2;
  }
  const specPath = resolve(values.spec ?? resolve(repoRoot, DEFAULT_SPEC));
  const spec = validateSpecText(readFileSync(specPath, 'utf8'));
  if (!spec.ok) {
    console.error(`vigil sla: ${specPath} is invalid:\n  - ${spec.errors.join('\n  - ')}`);
    return 1;
  }
  const prometheus = values.prometheus ?? runningPrometheus() ?? defaultUrl('prometheus');
  const slices = monthBuckets(month, now, step);
  try {
    const report = [];
    for (const sla of spec.spec.slas) {
      const slo = spec.spec.slos.find((s) => s.name === sla.slo)!;
      const objective = sla.objective / 100;
      const fetch = (q: BucketQueries) => fetchBuckets(prometheus, q, slices, step);
      report.push({
        name: sla.name,
        objective: sla.objective,
        slo: sla.slo,
        journeys: sla.journeys.map((j) => j.name),
        outside: attainment(await fetch(probeQueries(sla)), objective, month, now),
        inside: attainment(await fetch(sliQueries(slo)), objective, month, now),
      });
    }
    const until = Math.min(now, month.end);
    if (values.json) {
      console.log(JSON.stringify({ month: month.label, until, step, prometheus, slas: report }, null, 2));
    } else {
      console.log(render(month, until, step, report));
    }
    return 0;
  } catch (err) {
    console.error(`vigil sla: cannot query Prometheus at ${prometheus}: ${(err as Error).message}`);
    return 1;
  }
}

function parse(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    options: {
      month: { type: 'string' },
      prometheus: { type: 'string' },
      step: { type: 'string' },
      spec: { type: 'string' },
      'var-dir': { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
}

function runningPrometheus(): string | undefined {
  const state = readState(varLayout().stateFile);
  const prom = state?.components.find((c) => c.name === 'prometheus');
  return prom ? `http://${new URL(prom.readyUrl).host}` : undefined;
}

type Matrix = Array<{ values: Array<[number, string]> }>;

async function promGet(base: string, path: string, params: Record<string, string>): Promise<unknown> {
  const url = `${base}${path}?${new URLSearchParams(params)}`;
  const res = await fetch(url, { signal: AbortSignal.timeout(30_000) });
  const body = (await res.json().catch(() => ({}))) as { status?: string; error?: string; data?: unknown };
  if (body.status !== 'success') throw new Error(`${path}: HTTP ${res.status} ${body.error ?? ''}`.trim());
  return body.data;
}

/** Sum of a query's series at each timestamp of a range query (an absent series counts 0). */
async function rangeSums(base: string, query: string, start: number, end: number, step: number) {
  const sums = new Map<number, number>();
  for (let from = start; from <= end; from += step * MAX_POINTS) {
    const to = Math.min(end, from + step * (MAX_POINTS - 1));
    const data = (await promGet(base, '/api/v1/query_range', {
      query,
      start: String(from),
      end: String(to),
      step: String(step),
    })) as { result: Matrix };
    for (const series of data.result)
      for (const [t, v] of series.values) sums.set(t, (sums.get(t) ?? 0) + finite(v));
  }
  return sums;
}

async function instantSum(base: string, query: string, time: number): Promise<number> {
  const data = (await promGet(base, '/api/v1/query', { query, time: String(time) })) as {
    result: Array<{ value: [number, string] }>;
  };
  return data.result.reduce((sum, s) => sum + finite(s.value[1]), 0);
}

const finite = (v: string) => (Number.isFinite(Number(v)) ? Number(v) : 0);

/** Good and total events per slice: one range query per series for the aligned slices, one instant query for a partial last. */
async function fetchBuckets(
  base: string,
  q: BucketQueries,
  slices: Slice[],
  step: number,
): Promise<Bucket[]> {
  const aligned = slices.filter((s) => s.seconds === step);
  const buckets: Bucket[] = [];
  if (aligned.length > 0) {
    const [first, last] = [aligned[0]!.end, aligned.at(-1)!.end];
    const good = await rangeSums(base, q.good(step), first, last, step);
    const total = await rangeSums(base, q.total(step), first, last, step);
    for (const s of aligned) buckets.push({ ...s, good: good.get(s.end) ?? 0, total: total.get(s.end) ?? 0 });
  }
  for (const s of slices.filter((x) => x.seconds !== step)) {
    const [good, total] = [
      await instantSum(base, q.good(s.seconds), s.end),
      await instantSum(base, q.total(s.seconds), s.end),
    ];
    buckets.push({ ...s, good, total });
  }
  return buckets;
}

const pct = (v: number | undefined, digits = 3) =>
  v === undefined ? 'n/a' : `${(v * 100).toFixed(digits)}%`;
const iso = (t: number) => new Date(t * 1000).toISOString().replace(/:\d\d\.\d{3}Z$/, 'Z');
const count = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

function describe(label: string, a: Attainment): string[] {
  const lines = [
    `  ${label}: attainment ${pct(a.attainment)} (${count(a.total - a.good)} of ${count(a.total)} failed), ` +
      `budget spent ${pct(a.budgetSpent, 1)}, breaches ${a.breaches.length}, ` +
      `data in ${a.bucketsWithData} of ${a.bucketsElapsed} buckets`,
  ];
  for (const b of a.breaches)
    lines.push(
      `    ${iso(b.from)} – ${iso(b.to)}  ${pct(b.attainment)} (${count(b.total - b.good)} of ${count(b.total)} failed)`,
    );
  return lines;
}

function render(
  month: MonthRange,
  until: number,
  step: number,
  report: Array<{
    name: string;
    objective: number;
    slo: string;
    journeys: string[];
    outside: Attainment;
    inside: Attainment;
  }>,
): string {
  const elapsed = (until - month.start) / (month.end - month.start);
  const lines = [
    `SLA report ${month.label} (UTC), up to ${iso(until)}: ${pct(elapsed, 1)} of the month; buckets of ${step / 3600 >= 1 ? `${step / 3600}h` : `${step / 60}m`}`,
  ];
  for (const sla of report) {
    lines.push(
      '',
      `${sla.name}: ${sla.objective}% per calendar month`,
      ...describe(`outside (probes of ${sla.journeys.join(', ')})`, sla.outside),
      ...describe(`inside (SLI of SLO ${sla.slo})`, sla.inside),
    );
  }
  return lines.join('\n');
}
