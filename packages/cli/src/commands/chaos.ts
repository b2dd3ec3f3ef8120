import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readAdminToken } from '../admin-token.ts';
import { startBackgroundLoad } from '../chaos/background-load.ts';
import { allowance, detectionBound, durationProblems, seconds, settingsInForce } from '../chaos/bounds.ts';
import { CatalogueInvalid, type Experiment, expectsAlerts, loadCatalogue } from '../chaos/catalogue.ts';
import { renderChaosMesh } from '../chaos/chaos-mesh.ts';
import { chaosStateFile, cleanupChaos, liveRunner } from '../chaos/chaos-state.ts';
import { monkeyPlan, monkeyRounds } from '../chaos/monkey.ts';
import { type ExperimentResult, runExperiment } from '../chaos/runner.ts';
import { type LocalStack, openLocalStack } from '../chaos/stack.ts';
import { CliError } from '../errors.ts';
import { repoRoot, type VarLayout, varLayout } from '../paths.ts';
import { table } from '../table.ts';

export const usage = `usage: vigil chaos list [--json]
       vigil chaos run <experiment> [--no-load] [--allow-remote]
       vigil chaos monkey [--duration 10m] [--seed <n>] [--concurrency 2] [--plan <rounds>] [--no-load]
       vigil chaos cleanup
       vigil chaos render-k8s [--namespace vigil]

Runs the experiments of chaos/experiments/*.yaml against the local stack ('make start'):
checks the steady state, injects the fault (with a TTL, recorded in var/run/chaos.json so a
crashed run is undone by the next 'vigil chaos' or 'vigil start'), watches Prometheus,
Alertmanager and the hub for the expected alert, rolls back, waits until it resolves and
prints a verdict. Exit 0 only when the fault was detected within its bound.

  list          the catalogue with each experiment's detection bound under the settings in force
  run <name>    one experiment (with background load through the gateway unless --no-load)
  monkey        random experiments in rounds for --duration: each round up to --concurrency (default 2)
                experiments that may run together (never two on one service, no alert two of them
                could raise); --seed makes it reproducible; --plan <n> prints the first n rounds of
                the seed and injects nothing
  cleanup       roll back whatever an interrupted run left behind
  render-k8s    print the Chaos Mesh manifests (PodChaos, NetworkChaos, StressChaos, HTTPChaos)
      --var-dir <dir>   the stack's var directory (default: VIGIL_VAR_DIR or <repo>/var)
      --allow-remote    allow a stack whose components are not on 127.0.0.1
      --json            machine-readable output`;

export const CATALOGUE_DIR = join(repoRoot, 'chaos/experiments');

/**
 * The catalogue, checked against the rules in force: an expected alert missing from them, or a
 * duration that ends the fault before its alert may page with these settings, is an error.
 */
export function catalogueWithBounds(varDir: string | undefined) {
  const settings = settingsInForce(repoRoot, varDir);
  try {
    const experiments = loadCatalogue(CATALOGUE_DIR, new Set(settings.rules.keys()));
    const short = durationProblems(experiments, settings);
    if (short.length > 0)
      throw new CatalogueInvalid(
        short.map((p) => ({ file: join(CATALOGUE_DIR, `${p.experiment}.yaml`), message: p.message })),
      );
    return { settings, experiments };
  } catch (err) {
    if (err instanceof CatalogueInvalid)
      throw new CliError('INVALID_CATALOGUE', `the chaos catalogue is invalid:\n${err.message}`, 2);
    throw err;
  }
}

/** Before injecting: no other live runner, leftovers of a crashed one rolled back, the local stack open. */
export async function prepareRun(layout: VarLayout, allowRemote: boolean): Promise<LocalStack> {
  const stateFile = chaosStateFile(layout);
  const other = liveRunner(stateFile);
  if (other)
    throw new CliError(
      'CHAOS_BUSY',
      `another chaos run (pid ${other.pid}) has faults in; wait for it or 'vigil chaos cleanup'`,
    );
  await cleanupChaos(stateFile, readAdminToken(layout.adminTokenFile), (l) => console.log(l));
  return openLocalStack(layout, { allowRemote });
}

