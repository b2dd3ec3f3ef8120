import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dashboardFiles, dashboards, GENERATED_NOTE, PROMETHEUS_DATASOURCE } from '@vigil/dashboards';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
// The order-flow helper's stack of real processes (read-only reuse).
import type { ServiceName, Stack } from '../order-flow/support/stack.ts';
import { DECLINED_CARD, http, startStack, TEST_CARD } from '../order-flow/support/stack.ts';
import type { MonitoringStack } from './alerting-support/monitoring-stack.ts';
import { promQuery, repoRoot, startMonitoringStack } from './alerting-support/monitoring-stack.ts';
import { waitFor } from './alerting-support/wait-for.ts';

const dashboardsDir = join(repoRoot, 'monitoring/grafana/dashboards');

// The live test runs the real order flow (five services, gateway, SMTP sink, hub) under a
// short load of orders, so every panel should have data. Left here: metrics that need a
// condition the load does not create, checked to parse only (the test prints which).
const NOT_PRODUCED: ReadonlyArray<readonly [RegExp, string]> = [
  [/vigil_load_/, 'the load generator is scraped only while `vigil load run` runs'],
  [
    /job="(node|process)"/,
    'the host and process exporters are not part of this stack; exporters.test.ts runs these panels on a Prometheus scraping the real exporters',
  ],
  [
    /probe_success\{job="blackbox"\}|sla:probe_failure:ratio_month_to_date|sla:error_budget_spent/,
    'no blackbox exporter in this stack, and the month to date needs a whole hour; sla.test.ts checks the probes and the SLA rules on live data',
  ],
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

const SERVICES: ReadonlyArray<readonly [string, ServiceName]> = [
  ['gateway', 'gateway'],
  ['user-service', 'user'],
  ['product-service', 'product'],
  ['order-service', 'order'],
  ['payment-service', 'payment'],
  ['notification-service', 'notification'],
];

describe('every dashboard query against a live Prometheus after a short load', () => {
  let flow: Stack | undefined;
  let stack: MonitoringStack | undefined;
  let loading = true;
  let load: Promise<unknown> | undefined;

  /** Orders (some declined), catalogue and user reads, and a few 404s, until the test ends. */
  async function shop(worker: number): Promise<void> {
    const gw = flow!.url('gateway');
    for (let i = 0; loading; i++) {
      const card = i % 5 === 4 ? DECLINED_CARD : TEST_CARD;
      const order = {
        customer_id: 1 + (i % 3),
        items: [{ product_id: 1 + (i % 4), quantity: 1 }],
        payment_method: card,
      };
      await Promise.allSettled([
        http('POST', `${gw}/orders`, order, { 'Idempotency-Key': `dash-${worker}-${i}-${Date.now()}` }),
        http('GET', `${gw}/products/${1 + (i % 4)}`),
        http('GET', `${gw}/users/${i % 7 === 6 ? 999999 : 1}`),
      ]);
    }
  }

  beforeAll(async () => {
    flow = await startStack({ hub: true });
    stack = await startMonitoringStack({
      services: SERVICES.map(([service, name]) => ({ service, port: flow!.ports[name] })),
      hubPort: flow.ports.hub,
      alertmanager: { hubWebhookUrl: `${flow.url('hub')}/api/alerts/webhook`, smtpPort: 9 },
    });
    load = Promise.all([shop(0), shop(1)]);
    // Enough samples for rate() over the substituted 30s window, business metrics from
    // settled orders, spans at the hub, and the recording rules evaluated.
    const prom = stack.prometheusUrl;
    let missing = '';
    await waitFor(
      'orders, payments, hub ingest and recording rules',
      async () => {
        for (const q of [
          'sum(rate(orders_created_total[30s])) > 0',
          'sum(rate(order_value_dollars_count[30s])) > 0',
          'sum(rate(payments_total[30s])) > 0',
          'sum(rate(hub_spans_stored_total[30s])) > 0',
          'count_over_time(up{job="vigil-services", service="gateway"}[30s]) >= 4',
          ':payment_failure_ratio:rate5m',
        ]) {
          missing = q;
          if ((await promQuery(prom, q)).length === 0) return undefined;
        }
        return true;
      },
      { timeoutMs: 90_000, intervalMs: 500 },
    ).catch((err: Error) => {
      throw new Error(
        `${err.message}; still empty: ${missing}\norder-service: ${flow?.logs('order').slice(-3000)}`,
      );
    });
  }, 180_000);

  afterAll(async () => {
    loading = false;
    await load;
    await stack?.stop();
    await flow?.close();
  });

  it('checks data for every query the test can produce, and names the parse-only ones', () => {
    const parseOnly = allQueries.filter((q) => notProducedReason(q.expr));
    console.log(
      `${allQueries.length - parseOnly.length} of ${allQueries.length} queries must return data; parse only:\n` +
        parseOnly.map((q) => `  ${q.name} (${notProducedReason(q.expr)})`).join('\n'),
    );
    expect(allQueries.length - parseOnly.length).toBeGreaterThan(parseOnly.length);
  });

  it('stores exemplars with trace ids for the latency panels (OpenMetrics scrape, exemplar storage on)', async () => {
    const panels = dashboards.flatMap((d) => d.sections.flatMap((s) => s.panels)).filter((p) => p.exemplars);
    expect(panels.length).toBeGreaterThan(0);
    for (const panel of panels) {
      const expr = substitute(panel.queries[0]!.expr);
      const end = Date.now() / 1000;
      const url = `${stack!.prometheusUrl}/api/v1/query_exemplars?query=${encodeURIComponent(expr)}&start=${end - 300}&end=${end}`;
      const body = (await (await fetch(url)).json()) as {
        status: string;
        data: Array<{ exemplars: Array<{ labels: Record<string, string> }> }>;
      };
      expect(body.status).toBe('success');
      const traceIds = body.data.flatMap((series) => series.exemplars.map((e) => e.labels.trace_id));
      expect(traceIds.length, `no exemplars for ${panel.title}`).toBeGreaterThan(0);
      expect(traceIds.every((id) => /^[0-9a-f]{32}$/.test(id ?? ''))).toBe(true);
    }
  });

  it.each(allQueries)('$name', async ({ expr }) => {
    const result = await promQuery(stack!.prometheusUrl, substitute(expr));
    if (notProducedReason(expr)) return; // parsed (promQuery throws otherwise); see NOT_PRODUCED
    expect(result.length, `no data for ${substitute(expr)}`).toBeGreaterThan(0);
    expect(
      result.some((s) => Number.isFinite(Number(s.value[1]))),
      `only NaN/Inf for ${substitute(expr)}`,
    ).toBe(true);
  });
});
