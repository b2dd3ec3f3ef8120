// The Kubernetes overlays build with `kubectl kustomize`, and every object validates against the
// Kubernetes API schemas (npm kubernetes-models, generated from the Kubernetes OpenAPI spec) and
// the Prometheus Operator CRD schemas (npm @kubernetes-models/prometheus-operator, generated from
// its CRDs). Those compiled validators let unknown fields through (a typo such as `replica:` is
// silently ignored by them, and by the API server unless it validates strictly), so every object is
// also type-checked as a fresh object literal against the same packages' TypeScript interfaces:
// tsc's excess-property check names each unknown field. Then what the issue asks of them: probes, non-root read-only pods, HPA/PDB, only
// the order flow's paths open, rules and dashboards from the repo's own files.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '@vigil/service-kit/testing';
import { rebaseRunbookUrls } from '@vigil/slo';
import { component, defaultPort, SERVICE_NAMES, type TopologyEntry } from '@vigil/topology';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { KUBERNETES_RUNBOOK_BASE_URL } from '../../deploy/kubernetes/generate.ts';

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

function build(overlay: string, dir = join(repoRoot, 'deploy/kubernetes/overlays', overlay)): Obj[] {
  const out = execFileSync(KUBECTL as string, ['kustomize', dir], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
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

function modulePath(o: Obj): string {
  const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : ['', o.apiVersion];
  const pkg =
    group === 'monitoring.coreos.com' ? '@kubernetes-models/prometheus-operator' : 'kubernetes-models';
  return `${pkg}/${group ? `${group}/` : ''}${version}/${o.kind}`;
}

/**
 * Unknown fields in `objects`, by name: tsc's excess-property errors (TS2353 and friends) when
 * each object is a fresh literal typed with its kind's interface. Any other tsc error (a wrong
 * type, a missing required field) is returned too. Empty when every field is known.
 */
function strictCheck(objects: Obj[]): string[] {
  mkdirSync(join(repoRoot, 'var'), { recursive: true });
  // Inside the repo so that the imports resolve to its node_modules.
  const dir = mkdtempSync(join(repoRoot, 'var', 'k8s-strict-'));
  try {
    const lines = objects.flatMap((o, i) => [
      `import type { I${o.kind} as T${i} } from '${modulePath(o)}';`,
      `export const o${i}: T${i} = ${JSON.stringify(o)};`,
    ]);
    writeFileSync(join(dir, 'objects.ts'), `${lines.join('\n')}\n`);
    const tsconfig = {
      compilerOptions: {
        strict: true,
        noEmit: true,
        module: 'nodenext',
        moduleResolution: 'nodenext',
        target: 'es2024',
        skipLibCheck: true,
        types: [],
      },
      files: ['objects.ts'],
    };
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig));
    const tsc = spawnSync(join(repoRoot, 'node_modules/.bin/tsc'), ['-p', join(dir, 'tsconfig.json')], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (tsc.error) throw tsc.error;
    const errors = tsc.stdout.split('\n').filter((l) => /error TS\d+/.test(l));
    if (tsc.status !== 0 && errors.length === 0) throw new Error(`tsc failed: ${tsc.stdout}${tsc.stderr}`);
    // objects.ts(line,col): the line is 2 * index + 2; name the object, not the generated file.
    return errors.map((l) => {
      const m = /objects\.ts\((\d+),\d+\): error (TS\d+: .*)$/.exec(l);
      const o = m ? objects[(Number(m[1]) - 2) / 2] : undefined;
      return o ? `${o.kind}/${o.metadata.name}: ${m?.[2]}` : l;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
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

  it('no object has a field its schema does not know (strict: typos fail)', () => {
    expect(strictCheck(objects)).toEqual([]);
  });

  // Once (dev): the check itself, not the overlay, is under test.
  it.runIf(overlay === 'dev')(
    'the strict check rejects an unknown field, e.g. `replica:` in a Deployment or a CRD typo',
    () => {
      const d = structuredClone(of('Deployment')[0] as Obj);
      d.spec.replica = 2;
      const sm = structuredClone(of('ServiceMonitor')[0] as Obj);
      sm.spec.endpoints[0].intervall = '15s';
      const c = structuredClone(of('Deployment')[1] as Obj);
      c.spec.template.spec.containers[0].readinesProbe = c.spec.template.spec.containers[0].readinessProbe;
      const errors = strictCheck([d, sm, c]);
      expect(errors).toHaveLength(3);
      expect(errors[0]).toMatch(
        new RegExp(`^Deployment/${d.metadata.name}: TS\\d+: .*'"?replica"?' does not exist`),
      );
      expect(errors[1]).toMatch(/^ServiceMonitor\/.*'"?intervall"?' does not exist/);
      expect(errors[2]).toMatch(/^Deployment\/.*'"?readinesProbe"?' does not exist/);
      // and the runtime schema validation alone would have let the typo through
      return validator(d).then((validate) => expect(() => validate(d)).not.toThrow());
    },
  );

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

  const runbookUrls = () =>
    of('PrometheusRule').flatMap((r) =>
      (r.spec.groups as Array<{ rules: Array<{ alert?: string; annotations?: Record<string, string> }> }>)
        .flatMap((g) => g.rules)
        .filter((rule) => rule.alert)
        .map((rule) => ({ alert: rule.alert as string, url: rule.annotations?.runbook_url })),
    );

  it('every alert links its runbook on the hub these manifests deploy (which serves docs/runbooks)', () => {
    const links = runbookUrls();
    expect(links.length).toBeGreaterThan(20);
    const hub = of('Service').find((svc) => svc.metadata.name === 'hub');
    expect(hub?.spec.ports.map((p: { port: number }) => p.port)).toContain(defaultPort('hub'));
    for (const { alert, url } of links) {
      expect(url, alert).toBe(`http://hub.vigil.svc:${defaultPort('hub')}/runbooks/${alert}`);
      expect(readdirSync(join(repoRoot, 'docs/runbooks')), alert).toContain(`${alert}.md`);
    }
  });

  it.runIf(overlay === 'prod')(
    'the prod overlay moves every runbook link to another host in one place',
    () => {
      const copy = mkdtempSync(join(tmpdir(), 'vigil-k8s-'));
      try {
        cpSync(join(repoRoot, 'deploy/kubernetes'), join(copy, 'kubernetes'), { recursive: true });
        const file = join(copy, 'kubernetes/overlays/prod/kustomization.yaml');
        const text = readFileSync(file, 'utf8');
        expect(text).toContain('host=hub.vigil.svc:4000');
        writeFileSync(file, text.replace('host=hub.vigil.svc:4000', 'host=vigil.example.com'));
        const moved = build('prod', join(copy, 'kubernetes/overlays/prod'));
        const urls = moved
          .filter((o) => o.kind === 'PrometheusRule')
          .flatMap((r) => JSON.stringify(r).match(/"runbook_url":"[^"]+"/g) ?? []);
        expect(urls).toHaveLength(runbookUrls().length);
        for (const u of urls)
          expect(u).toMatch(/^"runbook_url":"http:\/\/vigil\.example\.com\/runbooks\/\w+"$/);
        // the build-time ConfigMap is not part of what is applied
        expect(moved.some((o) => o.metadata.name === 'vigil-runbook-base')).toBe(false);
      } finally {
        rmSync(copy, { recursive: true, force: true });
      }
    },
  );

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
      const text = rebaseRunbookUrls(readFileSync(join(ruleDir, file), 'utf8'), KUBERNETES_RUNBOOK_BASE_URL);
      const groups = parse(text).groups;
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
