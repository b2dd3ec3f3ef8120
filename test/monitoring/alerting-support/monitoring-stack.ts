import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type {
  AlertmanagerTimings,
  ScrapeTargets,
  ServiceTarget,
} from '../../../packages/cli/src/monitoring/index.ts';
import {
  alertmanagerCommand,
  monitoringRuntimeLayout,
  monitoringSources,
  prepareAlertmanager,
  preparePrometheus,
  prometheusCommand,
  TEST_PROFILE,
  writeShortenedRules,
} from '../../../packages/cli/src/monitoring/index.ts';
import { freePort } from './free-port.ts';
import type { ManagedProcess } from './managed-process.ts';
import { startProcess } from './managed-process.ts';
import { answers, waitFor } from './wait-for.ts';

export const repoRoot = resolve(import.meta.dirname, '../../..');

export { TEST_PROFILE };

/** The rules under test: the repo's, or VIGIL_TEST_RULES_SOURCE (to try a rules change kept elsewhere). */
export function rulesSourceDir(): string {
  return process.env.VIGIL_TEST_RULES_SOURCE || monitoringSources(repoRoot).rulesDir;
}

/** Copies the rule files into `dir` with every `for` shortened; returns the files written. */
export function writeTestProfileRules(dir: string, forDuration: string = TEST_PROFILE.alertFor): string[] {
  return writeShortenedRules(rulesSourceDir(), dir, forDuration);
}

export interface MonitoringStack {
  readonly dir: string;
  readonly prometheusUrl: string;
  readonly alertmanagerUrl: string;
  readonly processes: ManagedProcess[];
  stop(): Promise<void>;
}

export interface MonitoringStackOptions {
  readonly services: readonly ServiceTarget[];
  readonly hubPort?: number;
  /** Job `blackbox`: SLA probes through a blackbox exporter the test runs. */
  readonly blackbox?: ScrapeTargets['blackbox'];
  /** Jobs `node` and `process`: host and per-process exporters the test runs. */
  readonly nodeExporterPort?: number;
  readonly processExporterPort?: number;
  /** Rules to load; defaults to the test-profile copy of the repo's rules. */
  readonly rulesDir?: string;
  readonly alertmanager?: {
    readonly hubWebhookUrl: string;
    readonly hubWebhookTokenFile?: string;
    readonly smtpPort: number;
    readonly slackUrl?: string;
    readonly pagerdutyUrl?: string;
    readonly timings?: AlertmanagerTimings;
  };
}

/** Real Prometheus (and Alertmanager) with the repo's configs rendered in the test profile, in a temp dir. */
export async function startMonitoringStack(options: MonitoringStackOptions): Promise<MonitoringStack> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-monitoring-'));
  const layout = monitoringRuntimeLayout(dir);
  const sources = monitoringSources(repoRoot);
  const rulesDir = options.rulesDir ?? join(dir, 'rules');
  if (!options.rulesDir) writeTestProfileRules(rulesDir);
  const [prometheusPort, alertmanagerPort] = [await freePort(), await freePort()];
  const processes: ManagedProcess[] = [];
  const stack: MonitoringStack = {
    dir,
    prometheusUrl: `http://127.0.0.1:${prometheusPort}`,
    alertmanagerUrl: `http://127.0.0.1:${alertmanagerPort}`,
    processes,
    async stop() {
      await Promise.all(processes.map((p) => p.stop()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    if (options.alertmanager) {
      prepareAlertmanager({
        sources,
        layout,
        ...options.alertmanager,
        smtpSmarthost: `127.0.0.1:${options.alertmanager.smtpPort}`,
      });
      const am = alertmanagerCommand(layout, alertmanagerPort);
      processes.push(startProcess('alertmanager', am.cmd, am.args));
    }
    preparePrometheus({
      sources,
      layout,
      rulesDir,
      targets: {
        services: options.services,
        prometheusPort,
        alertmanagerPort,
        ...(options.hubPort ? { hubPort: options.hubPort } : {}),
        ...(options.blackbox ? { blackbox: options.blackbox } : {}),
        ...(options.nodeExporterPort ? { nodeExporterPort: options.nodeExporterPort } : {}),
        ...(options.processExporterPort ? { processExporterPort: options.processExporterPort } : {}),
      },
      scrapeInterval: TEST_PROFILE.scrapeInterval,
      evaluationInterval: TEST_PROFILE.evaluationInterval,
      externalLabels: { environment: 'test' },
    });
    const prom = prometheusCommand(layout, prometheusPort);
    processes.push(startProcess('prometheus', prom.cmd, prom.args));
    for (const [name, url] of [
      ['prometheus', stack.prometheusUrl],
      ...(options.alertmanager ? [['alertmanager', stack.alertmanagerUrl]] : []),
    ] as const) {
      const proc = processes.find((p) => p.name === name)!;
      await waitFor(`${name} ready`, () => answers(`${url}/-/ready`), { timeoutMs: 30_000 }).catch((err) => {
        throw new Error(`${err.message}\n${name} output:\n${proc.output()}`);
      });
    }
    return stack;
  } catch (err) {
    await stack.stop();
    throw err;
  }
}

/** Runs an instant PromQL query; throws with Prometheus' error text when it does not parse. */
export async function promQuery(
  prometheusUrl: string,
  query: string,
): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
  const res = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(query)}`);
  const body = (await res.json()) as { status: string; error?: string; data?: { result: unknown } };
  if (body.status !== 'success') throw new Error(`query failed: ${query}: ${body.error}`);
  return body.data?.result as Array<{ metric: Record<string, string>; value: [number, string] }>;
}
