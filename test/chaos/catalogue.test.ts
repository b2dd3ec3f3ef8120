// The chaos catalogue: validation with field paths, bounds that follow the settings in force,
// and the Chaos Mesh manifests rendered from it, validated against the vendored CRD schemas.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  alertRules,
  allowance,
  detectionBound,
  durationProblems,
  groupWaitFor,
  seconds,
  settingsInForce,
} from '../../packages/cli/src/chaos/bounds.ts';
import {
  CatalogueInvalid,
  expectsAlerts,
  loadCatalogue,
  parseExperiment,
} from '../../packages/cli/src/chaos/catalogue.ts';
import { chaosMeshManifests } from '../../packages/cli/src/chaos/chaos-mesh.ts';
import { CATALOGUE_DIR } from '../../packages/cli/src/commands/chaos.ts';
import {
  monitoringRuntimeLayout,
  monitoringSources,
  prepareAlertmanager,
  preparePrometheus,
  TEST_PROFILE,
  writeShortenedRules,
} from '../../packages/cli/src/monitoring/index.ts';
import { shortenWindows } from '../../packages/cli/src/monitoring/test-profile.ts';
import { repoRoot } from '../../packages/cli/src/paths.ts';

const partition = readFileSync(join(CATALOGUE_DIR, 'partition-order-payment.yaml'), 'utf8');

