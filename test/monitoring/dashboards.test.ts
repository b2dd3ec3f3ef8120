import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  dashboardFiles,
  dashboards,
  GENERATED_NOTE,
  PROMETHEUS_DATASOURCE,
} from '../../monitoring/grafana/src/index.ts';
import { freePort } from './alerting-support/free-port.ts';
import type { MonitoringStack } from './alerting-support/monitoring-stack.ts';
import { promQuery, repoRoot, startMonitoringStack } from './alerting-support/monitoring-stack.ts';
import type { ServiceUnderTest } from './alerting-support/service-under-test.ts';
import { serviceUnderTest, serviceUnderTestKind } from './alerting-support/service-under-test.ts';
import { waitFor } from './alerting-support/wait-for.ts';

const dashboardsDir = join(repoRoot, 'monitoring/grafana/dashboards');

// Metrics the live test cannot produce: it runs one service (the real user-service, or the
// fixture with the same RED and process metrics while @vigil/telemetry is missing), Prometheus and
// Alertmanager — no order flow, no hub. Queries on these are checked to parse only. Everything
// else must return data.
const NOT_PRODUCED: ReadonlyArray<readonly [RegExp, string]> = [
  [
    /orders_created_total|order_value_dollars|checkout_funnel_total|order_processing_duration_seconds/,
    'order-service business metric',
  ],
  [/payments_total|payment_failure_ratio/, 'payment-service business metric'],
  [/notifications_sent_total/, 'notification-service business metric'],
  [/inventory_level/, 'product-service business metric'],
  [/fault_injection_active/, 'only while a fault is injected'],
  ...(serviceUnderTestKind() === 'fixture'
    ? [[/telemetry_\w+/, '@vigil/telemetry self-metric (the fixture service has none)'] as const]
    : []),
  [/hub_\w+/, 'hub metric (the hub is not started here)'],
];

function notProducedReason(expr: string): string | undefined {
  return NOT_PRODUCED.find(([re]) => re.test(expr))?.[1];
}

/** What Grafana would send for "All services" and a short range. */
function substitute(expr: string): string {
  return expr.replaceAll('$__rate_interval', '30s').replaceAll('$service', '.*');
}

const allQueries = dashboards.flatMap((d) =>
  d.sections.flatMap((s) =>
    s.panels.flatMap((p) =>
      p.queries.map((q, i) => ({ name: `${d.uid} / ${p.title} / ${'ABCDEFGH'[i]}`, expr: q.expr })),
    ),
  ),
);

describe('dashboards as code', () => {
  it('the generated JSON is up to date (node monitoring/grafana/src/generate.ts)', () => {
    const expected = dashboardFiles(dashboards);
    const onDisk = readdirSync(dashboardsDir).filter((f) => f.endsWith('.json'));
    expect(onDisk.sort()).toEqual([...expected.keys()].sort());
    for (const [name, text] of expected) {
      expect(readFileSync(join(dashboardsDir, name), 'utf8'), `${name} differs: regenerate`).toBe(text);
    }
  });

  it('has fixed unique UIDs, the generated marker, and a description on every panel', () => {
    const uids = dashboards.map((d) => d.uid);
    expect(new Set(uids).size).toBe(uids.length);
    for (const [name, text] of dashboardFiles(dashboards)) {
      const json = JSON.parse(text) as {
        uid: string;
        description: string;
        panels: Array<{ id: number; type: string; description?: string; datasource?: { uid: string } }>;
      };
      expect(name).toBe(`${json.uid}.json`);
      expect(json.description.startsWith(GENERATED_NOTE)).toBe(true);
      const ids = json.panels.map((p) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const panel of json.panels.filter((p) => p.type !== 'row')) {
        expect(panel.description, `${json.uid}: a panel lacks a description`).toBeTruthy();
        expect(panel.datasource?.uid).toBe(PROMETHEUS_DATASOURCE.uid);
      }
    }
  });

  it('the provisioned Prometheus datasource has the dashboards’ UID and links exemplars to traces', () => {
    const file = join(repoRoot, 'monitoring/grafana/provisioning/datasources/vigil.yml');
    const provisioning = parse(readFileSync(file, 'utf8')) as {
      datasources: Array<{
        uid: string;
        type: string;
        jsonData?: { exemplarTraceIdDestinations?: Array<{ datasourceUid: string }> };
      }>;
    };
    const prometheus = provisioning.datasources.find((d) => d.uid === PROMETHEUS_DATASOURCE.uid);
    expect(prometheus?.type).toBe('prometheus');
    const target = prometheus?.jsonData?.exemplarTraceIdDestinations?.[0]?.datasourceUid;
    expect(provisioning.datasources.some((d) => d.uid === target)).toBe(true);
  });
});

describe('every dashboard query against a live Prometheus after a short load', () => {
  let sut: ServiceUnderTest;
  let stack: MonitoringStack | undefined;
  let loading = true;
  let load: Promise<void> | undefined;

  beforeAll(async () => {
    sut = serviceUnderTest(await freePort());
    await sut.start();
    load = (async () => {
      for (let i = 0; loading; i++) {
        await fetch(`${sut.url}${i % 10 === 0 ? '/fail' : '/users/1'}`).then(
          (r) => r.arrayBuffer(),
          () => undefined,
        );
      }
    })();
    stack = await startMonitoringStack({
      services: [{ service: sut.service, port: Number(new URL(sut.url).port) }],
      alertmanager: { hubWebhookUrl: 'http://127.0.0.1:9/unused', smtpPort: 9 },
    });
    // Enough samples for rate() over the substituted 30s window, and the recording rules evaluated.
    await waitFor(
      'request rate and recording rules',
      async () => {
        const raw = await promQuery(stack!.prometheusUrl, 'sum(rate(http_requests_total[30s])) > 0');
        const rules = await promQuery(
          stack!.prometheusUrl,
          'slo:error_budget_remaining:ratio{service="user-service"}',
        );
        const samples = await promQuery(
          stack!.prometheusUrl,
          'count_over_time(up{job="vigil-services"}[30s]) >= 4',
        );
        return raw.length && rules.length && samples.length ? true : undefined;
      },
      { timeoutMs: 40_000, intervalMs: 250 },
    );
  });

  afterAll(async () => {
    loading = false;
    await load;
    await stack?.stop();
    await sut?.close();
  });

  it('checks data for every query the test can produce, and names the parse-only ones', () => {
    const parseOnly = allQueries.filter((q) => notProducedReason(q.expr));
    console.log(
      `${allQueries.length - parseOnly.length} of ${allQueries.length} queries must return data; parse only:\n` +
        parseOnly.map((q) => `  ${q.name} (${notProducedReason(q.expr)})`).join('\n'),
    );
    expect(allQueries.length - parseOnly.length).toBeGreaterThan(parseOnly.length);
  });

  it.each(allQueries)('$name', async ({ expr }) => {
    const result = await promQuery(stack!.prometheusUrl, substitute(expr));
    const reason = notProducedReason(expr);
    if (reason) return; // parsed (promQuery throws otherwise); data not expected here: see NOT_PRODUCED
    expect(result.length, `no data for ${substitute(expr)}`).toBeGreaterThan(0);
    expect(
      result.some((s) => Number.isFinite(Number(s.value[1]))),
      `only NaN/Inf for ${substitute(expr)}`,
    ).toBe(true);
  });
});
