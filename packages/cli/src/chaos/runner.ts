import { alertBounds, allowance, type Bound, detectionBound, type Settings, seconds } from './bounds.ts';
import { type Experiment, expectsAlerts } from './catalogue.ts';
import { forgetInjection, recordInjection, runStep, updateInjection } from './chaos-state.ts';
import { newInjection, planInjection } from './injectors.ts';
import { type AmAlert, amAlerts, hubNotifications, labelsMatch, promQuery } from './observe.ts';
import type { LocalStack } from './stack.ts';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const round1 = (n: number) => Math.round(n * 10) / 10;

export type Outcome =
  | 'detected'
  | 'late'
  | 'not-detected'
  | 'quiet'
  | 'paged'
  | 'aborted'
  | 'hypothesis-failed'
  | 'error';

export interface ExperimentResult {
  readonly experiment: string;
  readonly fault: string;
  readonly target: string | undefined;
  readonly outcome: Outcome;
  readonly passed: boolean;
  readonly expected: readonly string[];
  readonly bound?: Bound & { readonly allowedSeconds: number };
  /** Injection → expected alert firing in Alertmanager. */
  readonly detectSeconds?: number;
  /** Injection → first notification: firing in Alertmanager + the fastest route's group_wait. */
  readonly pageSeconds?: number;
  /** Injection → the hub received the notification (its route may wait longer than the page). */
  readonly notifySeconds?: number;
  /** Rollback → the expected alert resolved in Alertmanager. */
  readonly recoverSeconds?: number;
  readonly noise: readonly string[];
  readonly notificationIds: readonly (string | number)[];
  readonly evidence: { readonly errorTraces: number; readonly errorLogs: number };
  readonly steps: readonly string[];
  readonly verdict: string;
  readonly startedAt: string;
}

export interface RunOptions {
  readonly stack: LocalStack;
  readonly settings: Settings;
  readonly stateFile: string;
  readonly say: (line: string) => void;
  /** Longest wait for the alert to resolve after the rollback (default 5 min). */
  readonly resolveTimeoutMs?: number;
  /** Cap on how long a fault with no expected alert is held (default: its duration). */
  readonly quietHoldSeconds?: number;
  /** A detected fault passes only when its alert resolved within resolveTimeoutMs (default true). */
  readonly requireResolved?: boolean;
  /** Longest wait for the steady state to hold before injecting (default 60 s). */
  readonly steadyTimeoutMs?: number;
  /** Ctrl-C: stop waiting, roll back. */
  readonly signal?: AbortSignal;
}

const alertKey = (a: { labels: Record<string, string> }) =>
  `${a.labels.alertname}{${['service', 'dependency', 'severity']
    .filter((k) => a.labels[k])
    .map((k) => `${k}=${a.labels[k]}`)
    .join(',')}}`;

async function checks(stack: LocalStack, list: Experiment['steady_state']): Promise<string[]> {
  const failed: string[] = [];
  for (const c of list) {
    const r = await promQuery(stack.prometheusUrl, c.promql).catch((err: Error) => {
      failed.push(`${c.name}: query failed: ${err.message}`);
      return undefined;
    });
    if (r && r.length === 0) failed.push(`${c.name}: \`${c.promql}\` is empty`);
  }
  return failed;
}

async function abortReason(stack: LocalStack, list: Experiment['abort']): Promise<string | undefined> {
  for (const c of list) {
    const r = await promQuery(stack.prometheusUrl, c.promql).catch(() => []);
    if (r.length > 0) return `${c.name} (\`${c.promql}\` = ${r[0]!.value[1]})`;
  }
  return undefined;
}

async function evidence(stack: LocalStack, service: string | undefined, fromMs: number, toMs: number) {
  const count = async (url: string) => {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
      const body = (await res.json()) as { data?: unknown[] | { items?: unknown[] }; items?: unknown[] };
      const data = body.data ?? body.items;
      return Array.isArray(data) ? data.length : Array.isArray(data?.items) ? data.items.length : 0;
    } catch {
      return 0;
    }
  };
  if (!stack.hubUrl || !service) return { errorTraces: 0, errorLogs: 0 };
  const q = (o: Record<string, string>) => new URLSearchParams(o).toString();
  const [errorTraces, errorLogs] = await Promise.all([
    count(
      `${stack.hubUrl}/api/traces?${q({ service: 'gateway', tags: '{"error":"true"}', start: String(fromMs * 1000), end: String(toMs * 1000), limit: '100' })}`,
    ),
    count(
      `${stack.hubUrl}/api/logs?${q({ level: 'warn,error', start: String(fromMs), end: String(toMs), limit: '100' })}`,
    ),
  ]);
  return { errorTraces, errorLogs };
}

