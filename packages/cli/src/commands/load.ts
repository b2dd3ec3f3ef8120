import { isAbsolute, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  constantRate,
  describeExecutor,
  type Executor,
  formatSummary,
  type LoadRun,
  type LoadSummary,
  listScenarios,
  loadScenario,
  parseDuration,
  parseStages,
  progressPrinter,
  runLoad,
  ScenarioError,
  ThresholdError,
  writeReports,
} from '@vigil/load';
import { component, defaultPort, LOCAL_HOST } from '@vigil/topology';
import { CliError } from '../errors.ts';
import { varLayout } from '../paths.ts';
import { isPortFree, portFromEnv } from '../ports.ts';
import { table } from '../table.ts';

export const usage = `usage: vigil load run <scenario name or file> [options]
       vigil load list

Runs a load scenario against the stack (default: the gateway of 'make start'), prints live
progress, and writes summary.json and a self-contained report.html. While it runs, /metrics
(port ${defaultPort('vigil-load')}, ${component('vigil-load').portEnv}) is scraped by the local Prometheus (job vigil-load).

executor (default: the scenario's own defaults):
  --vus <n>              closed model: n virtual users, iterations back to back (+ think time)
  --rate <n>             open model: n iterations/s, latency from the scheduled send time
  --stages <r:d,...>     open model, ramping: e.g. 10:30s,100:1m,100:2m (start rate: --rate, else 0)
  --duration <d>         e.g. 60s, 2m (not with --stages)
options:
  --threshold <expr>     repeatable, k6 style: 'p95(order) < 300ms', 'error_rate < 1%', 'checks > 99%'
  --abort-on-fail        stop as soon as a threshold fails (checked every second after 5 s)
  --out <dir>            report directory (default var/load/<scenario>-<time>)
  --target <url>         base URL (default VIGIL_LOAD_TARGET, else GATEWAY_URL, else the local gateway)
  --workers <n>          worker threads (default: min(2, cores))
  --timeout <d>          per-request timeout (default 10s)
  --metrics-port <port>  /metrics port (0 = any free port)

exit codes: 0 thresholds passed, 1 a threshold failed, 2 bad usage or scenario, 130 interrupted
(Ctrl-C stops the run and still writes the partial report).

examples:
  vigil load run checkout --rate 50 --duration 60s
  vigil load run order --stages 5:30s,40:2m --threshold 'p99(order) < 250ms' --threshold 'error_rate < 1%'
  vigil load run ./my-scenario.ts --vus 20 --duration 1m`;

function positiveNumber(value: string | undefined, option: string, integer = false): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n)))
    throw new CliError('BAD_OPTION', `--${option} must be a positive ${integer ? 'integer' : 'number'}`, 2);
  return n;
}

function duration(value: string, option: string): number {
  try {
    const ms = parseDuration(value);
    if (ms <= 0) throw new Error('must be positive');
    return ms;
  } catch (err) {
    throw new CliError('BAD_OPTION', `--${option}: ${(err as Error).message}`, 2);
  }
}

/** The executor from the command line, else from the scenario's defaults. */
export function executorFromOptions(
  values: { vus?: string; rate?: string; stages?: string; duration?: string },
  defaults: { vus?: number; rate?: number; duration?: number },
): Executor {
  const vus = positiveNumber(values.vus, 'vus', true);
  const rate = positiveNumber(values.rate, 'rate');
  if (vus !== undefined && (rate !== undefined || values.stages !== undefined))
    throw new CliError(
      'BAD_OPTION',
      '--vus (closed model) cannot be combined with --rate or --stages (open model)',
      2,
    );
  if (values.stages !== undefined) {
    if (values.duration !== undefined)
      throw new CliError('BAD_OPTION', '--stages sets the duration; drop --duration', 2);
    try {
      return { kind: 'open', startRate: rate ?? 0, stages: parseStages(values.stages) };
    } catch (err) {
      throw new CliError('BAD_OPTION', (err as Error).message, 2);
    }
  }
  const ms =
    values.duration !== undefined ? duration(values.duration, 'duration') : (defaults.duration ?? 60_000);
  if (vus !== undefined) return { kind: 'closed', vus, duration: ms };
  if (rate !== undefined) return constantRate(rate, ms);
  if (defaults.vus !== undefined) return { kind: 'closed', vus: defaults.vus, duration: ms };
  return constantRate(defaults.rate ?? 10, ms);
}

function localUrl(name: 'gateway' | 'hub', env: NodeJS.ProcessEnv): string {
  return `http://${LOCAL_HOST}:${portFromEnv(env, component(name).portEnv, defaultPort(name))}`;
}

