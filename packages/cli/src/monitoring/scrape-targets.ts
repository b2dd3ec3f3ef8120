import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One scrape target: the `service` label joins `up` with the service's own metrics. */
export interface ServiceTarget {
  readonly service: string;
  readonly port: number;
  readonly host?: string;
}

export interface ScrapeTargets {
  /** Job `vigil-services`: the services and the gateway. */
  readonly services: readonly ServiceTarget[];
  readonly hubPort?: number;
  readonly prometheusPort: number;
  readonly alertmanagerPort: number;
  readonly host?: string;
}

/** The names that belong to job `vigil-services` (docs/conventions.md). */
export const SERVICE_NAMES: readonly string[] = [
  'gateway',
  'user-service',
  'product-service',
  'order-service',
  'payment-service',
  'notification-service',
];

type FileSdGroup = { targets: string[]; labels: Record<string, string> };

function group(host: string, port: number, service: string): FileSdGroup {
  return { targets: [`${host}:${port}`], labels: { service } };
}

/**
 * Writes the file-based service discovery files prometheus.yml reads (targets/*.json).
 * Each file is replaced atomically because Prometheus re-reads them while running.
 */
export function writeScrapeTargets(targetsDir: string, targets: ScrapeTargets): void {
  const host = targets.host ?? '127.0.0.1';
  mkdirSync(targetsDir, { recursive: true });
  const files: Record<string, FileSdGroup[]> = {
    'services.json': targets.services.map((t) => group(t.host ?? host, t.port, t.service)),
    'hub.json': targets.hubPort === undefined ? [] : [group(host, targets.hubPort, 'hub')],
    'prometheus.json': [group(host, targets.prometheusPort, 'prometheus')],
    'alertmanager.json': [group(host, targets.alertmanagerPort, 'alertmanager')],
  };
  for (const [name, groups] of Object.entries(files)) {
    const path = join(targetsDir, name);
    writeFileSync(`${path}.tmp`, `${JSON.stringify(groups, null, 2)}\n`);
    renameSync(`${path}.tmp`, path);
  }
}
