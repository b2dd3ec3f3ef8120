// docker-compose.yml checked statically, as the real `docker-compose` (Debian) resolves it:
// every component of the brief is there, the env each Vigil container gets is env its code
// reads, and every host:port a config names is a compose service listening on that port.
// (The core profile also runs for real: test/containers/e2e/, `make test-containers`.)
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@vigil/service-kit/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { deployTopology } from '../../deploy/topology.ts';
import {
  CORE_ENV_FILE,
  type ComposeFile,
  composeConfig,
  coreServices,
} from '../containers/support/podman-compose.ts';

let full: ComposeFile;
const read = (path: string) => readFileSync(join(repoRoot, path), 'utf8');

/** Where each container port is served: compose service -> ports it listens on. */
const LISTENS: Record<string, number[]> = {
  prometheus: [9090],
  alertmanager: [9093],
  'node-exporter': [9100],
  cadvisor: [8080],
  'otel-collector': [4317, 4318, 13133, 8888],
  jaeger: [16686, 4317, 4318, 14269],
  elasticsearch: [9200],
  logstash: [5170, 9600],
  kibana: [5601],
  grafana: [3000],
};

beforeAll(async () => {
  full = await composeConfig();
  const t = deployTopology();
  for (const s of [...t.services, t.hub, t.smtpSink]) LISTENS[s.name] = [s.port];
  LISTENS.hub?.push(4318);
  LISTENS['smtp-sink']?.push(2526);
});