async function metricsPort(option: string | undefined, env: NodeJS.ProcessEnv): Promise<number> {
  if (option !== undefined) {
    const port = Number(option);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new CliError('BAD_OPTION', '--metrics-port must be a TCP port (0 = any)', 2);
    return port;
  }
  const entry = component('vigil-load');
  const port = portFromEnv(env, entry.portEnv, entry.port);
  if (await isPortFree(port, LOCAL_HOST)) return port;
  console.error(
    `vigil load: port ${port} is busy (another run?); /metrics goes to a free port that Prometheus does not scrape`,
  );
  return 0;
}

function stamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

async function runCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      vus: { type: 'string' },
      rate: { type: 'string' },
      stages: { type: 'string' },
      duration: { type: 'string' },
      threshold: { type: 'string', multiple: true },
      'abort-on-fail': { type: 'boolean' },
      out: { type: 'string' },
      target: { type: 'string' },
      workers: { type: 'string' },
      timeout: { type: 'string' },
      'metrics-port': { type: 'string' },
      'var-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  if (positionals.length !== 1)
    throw new CliError(
      'USAGE',
      `'vigil load run' takes one scenario (name or file); see 'vigil load --help'`,
      2,
    );
  const env = process.env;
  let scenario: Awaited<ReturnType<typeof loadScenario>>;
  try {
    scenario = await loadScenario(positionals[0]!);
  } catch (err) {
    if (err instanceof ScenarioError) throw new CliError('BAD_SCENARIO', err.message, 2);
    throw err;
  }
  const executor = executorFromOptions(values, scenario.defaults);
  const target =
    values.target ?? env.VIGIL_LOAD_TARGET ?? env.GATEWAY_URL ?? scenario.target ?? localUrl('gateway', env);
  const started = new Date();
  const outDir = resolve(
    values.out ?? resolve(varLayout(values['var-dir']).varDir, 'load', `${scenario.name}-${stamp(started)}`),
  );
  const printer = progressPrinter(process.stderr);
  let metricsShown = false;
  let run: LoadRun;
  try {
    run = runLoad(scenario, executor, {
      target,
      thresholds: values.threshold ?? [],
      abortOnFail: values['abort-on-fail'] === true,
      metricsPort: await metricsPort(values['metrics-port'], env),
      hubUrl: localUrl('hub', env),
      onProgress: (p) => {
        if (!metricsShown && run.metricsUrl()) {
          metricsShown = true;
          console.error(`vigil load: metrics at ${run.metricsUrl()}`);
        }
        printer.update(p);
      },
      ...(values.workers !== undefined ? { workers: positiveNumber(values.workers, 'workers', true)! } : {}),
      ...(values.timeout !== undefined ? { timeoutMs: duration(values.timeout, 'timeout') } : {}),
    });
  } catch (err) {
    if (err instanceof ThresholdError) throw new CliError('BAD_THRESHOLD', err.message, 2);
    throw err;
  }
  const shown = isAbsolute(outDir) ? relative(process.cwd(), outDir) || '.' : outDir;
  console.error(
    `vigil load: ${scenario.name}, ${describeExecutor(executor)}, against ${target}; report → ${shown}`,
  );
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) {
      console.error(`\nvigil load: second ${signal}, exiting without a report`);
      process.exit(130);
    }
    interrupted = true;
    console.error(
      `\nvigil load: ${signal}, stopping; writing the partial report (Ctrl-C again to quit at once)`,
    );
    run.stop(`interrupted (${signal})`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let summary: LoadSummary;
  try {
    summary = await run.done;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    printer.end();
  }
  const files = writeReports(summary, outDir);
  console.log(formatSummary(summary));
  console.log(`report: ${files.html}\nsummary: ${files.json}`);
  if (interrupted) return 130;
  return summary.ok ? 0 : 1;
}

export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    console.log(usage);
    return sub === undefined ? 2 : 0;
  }
  if (sub === 'list') {
    const rows = await Promise.all(
      listScenarios().map(async ({ name }) => {
        const s = await loadScenario(name);
        const d = s.defaults;
        const def = d.vus !== undefined ? `--vus ${d.vus}` : `--rate ${d.rate ?? 10}`;
        return [name, `${def} --duration ${(d.duration ?? 60_000) / 1000}s`, s.description];
      }),
    );
    console.log(table([['scenario', 'defaults', 'description'], ...rows]));
    return 0;
  }
  if (sub === 'run') return runCommand(rest);
  throw new CliError('USAGE', `unknown subcommand '${sub}'; see 'vigil load --help'`, 2);
}
