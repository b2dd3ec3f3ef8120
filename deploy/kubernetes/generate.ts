// Kubernetes base manifests generated from the repo's single sources: names, ports and who calls
// whom from @vigil/topology, alert rules from monitoring/prometheus/rules/*.yml (PrometheusRules),
// dashboards from monitoring/grafana/dashboards/*.json (ConfigMaps for Grafana's sidecar).
// scripts/generated-artefacts.ts includes them: `make generate` writes, a test checks staleness.
// The kustomization files and overlays beside them are written by hand.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rebaseRunbookUrls } from '@vigil/slo';
import {
  type ComponentName,
  component,
  defaultPort,
  SERVICE_NAMES,
  type TopologyEntry,
} from '@vigil/topology';
import { parse, stringify } from 'yaml';
import { repoRoot } from '../../packages/cli/src/index.ts';

const NS = 'vigil';
/**
 * Where the PrometheusRules' runbook links point: the hub deployed by these manifests (its image
 * carries docs/runbooks and serves /runbooks/<Alert>), by its in-cluster Service name. An
 * overlay moves them to the console's public host in one place (deploy-kubernetes.md, "Runbook
 * links"), e.g. the prod overlay's `vigil-runbook-base` ConfigMap.
 */
export const KUBERNETES_RUNBOOK_BASE_URL = `http://hub.${NS}.svc:${defaultPort('hub')}/runbooks`;
export const RUNBOOK_LINKS_LABEL = 'vigil.dev/runbook-links';
const BASE = 'deploy/kubernetes/base';
const PART_OF = { 'app.kubernetes.io/part-of': 'vigil' };
const labels = (name: string, role: string) => ({
  'app.kubernetes.io/name': name,
  ...PART_OF,
  'vigil.dev/role': role,
});
const selector = (name: string) => ({ 'app.kubernetes.io/name': name });

interface NodeApp {
  readonly name: ComponentName;
  readonly app: string; // build arg APP of the Dockerfile
  readonly role: 'service' | 'hub' | 'support';
  readonly ports: Array<{ name: string; port: number }>;
  readonly healthPort: number;
  readonly env: Record<string, string>;
  readonly stateful: boolean;
  readonly command?: string[];
}

function urlEnv(name: ComponentName): [string, string] {
  const entry: TopologyEntry = component(name);
  if (!entry.urlEnv) throw new Error(`${name} has no URL variable`);
  return [entry.urlEnv, `http://${name}:${entry.port}`];
}

function nodeApps(): NodeApp[] {
  const dirOf = (name: string) =>
    `services/${name === 'gateway' ? 'gateway' : name.replace(/-service$/, '')}`;
  const apps: NodeApp[] = SERVICE_NAMES.map((name) => {
    const entry: TopologyEntry = component(name);
    const calls = (entry.calls ?? []).filter((c) => (component(c as ComponentName) as TopologyEntry).urlEnv);
    const env: Record<string, string> = {
      PORT: String(entry.port),
      ...Object.fromEntries(calls.map((c) => urlEnv(c as ComponentName))),
    };
    if (entry.calls?.includes('smtp-sink')) {
      env.SMTP_HOST = 'smtp-sink';
      env.SMTP_PORT = String(defaultPort('smtp-sink'));
    }
    return {
      name,
      app: dirOf(name),
      role: 'service',
      ports: [{ name: 'http', port: entry.port }],
      healthPort: entry.port,
      env,
      stateful: name !== 'gateway',
    };
  });
  apps.push({
    name: 'hub',
    app: 'packages/hub',
    role: 'hub',
    ports: [
      { name: 'http', port: defaultPort('hub') },
      { name: 'otlp', port: defaultPort('hub.otlp') },
    ],
    healthPort: defaultPort('hub'),
    env: {
      HUB_PORT: String(defaultPort('hub')),
      HUB_OTLP_PORT: String(defaultPort('hub.otlp')),
      PROMETHEUS_URL: 'http://prometheus-operated.monitoring.svc:9090',
      VIGIL_HUB_WEBHOOK_TOKEN_FILE: '/run/secrets/vigil/hub-webhook-token',
      MALLOC_ARENA_MAX: '2',
    },
    stateful: true,
    command: ['node', '--max-old-space-size=192', '--max-semi-space-size=16', 'src/server.ts'],
  });
  apps.push({
    name: 'smtp-sink',
    app: 'packages/smtp-sink',
    role: 'support',
    ports: [
      { name: 'smtp', port: defaultPort('smtp-sink') },
      { name: 'http', port: defaultPort('smtp-sink.http') },
    ],
    healthPort: defaultPort('smtp-sink.http'),
    env: {
      SMTP_SINK_PORT: String(defaultPort('smtp-sink')),
      SMTP_SINK_HTTP_PORT: String(defaultPort('smtp-sink.http')),
      SMTP_SINK_DIR: '/data/mail',
    },
    stateful: true,
  });
  return apps;
}

