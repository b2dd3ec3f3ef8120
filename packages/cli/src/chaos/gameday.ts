import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type TopologyEntry, topology } from '@vigil/topology';
import type { BackgroundLoad } from './background-load.ts';
import { detectionBound, type Settings } from './bounds.ts';
import { type Experiment, expectsAlerts } from './catalogue.ts';
import { amAlerts, hubNotifications } from './observe.ts';
import { type ExperimentResult, runExperiment } from './runner.ts';
import type { LocalStack } from './stack.ts';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface GamedayOptions {
  readonly stack: LocalStack;
  readonly settings: Settings;
  readonly experiments: readonly Experiment[];
  readonly stateFile: string;
  readonly say: (line: string) => void;
  readonly controlSeconds: number;
  /** Before the control phase: wait (under load) up to this long for no alert to be firing. */
  readonly warmupSeconds?: number;
  readonly cooldownSeconds: number;
  /** Run experiments that share no target, no expected alert and no host-wide fault at once. */
  readonly parallel: boolean;
  readonly resolveTimeoutMs: number;
  /** A detected fault passes even when its alert has not resolved within resolveTimeoutMs (short gameday). */
  readonly allowUnresolved?: boolean;
  /** Cap on holding a fault that expects no alert (short gameday). */
  readonly quietHoldSeconds?: number;
  readonly startLoad: () => Promise<BackgroundLoad>;
  readonly signal?: AbortSignal;
}

export interface GamedayReport {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly profile: {
    readonly scrapeInterval: number;
    readonly scrapeTimeout: number;
    readonly evaluationInterval: number;
    readonly prometheusConfig: string;
  };
  readonly control: {
    readonly seconds: number;
    /** Alerts that fired with no fault injected: each is a false alert. */
    readonly falseAlerts: readonly string[];
    readonly notifications: number;
    /** Alerts firing during the warm-up (a freshly started stack settling), before the control phase. */
    readonly warmupAlerts: readonly string[];
  };
  readonly load: { readonly requests: number; readonly failed: number } | undefined;
  readonly experiments: readonly ExperimentResult[];
  /** Stopped by the signal (Ctrl-C) before the end: the phases it cut short say so. */
  readonly interrupted: boolean;
  readonly passed: boolean;
  readonly summary: string;
}

/** Alerts on a service's answers (RED): a slow or failing dependency shows in its callers' too. */
const PROPAGATES_TO_CALLERS = new Set(['HighLatency', 'HighErrorRate']);

/** The target and every component that calls it, directly or through others (topology `calls`). */
export function blastRadius(service: string): Set<string> {
  const out = new Set([service]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const c of topology as readonly TopologyEntry[])
      if (!out.has(c.name) && c.calls?.some((x) => out.has(x))) {
        out.add(c.name);
        grew = true;
      }
  }
  return out;
}

/**
 * Could fault `b` raise the alert `a` expects? A dependency alert names its callee (only a fault
 * on that callee raises it); an alert on a service's answers follows the calls upstream; any other
 * alert (down, restarted, memory, CPU) is the target's own.
 */
export function confusable(a: Experiment, b: Experiment): boolean {
  if (!b.target.service) return true;
  const labels: Readonly<Record<string, string>> = 'labels' in a.detection ? a.detection.labels : {};
  return a.detection.alerts.some((alert) => {
    if (labels.dependency) return labels.dependency === b.target.service;
    const on = labels.service ?? a.target.service;
    if (!on) return true;
    return PROPAGATES_TO_CALLERS.has(alert)
      ? blastRadius(b.target.service!).has(on)
      : on === b.target.service;
  });
}

/** What `service` calls (topology `calls`). */
const callees = (service: string): readonly string[] =>
  (topology as readonly TopologyEntry[]).find((c) => c.name === service)?.calls ?? [];

