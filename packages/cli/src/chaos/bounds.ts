import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { monitoringRuntimeLayout, monitoringSources } from '../monitoring/monitoring-layout.ts';
import { type AlertDetection, type Experiment, expectsAlerts } from './catalogue.ts';

/** Seconds of a Prometheus/Alertmanager duration such as 15s, 1m30s, 500ms. */
export function seconds(d: string): number {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;
  const unit: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };
  let total = 0;
  let consumed = '';
  for (const m of d.matchAll(re)) {
    total += Number(m[1]) * unit[m[2]!]!;
    consumed += m[0];
  }
  if (consumed !== d || d === '') throw new Error(`not a duration: '${d}'`);
  return total;
}

export interface AlertRule {
  readonly name: string;
  readonly forSeconds: number;
  readonly labels: Readonly<Record<string, string>>;
  /** The longest range window the alert reads, through the recording rules it uses (0: none). */
  readonly windowSeconds: number;
}

interface Route {
  receiver?: string;
  matchers?: string[];
  continue?: boolean;
  group_wait?: string;
  routes?: Route[];
}

/** The timings that decide how fast a fault can be detected, as configured in this run. */
export interface Settings {
  readonly source: {
    readonly prometheus: string;
    readonly rules: readonly string[];
    readonly alertmanager: string;
  };
  readonly scrapeInterval: number;
  readonly scrapeTimeout: number;
  readonly evaluationInterval: number;
  readonly rules: ReadonlyMap<string, AlertRule>;
  readonly route: Route;
}

function ruleFilesOf(configFile: string, patterns: readonly string[]): string[] {
  const files: string[] = [];
  for (const pattern of patterns) {
    const abs = pattern.startsWith('/') ? pattern : join(dirname(configFile), pattern);
    const dir = dirname(abs);
    const glob = abs.slice(dir.length + 1);
    const re = new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).sort()) if (re.test(f)) files.push(join(dir, f));
  }
  return files;
}

type RuleDoc = {
  groups?: Array<{
    rules?: Array<{
      alert?: string;
      record?: string;
      expr?: unknown;
      for?: string;
      labels?: Record<string, string>;
    }>;
  }>;
};

/** The longest range selector (`[5m]`, `[30m:1m]`) in an expression and the recorded series it reads. */
function windowOf(expr: string, recorded: ReadonlyMap<string, string>, seen = new Set<string>()): number {
  let longest = 0;
  for (const m of expr.matchAll(/\[(\d+(?:ms|s|m|h|d))(?::\w*)?\]/g))
    longest = Math.max(longest, seconds(m[1]!));
  for (const m of expr.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const inner = recorded.get(m[0]);
    if (inner === undefined || seen.has(m[0])) continue;
    seen.add(m[0]);
    longest = Math.max(longest, windowOf(inner, recorded, seen));
  }
  return longest;
}

/** Every alert rule in the given rule files, by name (the first definition wins). */
export function alertRules(files: readonly string[]): Map<string, AlertRule> {
  const docs = files.map((file) => parse(readFileSync(file, 'utf8')) as RuleDoc | null);
  const recorded = new Map<string, string>();
  for (const doc of docs)
    for (const group of doc?.groups ?? [])
      for (const r of group.rules ?? [])
        if (r.record && typeof r.expr === 'string')
          recorded.set(r.record, `${recorded.get(r.record) ?? ''} ${r.expr}`);
  const rules = new Map<string, AlertRule>();
  for (const doc of docs)
    for (const group of doc?.groups ?? [])
      for (const r of group.rules ?? [])
        if (r.alert && !rules.has(r.alert))
          rules.set(r.alert, {
            name: r.alert,
            forSeconds: r.for ? seconds(r.for) : 0,
            labels: r.labels ?? {},
            windowSeconds: typeof r.expr === 'string' ? windowOf(r.expr, recorded) : 0,
          });
  return rules;
}

