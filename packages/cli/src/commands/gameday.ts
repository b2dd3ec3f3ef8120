import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startBackgroundLoad } from '../chaos/background-load.ts';
import { seconds } from '../chaos/bounds.ts';
import { chaosStateFile } from '../chaos/chaos-state.ts';
import { boundOf, runGameday, verdictWord, waves, writeGamedayReport } from '../chaos/gameday.ts';
import { CliError } from '../errors.ts';
import { varLayout } from '../paths.ts';
import { abortOnSignals, catalogueWithBounds, prepareRun } from './chaos.ts';

export const usage = `usage: vigil gameday [--control 10m] [--cooldown 30s] [--only <exp>,…] [--parallel] [--plan] [--out <dir>]

The gameday against the local stack ('make start'): background load through the gateway (the
'checkout' scenario of vigil load), a control phase with no fault (any alert is a false alert),
then every experiment of chaos/experiments in turn: inject → wait for the expected alert in
Alertmanager and the hub → roll back → wait until it resolves → cool down. Writes gameday.json
and a self-contained gameday.html; exit 1 when a fault goes undetected or late, the steady state
does not come back, or the control phase pages; Ctrl-C rolls back, writes the report so far and
exits 130 (INTERRUPTED).

  --control <d>          control phase length (default 10m)
  --cooldown <d>         pause after each experiment (default 30s)
  --warmup <d>           before the control phase, wait up to this long for no alert to be firing
                         (a freshly started stack settling; default 0s, reported in the report)
  --resolve-timeout <d>  longest wait for an alert to resolve after the rollback (default 6m)
  --allow-unresolved     pass a detected fault whose alert has not resolved by --resolve-timeout
                         (the short gameday of 'make test': rate windows outlast its timeouts)
  --quiet-hold <d>       hold faults that expect no alert this long at most (default: their duration)
  --only <names>         only these experiments (comma-separated)
  --parallel             run experiments that share no target or expected alert at the same time
                         (in waves; the slowest experiments first, so they share waves where they may)
  --plan                 print the waves and each one's longest bound, then exit (needs no stack)
  --rate <n>             background journeys per second (default 5)
  --out <dir>            report directory (default var/gameday/<time>)
  --var-dir <dir>        the stack's var directory
  --allow-remote         allow a stack whose components are not on 127.0.0.1`;

function duration(raw: string | undefined, fallback: string, option: string): number {
  try {
    return seconds(raw ?? fallback);
  } catch {
    throw new CliError('BAD_OPTION', `--${option} must be a duration like 30s or 10m`, 2);
  }
}

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      control: { type: 'string' },
      cooldown: { type: 'string' },
      warmup: { type: 'string' },
      'resolve-timeout': { type: 'string' },
      only: { type: 'string' },
      parallel: { type: 'boolean' },
      plan: { type: 'boolean' },
      'allow-unresolved': { type: 'boolean' },
      'quiet-hold': { type: 'string' },
      rate: { type: 'string' },
      out: { type: 'string' },
      'var-dir': { type: 'string' },
      'allow-remote': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const layout = varLayout(values['var-dir']);
  const { settings, experiments } = catalogueWithBounds(layout.varDir);
  const only = values.only
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = only?.filter((n) => !experiments.some((e) => e.name === n)) ?? [];
  if (unknown.length > 0)
    throw new CliError(
      'UNKNOWN_EXPERIMENT',
      `no experiment ${unknown.join(', ')}; see 'vigil chaos list'`,
      2,
    );
  const picked = only ? experiments.filter((e) => only.includes(e.name)) : experiments;
  if (values.plan) {
    const ws = waves(picked, values.parallel === true, (e) => boundOf(e, settings));
    ws.forEach((w, i) => {
      const longest = Math.max(...w.map((e) => boundOf(e, settings)));
      console.log(
        `wave ${i + 1} (longest bound ${longest ? `${longest} s` : '– (no alert expected)'}): ${w.map((e) => e.name).join(', ')}`,
      );
    });
    return 0;
  }
  const rate = Number(values.rate ?? 5);
  if (!(rate > 0 && rate <= 200)) throw new CliError('BAD_OPTION', '--rate must be between 0 and 200', 2);
  const stack = await prepareRun(layout, values['allow-remote'] === true);
  const controller = new AbortController();
  const removeSignals = abortOnSignals(controller);
  try {
    const report = await runGameday({
      stack,
      settings,
      experiments: picked,
      stateFile: chaosStateFile(layout),
      say: (l) => console.log(l),
      controlSeconds: duration(values.control, '10m', 'control'),
      cooldownSeconds: duration(values.cooldown, '30s', 'cooldown'),
      warmupSeconds: duration(values.warmup, '0s', 'warmup'),
      resolveTimeoutMs: duration(values['resolve-timeout'], '6m', 'resolve-timeout') * 1000,
      parallel: values.parallel === true,
      allowUnresolved: values['allow-unresolved'] === true,
      ...(values['quiet-hold']
        ? { quietHoldSeconds: duration(values['quiet-hold'], '0s', 'quiet-hold') }
        : {}),
      startLoad: () => startBackgroundLoad(stack.baseUrl('gateway'), { journeysPerSecond: rate }),
      signal: controller.signal,
    });
    const dir = values.out ?? resolve(layout.varDir, 'gameday', report.startedAt.replace(/[:.]/g, '-'));
    const files = writeGamedayReport(dir, report);
    console.log(`gameday ${verdictWord(report)}: ${report.summary}`);
    console.log(`report: ${files.html} (JSON: ${files.json})`);
    return report.interrupted ? 130 : report.passed ? 0 : 1;
  } finally {
    removeSignals();
  }
}