/** Ctrl-C / SIGTERM abort the signal (the runner then rolls back); returns the remover. */
export function abortOnSignals(controller: AbortController): () => void {
  const onSignal = () => {
    console.log('interrupted: rolling back…');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      json: { type: 'boolean' },
      'no-load': { type: 'boolean' },
      'allow-remote': { type: 'boolean' },
      duration: { type: 'string' },
      seed: { type: 'string' },
      concurrency: { type: 'string' },
      plan: { type: 'string' },
      namespace: { type: 'string' },
      'var-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [action, name] = positionals;
  if (values.help || !action) {
    console.log(usage);
    return values.help ? 0 : 2;
  }
  const layout = varLayout(values['var-dir']);
  const stateFile = chaosStateFile(layout);
  let catalogue: ReturnType<typeof catalogueWithBounds>;
  try {
    catalogue = catalogueWithBounds(layout.varDir);
  } catch (err) {
    if (err instanceof CatalogueInvalid)
      throw new CliError('INVALID_CATALOGUE', `the chaos catalogue is invalid:\n${err.message}`, 2);
    throw err;
  }
  const { settings, experiments } = catalogue;

  if (action === 'list') {
    const rows = experiments.map((e) => {
      const b = expectsAlerts(e) ? detectionBound(e, settings) : undefined;
      return {
        name: e.name,
        fault: e.fault.kind,
        target: e.target.from ? `${e.target.from} → ${e.target.service}` : (e.target.service ?? 'host'),
        expects: e.detection.alerts.join(' or ') || 'no alert',
        bound_s: b?.notifySeconds,
        allowed_s: b ? allowance(b.notifySeconds) : undefined,
      };
    });
    if (values.json)
      console.log(
        JSON.stringify(
          { settings: { ...settings, rules: undefined, route: undefined }, experiments: rows },
          null,
          2,
        ),
      );
    else {
      console.log(
        `settings in force: scrape ${settings.scrapeInterval}s (timeout ${settings.scrapeTimeout}s), evaluation ${settings.evaluationInterval}s (${settings.source.prometheus})`,
      );
      console.log(
        table([
          ['EXPERIMENT', 'FAULT', 'TARGET', 'EXPECTED ALERT', 'BOUND'],
          ...rows.map((r) => [
            r.name,
            r.fault,
            r.target,
            r.expects,
            r.bound_s === undefined ? '-' : `${r.bound_s} s`,
          ]),
        ]),
      );
    }
    return 0;
  }
  if (action === 'render-k8s') {
    console.log(renderChaosMesh(experiments, { namespace: values.namespace ?? 'vigil' }));
    return 0;
  }
  if (action === 'cleanup') {
    const n = await cleanupChaos(stateFile, readAdminToken(layout.adminTokenFile), (l) => console.log(l));
    console.log(n === 0 ? 'nothing to clean up' : `rolled back ${n} injection(s)`);
    return 0;
  }
  const seed = values.seed === undefined ? Date.now() % 1_000_000 : Number(values.seed);
  const concurrency = Number(values.concurrency ?? 2);
  if (action === 'monkey') {
    if (!Number.isInteger(seed) || seed < 0)
      throw new CliError('BAD_OPTION', '--seed must be a non-negative integer', 2);
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 4)
      throw new CliError('BAD_OPTION', '--concurrency must be 1 to 4', 2);
    if (values.plan !== undefined) {
      const rounds = Number(values.plan);
      if (!Number.isInteger(rounds) || rounds < 1 || rounds > 1000)
        throw new CliError('BAD_OPTION', '--plan must be a number of rounds (1-1000)', 2);
      const plan = monkeyPlan(experiments, seed, rounds, concurrency);
      if (values.json) console.log(JSON.stringify({ seed, concurrency, rounds: plan }, null, 2));
      else for (const [i, r] of plan.entries()) console.log(`round ${i + 1}: ${r.join(' + ')}`);
      return 0;
    }
  }
  if (action !== 'run' && action !== 'monkey')
    throw new CliError('USAGE', `unknown action '${action}'; see 'vigil chaos --help'`, 2);

  const stack = await prepareRun(layout, values['allow-remote'] === true);

  let picks: Experiment[];
  if (action === 'run') {
    const e = experiments.find((x) => x.name === name);
    if (!e)
      throw new CliError(
        'UNKNOWN_EXPERIMENT',
        `no experiment '${name ?? ''}'; 'vigil chaos list' shows them`,
        2,
      );
    picks = [e];
  } else picks = [];

  const controller = new AbortController();
  const removeSignals = abortOnSignals(controller);
  const load = values['no-load']
    ? undefined
    : await startBackgroundLoad(stack.baseUrl('gateway'), { journeysPerSecond: 5 });
  const results: ExperimentResult[] = [];
  try {
    const opts = {
      stack,
      settings,
      stateFile,
      say: (l: string) => console.log(l),
      signal: controller.signal,
    };
    if (action === 'run') results.push(await runExperiment(picks[0]!, opts));
    else {
      const until = Date.now() + (values.duration ? durationMs(values.duration) : 600_000);
      console.log(
        `chaos monkey: seed ${seed} (repeat with --seed ${seed}); up to ${concurrency} experiment(s) at once, never two on one service`,
      );
      let n = 0;
      for (const round of monkeyRounds(experiments, seed, concurrency)) {
        if (Date.now() >= until || controller.signal.aborted) break;
        n += 1;
        console.log(`round ${n}: ${round.map((e) => e.name).join(' + ')}`);
        const tagged = (e: Experiment) => (line: string) =>
          console.log(round.length > 1 ? `[${e.name}] ${line}` : line);
        results.push(...(await Promise.all(round.map((e) => runExperiment(e, { ...opts, say: tagged(e) })))));
      }
    }
  } finally {
    removeSignals();
    const stats = await load?.stop();
    if (stats) console.log(`background load: ${stats.requests} requests, ${stats.failed} failed`);
  }
  if (values.json) console.log(JSON.stringify(results, null, 2));
  return results.length > 0 && results.every((r) => r.passed) ? 0 : 1;
}

function durationMs(raw: string): number {
  try {
    return seconds(raw) * 1000;
  } catch {
    throw new CliError('BAD_OPTION', '--duration must look like 90s, 10m or 1h', 2);
  }
}
