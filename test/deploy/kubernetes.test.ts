// The Kubernetes overlays build with `kubectl kustomize`, and every object validates against the
// Kubernetes API schemas (npm kubernetes-models, generated from the Kubernetes OpenAPI spec) and
// the Prometheus Operator CRD schemas (npm @kubernetes-models/prometheus-operator, generated from
// its CRDs). Then what the issue asks of them: probes, non-root read-only pods, HPA/PDB, only
// the order flow's paths open, rules and dashboards from the repo's own files.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@vigil/service-kit/testing';
import { component, SERVICE_NAMES, type TopologyEntry } from '@vigil/topology';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';

// biome-ignore lint/suspicious/noExplicitAny: tests navigate manifests freely
type Obj = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: any;
  data?: Record<string, string>;
};

function kubectl(): string | undefined {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return 'kubectl';
  } catch {
    return undefined;
  }
}
const KUBECTL = kubectl();

function build(overlay: string): Obj[] {
  const out = execFileSync(
    KUBECTL as string,
    ['kustomize', join(repoRoot, 'deploy/kubernetes/overlays', overlay)],
    {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  return parseAllDocuments(out).map((d) => d.toJS() as Obj);
}

async function validator(o: Obj): Promise<(x: Obj) => void> {
  const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : ['', o.apiVersion];
  const pkg =
    group === 'monitoring.coreos.com' ? '@kubernetes-models/prometheus-operator' : 'kubernetes-models';
  const mod = (await import(`${pkg}/${group ? `${group}/` : ''}${version}/${o.kind}`)) as Record<
    string,
    new (
      x: unknown,
    ) => { validate(): void }
  >;
  const Model = mod[o.kind];
  if (!Model) throw new Error(`no schema for ${o.apiVersion} ${o.kind}`);
  return (x) => new Model(x).validate();
}

// Without kubectl (it is not in Debian's archive) the overlays cannot be built here: see
// docs/deploy-kubernetes.md, "Validation".
describe.skipIf(!KUBECTL).each(['dev', 'prod'])('kustomize overlay %s', (overlay) => {
  const objects = KUBECTL ? build(overlay) : [];
  const of = (kind: string) => objects.filter((o) => o.kind === kind);

  it('every object validates against its Kubernetes or CRD schema, in namespace vigil', async () => {
    expect(objects.length).toBeGreaterThan(40);
    for (const o of objects) {
      const validate = await validator(o);
      expect(() => validate(o), `${o.kind}/${o.metadata.name}`).not.toThrow();
      if (o.kind !== 'Namespace') expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).toBe('vigil');
    }
  });

  it('the schemas reject a broken object (the check can fail)', async () => {
    const d = structuredClone(of('Deployment')[0] as Obj);
    d.spec.template.spec.containers[0].ports[0].containerPort = 'http';
    const validate = await validator(d);
    expect(() => validate(d)).toThrow(/containerPort/);
    const sm = structuredClone(of('ServiceMonitor')[0] as Obj);
    sm.spec.endpoints[0].interval = 'often';
    await expect((async () => (await validator(sm))(sm))()).rejects.toThrow(/interval/);
  });

  it('Deployments: probes on the health endpoints, resources, non-root read-only containers', () => {
    const deployments = of('Deployment');
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(
      [...SERVICE_NAMES, 'hub', 'smtp-sink'].sort(),
    );
    for (const d of deployments) {
      const pod = d.spec.template.spec;
      const c = pod.containers[0];
      expect(pod.securityContext.runAsNonRoot, d.metadata.name).toBe(true);
      expect(c.securityContext.readOnlyRootFilesystem, d.metadata.name).toBe(true);
      expect(c.securityContext.allowPrivilegeEscalation, d.metadata.name).toBe(false);
      expect(c.readinessProbe.httpGet.path).toBe('/health/ready');
      expect(c.livenessProbe.httpGet.path).toBe('/health/live');
      expect(c.resources.limits.memory).toBeDefined();
      expect(c.volumeMounts.map((m: { mountPath: string }) => m.mountPath)).toEqual(
        expect.arrayContaining(['/tmp', '/data']),
      );
      const ports = c.ports.map((p: { containerPort: number }) => p.containerPort);
      expect(ports, d.metadata.name).toContain(c.readinessProbe.httpGet.port);
    }
  });

  it('HPA scales the gateway; every Deployment has a PodDisruptionBudget', () => {
    const hpa = of('HorizontalPodAutoscaler');
    expect(hpa.map((h) => h.spec.scaleTargetRef.name)).toEqual(['gateway']);
    if (overlay === 'prod') expect(hpa[0]?.spec.minReplicas).toBe(3);
    expect(
      of('PodDisruptionBudget')
        .map((p) => p.metadata.name)
        .sort(),
    ).toEqual(
      of('Deployment')
        .map((d) => d.metadata.name)
        .sort(),
    );
  });

  it('NetworkPolicies: default deny, the gateway public, each other service reachable only by its callers', () => {
    const policies = of('NetworkPolicy');
    const deny = policies.find((p) => p.metadata.name === 'default-deny-ingress');
    expect(deny?.spec.podSelector).toEqual({});
    const ingressOf = (name: string) =>
      policies.find((p) => p.spec.podSelector.matchLabels?.['app.kubernetes.io/name'] === name)?.spec
        .ingress ?? [];
    expect(ingressOf('gateway').some((r: { from?: unknown }) => r.from === undefined)).toBe(true);
    for (const name of SERVICE_NAMES.filter((n) => n !== 'gateway')) {
      const rules = ingressOf(name);
      // no rule open to every source
      expect(
        rules.every((r: { from?: unknown[] }) => Array.isArray(r.from) && r.from.length > 0),
        name,
      ).toBe(true);
      const allowed = rules.flatMap(
        (r: { from: Array<{ podSelector?: { matchLabels: Record<string, string> } }> }) =>
          r.from.map((f) => f.podSelector?.matchLabels['app.kubernetes.io/name']).filter(Boolean),
      );
      const callers = [...SERVICE_NAMES].filter((c) =>
        ((component(c) as TopologyEntry).calls ?? []).includes(name),
      );
      expect(allowed.sort(), name).toEqual(callers.sort());
    }
  });

  it('ServiceMonitors select the services; PrometheusRules are the repo rule files; dashboards are ConfigMaps', () => {
    const services = of('Service');
    for (const sm of of('ServiceMonitor')) {
      const match = sm.spec.selector.matchLabels as Record<string, string>;
      const selected = services.filter((s) =>
        Object.entries(match).every(([k, v]) => s.metadata.labels?.[k] === v),
      );
      expect(selected.length, sm.metadata.name).toBeGreaterThan(0);
      for (const s of selected)
        expect(s.spec.ports.map((p: { name: string }) => p.name)).toContain(sm.spec.endpoints[0].port);
    }
    const ruleDir = join(repoRoot, 'monitoring/prometheus/rules');
    const files = readdirSync(ruleDir).filter((f) => f.endsWith('.yml'));
    const rules = of('PrometheusRule');
    expect(rules).toHaveLength(files.length);
    for (const file of files) {
      const groups = parse(readFileSync(join(ruleDir, file), 'utf8')).groups;
      expect(rules.find((r) => r.metadata.name === `vigil-${file.replace('.yml', '')}`)?.spec.groups).toEqual(
        groups,
      );
    }
    const dashboards = of('ConfigMap').filter((c) => c.metadata.labels?.grafana_dashboard === '1');
    expect(dashboards).toHaveLength(
      readdirSync(join(repoRoot, 'monitoring/grafana/dashboards')).filter((f) => f.endsWith('.json')).length,
    );
  });
});