/**
 * Reads the settings in force: the configs `vigil start` rendered under `<varDir>/monitoring`
 * when they exist (so the test profile's short intervals count), else the repo's sources.
 */
export function settingsInForce(repoRoot: string, varDir: string | undefined): Settings {
  const sources = monitoringSources(repoRoot);
  const runtime = varDir ? monitoringRuntimeLayout(varDir) : undefined;
  const promFile =
    runtime && existsSync(runtime.prometheusConfig) ? runtime.prometheusConfig : sources.prometheusConfig;
  const amFile =
    runtime && existsSync(runtime.alertmanagerConfig)
      ? runtime.alertmanagerConfig
      : sources.alertmanagerConfig;
  const prom = parse(readFileSync(promFile, 'utf8')) as {
    global?: Record<string, string>;
    rule_files?: string[];
    scrape_configs?: Array<{ job_name: string; scrape_interval?: string; scrape_timeout?: string }>;
  };
  const job = prom.scrape_configs?.find((j) => j.job_name === 'vigil-services');
  const scrapeInterval = seconds(job?.scrape_interval ?? prom.global?.scrape_interval ?? '1m');
  const scrapeTimeout = seconds(job?.scrape_timeout ?? prom.global?.scrape_timeout ?? '10s');
  const ruleFiles = ruleFilesOf(promFile, prom.rule_files ?? []);
  const am = parse(readFileSync(amFile, 'utf8')) as { route: Route };
  return {
    source: { prometheus: promFile, rules: ruleFiles, alertmanager: amFile },
    scrapeInterval,
    scrapeTimeout: Math.min(scrapeTimeout, scrapeInterval),
    evaluationInterval: seconds(prom.global?.evaluation_interval ?? '1m'),
    rules: alertRules(ruleFiles),
    route: am.route,
  };
}

function matches(matchers: readonly string[] | undefined, labels: Readonly<Record<string, string>>): boolean {
  for (const m of matchers ?? []) {
    const parsed = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!=|!~|=)\s*"?(.*?)"?\s*$/.exec(m);
    if (!parsed) return false;
    const [, name, op, value] = parsed;
    const actual = labels[name!] ?? '';
    const re = new RegExp(`^(?:${value})$`);
    const ok =
      op === '='
        ? actual === value
        : op === '!='
          ? actual !== value
          : op === '=~'
            ? re.test(actual)
            : !re.test(actual);
    if (!ok) return false;
  }
  return true;
}

/**
 * The shortest group_wait among the Alertmanager routes an alert with these labels reaches:
 * the wait before its first notification goes out (Alertmanager's routing: first matching
 * child per level unless `continue`, children inherit their parent's group_wait).
 */
export function groupWaitFor(route: Route, labels: Readonly<Record<string, string>>): number {
  const waits: number[] = [];
  const walk = (node: Route, inherited: string): boolean => {
    const wait = node.group_wait ?? inherited;
    let matchedChild = false;
    for (const child of node.routes ?? []) {
      if (!matches(child.matchers, labels)) continue;
      walk(child, wait);
      matchedChild = true;
      if (!child.continue) break;
    }
    if (!matchedChild) waits.push(seconds(wait));
    return true;
  };
  walk(route, route.group_wait ?? '30s');
  return Math.min(...waits);
}

export interface Bound {
  /** Fault → alert firing in Prometheus and sent to Alertmanager. */
  readonly detectSeconds: number;
  /** Fault → first notification (detection plus group_wait). */
  readonly notifySeconds: number;
  /** The terms, for the report: `2×scrape 1s + 1×eval 1s + for 2s + group_wait 1s`. */
  readonly formula: string;
}

/**
 * Worst-case time from injection to the alert: the scrapes the signal needs (plus the scrape
 * timeout for a hung target), the evaluation rounds (recording rules feeding the alert add
 * one; the alert fires on the first evaluation after `for`), the alert's `for`, anything the
 * experiment adds with a reason, then Alertmanager's group_wait before the first notification.
 */
