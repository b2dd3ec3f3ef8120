import { type ComponentName, defaultPort } from '@vigil/topology';
import { stringify } from 'yaml';
import type { Experiment } from './catalogue.ts';

/**
 * Renders the catalogue as Chaos Mesh resources (chaos-mesh.org/v1alpha1) for the Kubernetes
 * deployment: the same experiments, the same parameters and duration. Pods are selected by
 * `app.kubernetes.io/name: <service>`. The vendored CRD schemas in chaos/chaos-mesh/crds/
 * validate every manifest in the tests. Faults with no Chaos Mesh equivalent are listed in
 * `skipped` with the reason.
 */

export interface RenderOptions {
  readonly namespace: string;
}

export interface Rendered {
  readonly manifests: Array<Record<string, unknown> & { kind: string; metadata: { name: string } }>;
  readonly skipped: Array<{ experiment: string; reason: string }>;
}

function selector(namespace: string, service: string) {
  return { namespaces: [namespace], labelSelectors: { 'app.kubernetes.io/name': service } };
}

function containerPort(service: string): number {
  return defaultPort(service as ComponentName);
}

export function chaosMeshManifests(experiments: readonly Experiment[], opts: RenderOptions): Rendered {
  const manifests: Rendered['manifests'] = [];
  const skipped: Rendered['skipped'] = [];
  for (const e of experiments) {
    const f = e.fault;
    const svc = e.target.service;
    const metadata = {
      name: `vigil-${e.name}`,
      namespace: opts.namespace,
      labels: { 'app.kubernetes.io/part-of': 'vigil', 'vigil.dev/experiment': e.name },
      annotations: {
        'vigil.dev/expected-alerts': e.detection.alerts.join(',') || 'none',
        'vigil.dev/description': e.description,
      },
    };
    const base = { apiVersion: 'chaos-mesh.org/v1alpha1', metadata };
    const sel = svc ? selector(opts.namespace, svc) : undefined;
    const common = { mode: 'all', duration: e.duration };
    switch (f.kind) {
      case 'process.kill':
        manifests.push({
          ...base,
          kind: 'PodChaos',
          spec: { action: 'pod-kill', mode: 'one', selector: sel, gracePeriod: 0 },
        });
        break;
      case 'process.freeze':
        // The pause image replaces the container: it stops answering, like SIGSTOP.
        manifests.push({
          ...base,
          kind: 'PodChaos',
          spec: { action: 'pod-failure', ...common, selector: sel },
        });
        break;
      case 'process.crashloop':
        manifests.push({
          ...base,
          kind: 'PodChaos',
          spec: { action: 'container-kill', mode: 'one', selector: sel, containerNames: [svc] },
        });
        break;
      case 'network.latency':
        manifests.push({
          ...base,
          kind: 'NetworkChaos',
          spec: {
            action: 'delay',
            ...common,
            selector: sel,
            direction: 'to',
            delay: { latency: `${f.latency_ms}ms`, jitter: `${f.jitter_ms}ms`, correlation: '0' },
          },
        });
        break;
      case 'network.bandwidth':
        manifests.push({
          ...base,
          kind: 'NetworkChaos',
          spec: {
            action: 'bandwidth',
            ...common,
            selector: sel,
            direction: 'to',
            bandwidth: { rate: `${f.bytes_per_second}bps`, limit: 20_971_520, buffer: 10_000 },
          },
        });
        break;
      case 'network.blackhole':
      case 'network.refused': {
        // Chaos Mesh partitions drop packets (a blackhole); a refusal has no closer equivalent.
        const from = e.target.from;
        manifests.push({
          ...base,
          kind: 'NetworkChaos',
          spec: {
            action: 'partition',
            ...common,
            selector: from ? selector(opts.namespace, from) : sel,
            direction: 'both',
            ...(from ? { target: { mode: 'all', selector: sel } } : {}),
          },
        });
        break;
      }
      case 'network.reset':
        manifests.push({
          ...base,
          kind: 'HTTPChaos',
          spec: {
            ...common,
            selector: sel,
            target: 'Request',
            port: containerPort(svc!),
            path: '*',
            abort: true,
          },
        });
        break;
      case 'resource.cpu-stress':
      case 'resource.memory-stress':
        skipped.push({
          experiment: e.name,
          reason:
            'a noisy neighbour on the host: in Kubernetes run it as a StressChaos on a pod of another workload on the same node',
        });
        break;
      case 'app.cpu':
        manifests.push({
          ...base,
          kind: 'StressChaos',
          spec: {
            ...common,
            selector: sel,
            stressors: { cpu: { workers: 1, load: Math.round(f.utilization * 100) } },
          },
        });
        break;
      case 'app.memory':
        manifests.push({
          ...base,
          kind: 'StressChaos',
          spec: { ...common, selector: sel, stressors: { memory: { workers: 1, size: `${f.megabytes}MB` } } },
        });
        break;
      case 'app.latency':
        manifests.push({
          ...base,
          kind: 'HTTPChaos',
          spec: {
            ...common,
            selector: sel,
            target: 'Request',
            port: containerPort(svc!),
            path: f.route ? `${f.route}*` : '*',
            delay: `${f.latency_ms}ms`,
          },
        });
        break;
      case 'app.error':
        manifests.push({
          ...base,
          kind: 'HTTPChaos',
          spec: {
            ...common,
            selector: sel,
            target: 'Response',
            port: containerPort(svc!),
            path: f.route ? `${f.route}*` : '*',
            replace: { code: f.status },
          },
        });
        break;
      case 'app.dependency':
        manifests.push({
          ...base,
          kind: 'NetworkChaos',
          spec: {
            action: 'partition',
            ...common,
            selector: sel,
            direction: 'to',
            target: { mode: 'all', selector: selector(opts.namespace, f.dependency) },
          },
        });
        break;
      case 'db.lock':
        skipped.push({
          experiment: e.name,
          reason:
            'no Chaos Mesh kind in scope locks a SQLite file; IOChaos (latency on the data volume) is the closest',
        });
        break;
    }
  }
  return { manifests, skipped };
}

/** The manifests as one multi-document YAML stream, skipped experiments noted as comments. */
export function renderChaosMesh(experiments: readonly Experiment[], opts: RenderOptions): string {
  const { manifests, skipped } = chaosMeshManifests(experiments, opts);
  const head = [
    '# Chaos Mesh resources rendered from chaos/experiments/ by `vigil chaos render-k8s`',
    ...skipped.map((s) => `# skipped ${s.experiment}: ${s.reason}`),
  ].join('\n');
  return `${head}\n${manifests.map((m) => `---\n${stringify(m)}`).join('')}`;
}
