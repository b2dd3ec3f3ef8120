import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildApp as buildGateway } from '@vigil/gateway';
import { buildApp as buildNotification } from '@vigil/notification-service';
import { buildApp as buildOrder } from '@vigil/order-service';
import { buildApp as buildPayment } from '@vigil/payment-service';
import { buildApp as buildProduct } from '@vigil/product-service';
import { repoRoot } from '@vigil/service-kit/testing';
import { createTelemetry, type Telemetry } from '@vigil/telemetry';
import { buildApp as buildUser } from '@vigil/user-service';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startTestHub, type TestHub } from '../../packages/hub/test/helpers.ts';

// Issue 11, items 1 and 2, as a contract on what each component exports before any traffic: a
// labelled counter or histogram born at its first event loses that event to rate()/increase(), so
// every metric family a Vigil component declares and a rule or dashboard reads has its series (at 0)
// from start-up. The business metrics carry the brief's names, labels and buckets.

/** Read by rules and dashboards, yet without series before the first request, with the reason. */
const BORN_WITH_TRAFFIC: Readonly<Record<string, string>> = {};

/** Every PromQL expression of the rules, the Grafana dashboards and the console's dashboards. */
function expressions(): { source: string; expr: string }[] {
  const out: { source: string; expr: string }[] = [];
  const rulesDir = join(repoRoot, 'monitoring/prometheus/rules');
  for (const file of readdirSync(rulesDir).filter((f) => f.endsWith('.yml'))) {
    const doc = parse(readFileSync(join(rulesDir, file), 'utf8')) as {
      groups: { rules: { alert?: string; record?: string; expr: string }[] }[];
    };
    for (const group of doc.groups)
      for (const rule of group.rules)
        out.push({ source: `${file}: ${rule.alert ?? rule.record}`, expr: rule.expr });
  }
  const walk = (node: unknown, source: string): void => {
    if (Array.isArray(node)) for (const n of node) walk(n, source);
    else if (node && typeof node === 'object')
      for (const [key, value] of Object.entries(node)) {
        if (key === 'expr' && typeof value === 'string') out.push({ source, expr: value });
        else walk(value, source);
      }
  };
  const dashboardsDir = join(repoRoot, 'monitoring/grafana/dashboards');
  for (const file of readdirSync(dashboardsDir).filter((f) => f.endsWith('.json')))
    walk(JSON.parse(readFileSync(join(dashboardsDir, file), 'utf8')), `grafana/${file}`);
  walk(
    JSON.parse(readFileSync(join(repoRoot, 'monitoring/grafana/console/dashboards.json'), 'utf8')),
    'console',
  );
  return out;
}

/** Where a family's series (name, or a histogram's name_bucket/_count/_sum) appear as a whole token. */
function readersOf(family: string, exprs: { source: string; expr: string }[]): string[] {
  const token = new RegExp(`(?<![A-Za-z0-9_:])${family}(_bucket|_count|_sum)?(?![A-Za-z0-9_:])`);
  return [...new Set(exprs.filter((e) => token.test(e.expr)).map((e) => e.source))];
}

interface Family {
  type: string;
  samples: { name: string; labels: Record<string, string>; value: number }[];
}

/** The families of a text exposition, with their samples. */
function families(text: string): Map<string, Family> {
  const out = new Map<string, Family>();
  const sampleFamily = (name: string) =>
    out.has(name)
      ? name
      : [...out.keys()].find(
          (f) => /^(_bucket|_count|_sum)$/.test(name.slice(f.length)) && name.startsWith(f),
        );
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) out.set(type[1]!, { type: type[2]!, samples: [] });
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([A-Za-z_:][A-Za-z0-9_:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!m) throw new Error(`unparsable sample line: ${line}`);
    const family = sampleFamily(m[1]!);
    if (!family) throw new Error(`sample without a # TYPE: ${line}`);
    const labels = Object.fromEntries(
      [...(m[2] ?? '').matchAll(/([A-Za-z_]\w*)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1]!, l[2]!]),
    );
    out.get(family)!.samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

const quiet = (service: string): Telemetry =>
  createTelemetry({ service, version: 'test', env: { LOG_LEVEL: 'fatal' } });

const apps: FastifyInstance[] = [];
let hub: TestHub | undefined;
/** Each component's /metrics (text format) before it served a request. */
const expositions = new Map<string, string>();

beforeAll(async () => {
  const builders: [string, () => Promise<FastifyInstance>][] = [
    ['gateway', () => buildGateway({ telemetry: quiet('gateway') })],
    ['user-service', () => buildUser({ telemetry: quiet('user-service') })],
    ['product-service', () => buildProduct({ telemetry: quiet('product-service') })],
    ['order-service', () => buildOrder({ telemetry: quiet('order-service') })],
    ['payment-service', () => buildPayment({ telemetry: quiet('payment-service') })],
    ['notification-service', () => buildNotification({ telemetry: quiet('notification-service') })],
  ];
  for (const [name, build] of builders) {
    const app = await build();
    apps.push(app);
    expositions.set(name, (await app.inject({ method: 'GET', url: '/metrics' })).body);
  }
  hub = await startTestHub();
  expositions.set('hub', await (await fetch(`${hub.apiUrl}/metrics`)).text());
});

