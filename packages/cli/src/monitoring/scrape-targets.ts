import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SpecFile } from '@vigil/slo';
import { defaultPort, SERVICE_NAMES } from '@vigil/topology';

/** One scrape target: the `service` label joins `up` with the service's own metrics. */
export interface ServiceTarget {
  readonly service: string;
  readonly port: number;
  readonly host?: string;
}

/** One synthetic probe of an SLA journey: the URL the blackbox exporter GETs, with its module. */
export interface ProbeTarget {
  readonly sla: string;
  readonly journey: string;
  readonly module: string;
  readonly url: string;
}

/** The probes of every SLA journey of a spec against the gateway at `gatewayUrl`. */
export function probeTargetsOf(spec: SpecFile, gatewayUrl: string): ProbeTarget[] {
  return spec.slas.flatMap((sla) =>
    sla.journeys.map((j) => ({
      sla: sla.name,
      journey: j.name,
      module: j.module,
      url: `${gatewayUrl}${j.path}`,
    })),
  );
}

export interface ScrapeTargets {
  /** Job `vigil-services`: the services and the gateway. */
  readonly services: readonly ServiceTarget[];
  readonly hubPort?: number;
  readonly prometheusPort: number;
  readonly alertmanagerPort: number;
  /** Job `vigil-load`: the load generator's /metrics while `vigil load run` runs (down otherwise). */
  readonly loadPort?: number;
  /** Jobs `node`, `cadvisor` and `process`: host, container and per-process metrics (local mode runs node and process). */
  readonly nodeExporterPort?: number;
  readonly cadvisorPort?: number;
  readonly processExporterPort?: number;
  /** Job `blackbox`: the SLAs' probes, sent through the blackbox exporter at this port. */
  readonly blackbox?: { readonly exporterPort: number; readonly probes: readonly ProbeTarget[] };
  /** Host of every target (default 127.0.0.1), unless `hostOf` names another. */
  readonly host?: string;
  /** Host of a component by name (the full-stack profile reaches each by its container name). */
  readonly hostOf?: (name: string) => string;
}

/** The names that belong to job `vigil-services` (docs/conventions.md): role `service` in @vigil/topology. */
export { SERVICE_NAMES };

type FileSdGroup = { targets: string[]; labels: Record<string, string> };

/**
 * A probe's file_sd group: the target is the URL to probe; `__param_module` picks the module and
 * `__exporter` (dropped after relabelling) is where the job sends the probe (prometheus.yml).
 */
function probeGroup(exporter: string, probe: ProbeTarget): FileSdGroup {
  return {
    targets: [probe.url],
    labels: { sla: probe.sla, journey: probe.journey, __param_module: probe.module, __exporter: exporter },
  };
}

function group(host: string, port: number, service: string): FileSdGroup {
  return { targets: [`${host}:${port}`], labels: { service } };
}

/** File name → JSON text of the file-based service discovery files prometheus.yml reads (targets/*.json). */
export function scrapeTargetFiles(targets: ScrapeTargets): Map<string, string> {
  const at = (name: string) => targets.hostOf?.(name) ?? targets.host ?? '127.0.0.1';
  const files: Record<string, FileSdGroup[]> = {
    'services.json': targets.services.map((t) => group(t.host ?? at(t.service), t.port, t.service)),
    'hub.json': targets.hubPort === undefined ? [] : [group(at('hub'), targets.hubPort, 'hub')],
    'prometheus.json': [group(at('prometheus'), targets.prometheusPort, 'prometheus')],
    'alertmanager.json': [group(at('alertmanager'), targets.alertmanagerPort, 'alertmanager')],
    'load.json':
      targets.loadPort === undefined ? [] : [group(at('vigil-load'), targets.loadPort, 'vigil-load')],
    'node.json':
      targets.nodeExporterPort === undefined
        ? []
        : [group(at('node-exporter'), targets.nodeExporterPort, 'node-exporter')],
    'cadvisor.json':
      targets.cadvisorPort === undefined ? [] : [group(at('cadvisor'), targets.cadvisorPort, 'cadvisor')],
    'process.json':
      targets.processExporterPort === undefined
        ? []
        : [group(at('process-exporter'), targets.processExporterPort, 'process-exporter')],
    'blackbox.json':
      targets.blackbox === undefined
        ? []
        : targets.blackbox.probes.map((p) =>
            probeGroup(`${at('blackbox-exporter')}:${targets.blackbox!.exporterPort}`, p),
          ),
  };
  // One group per line: the files stay short and diff by target.
  const text = (groups: FileSdGroup[]) =>
    groups.length === 0 ? '[]\n' : `[\n${groups.map((g) => `  ${JSON.stringify(g)}`).join(',\n')}\n]\n`;
  return new Map(Object.entries(files).map(([name, groups]) => [name, text(groups)]));
}

/**
 * Writes the file-based service discovery files prometheus.yml reads (targets/*.json).
 * Each file is replaced atomically because Prometheus re-reads them while running.
 */
export function writeScrapeTargets(targetsDir: string, targets: ScrapeTargets): void {
  mkdirSync(targetsDir, { recursive: true });
  for (const [name, text] of scrapeTargetFiles(targets)) {
    const path = join(targetsDir, name);
    writeFileSync(`${path}.tmp`, text);
    renameSync(`${path}.tmp`, path);
  }
}

/** Repo-relative directory of the full-stack profile's targets (generated: `make generate`). */
export const FULL_STACK_TARGETS_DIR = 'monitoring/prometheus/profiles/full-stack/targets';

/**
 * The full-stack profile's targets from @vigil/topology: each component is reachable by its name
 * (container/host name) at its default port; Prometheus scrapes itself on localhost.
 */
export function fullStackScrapeTargets(): ScrapeTargets {
  return {
    ...coreScrapeTargets(),
    cadvisorPort: CADVISOR_PORT,
  };
}

/** The container images' own listening ports of the exporters (not Vigil components). */
export const NODE_EXPORTER_PORT = 9100;
export const CADVISOR_PORT = 8080;
export const CORE_TARGETS_DIR = 'monitoring/prometheus/profiles/core/targets';

/** Targets of docker-compose's core profile (deploy/compose/core.env): no cAdvisor. */
export function coreScrapeTargets(): ScrapeTargets {
  return {
    nodeExporterPort: NODE_EXPORTER_PORT,
    services: SERVICE_NAMES.map((service) => ({ service, port: defaultPort(service) })),
    hostOf: (name) => (name === 'prometheus' ? 'localhost' : name),
    hubPort: defaultPort('hub'),
    prometheusPort: defaultPort('prometheus'),
    alertmanagerPort: defaultPort('alertmanager'),
  };
}
