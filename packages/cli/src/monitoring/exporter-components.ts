import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Component, StartContext } from '../component.ts';
import { fromTopology } from '../component-from-topology.ts';
import { monitoringRuntimeLayout } from './monitoring-layout.ts';

// Host and process metrics in local mode, from the Debian exporters (the full stack's
// node-exporter and cAdvisor play this part in containers). Both are optional: without the
// package `vigil start` skips them with a note and the host/process panels stay empty.

export const NODE_EXPORTER_BIN = 'prometheus-node-exporter';
export const PROCESS_EXPORTER_BIN = 'prometheus-process-exporter';
export const BLACKBOX_EXPORTER_BIN = 'prometheus-blackbox-exporter';
/** The blackbox exporter's modules (repo-relative): the SLAs' synthetic probes. */
export const BLACKBOX_CONFIG = 'monitoring/blackbox/blackbox.yml';

/**
 * node_exporter's collectors the Service Overview and the host alerts read; the rest (systemd,
 * hwmon, …) are off, which keeps a scrape to a few hundred series.
 */
const NODE_COLLECTORS = [
  'cpu',
  'meminfo',
  'filesystem',
  'loadavg',
  'diskstats',
  'netdev',
  'pressure',
  'uname',
];

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * One process-exporter group per process of this run, named after its component. Node processes
 * are matched by the absolute path of their entry file (so a test's or another checkout's copy
 * of the same service is not counted), Prometheus and Alertmanager by their config file under
 * this run's var directory.
 */
export function processExporterConfig(ctx: StartContext): { process_names: object[] } {
  const layout = monitoringRuntimeLayout(ctx.varDir);
  const groups: object[] = [];
  for (const c of ctx.components) {
    const { cmd, args } = c.command(ctx);
    if (cmd === ctx.node) {
      const entry = args.find((a) => a.startsWith(`${ctx.repoRoot}/`));
      if (entry) groups.push({ name: c.name, cmdline: [`(^| )${escapeRegex(entry)}( |$)`] });
    }
  }
  for (const [name, config] of [
    ['prometheus', layout.prometheusConfig],
    ['alertmanager', layout.alertmanagerConfig],
  ] as const) {
    groups.push({ name, cmdline: [`--config\\.file=${escapeRegex(config)}( |$)`] });
  }
  return { process_names: groups };
}

export const nodeExporterComponent: Component = {
  ...fromTopology('node-exporter'),
  optional: true,
  command: (ctx) => ({
    cmd: NODE_EXPORTER_BIN,
    args: [
      `--web.listen-address=${ctx.host}:${ctx.port('node-exporter')}`,
      '--collector.disable-defaults',
      ...NODE_COLLECTORS.map((c) => `--collector.${c}`),
    ],
  }),
  readyUrl: (ctx) => `http://${ctx.host}:${ctx.port('node-exporter')}/metrics`,
};

export const processExporterComponent: Component = {
  ...fromTopology('process-exporter'),
  optional: true,
  prepare: (ctx) => {
    const layout = monitoringRuntimeLayout(ctx.varDir);
    mkdirSync(layout.configDir, { recursive: true });
    writeFileSync(processExporterConfigPath(ctx), stringify(processExporterConfig(ctx)));
  },
  command: (ctx) => ({
    cmd: PROCESS_EXPORTER_BIN,
    args: [
      `-web.listen-address=${ctx.host}:${ctx.port('process-exporter')}`,
      `-config.path=${processExporterConfigPath(ctx)}`,
      // Per-thread series and smaps (proportional RSS) multiply the series and the CPU; RSS is enough.
      '-threads=false',
      '-gather-smaps=false',
    ],
  }),
  readyUrl: (ctx) => `http://${ctx.host}:${ctx.port('process-exporter')}/metrics`,
};

function processExporterConfigPath(ctx: StartContext): string {
  return join(monitoringRuntimeLayout(ctx.varDir).configDir, 'process-exporter.yml');
}

/**
 * The SLAs' synthetic prober (Debian prometheus-blackbox-exporter): Prometheus' job `blackbox`
 * asks it to probe each journey of monitoring/slo/slos.yaml on the gateway (targets/blackbox.json).
 */
export const blackboxExporterComponent: Component = {
  ...fromTopology('blackbox-exporter'),
  optional: true,
  command: (ctx) => ({
    cmd: BLACKBOX_EXPORTER_BIN,
    args: [
      `--web.listen-address=${ctx.host}:${ctx.port('blackbox-exporter')}`,
      `--config.file=${join(ctx.repoRoot, BLACKBOX_CONFIG)}`,
    ],
  }),
  readyUrl: (ctx) => `http://${ctx.host}:${ctx.port('blackbox-exporter')}/-/healthy`,
};
