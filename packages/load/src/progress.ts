import type { LoadSummary, Progress } from './run.ts';

const f = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));

/** One line: elapsed/total, rps and p95 of the last second, errors and late sends so far. */
export function formatProgress(p: Progress): string {
  const errRate = p.requests === 0 ? 0 : (p.failed / p.requests) * 100;
  return `${f(p.elapsedS)}s/${p.totalS}s  rps ${p.last.requests}  p95 ${f(p.last.latency.p95)}ms  p99 ${f(p.last.latency.p99)}ms  errors ${p.failed} (${errRate.toFixed(2)}%)  in-flight ${p.last.inFlight}  late ${p.late}`;
}

/**
 * A progress printer: on a TTY one line rewritten every second; otherwise a plain line every
 * `everyS` seconds (logs and CI).
 */
export function progressPrinter(
  stream: NodeJS.WriteStream,
  everyS = 5,
): { update(p: Progress): void; end(): void } {
  const tty = stream.isTTY === true;
  let lastPrinted = 0;
  let dirty = false;
  return {
    update(p) {
      if (tty) {
        stream.write(`\r\x1b[2K${formatProgress(p)}`);
        dirty = true;
      } else if (p.elapsedS - lastPrinted >= everyS - 0.5) {
        lastPrinted = p.elapsedS;
        stream.write(`${formatProgress(p)}\n`);
      }
    },
    end() {
      if (dirty) stream.write('\n');
    },
  };
}

/** The end-of-run text summary. */
export function formatSummary(s: LoadSummary): string {
  const lat = s.totals.latencyMs;
  const lines = [
    `${s.scenario}: ${s.executorText}${s.partial ? ` — PARTIAL (${s.stopReason})` : ''}`,
    `  requests ${s.totals.requests}  iterations ${s.totals.iterations}  ${s.totals.rps.toFixed(1)} req/s  errors ${s.totals.failed} (${(s.totals.errorRate * 100).toFixed(2)}%)  checks ${(s.totals.checks.rate * 100).toFixed(2)}%`,
    `  latency ms  p50 ${f(lat.p50)}  p90 ${f(lat.p90)}  p95 ${f(lat.p95)}  p99 ${f(lat.p99)}  p99.9 ${f(lat.p999)}  max ${f(lat.max)}`,
  ];
  if (s.totals.schedule.due > 0)
    lines.push(
      `  schedule  ${s.totals.schedule.due} arrivals, ${s.totals.schedule.late} sent > 1 ms late, dispatch lag p99 ${s.totals.schedule.lagMs.p99.toFixed(2)}ms`,
    );
  const kinds = Object.entries(s.totals.errors).filter(([, n]) => n > 0);
  if (kinds.length) lines.push(`  errors by kind  ${kinds.map(([k, n]) => `${k} ${n}`).join('  ')}`);
  // One column for the step names, as wide as the longest ('browse-products/list-products-page-2'
  // is 36 characters and pushed its row out of line with a fixed 32).
  const keyWidth = Math.max(32, ...s.steps.map((st) => st.key.length));
  for (const st of s.steps)
    lines.push(
      `  ${st.key.padEnd(keyWidth)} ${String(st.requests).padStart(7)}  p50 ${f(st.latencyMs.p50).padStart(6)}  p95 ${f(st.latencyMs.p95).padStart(6)}  p99 ${f(st.latencyMs.p99).padStart(6)}  failed ${st.failed}`,
    );
  for (const t of s.thresholds)
    lines.push(
      `  ${t.ok ? 'pass' : 'FAIL'}  ${t.expr}  (measured ${Number.isNaN(t.actual) ? 'no data' : Number(t.actual.toPrecision(4))})`,
    );
  return lines.join('\n');
}