function deployment(a: NodeApp): unknown[] {
  const isNodeService = a.role === 'service';
  const env = [
    { name: 'HOST', value: '0.0.0.0' },
    { name: 'VIGIL_DATA_DIR', value: '/data' },
    ...Object.entries(a.env).map(([name, value]) => ({ name, value })),
    ...(isNodeService
      ? [
          {
            name: 'OTEL_EXPORTER_OTLP_ENDPOINT',
            valueFrom: { configMapKeyRef: { name: 'vigil-config', key: 'OTEL_EXPORTER_OTLP_ENDPOINT' } },
          },
          {
            name: 'DEPLOYMENT_ENVIRONMENT',
            valueFrom: { configMapKeyRef: { name: 'vigil-config', key: 'DEPLOYMENT_ENVIRONMENT' } },
          },
          {
            name: 'VIGIL_ADMIN_TOKEN',
            valueFrom: { secretKeyRef: { name: 'vigil-admin', key: 'VIGIL_ADMIN_TOKEN', optional: true } },
          },
        ]
      : []),
  ];
  const probe = (path: string, period: number) => ({
    httpGet: { path, port: a.healthPort },
    periodSeconds: period,
    timeoutSeconds: 3,
    failureThreshold: 3,
  });
  const volumes: unknown[] = [
    { name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } },
    a.stateful
      ? { name: 'data', persistentVolumeClaim: { claimName: `${a.name}-data` } }
      : { name: 'data', emptyDir: {} },
  ];
  const mounts: unknown[] = [
    { name: 'tmp', mountPath: '/tmp' },
    { name: 'data', mountPath: '/data' },
  ];
  if (a.name === 'hub') {
    volumes.push({ name: 'secrets', secret: { secretName: 'vigil-hub-webhook', optional: true } });
    mounts.push({ name: 'secrets', mountPath: '/run/secrets/vigil', readOnly: true });
  }
  const objects: unknown[] = [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: a.name, labels: labels(a.name, a.role) },
      spec: {
        replicas: 1,
        // SQLite-backed components have one writer: never two pods on one volume.
        strategy: a.stateful
          ? { type: 'Recreate' }
          : { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
        selector: { matchLabels: selector(a.name) },
        template: {
          metadata: { labels: labels(a.name, a.role) },
          spec: {
            automountServiceAccountToken: false,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: 1000,
              runAsGroup: 1000,
              fsGroup: 1000,
              seccompProfile: { type: 'RuntimeDefault' },
            },
            containers: [
              {
                name: a.name,
                image: `vigil/${a.name}:0.1.0`,
                ...(a.command ? { command: a.command } : {}),
                ports: a.ports.map((p) => ({ name: p.name, containerPort: p.port, protocol: 'TCP' })),
                env,
                readinessProbe: probe('/health/ready', 5),
                livenessProbe: {
                  ...probe(a.role === 'support' ? '/health/live' : '/health/live', 10),
                  initialDelaySeconds: 10,
                },
                resources: {
                  requests: { cpu: '50m', memory: '96Mi' },
                  limits: { cpu: '500m', memory: '192Mi' },
                },
                securityContext: {
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  capabilities: { drop: ['ALL'] },
                },
                volumeMounts: mounts,
              },
            ],
            volumes,
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: a.name, labels: labels(a.name, a.role) },
      spec: {
        selector: selector(a.name),
        ports: a.ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.name, protocol: 'TCP' })),
      },
    },
  ];
  if (a.stateful) {
    objects.push({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: `${a.name}-data`, labels: labels(a.name, a.role) },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    });
  }
  if (!a.stateful) {
    // Stateless (the gateway): scaled on CPU. The SQLite-backed services scale up, not out
    // (docs/scaling.md).
    objects.push({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: a.name, labels: labels(a.name, a.role) },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: a.name },
        minReplicas: 1,
        maxReplicas: 3,
        metrics: [
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
          },
        ],
      },
    });
  }
  objects.push({
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: a.name, labels: labels(a.name, a.role) },
    spec: a.stateful
      ? { maxUnavailable: 1, selector: { matchLabels: selector(a.name) } }
      : { minAvailable: 1, selector: { matchLabels: selector(a.name) } },
  });
  return objects;
}

