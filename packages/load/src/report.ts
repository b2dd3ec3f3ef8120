import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TimelinePoint } from './aggregate.ts';
import type { LoadSummary } from './run.ts';
import { ERROR_KINDS } from './stats.ts';

const esc = (s: unknown): string =>
  String(s).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
const ms = (v: number): string => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const pct = (v: number): string => `${(v * 100).toFixed(v < 0.01 && v > 0 ? 3 : 2)}%`;

interface Series {
  name: string;
  color: string;
  values: number[];
}

/** A small inline SVG line chart (no scripts, no external assets). */
function chart(title: string, unit: string, t: number[], series: Series[]): string {
  const W = 900;
  const H = 220;
  const L = 56;
  const B = 28;
  const max = Math.max(1e-9, ...series.flatMap((s) => s.values.filter(Number.isFinite)));
  const tMax = Math.max(1, t[t.length - 1] ?? 1);
  const x = (v: number) => L + (v / tMax) * (W - L - 10);
  const y = (v: number) => H - B - (v / max) * (H - B - 10);
  const grid = [0, 0.25, 0.5, 0.75, 1]
    .map((f) => {
      const v = max * f;
      return `<line x1="${L}" x2="${W - 10}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/><text x="${L - 6}" y="${y(v) + 4}" text-anchor="end">${esc(ms(v))}</text>`;
    })
    .join('');
  const lines = series
    .map((s) => {
      const pts = s.values.map((v, i) => `${x(t[i] ?? 0).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
      return `<polyline fill="none" stroke="${s.color}" stroke-width="1.5" points="${pts}"/>`;
    })
    .join('');
  const legend = series
    .map((s, i) => `<text x="${L + 10 + i * 90}" y="14" fill="${s.color}">■ ${esc(s.name)}</text>`)
    .join('');
  return `<figure><figcaption>${esc(title)} (${esc(unit)})</figcaption><svg viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="${esc(title)}">${grid}${lines}${legend}<text x="${W - 10}" y="${H - 6}" text-anchor="end">elapsed s (max ${tMax})</text></svg></figure>`;
}

function traceLink(hubUrl: string | null, traceId: string | null): string {
  if (!traceId) return '—';
  return hubUrl
    ? `<a href="${esc(`${hubUrl.replace(/\/$/, '')}/traces/${traceId}`)}">${esc(traceId)}</a>`
    : esc(traceId);
}

/** A self-contained HTML report: charts over time, per-step table, thresholds, slowest traces. */
export function renderHtml(s: LoadSummary): string {
  const tl: TimelinePoint[] = s.timeline;
  const t = tl.map((p) => p.t);
  const lat = s.totals.latencyMs;
  const thresholdRows = s.thresholds
    .map(
      (r) =>
        `<tr class="${r.ok ? 'ok' : 'fail'}"><td><code>${esc(r.expr)}</code></td><td>${esc(Number.isNaN(r.actual) ? 'no data' : Number(r.actual.toPrecision(4)))}</td><td>${r.ok ? 'pass' : 'FAIL'}</td></tr>`,
    )
    .join('');
  const stepRows = s.steps
    .map(
      (st) =>
        `<tr><td>${esc(st.journey)}</td><td>${esc(st.step)}</td><td>${st.requests}</td><td>${st.rps.toFixed(1)}</td><td>${ms(st.latencyMs.p50)}</td><td>${ms(st.latencyMs.p90)}</td><td>${ms(st.latencyMs.p95)}</td><td>${ms(st.latencyMs.p99)}</td><td>${ms(st.latencyMs.p999)}</td><td>${ms(st.latencyMs.max)}</td><td>${st.failed}</td><td>${esc(
          ERROR_KINDS.filter((k) => st.errors[k] > 0)
            .map((k) => `${k} ${st.errors[k]}`)
            .join(', ') || '—',
        )}</td></tr>`,
    )
    .join('');
  const slowRows = s.slowest
    .map(
      (r) =>
        `<tr><td>${esc(r.key)}</td><td>${ms(r.latencyMs)}</td><td>${r.status || '—'}</td><td>${esc(r.kind ?? '')}</td><td>${traceLink(s.hubUrl, r.traceId)}</td><td>${esc(new Date(r.at).toISOString())}</td></tr>`,
    )
    .join('');
  const failRows = s.failures
    .slice(0, 200)
    .map(
      (r) =>
        `<tr><td>${esc(r.key)}</td><td>${esc(r.kind)}</td><td>${r.status || '—'}</td><td>${esc(r.message ?? '')}</td><td>${traceLink(s.hubUrl, r.traceId)}</td></tr>`,
    )
    .join('');
  const errorKinds = ERROR_KINDS.filter((k) => s.totals.errors[k] > 0)
    .map((k) => `${k}: ${s.totals.errors[k]}`)
    .join(', ');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>vigil load: ${esc(s.scenario)}</title>
<style>
body{font:14px system-ui,sans-serif;margin:2rem auto;max-width:960px;color:#222}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}td,th{border-bottom:1px solid #ddd;padding:3px 6px;text-align:right}
td:first-child,th:first-child,td:nth-child(2){text-align:left}tr.fail td{color:#b00;font-weight:bold}tr.ok td:last-child{color:#070}
svg text{font:11px system-ui,sans-serif;fill:#555}figure{margin:1rem 0}figcaption{font-weight:bold}
.badge{display:inline-block;padding:2px 8px;border-radius:4px;color:#fff;background:${s.ok ? '#070' : '#b00'}}
</style></head><body>
<h1>vigil load: ${esc(s.scenario)} <span class="badge">${s.ok ? 'thresholds passed' : 'thresholds FAILED'}</span></h1>
<p>${esc(s.executorText)} against <code>${esc(s.target)}</code> on ${s.workers} worker thread(s), started ${esc(s.startedAt)}, ran ${s.durationS.toFixed(1)} s${s.partial ? ` — <strong>partial: ${esc(s.stopReason ?? 'stopped')}</strong>` : ''}.</p>
<table><tr><th>requests</th><th>iterations</th><th>req/s</th><th>p50 ms</th><th>p95 ms</th><th>p99 ms</th><th>p99.9 ms</th><th>max ms</th><th>errors</th><th>checks</th><th>late sends</th></tr>
<tr><td>${s.totals.requests}</td><td>${s.totals.iterations}</td><td>${s.totals.rps.toFixed(1)}</td><td>${ms(lat.p50)}</td><td>${ms(lat.p95)}</td><td>${ms(lat.p99)}</td><td>${ms(lat.p999)}</td><td>${ms(lat.max)}</td><td>${s.totals.failed} (${pct(s.totals.errorRate)})${errorKinds ? `<br>${esc(errorKinds)}` : ''}</td><td>${pct(s.totals.checks.rate)}</td><td>${s.totals.schedule.late} of ${s.totals.schedule.due}</td></tr></table>
<p>Latency is measured from each request's <em>scheduled</em> send time in the open model (coordinated omission corrected); a send more than 1 ms late counts as late.</p>
<h2>Thresholds</h2>${s.thresholds.length ? `<table><tr><th>expression</th><th>measured</th><th>result</th></tr>${thresholdRows}</table>` : '<p>none</p>'}
<h2>Over time</h2>
${chart('Latency percentiles per second', 'ms', t, [
  { name: 'p50', color: '#1f77b4', values: tl.map((p) => p.latency.p50) },
  { name: 'p95', color: '#ff7f0e', values: tl.map((p) => p.latency.p95) },
  { name: 'p99', color: '#d62728', values: tl.map((p) => p.latency.p99) },
  { name: 'max', color: '#999', values: tl.map((p) => p.latency.max) },
])}
${chart('Throughput per second', 'req/s', t, [
  { name: 'responses', color: '#2ca02c', values: tl.map((p) => p.requests) },
  { name: 'scheduled', color: '#9467bd', values: tl.map((p) => p.due) },
])}
${chart('Errors per second', 'req/s', t, [
  { name: 'failed', color: '#d62728', values: tl.map((p) => p.failed) },
  { name: 'late sends', color: '#8c564b', values: tl.map((p) => p.late) },
])}
<h2>Steps</h2><table><tr><th>journey</th><th>step</th><th>requests</th><th>req/s</th><th>p50</th><th>p90</th><th>p95</th><th>p99</th><th>p99.9</th><th>max (ms)</th><th>failed</th><th>errors</th></tr>${stepRows}</table>
<h2>Slowest requests</h2>${s.hubUrl ? `<p>Trace links open the hub console (${esc(s.hubUrl)}).</p>` : ''}
<table><tr><th>step</th><th>ms</th><th>status</th><th>error</th><th>trace</th><th>at</th></tr>${slowRows}</table>
<h2>Failed requests</h2>${s.failures.length ? `<table><tr><th>step</th><th>kind</th><th>status</th><th>detail</th><th>trace</th></tr>${failRows}</table>${s.failures.length > 200 ? `<p>First 200 of ${s.failures.length}; all are in summary.json.</p>` : ''}` : '<p>none</p>'}${s.failuresDropped ? `<p>${s.failuresDropped} more failures were counted but not kept.</p>` : ''}
</body></html>
`;
}

function writeAtomic(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

/** Writes summary.json and report.html into `dir`; returns their paths. */
export function writeReports(summary: LoadSummary, dir: string): { json: string; html: string } {
  mkdirSync(dir, { recursive: true });
  const json = join(dir, 'summary.json');
  const html = join(dir, 'report.html');
  writeAtomic(json, `${JSON.stringify(summary, null, 2)}\n`);
  writeAtomic(html, renderHtml(summary));
  return { json, html };
}
