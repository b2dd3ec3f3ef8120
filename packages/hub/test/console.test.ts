import { type ChildProcess, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context, Span, SpanOptions } from '@opentelemetry/api';
import type { LogRecord } from '@opentelemetry/api-logs';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS } from './console-support.ts';
import { freePorts, getJson, spawnHub, tempDir, waitFor } from './helpers.ts';

// Headless Chromium against the real hub process, fed by the real OpenTelemetry SDK over OTLP/HTTP.

interface SdkTracer {
  startSpan(name: string, options?: SpanOptions, context?: Context): Span;
}
interface SdkLogger {
  emit(record: LogRecord): void;
}
interface SdkProvider {
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}
interface OtelApi {
  ROOT_CONTEXT: Context;
  trace: { setSpan(context: Context, span: Span): Context };
  SpanKind: { SERVER: number; CLIENT: number };
  SpanStatusCode: { ERROR: number };
}

// SDK, api and exporters come from the repository root so they are one consistent version set.
const rootRequire = createRequire(new URL('../../../package.json', import.meta.url));
const otel = rootRequire('@opentelemetry/api') as OtelApi;
const { TracerProvider, SimpleSpanProcessor } = rootRequire('@opentelemetry/sdk-trace');
const { LoggerProvider, SimpleLogRecordProcessor } = rootRequire('@opentelemetry/sdk-logs');
const { OTLPTraceExporter } = rootRequire('@opentelemetry/exporter-trace-otlp-proto');
const { OTLPLogExporter } = rootRequire('@opentelemetry/exporter-logs-otlp-proto');
const { resourceFromAttributes } = rootRequire('@opentelemetry/resources');

const SERVICES = ['gateway', 'order-service', 'product-service', 'payment-service'] as const;
type Service = (typeof SERVICES)[number];
const BUILD_SCRIPT = fileURLToPath(new URL('../ui/build-if-stale.ts', import.meta.url));
const UI_TIMEOUT = 10_000;
// Set to a directory to keep a PNG of each page the test visits (for reviewing the UI by eye).
const SHOTS = process.env.VIGIL_CONSOLE_SCREENSHOTS;

let hub: ChildProcess | undefined;
let dataDir = '';
let profileDir = '';
let apiUrl = '';
let otlpUrl = '';
let browser: BrowserContext | undefined;
let page: Page;
const tracers = {} as Record<Service, SdkTracer>;
const loggers = {} as Record<Service, SdkLogger>;
const providers: SdkProvider[] = [];
let traceId = '';
let otherTraceId = '';
const spanIds: Record<string, string> = {};