describe('docker-compose.yml', () => {
  it('has the brief components: core by default, the rest in profile full', () => {
    expect(coreServices(full).sort()).toEqual(
      [
        'alertmanager',
        'gateway',
        'hub',
        'node-exporter',
        'notification-service',
        'order-service',
        'payment-service',
        'product-service',
        'prometheus',
        'smtp-sink',
        'user-service',
      ].sort(),
    );
    for (const name of [
      'otel-collector',
      'jaeger',
      'grafana',
      'elasticsearch',
      'logstash',
      'kibana',
      'fluent-bit',
      'cadvisor',
    ]) {
      expect(full.services[name]?.profiles, name).toEqual(['full']);
    }
    // .env makes `docker compose up` the whole stack, with the Collector in the trace path.
    expect(read('.env')).toMatch(/^COMPOSE_PROFILES=full$/m);
    expect(read('.env')).toMatch(/^VIGIL_OTLP_ENDPOINT=http:\/\/otel-collector:4318$/m);
  });

  it('the core env file runs the core profile: services export straight to the hub, core targets', async () => {
    const core = await composeConfig(CORE_ENV_FILE);
    expect(core.services.gateway?.environment?.OTEL_EXPORTER_OTLP_ENDPOINT).toBe('http://hub:4318');
    expect(core.services.prometheus?.volumes?.some((v) => v.includes('/profiles/core/targets:'))).toBe(true);
    expect(full.services.prometheus?.volumes?.some((v) => v.includes('/profiles/full-stack/targets:'))).toBe(
      true,
    );
  });

  it('pins every image, limits memory, and has a healthcheck or a documented reason for none', () => {
    for (const [name, svc] of Object.entries(full.services)) {
      expect(svc.image, name).toMatch(/:[0-9v][\w.-]*$/);
      expect(svc.image, name).not.toMatch(/:latest$/);
      expect(svc.mem_limit, name).toBeDefined();
      const oneShot = name.endsWith('-setup');
      if (!oneShot && name !== 'otel-collector' && name !== 'fluent-bit')
        expect(svc.healthcheck?.test?.[0], name).toMatch(/^CMD/);
    }
  });

  it('runs the Vigil containers non-root with a read-only root filesystem and their data in named volumes', () => {
    for (const [name, svc] of Object.entries(full.services)) {
      if (!svc.build) continue;
      expect(svc.read_only, name).toBe(true);
      const data = (svc.volumes ?? []).find((v) => v.split(':')[1] === '/data');
      expect(data, name).toBeDefined();
      expect(Object.keys(full.volumes ?? {})).toContain(data?.split(':')[0]);
    }
    expect(read('Dockerfile')).toMatch(/^USER 1000:1000$/m);
  });

  it('waits on healthy dependencies: every depends_on is a service of the same or an enabled profile', () => {
    for (const [name, svc] of Object.entries(full.services)) {
      for (const [dep, { condition }] of Object.entries(svc.depends_on ?? {})) {
        expect(full.services[dep], `${name} -> ${dep}`).toBeDefined();
        expect(['service_healthy', 'service_completed_successfully'], `${name} -> ${dep}`).toContain(
          condition,
        );
        if (!svc.profiles?.length)
          expect(full.services[dep]?.profiles ?? [], `core ${name} -> ${dep}`).toEqual([]);
      }
    }
  });

  it('gives each Vigil container only env its code reads (parity with the config schemas)', () => {
    // Read by the runtime, not by our code: glibc's allocator and the image's HEALTHCHECK.
    const external = new Set(['MALLOC_ARENA_MAX']);
    const shared = ['packages/telemetry/src', 'packages/service-kit/src'];
    const sources = (dir: string): string =>
      readdirSync(join(repoRoot, dir), { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile() && e.name.endsWith('.ts'))
        .map((e) => readFileSync(join(e.parentPath, e.name), 'utf8'))
        .join('\n');
    for (const [name, svc] of Object.entries(full.services)) {
      if (!svc.build?.args?.APP) continue;
      const code = [`${svc.build.args.APP}/src`, ...shared].map(sources).join('\n') + read('Dockerfile');
      for (const key of Object.keys(svc.environment ?? {})) {
        if (external.has(key)) continue;
        expect(
          new RegExp(`\\b${key}\\b`).test(code),
          `${name}: ${key} is not read by ${svc.build.args.APP}`,
        ).toBe(true);
      }
    }
  });

  it('points every URL in the Vigil containers env at a compose service on a port it listens on', () => {
    for (const [name, svc] of Object.entries(full.services)) {
      for (const [key, value] of Object.entries(svc.environment ?? {})) {
        const m = /^https?:\/\/([a-z-]+):(\d+)/.exec(String(value));
        if (!m) continue;
        expect(full.services[m[1] as string], `${name} ${key}=${value}`).toBeDefined();
        expect(LISTENS[m[1] as string], `${name} ${key}=${value}`).toContain(Number(m[2]));
      }
      const port = svc.environment?.PORT;
      if (port) expect(LISTENS[name], `${name} PORT`).toContain(Number(port));
      const health = svc.build?.args?.HEALTH_PORT;
      if (health) expect(LISTENS[name], `${name} HEALTH_PORT`).toContain(Number(health));
    }
  });
});

describe('configs mounted by the full profile', () => {
  /** host:port pairs named in a text, with the scheme-less forms configs use. */
  const endpoints = (text: string) =>
    [...text.matchAll(/(?:https?:\/\/|\b)([a-z][a-z-]+):(\d{2,5})\b/g)]
      .map((m) => [m[1] as string, Number(m[2])] as const)
      .filter(([host]) => !['0', 'localhost'].includes(host));

  it.each([
    'deploy/compose/otel-collector.yaml',
    'deploy/compose/alertmanager.yml',
    'monitoring/grafana/provisioning/datasources/vigil.yml',
    'deploy/fluent-bit/fluent-bit.conf',
    'deploy/logstash/pipeline/vigil.conf',
    ...readdirSync(join(repoRoot, 'monitoring/prometheus/profiles/full-stack/targets')).map(
      (f) => `monitoring/prometheus/profiles/full-stack/targets/${f}`,
    ),
  ])('%s names only deployed host:port pairs', (file) => {
    const found = endpoints(read(file));
    if (!file.includes('fluent-bit') && !file.includes('logstash') && !file.includes('/targets/'))
      expect(found.length, file).toBeGreaterThan(0);
    for (const [host, port] of found) {
      expect(full.services[host], `${file}: ${host}`).toBeDefined();
      expect(LISTENS[host], `${file}: ${host}:${port}`).toContain(port);
    }
  });

  it('the Collector sends traces to Jaeger and the hub, logs to Elasticsearch and the hub', () => {
    const otel = parse(read('deploy/compose/otel-collector.yaml'));
    expect(otel.service.pipelines.traces.exporters).toEqual(['otlp/jaeger', 'otlphttp/hub']);
    expect(otel.service.pipelines.logs.exporters).toEqual(['elasticsearch/logs', 'otlphttp/hub']);
    for (const p of Object.values(otel.service.pipelines) as Array<{
      receivers: string[];
      processors: string[];
      exporters: string[];
    }>) {
      for (const r of p.receivers) expect(otel.receivers[r]).toBeDefined();
      for (const x of p.processors) expect(otel.processors[x]).toBeDefined();
      for (const e of p.exporters) expect(otel.exporters[e]).toBeDefined();
    }
  });

  it('Grafana has Prometheus, Jaeger and Elasticsearch datasources, exemplar -> trace and trace -> logs links', () => {
    const ds = parse(read('monitoring/grafana/provisioning/datasources/vigil.yml')).datasources as Array<{
      uid: string;
      type: string;
      jsonData?: Record<string, unknown>;
    }>;
    const byUid = new Map(ds.map((d) => [d.uid, d]));
    expect(byUid.get('vigil-prometheus')?.type).toBe('prometheus');
    expect(byUid.get('vigil-jaeger')?.type).toBe('jaeger');
    expect(byUid.get('vigil-logs')?.type).toBe('elasticsearch');
    const destinations = byUid.get('vigil-prometheus')?.jsonData?.exemplarTraceIdDestinations as
      | Array<{ datasourceUid: string }>
      | undefined;
    const exemplar = destinations?.[0];
    expect(byUid.get(exemplar?.datasourceUid as string)?.type).toBe('jaeger');
    const toLogs = byUid.get('vigil-jaeger')?.jsonData?.tracesToLogsV2 as {
      datasourceUid: string;
      query: string;
    };
    expect(toLogs.datasourceUid).toBe('vigil-logs');
    expect(toLogs.query).toContain('trace.id');
    // the dashboards the provider loads are the repo's four
    expect(
      readdirSync(join(repoRoot, 'monitoring/grafana/dashboards')).filter((f) => f.endsWith('.json')),
    ).toHaveLength(4);
  });

  it('Elasticsearch: the index template matches the data stream Logstash writes and uses the ILM policy', () => {
    const template = JSON.parse(read('deploy/elasticsearch/vigil-logs-template.json'));
    const ilm = JSON.parse(read('deploy/elasticsearch/vigil-logs-ilm.json'));
    const pipeline = read('deploy/logstash/pipeline/vigil.conf');
    const ds = ['type', 'dataset', 'namespace'].map(
      (k) => new RegExp(`data_stream_${k} => "([^"]+)"`).exec(pipeline)?.[1],
    );
    const stream = ds.join('-');
    expect(
      template.index_patterns.some((p: string) => new RegExp(`^${p.replace('*', '.*')}$`).test(stream)),
    ).toBe(true);
    expect(template.template.settings['index.lifecycle.name']).toBe('vigil-logs');
    expect(read('deploy/elasticsearch/setup.sh')).toContain('_ilm/policy/vigil-logs');
    expect(ilm.policy.phases.delete.actions.delete).toEqual({});
  });

  it('Kibana: a data view over the log data stream and a saved search by trace id', () => {
    const objects = read('deploy/kibana/vigil-saved-objects.ndjson')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const view = objects.find((o) => o.type === 'index-pattern');
    expect(view.attributes.title).toBe(
      JSON.parse(read('deploy/elasticsearch/vigil-logs-template.json')).index_patterns[0],
    );
    const search = objects.find((o) => o.type === 'search');
    expect(JSON.parse(search.attributes.kibanaSavedObjectMeta.searchSourceJSON).query.query).toContain(
      'trace.id',
    );
    expect(search.references[0].id).toBe(view.id);
  });
});