interface Notification {
  id: number | string;
  receivedAt: string;
  alerts?: Array<{ status: string; labels: Record<string, string> }>;
}

/**
 * Runs one experiment against the local stack: steady-state check, injection (recorded first
 * in the chaos state file), watching Alertmanager and the hub for the expected alert while
 * checking the abort conditions, rollback, waiting until the alert resolves, steady state again.
 */
export async function runExperiment(e: Experiment, opts: RunOptions): Promise<ExperimentResult> {
  const { stack, settings, say } = opts;
  const steps: string[] = [];
  const note = (line: string) => {
    steps.push(line);
    say(line);
  };
  const startedAt = new Date().toISOString();
  const expected: readonly string[] = e.detection.alerts;
  const wantLabels: Readonly<Record<string, string>> = 'labels' in e.detection ? e.detection.labels : {};
  const base = { experiment: e.name, fault: e.fault.kind, target: e.target.service, expected, startedAt };
  // The fastest expected alert's bound until one fires; then the bound of the alert that fired.
  let bound = expectsAlerts(e) ? detectionBound(e, settings) : undefined;
  const perAlert = expectsAlerts(e) ? alertBounds(e, settings) : [];
  const slowest = perAlert.reduce((m, b) => Math.max(m, allowance(b.notifySeconds)), 0);
  let boundOut = bound ? { ...bound, allowedSeconds: allowance(bound.notifySeconds) } : undefined;
  const judgeBy = (firing: readonly AmAlert[]) => {
    const own = perAlert
      .filter((b) => firing.some((a) => a.labels.alertname === b.alert))
      .sort((a, b) => a.notifySeconds - b.notifySeconds)[0];
    if (!own) return;
    bound = { detectSeconds: own.detectSeconds, notifySeconds: own.notifySeconds, formula: own.formula };
    boundOut = { ...bound, allowedSeconds: allowance(bound.notifySeconds) };
  };
  const empty = { noise: [], notificationIds: [], evidence: { errorTraces: 0, errorLogs: 0 }, steps };

  note(`experiment ${e.name}: ${e.description}`);
  if (bound)
    note(
      `expected: ${expected.join(' or ')} ${JSON.stringify(wantLabels)} within ${bound.notifySeconds} s (${bound.formula}); allowed ${boundOut!.allowedSeconds} s` +
        (perAlert.length > 1
          ? `; each judged by its own bound: ${perAlert.map((b) => `${b.alert} ${b.notifySeconds} s`).join(', ')}`
          : ''),
    );
  else if ('none_because' in e.detection) note(`expected: no alert (${e.detection.none_because})`);

  // Before injecting, wait (one deadline for all) until the steady state holds, no abort
  // condition is tripped (an earlier fault's errors may still be inside a 1 m window) and the
  // expected alert is not still resolving from an earlier fault (rate windows).
  const steadyLimit = Date.now() + (opts.steadyTimeoutMs ?? 60_000);
  const clear = async <T>(problem: () => Promise<T | undefined>): Promise<T | undefined> => {
    let p = await problem();
    while (p !== undefined && Date.now() < steadyLimit && !opts.signal?.aborted) {
      await sleep(1000);
      p = await problem();
    }
    return p;
  };
  const notInjected = (why: string, verdict: string): ExperimentResult => {
    note(why);
    return {
      ...base,
      ...empty,
      ...(boundOut ? { bound: boundOut } : {}),
      outcome: 'hypothesis-failed',
      passed: false,
      verdict: `${e.name}: ${verdict}`,
    };
  };
  const unmet = await clear(async () => {
    const failed = await checks(stack, e.steady_state);
    return failed.length > 0 ? failed : undefined;
  });
  if (unmet)
    return notInjected(
      `steady state NOT met before injection: ${unmet.join('; ')}`,
      'steady state not met before the fault; nothing injected',
    );
  note(`steady state holds: ${e.steady_state.map((c) => c.name).join(', ')}`);
  const tripped = await clear(() => abortReason(stack, e.abort));
  if (tripped)
    return notInjected(
      `abort condition holds before injection: ${tripped}`,
      `abort condition holds before the fault (${tripped}); nothing injected`,
    );
  const wanted = (a: AmAlert) => expected.includes(a.labels.alertname!) && labelsMatch(a.labels, wantLabels);
  const baseline = new Set((await amAlerts(stack.alertmanagerUrl)).map(alertKey));
  const already = await clear(async () => {
    const firing = (await amAlerts(stack.alertmanagerUrl)).filter(wanted);
    return firing.length > 0 ? firing : undefined;
  });
  if (already)
    return notInjected(
      `the expected alert is already firing (${already.map(alertKey).join(', ')}); the fault cannot be measured`,
      'expected alert already firing before the fault',
    );
  const notifiedBefore = new Set(
    ((await hubNotifications(stack.hubUrl, stack.hubReadToken)) as Notification[]).map((n) => n.id),
  );

  const plan = planInjection(e, stack);
  const injection = newInjection(e, plan.rollback);
  recordInjection(opts.stateFile, injection);
  let t0 = Date.now();
  const ttlMs = seconds(e.duration) * 1000;
  let injected: Awaited<ReturnType<typeof plan.inject>> | undefined;
  let detectedAt: number | undefined;
  let notifiedAt: number | undefined;
  const notificationIds: (string | number)[] = [];
  const noise = new Set<string>();
  let aborted: string | undefined;
  let failure: string | undefined;
  // A kill's fault is the first kill: the restarts that follow (a crash loop's further kills,
  // tens of seconds) are its effect, and the alert may fire while they are still going on.
  const killed = e.fault.kind === 'process.kill' || e.fault.kind === 'process.crashloop';
  let injecting = true;
  const watchDuringInjection = killed
    ? (async () => {
        while (injecting && detectedAt === undefined) {
          const firing = (await amAlerts(stack.alertmanagerUrl).catch(() => [])).filter(wanted);
          if (firing.length > 0) {
            detectedAt = Date.now();
            judgeBy(firing);
          } else await sleep(250);
        }
      })()
    : Promise.resolve();
  try {
    try {
      injected = await plan.inject();
    } finally {
      injecting = false;
      await watchDuringInjection;
    }
    if (detectedAt !== undefined)
      note(
        `Alertmanager: ${expected.join('/')} firing after ${((detectedAt - t0) / 1000).toFixed(1)} s (during the injection)`,
      );
    // The fault is in when its injection returns (a 500 MiB allocation takes seconds), except for kills.
    if (!killed) t0 = Date.now();
    updateInjection(opts.stateFile, { ...injection, rollback: injected.rollback });
    note(`injected at ${new Date(t0).toISOString()}: ${injected.description}`);
    // A crash loop takes a while to inject: the watching window starts when it is in.
    const holdFrom = Math.max(t0, Date.now() - 1000);
    const holdUntil =
      e.rollback.when === 'duration' || !boundOut
        ? t0 + Math.min(ttlMs, (opts.quietHoldSeconds ?? Number.POSITIVE_INFINITY) * 1000)
        : holdFrom + Math.min(ttlMs, Math.max(slowest * 2, slowest + 10) * 1000);
    let lastAbortCheck = 0;
    while (Date.now() < holdUntil && !opts.signal?.aborted) {
      const now = Date.now();
      if (now - lastAbortCheck >= 1000) {
        lastAbortCheck = now;
        aborted = await abortReason(stack, e.abort);
        if (aborted) {
          note(`ABORT: ${aborted}`);
          break;
        }
      }
      const alerts = await amAlerts(stack.alertmanagerUrl).catch(() => []);
      for (const a of alerts) if (!baseline.has(alertKey(a)) && !wanted(a)) noise.add(alertKey(a));
      if (detectedAt === undefined && alerts.some(wanted)) {
        detectedAt = Date.now();
        judgeBy(alerts.filter(wanted));
        note(
          `Alertmanager: ${alerts.filter(wanted).map(alertKey).join(', ')} firing after ${((detectedAt - t0) / 1000).toFixed(1)} s`,
        );
      }
      if (detectedAt !== undefined && notifiedAt === undefined) {
        for (const n of (await hubNotifications(stack.hubUrl, stack.hubReadToken)) as Notification[]) {
          if (notifiedBefore.has(n.id)) continue;
          const hits = (n.alerts ?? []).filter(
            (a) =>
              a.status === 'firing' &&
              expected.includes(a.labels.alertname!) &&
              labelsMatch(a.labels, wantLabels),
          );
          if (hits.length === 0) continue;
          notificationIds.push(n.id);
          notifiedAt ??= Math.max(detectedAt, Date.parse(n.receivedAt));
        }
        if (notifiedAt !== undefined)
          note(
            `hub: notification ${notificationIds.join(', ')} received after ${((notifiedAt - t0) / 1000).toFixed(1)} s`,
          );
        else if (
          !stack.hubUrl &&
          bound &&
          Date.now() - detectedAt >= (bound.notifySeconds - bound.detectSeconds) * 1000
        )
          notifiedAt = Date.now();
      }
      const waitedOut =
        detectedAt !== undefined &&
        bound !== undefined &&
        Date.now() - detectedAt >= (bound.notifySeconds - bound.detectSeconds + 3) * 1000;
      if ((notifiedAt !== undefined || waitedOut) && e.rollback.when === 'detected') break;
      await sleep(250);
    }
  } catch (err) {
    failure = (err as Error).message;
    note(`injection failed: ${failure}`);
  } finally {
    const rollbackAt = Date.now();
    for (const step of injected?.rollback ?? plan.rollback)
      note(`rollback: ${await runStep(step, stack.token)}`);
    if (injected?.settle)
      await injected.settle().then(
        () => note('rollback: target healthy again'),
        (err: Error) => note(`rollback: ${err.message}`),
      );
    forgetInjection(opts.stateFile, injection);
    note(`rolled back after ${((rollbackAt - t0) / 1000).toFixed(1)} s of fault`);
  }
  const faultEnd = Date.now();

  // Recovery: the expected alert resolves, then the steady state holds again.
  let recoverSeconds: number | undefined;
  const resolveLimit = Date.now() + (opts.resolveTimeoutMs ?? 300_000);
  if (detectedAt !== undefined) {
    while (Date.now() < resolveLimit) {
      const alerts = await amAlerts(stack.alertmanagerUrl).catch(() => undefined);
      if (alerts && !alerts.some(wanted)) {
        recoverSeconds = (Date.now() - faultEnd) / 1000;
        note(`resolved in Alertmanager ${recoverSeconds.toFixed(1)} s after the rollback`);
        break;
      }
      await sleep(500);
    }
    if (recoverSeconds === undefined) note('the alert did not resolve in time after the rollback');
  }
  let after: string[] = [];
  while (Date.now() < resolveLimit) {
    after = await checks(stack, e.steady_state);
    if (after.length === 0) break;
    await sleep(1000);
  }
  note(after.length === 0 ? 'steady state holds again' : `steady state NOT restored: ${after.join('; ')}`);
  const ev = await evidence(stack, e.target.service, t0, faultEnd);

  const detectSeconds = detectedAt === undefined ? undefined : (detectedAt - t0) / 1000;
  const notifySeconds = notifiedAt === undefined ? undefined : (notifiedAt - t0) / 1000;
  let outcome: Outcome;
  let passed: boolean;
  let verdict: string;
  const noiseList = [...noise].sort();
  if (failure) {
    outcome = 'error';
    passed = false;
    verdict = `ERROR: ${failure}`;
  } else if (aborted) {
    outcome = 'aborted';
    passed = false;
    verdict = `ABORTED: ${aborted}`;
  } else if (!bound) {
    const pages = noiseList.filter((k) => k.includes('severity=critical'));
    outcome = pages.length > 0 ? 'paged' : 'quiet';
    passed = pages.length === 0 && after.length === 0;
    verdict =
      pages.length > 0
        ? `PAGED although no alert is expected: ${pages.join(', ')}`
        : `QUIET as expected (no page)${after.length ? ', but the steady state was not restored' : ''}`;
  } else {
    // Measured: the alert firing in Alertmanager. Alertmanager then sends the first notification
    // after the configured group_wait of the fastest route (the hub's own route may wait longer).
    const seen =
      detectSeconds !== undefined ? detectSeconds + (bound.notifySeconds - bound.detectSeconds) : undefined;
    if (seen === undefined) {
      outcome = 'not-detected';
      passed = false;
      verdict = `NOT DETECTED: no ${expected.join('/')} within ${((faultEnd - t0) / 1000).toFixed(0)} s (bound ${bound.notifySeconds} s)`;
    } else {
      outcome = seen <= boundOut!.allowedSeconds ? 'detected' : 'late';
      passed =
        outcome === 'detected' &&
        (recoverSeconds !== undefined || opts.requireResolved === false) &&
        after.length === 0;
      verdict = `${outcome === 'detected' ? 'DETECTED' : 'LATE'}: paged ${seen.toFixed(1)} s after the fault (firing after ${detectSeconds!.toFixed(1)} s + group_wait; bound ${bound.notifySeconds} s, allowed ${boundOut!.allowedSeconds} s)${notifySeconds !== undefined ? `, hub notified after ${notifySeconds.toFixed(1)} s` : ''}${recoverSeconds === undefined ? ', but it did not resolve' : `, resolved ${recoverSeconds.toFixed(1)} s after rollback`}${after.length ? ', steady state not restored' : ''}`;
    }
  }
  say(`verdict: ${e.name}: ${verdict}${noiseList.length ? `; other alerts: ${noiseList.join(', ')}` : ''}`);
  return {
    ...base,
    outcome,
    passed,
    ...(boundOut ? { bound: boundOut } : {}),
    ...(detectSeconds !== undefined ? { detectSeconds } : {}),
    ...(notifySeconds !== undefined ? { notifySeconds } : {}),
    ...(detectSeconds !== undefined && bound
      ? { pageSeconds: round1(detectSeconds + bound.notifySeconds - bound.detectSeconds) }
      : {}),
    ...(recoverSeconds !== undefined ? { recoverSeconds } : {}),
    noise: noiseList,
    notificationIds,
    evidence: ev,
    steps,
    verdict,
  };
}