/**
 * Could fault `b` starve the signal `a` waits for? A dependency alert (`service` S → `dependency`
 * D) needs S to keep calling D, and S makes those calls only while its work goes through: a fault
 * on S, on anything that calls S, or on another of S's callees can stop that work, so no call to D
 * is made and the fault on D goes unseen until the other one is rolled back. (order-service calls
 * notification-service only after an order completes; a partition to payment-service lets none
 * complete.) Other alerts are raised by their own target's state or by traffic through it, which
 * `confusable` already covers.
 */
export function starves(a: Experiment, b: Experiment): boolean {
  const labels: Readonly<Record<string, string>> = 'labels' in a.detection ? a.detection.labels : {};
  const caller = labels.service;
  if (!labels.dependency || !caller || !b.target.service) return false;
  const upstream = new Set([...blastRadius(caller), ...callees(caller)]);
  upstream.delete(labels.dependency);
  return upstream.has(b.target.service);
}

/**
 * May these two run at the same time? Never two on one service, neither fault able to raise the
 * other's expected alert (so each alert is attributed by its labels to one fault) nor to starve
 * the traffic the other's signal needs, and host-wide faults (noisy neighbours) only among
 * themselves — they expect silence, which any other fault would break.
 */
export function mayRunTogether(a: Experiment, b: Experiment): boolean {
  const hostWide = (e: Experiment) => !e.target.service;
  if (hostWide(a) || hostWide(b)) return hostWide(a) && hostWide(b);
  if (a.target.service === b.target.service) return false;
  return !confusable(a, b) && !confusable(b, a) && !starves(a, b) && !starves(b, a);
}

/**
 * Experiments grouped into waves that run at once (see mayRunTogether); one per wave unless
 * parallel. A wave lasts as long as its slowest experiment, so with `weight` (an experiment's
 * expected length, e.g. its detection bound) the longest are placed first and the shorter ones
 * fill their waves (first-fit decreasing): the few slow alerts (a `for: 5m`) share waves where
 * the rule lets them instead of each holding its own.
 */
export function waves(
  experiments: readonly Experiment[],
  parallel: boolean,
  weight: (e: Experiment) => number = () => 0,
): Experiment[][] {
  if (!parallel) return experiments.map((e) => [e]);
  const out: Experiment[][] = [];
  // The longest first, then the most constrained (first-fit), so the few that fit anywhere fill the gaps.
  const degree = (e: Experiment) => experiments.filter((x) => x !== e && !mayRunTogether(x, e)).length;
  const order = [...experiments].sort((a, b) => weight(b) - weight(a) || degree(b) - degree(a));
  for (const e of order) {
    const wave = out.find((w) => w.every((x) => mayRunTogether(x, e)));
    if (wave) wave.push(e);
    else out.push([e]);
  }
  // Experiments that expect silence go first: later faults leave errors in the long windows of the
  // SLO burn alerts (1 h), and a quiet check after them would inherit those pages.
  const quiet = (w: Experiment[]) => w.every((e) => e.detection.alerts.length === 0);
  return [...out.filter(quiet), ...out.filter((w) => !quiet(w))];
}

/** An experiment's detection bound (to first notification) in seconds; 0 when it expects no alert. */
export const boundOf = (e: Experiment, settings: Settings): number =>
  expectsAlerts(e) ? detectionBound(e, settings).notifySeconds : 0;

/**
 * The gameday: background load, a control phase with no fault (any alert is a false alert),
 * then every experiment: inject → expected alert → rollback → resolved → cool down.
 */