afterAll(async () => {
  await Promise.all(apps.map((app) => app.close()));
  await hub?.close();
});

describe('the metric contract at start-up', () => {
  it('every counter and histogram a rule or dashboard reads has its series from start-up, before its first event', () => {
    const exprs = expressions();
    expect(exprs.length, 'rules and dashboards read').toBeGreaterThan(100);
    const bornLate: string[] = [];
    let checked = 0;
    for (const [component, text] of expositions) {
      for (const [name, family] of families(text)) {
        if (family.type !== 'counter' && family.type !== 'histogram') continue;
        const readers = readersOf(name, exprs);
        if (readers.length === 0 || BORN_WITH_TRAFFIC[name]) continue;
        checked++;
        if (family.samples.length === 0)
          bornLate.push(`${component}: ${name} (read by ${readers.join('; ')})`);
      }
    }
    expect(bornLate, 'born at their first event').toEqual([]);
    // The check saw the brief's metrics and the alert inputs, not an empty set.
    expect(checked).toBeGreaterThanOrEqual(15);
  });

  it("each route's RED series exist at 0 from start-up for what it answers when it works and for 500/503", () => {
    const statusesOf = (component: string, method: string, route: string) =>
      families(expositions.get(component)!)
        .get('http_requests_total')!
        .samples.filter((s) => s.labels.method === method && s.labels.route === route)
        .map((s) => {
          expect(s.value).toBe(0);
          return Number(s.labels.status);
        })
        .sort();
    // Declared: placing an order answers 201 (completed) or 202 (awaiting payment).
    expect(statusesOf('order-service', 'POST', '/orders')).toEqual([201, 202, 500, 503]);
    // The default, 200, for a route that declares nothing; no HEAD twin of a GET.
    expect(statusesOf('order-service', 'GET', '/orders/:id')).toEqual([200, 500, 503]);
    expect(statusesOf('order-service', 'HEAD', '/orders/:id')).toEqual([]);
    // The gateway's own answers when the upstream is down (502) or late (504).
    expect(statusesOf('gateway', 'POST', '/orders')).toEqual([201, 202, 500, 502, 503, 504]);
    expect(statusesOf('payment-service', 'POST', '/payments')).toEqual([201, 402, 500, 503]);
    // Probes and scrapes are not traffic: no series.
    expect(statusesOf('order-service', 'GET', '/metrics')).toEqual([]);
    // Histogram and counter share the series.
    const durations = families(expositions.get('order-service')!)
      .get('http_request_duration_seconds')!
      .samples.filter(
        (s) => s.name === 'http_request_duration_seconds_count' && s.labels.route === '/orders',
      );
    expect(durations.map((s) => `${s.labels.method} ${s.labels.status}`).sort()).toEqual([
      'GET 200',
      'GET 500',
      'GET 503',
      'POST 201',
      'POST 202',
      'POST 500',
      'POST 503',
    ]);
  });

  it('the business metrics have the brief names, labels and buckets (order_value_dollars 10…5000)', () => {
    const order = families(expositions.get('order-service')!);
    const labelsOf = (family: string) => {
      const f = order.get(family) ?? families(expositions.get('product-service')!).get(family);
      expect(f, family).toBeDefined();
      return new Set(f!.samples.flatMap((s) => Object.keys(s.labels).filter((l) => l !== 'le')));
    };
    expect(labelsOf('orders_created_total')).toEqual(
      new Set(['product_category', 'payment_method', 'customer_segment']),
    );
    expect(labelsOf('order_value_dollars')).toEqual(new Set(['product_category', 'customer_segment']));
    expect(labelsOf('checkout_funnel_total')).toEqual(new Set(['step', 'status']));
    // complexity from the brief; status (completed, awaiting_payment, failed) keeps failed placements' time apart.
    expect(labelsOf('order_processing_duration_seconds')).toEqual(new Set(['complexity', 'status']));
    expect(labelsOf('inventory_level')).toEqual(new Set(['product_id', 'warehouse']));
    expect(order.get('order_value_dollars')!.type).toBe('histogram');
    const bounds = new Set(
      order
        .get('order_value_dollars')!
        .samples.filter((s) => s.name === 'order_value_dollars_bucket')
        .map((s) => s.labels.le),
    );
    expect([...bounds]).toEqual(['10', '25', '50', '100', '250', '500', '1000', '2500', '5000', '+Inf']);
    const complexities = new Set(
      order.get('order_processing_duration_seconds')!.samples.map((s) => s.labels.complexity),
    );
    expect([...complexities].sort()).toEqual(['complex', 'simple', 'standard']);
  });
});