function startSdk(): void {
  for (const service of SERVICES) {
    const resource = resourceFromAttributes({ 'service.name': service, 'service.version': '0.1.0' });
    const tp = new TracerProvider({
      resource,
      spanProcessors: [
        new SimpleSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${otlpUrl}/v1/traces` }) }),
      ],
    });
    const lp = new LoggerProvider({
      resource,
      processors: [
        new SimpleLogRecordProcessor({ exporter: new OTLPLogExporter({ url: `${otlpUrl}/v1/logs` }) }),
      ],
    });
    providers.push(tp, lp);
    tracers[service] = tp.getTracer('console-e2e', '0.0.1');
    loggers[service] = lp.getLogger('console-e2e');
  }
}

const flush = () => Promise.all(providers.map((p) => p.forceFlush()));
const ctxOf = (span: Span) => otel.trace.setSpan(otel.ROOT_CONTEXT, span);

/** gateway → order-service → product-service, and → payment-service, which fails with an exception. */
async function sendCheckoutTrace(): Promise<void> {
  const { SERVER, CLIENT } = otel.SpanKind;
  const root = tracers.gateway.startSpan('POST /checkout', {
    kind: SERVER,
    attributes: { 'http.request.method': 'POST', 'http.response.status_code': 502 },
  });
  const gwCall = tracers.gateway.startSpan('POST order-service', { kind: CLIENT }, ctxOf(root));
  const order = tracers['order-service'].startSpan(
    'POST /orders',
    { kind: SERVER, attributes: { 'order.id': 'o-4711' } },
    ctxOf(gwCall),
  );
  const stockCall = tracers['order-service'].startSpan(
    'POST product-service',
    { kind: CLIENT },
    ctxOf(order),
  );
  const stock = tracers['product-service'].startSpan(
    'POST /products/:id/reserve',
    { kind: SERVER },
    ctxOf(stockCall),
  );
  stock.addEvent('stock reserved', { 'product.id': 'p-9', quantity: 2 });
  const payCall = tracers['order-service'].startSpan('POST payment-service', { kind: CLIENT }, ctxOf(order));
  const pay = tracers['payment-service'].startSpan('POST /payments', { kind: SERVER }, ctxOf(payCall));
  pay.recordException(new TypeError('card declined by issuer'));
  pay.setStatus({ code: otel.SpanStatusCode.ERROR, message: 'charge failed' });

  loggers['order-service'].emit({
    severityNumber: 9,
    severityText: 'INFO',
    body: 'order o-4711 accepted',
    attributes: { 'order.id': 'o-4711' },
    context: ctxOf(order),
  });
  loggers['product-service'].emit({
    severityNumber: 9,
    severityText: 'INFO',
    body: 'reserved 2 of p-9',
    context: ctxOf(stock),
  });
  loggers['payment-service'].emit({
    severityNumber: 17,
    severityText: 'ERROR',
    body: 'payment declined by issuer',
    attributes: { 'payment.method': 'card' },
    context: ctxOf(pay),
  });
  for (const s of [stock, stockCall, pay, payCall, order, gwCall, root]) s.end();
  traceId = root.spanContext().traceId;
  Object.assign(spanIds, {
    root: root.spanContext().spanId,
    stock: stock.spanContext().spanId,
    payment: pay.spanContext().spanId,
  });

  // A second, unrelated trace with its own log line: filters must keep it apart.
  const other = tracers.gateway.startSpan('GET /health', { kind: SERVER });
  loggers.gateway.emit({
    severityNumber: 9,
    severityText: 'INFO',
    body: 'health probe ok',
    context: ctxOf(other),
  });
  other.end();
  otherTraceId = other.spanContext().traceId;
  await flush();
}

async function stopHub(): Promise<void> {
  const child = hub;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

beforeAll(async () => {
  const build = spawnSync(process.execPath, [BUILD_SCRIPT], { encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`console build failed: ${build.stderr}${build.stdout}`);

  dataDir = tempDir('hub-console-');
  const [api, otlp] = await freePorts(2);
  hub = await spawnHub(dataDir, { api: api!, otlp: otlp! });
  apiUrl = `http://127.0.0.1:${api}`;
  otlpUrl = `http://127.0.0.1:${otlp}`;

  startSdk();
  await sendCheckoutTrace();
  await waitFor(
    async () => {
      const t = await getJson(`${apiUrl}/api/traces/${traceId}`);
      const logs = await getJson(`${apiUrl}/api/traces/${traceId}/logs`);
      return t.status === 200 && t.body.data[0].spans.length === 7 && logs.body.data.length === 3;
    },
    { description: 'the trace and its logs in the hub' },
  );

  profileDir = mkdtempSync(join(tmpdir(), 'console-chromium-'));
  browser = await chromium.launchPersistentContext(profileDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1400, height: 900 },
  });
  browser.setDefaultTimeout(UI_TIMEOUT);
  page = browser.pages()[0] ?? (await browser.newPage());
});

afterAll(async () => {
  await browser?.close();
  await Promise.all(providers.map((p) => p.shutdown().catch(() => {})));
  await stopHub();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
});

const shot = async (name: string) => {
  if (SHOTS) await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
};
const logRows = () => page.locator('.logs tbody tr').allTextContents();
const path = () => new URL(page.url()).pathname + new URL(page.url()).search;

describe('the Vigil console in headless Chromium', () => {
  it('finds the trace on the search page and opens it', async () => {
    await page.goto(`${apiUrl}/`);
    await page.waitForURL(/\/traces$/);
    await page
      .locator('select[name="service"] option[value="payment-service"]')
      .waitFor({ state: 'attached' });
    await page.selectOption('select[name="service"]', 'payment-service');
    await page
      .locator('select[name="operation"] option[value="POST /payments"]')
      .waitFor({ state: 'attached' });
    await page.getByRole('button', { name: 'Find traces' }).click();
    await page.waitForURL((u) => u.searchParams.get('service') === 'payment-service');

    const result = page.locator(`li[data-trace-id="${traceId}"]`);
    await result.waitFor();
    expect(await page.locator(`li[data-trace-id="${otherTraceId}"]`).count()).toBe(0);
    const text = (await result.textContent()) ?? '';
    expect(text).toContain('gateway: POST /checkout');
    expect(text).toContain('7 spans');
    expect(text).toContain('error');
    for (const s of SERVICES) expect(text).toContain(s);

    await shot('trace-search');
    await result.getByRole('link').click();
    await page.waitForURL(`**/traces/${traceId}`);
  });

  it('shows the waterfall with every span and the trace logs, linked to their spans', async () => {
    const rows = page.locator('.waterfall .wf-row');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(7);
    const labels = await rows.allInnerTexts();
    expect(labels[0]).toContain('gateway');
    expect(labels[0]).toContain('POST /checkout');
    for (const op of ['POST /orders', 'POST /products/:id/reserve', 'POST /payments']) {
      expect(labels.some((l) => l.includes(op))).toBe(true);
    }
    for (const s of SERVICES) expect(labels.some((l) => l.includes(s))).toBe(true);
    const payRow = page.locator(`.wf-row[data-span-id="${spanIds.payment}"]`);
    expect(await payRow.getAttribute('class')).toContain('is-error');

    const logs = page.locator('.trace-logs tbody tr');
    await logs.first().waitFor();
    expect(await logs.allInnerTexts()).toEqual([
      expect.stringContaining('order o-4711 accepted'),
      expect.stringContaining('reserved 2 of p-9'),
      expect.stringContaining('payment declined by issuer'),
    ]);

    await logs.filter({ hasText: 'payment declined by issuer' }).click();
    await page.locator(`.wf-row[data-span-id="${spanIds.payment}"][aria-pressed="true"]`).waitFor();
    const details = page.getByRole('complementary', { name: 'Span details' });
    await details.waitFor();
    const detailText = (await details.textContent()) ?? '';
    expect(detailText).toContain('payment-service');
    expect(detailText).toContain('ERROR');
    expect(detailText).toContain('charge failed');
    expect(detailText).toContain('TypeError');
    expect(detailText).toContain('card declined by issuer');
    expect(await details.locator('pre.stack').textContent()).toContain('TypeError');
    await shot('trace-view');
    expect(path()).toBe(`/traces/${traceId}?span=${spanIds.payment}`);

    await page.getByRole('button', { name: 'Collapse POST /checkout' }).click();
    await waitFor(async () => (await rows.count()) === 1, {
      description: 'the collapsed trace',
      timeoutMs: UI_TIMEOUT,
    });
    await logs.filter({ hasText: 'reserved 2 of p-9' }).click();
    await page.locator(`.wf-row[data-span-id="${spanIds.stock}"][aria-pressed="true"]`).waitFor();
    expect(await rows.count()).toBe(7);

    await page.reload();
    const reloaded = page.getByRole('complementary', { name: 'Span details' });
    await reloaded.filter({ hasText: 'POST /products/:id/reserve' }).waitFor();
    expect(await reloaded.textContent()).toContain('stock reserved');
  });

  it('filters logs by text and follows a trace_id link to its trace', async () => {
    await page.getByRole('link', { name: 'Logs', exact: true }).click();
    await page.waitForURL('**/logs');
    await page.locator('.logs tbody tr').first().waitFor();
    await page.fill('input[name="q"]', 'declined');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL((u) => u.searchParams.get('q') === 'declined');
    await waitFor(
      async () => {
        const rows = await logRows();
        return rows.length === 1 && rows[0]!.includes('payment declined by issuer');
      },
      { description: 'only the matching log line', timeoutMs: UI_TIMEOUT },
    );
    await shot('logs-text-filter');
    await page.locator(`.logs a.trace-link[href="/traces/${traceId}"]`).click();
    await page.waitForURL(`**/traces/${traceId}`);
    await page.locator('.trace-summary').filter({ hasText: traceId }).waitFor();
    await page.locator('.waterfall .wf-row').first().waitFor();
    expect(await page.locator('.waterfall .wf-row').count()).toBe(7);
  });

  it('deep-links /logs?trace_id= to only that trace’s logs', async () => {
    await page.goto(`${apiUrl}/logs?trace_id=${traceId}`);
    const rows = await waitFor(
      async () => {
        const r = await logRows();
        return r.length === 3 ? r : null;
      },
      { description: 'the three log lines of the trace', timeoutMs: UI_TIMEOUT },
    );
    expect(rows[0]).toContain('payment declined by issuer');
    await shot('logs-deep-link');
    expect(rows.some((r) => r.includes('health probe ok'))).toBe(false);
    expect(await page.inputValue('input[name="trace_id"]')).toBe(traceId);
    const links = await page
      .locator('.logs a.trace-link')
      .evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(new Set(links)).toEqual(new Set([`/traces/${traceId}`]));
  });

  it('pages through logs with Load more', async () => {
    await page.goto(`${apiUrl}/logs?trace_id=${traceId}&limit=2`);
    await page.getByRole('button', { name: 'Load more' }).waitFor();
    expect(await logRows()).toHaveLength(2);
    await page.getByRole('button', { name: 'Load more' }).click();
    await page.getByText('End of results.').waitFor();
    const rows = await logRows();
    expect(rows).toHaveLength(3);
    expect(rows[2]).toContain('order o-4711 accepted');
  });

  it('searches by tag and shows an empty state when nothing matches', async () => {
    await page.goto(`${apiUrl}/traces?tags=${encodeURIComponent('order.id=o-4711')}`);
    await page.locator(`li[data-trace-id="${traceId}"]`).waitFor();
    expect(await page.inputValue('input[name="tags"]')).toBe('order.id=o-4711');
    expect(await page.locator('li.trace-result').count()).toBe(1);
    await page.fill('input[name="tags"]', 'order.id=o-0000');
    await page.getByRole('button', { name: 'Find traces' }).click();
    await page.getByText('No traces match').waitFor();
    expect(await page.locator('li.trace-result').count()).toBe(0);
  });

  it('live-tails new log records over SSE', async () => {
    await page.goto(`${apiUrl}/logs?service=order-service`);
    await page.locator('.logs tbody tr').first().waitFor();
    await page.check('input[name="live"]');
    await page.locator('.live-tail-live').waitFor();
    // The stream is ordered: once the later canary shows, the earlier filtered-out line has been skipped.
    loggers.gateway.emit({ severityNumber: 13, severityText: 'WARN', body: 'filtered out canary' });
    await flush();
    loggers['order-service'].emit({ severityNumber: 13, severityText: 'WARN', body: 'live tail canary 42' });
    await flush();
    const fresh = page.locator('.logs tbody tr').first();
    await fresh.filter({ hasText: 'live tail canary 42' }).waitFor();
    expect(await fresh.locator('.level').textContent()).toBe('warn');
    await shot('logs-live-tail');
    expect(await page.locator('.logs tbody tr', { hasText: 'filtered out canary' }).count()).toBe(0);
    await page.uncheck('input[name="live"]');
  });

  it('draws the service map with call and error counts, and a node leads to trace search', async () => {
    await page.goto(`${apiUrl}/services`);
    const edge = page.locator('svg.service-map g.edge[data-parent="gateway"][data-child="order-service"]');
    await edge.waitFor();
    expect(await edge.textContent()).toContain('1 call');
    const failing = page.locator(
      'svg.service-map g.edge[data-parent="order-service"][data-child="payment-service"]',
    );
    expect(await failing.getAttribute('class')).toContain('edge-error');
    expect(await failing.textContent()).toContain('1 error');
    expect(await page.locator('svg.service-map .node').count()).toBe(SERVICES.length);
    await shot('service-map');
    await page.locator('svg.service-map .node[data-service="product-service"]').click();
    await page.waitForURL(
      (u) => u.pathname === '/traces' && u.searchParams.get('service') === 'product-service',
    );
    await page.locator(`li[data-trace-id="${traceId}"]`).waitFor();
    expect(path()).toBe('/traces?service=product-service');
  });

  it('explains a missing trace instead of showing a blank page', async () => {
    await page.goto(`${apiUrl}/traces/${'ab'.repeat(16)}`);
    await page.getByRole('alert').filter({ hasText: 'Trace not found' }).waitFor();
    await shot('trace-not-found');
    const api = await fetch(`${apiUrl}/api/nope`);
    expect(api.status).toBe(404);
    expect(api.headers.get('content-type')).toContain('application/json');
  });

  it('says the API is unreachable when the hub goes away under an open page', async () => {
    await page.goto(`${apiUrl}/traces`);
    await page.locator(`li[data-trace-id="${traceId}"]`).waitFor();
    await stopHub();
    await page.getByRole('link', { name: 'Service map' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'Could not load the service map' });
    await alert.waitFor();
    expect(await alert.textContent()).toContain('Cannot reach the Vigil hub API');
    await shot('api-down');
  });
});