export async function runGameday(opts: GamedayOptions): Promise<GamedayReport> {
  const { stack, settings, say } = opts;
  const startedAt = new Date().toISOString();
  const load = await opts.startLoad();
  const results: ExperimentResult[] = [];
  let loadStats: GamedayReport['load'];
  const falseAlerts = new Set<string>();
  const warmupAlerts = new Set<string>();
  let controlNotifications = 0;
  try {
    if (opts.warmupSeconds) {
      say(`gameday: warm-up, up to ${opts.warmupSeconds} s under load until no alert is firing`);
      const until = Date.now() + opts.warmupSeconds * 1000;
      let firing = await amAlerts(stack.alertmanagerUrl).catch(() => []);
      while (firing.length > 0 && Date.now() < until && !opts.signal?.aborted) {
        for (const a of firing) warmupAlerts.add(`${a.labels.alertname}{service=${a.labels.service ?? ''}}`);
        await sleep(1000);
        firing = await amAlerts(stack.alertmanagerUrl).catch(() => []);
      }
      if (warmupAlerts.size > 0)
        say(`warm-up: alerts seen while the stack settled: ${[...warmupAlerts].join(', ')}`);
    }
    say(`gameday: control phase, ${opts.controlSeconds} s under load with no fault`);
    const before = new Set(
      (await hubNotifications(stack.hubUrl, stack.hubReadToken)).map((n) => (n as { id: unknown }).id),
    );
    const controlStart = Date.now();
    const end = controlStart + opts.controlSeconds * 1000;
    while (Date.now() < end && !opts.signal?.aborted) {
      for (const a of await amAlerts(stack.alertmanagerUrl).catch(() => []))
        falseAlerts.add(
          `${a.labels.alertname}{service=${a.labels.service ?? ''},severity=${a.labels.severity ?? ''}}`,
        );
      await sleep(1000);
    }
    controlNotifications = (await hubNotifications(stack.hubUrl, stack.hubReadToken)).filter(
      (n) => !before.has((n as { id: unknown }).id),
    ).length;
    const cut = opts.signal?.aborted
      ? ` (interrupted after ${Math.round((Date.now() - controlStart) / 1000)} of ${opts.controlSeconds} s)`
      : '';
    say(
      falseAlerts.size === 0
        ? `control phase${cut}: no alert fired`
        : `control phase${cut}: FALSE ALERTS ${[...falseAlerts].join(', ')}`,
    );
    for (const wave of waves(opts.experiments, opts.parallel, (e) => boundOf(e, settings))) {
      if (opts.signal?.aborted) break;
      say(`gameday: ${wave.map((e) => e.name).join(', ')}`);
      const tagged = (e: Experiment) => (line: string) => say(wave.length > 1 ? `[${e.name}] ${line}` : line);
      const out = await Promise.all(
        wave.map((e) =>
          runExperiment(e, {
            stack,
            settings,
            stateFile: opts.stateFile,
            say: tagged(e),
            resolveTimeoutMs: opts.resolveTimeoutMs,
            requireResolved: opts.allowUnresolved !== true,
            ...(opts.quietHoldSeconds !== undefined ? { quietHoldSeconds: opts.quietHoldSeconds } : {}),
            ...(opts.signal ? { signal: opts.signal } : {}),
          }),
        ),
      );
      results.push(...out);
      if (opts.cooldownSeconds > 0) await sleep(opts.cooldownSeconds * 1000);
    }
  } finally {
    loadStats = await load.stop();
  }
  const failed = results.filter((r) => !r.passed);
  const passed = falseAlerts.size === 0 && failed.length === 0 && results.length === opts.experiments.length;
  const interrupted = opts.signal?.aborted === true;
  const summary =
    (interrupted ? `only ${results.length} of ${opts.experiments.length} experiments run; ` : '') +
    `${results.filter((r) => r.outcome === 'detected').length}/${results.filter((r) => r.expected.length > 0).length} detected in time, ` +
    `${results.filter((r) => r.outcome === 'quiet').length}/${results.filter((r) => r.expected.length === 0).length} quiet as expected, ` +
    `${falseAlerts.size} false alert(s) in the control phase` +
    (failed.length ? `; failed: ${failed.map((r) => `${r.experiment} (${r.outcome})`).join(', ')}` : '');
  return {
    startedAt,
    finishedAt: new Date().toISOString(),
    profile: {
      scrapeInterval: settings.scrapeInterval,
      scrapeTimeout: settings.scrapeTimeout,
      evaluationInterval: settings.evaluationInterval,
      prometheusConfig: settings.source.prometheus,
    },
    control: {
      seconds: opts.controlSeconds,
      falseAlerts: [...falseAlerts].sort(),
      notifications: controlNotifications,
      warmupAlerts: [...warmupAlerts].sort(),
    },
    load: loadStats,
    experiments: results,
    interrupted,
    passed,
    summary,
  };
}