export function alertBounds(
  e: Experiment & { detection: AlertDetection },
  s: Settings,
): Array<Bound & { readonly alert: string }> {
  const sig = e.detection.signal;
  return e.detection.alerts.map((name) => {
    const rule = s.rules.get(name);
    if (!rule) throw new Error(`no alert rule named '${name}' in the rules in force`);
    const labels = { alertname: name, ...rule.labels, ...e.detection.labels };
    // The alert fires on the first evaluation at least `for` after it went pending.
    const forRounded = Math.ceil(rule.forSeconds / s.evaluationInterval) * s.evaluationInterval;
    // A share of the alert's rate window: the fault must fill that much of it (e.g. 5 % slow
    // requests for a p95 over the window), so the bound follows the window in force.
    const windowPart = sig.window_share * rule.windowSeconds;
    const detect =
      sig.scrapes * s.scrapeInterval +
      (sig.scrape_timeout ? s.scrapeTimeout : 0) +
      sig.evaluations * s.evaluationInterval +
      forRounded +
      windowPart +
      sig.extra_seconds;
    const wait = groupWaitFor(s.route, labels);
    const formula =
      `${sig.scrapes}×scrape ${s.scrapeInterval}s` +
      (sig.scrape_timeout ? ` + scrape_timeout ${s.scrapeTimeout}s` : '') +
      ` + ${sig.evaluations}×eval ${s.evaluationInterval}s + for ${rule.forSeconds}s` +
      (forRounded !== rule.forSeconds ? ` (→${forRounded}s on the eval grid)` : '') +
      (windowPart ? ` + ${sig.window_share}×window ${rule.windowSeconds}s` : '') +
      (sig.extra_seconds || windowPart ? ` + ${sig.extra_seconds}s (${sig.why})` : '') +
      ` + group_wait ${wait}s`;
    return {
      alert: name,
      detectSeconds: round(detect),
      notifySeconds: round(detect + wait),
      formula: `${name}: ${formula}`,
    };
  });
}

/**
 * The bound of an experiment: any one of its expected alerts detects the fault, so the fastest
 * of their bounds (the verdict then judges the alert that fired against its own: alertBounds).
 */
export function detectionBound(e: Experiment & { detection: AlertDetection }, s: Settings): Bound {
  const best = alertBounds(e, s).reduce((a, b) => (b.notifySeconds < a.notifySeconds ? b : a));
  return { detectSeconds: best.detectSeconds, notifySeconds: best.notifySeconds, formula: best.formula };
}

const round = (n: number) => Math.round(n * 100) / 100;

/** Verdict tolerance over a bound: polling, delivery and a loaded machine (20 %, at least 3 s). */
export function allowance(boundSeconds: number): number {
  return round(boundSeconds + Math.max(3, boundSeconds * 0.2));
}

/**
 * Experiments whose fault would end (its `duration`, the TTL every injector gets) before each of
 * its expected alerts may page: the runner stops watching at the TTL, so such a fault could never
 * be detected in time with these settings (production's `for: 5m` alerts need minutes). Every
 * expected alert counts, not only the fastest: an alternative alert is there for when the first
 * cannot fire (cpu-burn-user: ServiceCpuSaturated needs a whole CPU that a busy host may not
 * grant, and EventLoopLagHigh then needs ten minutes).
 */
export function durationProblems(
  experiments: readonly Experiment[],
  s: Settings,
): Array<{ readonly experiment: string; readonly message: string }> {
  return experiments.filter(expectsAlerts).flatMap((e) => {
    const b = alertBounds(e, s).reduce((a, x) => (x.notifySeconds > a.notifySeconds ? x : a));
    const allowed = allowance(b.notifySeconds);
    return seconds(e.duration) >= allowed
      ? []
      : [
          {
            experiment: e.name,
            message: `duration: ${e.duration} ends the fault before it can be detected: ${b.alert} may page up to ${allowed} s after the injection with the settings in force (bound ${b.notifySeconds} s + 20 %)`,
          },
        ];
  });
}