describe('experiment catalogue', () => {
  it('loads every experiment of chaos/experiments, each expected alert existing in the repo rules', () => {
    const settings = settingsInForce(repoRoot, undefined);
    const experiments = loadCatalogue(CATALOGUE_DIR, new Set(settings.rules.keys()));
    expect(experiments.length).toBeGreaterThanOrEqual(10);
    const kinds = new Set(experiments.map((e) => e.fault.kind.split('.')[0]));
    expect([...kinds].sort()).toEqual(['app', 'db', 'network', 'process', 'resource']);
  });

  it('names the offending field', () => {
    const bad = partition.replace('kind: network.blackhole', 'kind: network.latency\n  latency_ms: -5');
    const r = parseExperiment('partition-order-payment.yaml', bad);
    expect(r.experiment).toBeUndefined();
    expect(r.errors.map((e) => e.message)).toContain(
      'fault.latency_ms: Too small: expected number to be >=1',
    );
    const noDuration = parseExperiment(
      'partition-order-payment.yaml',
      partition.replace(/^duration: .*$/m, 'duration: soon'),
    );
    expect(noDuration.errors[0]?.message).toMatch(/^duration: a duration like/);
    const wrongName = parseExperiment('other.yaml', partition);
    expect(wrongName.errors[0]?.message).toBe("name: 'partition-order-payment' must match the file name");
  });

  it('refuses an expected alert the rules in force do not define (a rules file missing it)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-catalogue-'));
    try {
      writeFileSync(join(dir, 'partition-order-payment.yaml'), partition);
      const rules = alertNamesExcept('DependencyFailing');
      expect(() => loadCatalogue(dir, rules)).toThrow(CatalogueInvalid);
      expect(() => loadCatalogue(dir, rules)).toThrow(
        /detection\.alerts\[0\]: no alert rule named 'DependencyFailing' in the rules in force/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a fault lasts until its alert may page', () => {
  it('every duration covers each expected alert with production settings; a shorter one names the field', () => {
    const prod = settingsInForce(repoRoot, undefined);
    const experiments = loadCatalogue(CATALOGUE_DIR);
    expect(durationProblems(experiments, prod)).toEqual([]);
    // latency-user's HighLatency waits out `for: 5m`: a 150 s fault would end before it could fire.
    const latency = experiments.find((e) => e.name === 'latency-user')!;
    const short = durationProblems([{ ...latency, duration: '150s' }], prod);
    expect(short).toHaveLength(1);
    expect(short[0]!.message).toMatch(
      /^duration: 150s ends the fault before it can be detected: HighLatency may page up to [\d.]+ s/,
    );
    // Every expected alert needs its chance: ServiceCpuSaturated pages within 185 s when the host
    // grants user-service a whole CPU, EventLoopLagHigh (for: 5m on a 5 m average) when it does not.
    const burn = experiments.find((e) => e.name === 'cpu-burn-user')!;
    expect(durationProblems([{ ...burn, duration: '200s' }], prod)[0]?.message).toMatch(
      /^duration: 200s ends the fault before it can be detected: EventLoopLagHigh may page up to/,
    );
    // The test profile's bounds are seconds: the same 150 s is plenty there.
    withTestProfile((settings) =>
      expect(durationProblems([{ ...latency, duration: '150s' }], settings)).toEqual([]),
    );
  });
});

/** The settings `vigil start` renders with the test profile (VIGIL_MONITORING_PROFILE=test), in a temp dir. */
function withTestProfile(check: (settings: ReturnType<typeof settingsInForce>) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bounds-'));
  try {
    const layout = monitoringRuntimeLayout(dir);
    const sources = monitoringSources(repoRoot);
    const rulesDir = join(dir, 'monitoring/rules');
    writeShortenedRules(sources.rulesDir, rulesDir);
    preparePrometheus({
      sources,
      layout,
      rulesDir,
      targets: { services: [], prometheusPort: 1, alertmanagerPort: 2 },
      scrapeInterval: TEST_PROFILE.scrapeInterval,
      evaluationInterval: TEST_PROFILE.evaluationInterval,
    });
    prepareAlertmanager({
      sources,
      layout,
      hubWebhookUrl: 'http://127.0.0.1:1/hook',
      smtpSmarthost: '127.0.0.1:2',
      timings: TEST_PROFILE.timings,
    });
    check(settingsInForce(repoRoot, dir));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function alertNamesExcept(name: string): Set<string> {
  const names = new Set(settingsInForce(repoRoot, undefined).rules.keys());
  names.delete(name);
  return names;
}

describe('detection bounds follow the settings in force', () => {
  it('production files vs the test profile rendered by vigil start', () => {
    const e = loadCatalogue(CATALOGUE_DIR).find((x) => x.name === 'freeze-product')!;
    if (!expectsAlerts(e)) throw new Error('freeze-product expects an alert');
    const prod = settingsInForce(repoRoot, undefined);
    const p = detectionBound(e, prod);
    const serviceDown = prod.rules.get('ServiceDown')!;
    const wait = groupWaitFor(prod.route, {
      alertname: 'ServiceDown',
      severity: 'critical',
      service: 'product-service',
    });
    // scrape + scrape timeout + one evaluation + `for` on the evaluation grid + group_wait.
    const forOnGrid = Math.ceil(serviceDown.forSeconds / prod.evaluationInterval) * prod.evaluationInterval;
    expect(p.notifySeconds).toBe(
      prod.scrapeInterval + prod.scrapeTimeout + prod.evaluationInterval + forOnGrid + wait,
    );

    withTestProfile((settings) => {
      const t = detectionBound(e, settings);
      const s = (d: string) => seconds(d);
      expect(t.notifySeconds).toBe(
        s(TEST_PROFILE.scrapeInterval) * 2 +
          s(TEST_PROFILE.evaluationInterval) +
          s(TEST_PROFILE.alertFor) +
          s(TEST_PROFILE.timings.groupWait),
      );
      expect(t.notifySeconds).toBeLessThan(p.notifySeconds);
      expect(allowance(t.notifySeconds)).toBe(t.notifySeconds + 3);
    });
  });

  it('walks the Alertmanager routes: ServiceDown pages after its own group_wait, a warning after the default', () => {
    const route = parse(readFileSync(monitoringSources(repoRoot).alertmanagerConfig, 'utf8')).route;
    const serviceDownRoute = route.routes.find((r: { matchers?: string[] }) =>
      r.matchers?.includes('alertname="ServiceDown"'),
    );
    expect(groupWaitFor(route, { alertname: 'ServiceDown', severity: 'critical' })).toBe(
      seconds(serviceDownRoute.group_wait),
    );
    expect(groupWaitFor(route, { alertname: 'MemoryHigh', severity: 'warning' })).toBe(
      seconds(route.group_wait),
    );
  });
});

describe('rate windows in the bound', () => {
  it('a bound takes its share of the alert window in force: 5m in the repo rules, the test profile its shorter copy', () => {
    const e = loadCatalogue(CATALOGUE_DIR).find((x) => x.name === 'errors-product')!;
    if (!expectsAlerts(e)) throw new Error('errors-product expects an alert');
    const prod = settingsInForce(repoRoot, undefined);
    // HighErrorRate reads service:http_request_error_ratio:rate5m, recorded over [5m].
    expect(prod.rules.get('HighErrorRate')!.windowSeconds).toBe(300);
    expect(prod.rules.get('ServiceDown')!.windowSeconds).toBe(0);
    expect(detectionBound(e, prod).formula).toContain(`${e.detection.signal.window_share}×window 300s`);

    expect(shortenWindows('rate(x[5m]) / rate(y[1m]) + max_over_time(z[30m:1m])', TEST_PROFILE.windows)).toBe(
      `rate(x[${TEST_PROFILE.windows['5m']}]) / rate(y[${TEST_PROFILE.windows['1m']}]) + max_over_time(z[30m:1m])`,
    );
    const dir = mkdtempSync(join(tmpdir(), 'vigil-windows-'));
    try {
      const sources = monitoringSources(repoRoot);
      writeShortenedRules(sources.rulesDir, dir, TEST_PROFILE.alertFor, TEST_PROFILE.windows);
      const short = alertRules(readdirSync(dir).map((f) => join(dir, f)));
      expect(short.get('HighErrorRate')!.windowSeconds).toBe(seconds(TEST_PROFILE.windows['5m']!));
      expect(short.get('DependencyFailing')!.windowSeconds).toBe(seconds(TEST_PROFILE.windows['1m']!));
      const t = detectionBound(e, { ...prod, rules: short });
      const p = detectionBound(e, prod);
      // Same intervals, only the rules differ: the window share and the `for` (on the evaluation grid).
      const onGrid = (f: number) => Math.ceil(f / prod.evaluationInterval) * prod.evaluationInterval;
      expect(p.detectSeconds - t.detectSeconds).toBeCloseTo(
        e.detection.signal.window_share * (300 - seconds(TEST_PROFILE.windows['5m']!)) +
          onGrid(prod.rules.get('HighErrorRate')!.forSeconds) -
          onGrid(seconds(TEST_PROFILE.alertFor)),
        5,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the playbooks link every experiment to its runbooks', () => {
  it('incident-response has a row per experiment naming a runbook of each expected alert; troubleshooting names it too', () => {
    const incident = readFileSync(join(repoRoot, 'docs/incident-response.md'), 'utf8');
    const troubleshooting = readFileSync(join(repoRoot, 'docs/troubleshooting.md'), 'utf8');
    for (const e of loadCatalogue(CATALOGUE_DIR)) {
      const row = incident.split('\n').find((l) => l.startsWith('|') && l.includes(`\`${e.name}\``));
      expect(row, e.name).toBeDefined();
      for (const alert of e.detection.alerts) {
        expect(row, `${e.name}: ${alert}`).toContain(`(runbooks/${alert}.md)`);
        expect(readdirSync(join(repoRoot, 'docs/runbooks'))).toContain(`${alert}.md`);
      }
      expect(troubleshooting, e.name).toContain(`\`${e.name}\``);
    }
  });
});

describe('Chaos Mesh manifests', () => {
  const crdDir = join(repoRoot, 'chaos/chaos-mesh/crds');
  const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
  const schemas = new Map<string, ReturnType<Ajv['compile']>>();
  for (const f of readdirSync(crdDir).filter((x) => x.endsWith('.yaml'))) {
    const crd = parse(readFileSync(join(crdDir, f), 'utf8'));
    const version = crd.spec.versions.find((v: { name: string }) => v.name === 'v1alpha1');
    schemas.set(crd.spec.names.kind, ajv.compile(version.schema.openAPIV3Schema));
  }

  it('renders PodChaos, NetworkChaos, StressChaos and HTTPChaos that validate against the CRD schemas', () => {
    const { manifests, skipped } = chaosMeshManifests(loadCatalogue(CATALOGUE_DIR), { namespace: 'vigil' });
    expect(new Set(manifests.map((m) => m.kind))).toEqual(
      new Set(['PodChaos', 'NetworkChaos', 'StressChaos', 'HTTPChaos']),
    );
    for (const m of manifests) {
      const validate = schemas.get(m.kind)!;
      expect(validate(m), `${m.metadata.name}: ${ajv.errorsText(validate.errors)}`).toBe(true);
      expect(m.apiVersion).toBe('chaos-mesh.org/v1alpha1');
    }
    expect(skipped.map((s) => s.experiment).sort()).toEqual([
      'cpu-stress-neighbour',
      'memory-stress-neighbour',
      'slow-db-order',
    ]);
  });

  it('the schemas do reject a wrong manifest', () => {
    const validate = schemas.get('NetworkChaos')!;
    expect(
      validate({
        apiVersion: 'chaos-mesh.org/v1alpha1',
        kind: 'NetworkChaos',
        spec: { action: 'teleport', mode: 'all', selector: {} },
      }),
    ).toBe(false);
    expect(ajv.errorsText(validate.errors)).toMatch(/action/);
  });
});