/** PASSED, FAILED, or INTERRUPTED (Ctrl-C before the end: not a verdict on the monitoring). */
export const verdictWord = (r: GamedayReport): string =>
  r.interrupted ? 'INTERRUPTED' : r.passed ? 'PASSED' : 'FAILED';

const esc = (s: unknown) =>
  String(s ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
const secs = (n: number | undefined) => (n === undefined ? '–' : `${n.toFixed(1)} s`);

/** A self-contained HTML page (no external assets): the verdict table, the control phase, each run's steps. */
export function renderGamedayHtml(r: GamedayReport): string {
  const rows = r.experiments
    .map(
      (
        e,
      ) => `<tr class="${e.passed ? 'ok' : 'bad'}"><td>${esc(e.experiment)}</td><td>${esc(e.fault)}</td><td>${esc(e.target ?? 'host')}</td>
<td>${esc(e.expected.join(' or ') || 'none')}</td><td>${esc(e.outcome)}</td><td>${secs(e.pageSeconds)}</td><td>${secs(e.notifySeconds)}</td>
<td>${e.bound ? `${e.bound.notifySeconds} s` : '–'}</td><td>${secs(e.recoverSeconds)}</td><td>${esc(e.noise.join(', ') || '–')}</td>
<td>${esc(e.notificationIds.join(', ') || '–')}</td><td>${e.evidence.errorTraces} / ${e.evidence.errorLogs}</td></tr>`,
    )
    .join('\n');
  const details = r.experiments
    .map(
      (e) =>
        `<details><summary>${esc(e.experiment)}: ${esc(e.verdict)}</summary><pre>${esc(e.steps.join('\n'))}</pre>${e.bound ? `<p>bound: ${esc(e.bound.formula)}</p>` : ''}</details>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Vigil gameday ${esc(r.startedAt)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}
tr.ok td:nth-child(5){color:#0a7d2c;font-weight:600}tr.bad td:nth-child(5){color:#b00020;font-weight:600}pre{background:#f6f6f6;padding:8px;overflow:auto}
.verdict{font-size:1.2em;font-weight:600}.pass{color:#0a7d2c}.fail{color:#b00020}</style></head><body>
<h1>Vigil gameday</h1>
<p class="verdict ${r.passed ? 'pass' : 'fail'}">${verdictWord(r)}: ${esc(r.summary)}</p>
<p>${esc(r.startedAt)} → ${esc(r.finishedAt)}; scrape ${r.profile.scrapeInterval} s (timeout ${r.profile.scrapeTimeout} s), evaluation ${r.profile.evaluationInterval} s (${esc(r.profile.prometheusConfig)});
background load ${r.load ? `${r.load.requests} requests, ${r.load.failed} failed` : 'none'}.</p>
<h2>Control phase (${r.control.seconds} s, no fault)</h2>
<p>${r.control.falseAlerts.length === 0 ? 'No alert fired.' : `False alerts: ${esc(r.control.falseAlerts.join(', '))}`} Notifications received by the hub: ${r.control.notifications}.${r.control.warmupAlerts.length ? ` During the warm-up before it: ${esc(r.control.warmupAlerts.join(', '))}.` : ''}</p>
<h2>Experiments</h2>
<table><thead><tr><th>experiment</th><th>fault</th><th>target</th><th>expected</th><th>outcome</th><th>time to page</th><th>hub notified</th><th>bound</th><th>time to resolve</th><th>other alerts</th><th>notifications</th><th>error traces / warn+error logs</th></tr></thead>
<tbody>${rows}</tbody></table>
<h2>Runs</h2>${details}
</body></html>
`;
}

export function writeGamedayReport(dir: string, r: GamedayReport): { json: string; html: string } {
  mkdirSync(dir, { recursive: true });
  const json = join(dir, 'gameday.json');
  const html = join(dir, 'gameday.html');
  writeFileSync(json, `${JSON.stringify(r, null, 2)}\n`);
  writeFileSync(html, renderGamedayHtml(r));
  return { json, html };
}