/** Ingress allowed only along the order flow's paths (topology `calls`), OTLP and scrapes. */
function networkPolicies(apps: NodeApp[]): unknown[] {
  const from = (names: string[]) => names.map((n) => ({ podSelector: { matchLabels: selector(n) } }));
  const monitoring = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } };
  const callers = (target: string) =>
    apps
      .filter((a) => ((component(a.name) as TopologyEntry).calls ?? []).includes(target))
      .map((a) => a.name);
  const policies: unknown[] = [
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'default-deny-ingress' },
      spec: { podSelector: {}, policyTypes: ['Ingress'] },
    },
  ];
  for (const a of apps) {
    const rules: unknown[] = [];
    const main = a.ports[0] as { port: number };
    if (a.name === 'gateway') rules.push({ ports: [{ port: main.port, protocol: 'TCP' }] }); // the public API
    const c = callers(a.name);
    if (c.length)
      rules.push({
        from: from(c),
        ports: [{ port: a.name === 'smtp-sink' ? defaultPort('smtp-sink') : main.port, protocol: 'TCP' }],
      });
    if (a.name === 'hub') {
      rules.push({
        from: from(SERVICE_NAMES as unknown as string[]),
        ports: [{ port: defaultPort('hub.otlp'), protocol: 'TCP' }],
      });
      // the console and query API, Grafana's Jaeger datasource, Alertmanager's webhook
      rules.push({
        from: [monitoring],
        ports: [
          { port: defaultPort('hub'), protocol: 'TCP' },
          { port: defaultPort('hub.otlp'), protocol: 'TCP' },
        ],
      });
    }
    // Prometheus (namespace monitoring) scrapes /metrics
    if (a.role !== 'support')
      rules.push({ from: [monitoring], ports: [{ port: main.port, protocol: 'TCP' }] });
    policies.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: `${a.name}-ingress` },
      spec: { podSelector: { matchLabels: selector(a.name) }, policyTypes: ['Ingress'], ingress: rules },
    });
  }
  return policies;
}

function serviceMonitors(): unknown[] {
  const monitor = (name: string, role: string) => ({
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: { name, labels: { ...PART_OF, release: 'kube-prometheus-stack' } },
    spec: {
      selector: { matchLabels: { ...PART_OF, 'vigil.dev/role': role } },
      endpoints: [
        {
          port: 'http',
          path: '/metrics',
          interval: '15s',
          honorLabels: true,
          // the `service` label the rules and dashboards join on (local mode's file_sd label)
          relabelings: [{ sourceLabels: ['__meta_kubernetes_service_name'], targetLabel: 'service' }],
        },
      ],
    },
  });
  return [monitor('vigil-services', 'service'), monitor('hub', 'hub')];
}

function prometheusRules(): Map<string, unknown> {
  const dir = join(repoRoot, 'monitoring/prometheus/rules');
  const out = new Map<string, unknown>();
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.yml'))
    .sort()) {
    const text = rebaseRunbookUrls(readFileSync(join(dir, file), 'utf8'), KUBERNETES_RUNBOOK_BASE_URL);
    const rules = parse(text) as { groups: unknown[] };
    const name = `vigil-${file.replace(/\.yml$/, '')}`;
    // Files with runbook links are labelled, so an overlay can move them (a kustomize
    // replacement must match in every object it selects; recording rules have none).
    const links = text.includes(`${KUBERNETES_RUNBOOK_BASE_URL}/`) ? { [RUNBOOK_LINKS_LABEL]: 'true' } : {};
    out.set(name, {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: { name, labels: { ...PART_OF, release: 'kube-prometheus-stack', ...links } },
      spec: { groups: rules.groups },
    });
  }
  return out;
}

function dashboards(): unknown[] {
  const dir = join(repoRoot, 'monitoring/grafana/dashboards');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: `grafana-dashboard-${file.replace(/\.json$/, '')}`,
        labels: { ...PART_OF, grafana_dashboard: '1' },
        annotations: { grafana_folder: 'Vigil' },
      },
      data: { [file]: readFileSync(join(dir, file), 'utf8') },
    }));
}

const HEADER = '# generated by deploy/kubernetes/generate.ts (make generate) -- do not edit\n';
const docs = (objects: unknown[]) =>
  HEADER + objects.map((o) => stringify(o, { lineWidth: 0 })).join('---\n');

/** Repo-relative path -> text of every generated base file. */
export function kubernetesArtefacts(): Map<string, string> {
  const apps = nodeApps();
  const files = new Map<string, string>();
  for (const a of apps) files.set(`${BASE}/${a.name}.yaml`, docs(deployment(a)));
  files.set(`${BASE}/network-policies.yaml`, docs(networkPolicies(apps)));
  files.set(`${BASE}/service-monitors.yaml`, docs(serviceMonitors()));
  files.set(`${BASE}/prometheus-rules.yaml`, docs([...prometheusRules().values()]));
  files.set(`${BASE}/grafana-dashboards.yaml`, docs(dashboards()));
  const resources = [
    'namespace.yaml',
    'config.yaml',
    ...[...files.keys()].map((p) => p.slice(BASE.length + 1)),
  ];
  files.set(
    `${BASE}/kustomization.yaml`,
    HEADER +
      stringify({
        apiVersion: 'kustomize.config.k8s.io/v1beta1',
        kind: 'Kustomization',
        namespace: NS,
        labels: [{ pairs: PART_OF, includeSelectors: false }],
        resources,
      }),
  );
  return files;
}
