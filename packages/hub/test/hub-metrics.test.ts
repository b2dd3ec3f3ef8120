import { spawnSync } from 'node:child_process';
import { checkOpenMetrics, openMetricsForPromtool, promtoolCheckMetrics } from '@vigil/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeTraces, postOtlp, randomHex, startTestHub, type TestHub } from './helpers.ts';

// issue 11: the hub is monitored like a service — RED metrics with the services' names and labels,
// and a /metrics that promtool accepts in the text format, also after an OpenMetrics scrape.
let t: TestHub;
beforeAll(async () => {
  t = await startTestHub();
  await (await fetch(`${t.apiUrl}/api/services`)).text();
  await (await fetch(`${t.apiUrl}/api/traces?limit=ten`)).text();
  await (await fetch(`${t.apiUrl}/api/nope`)).text();
  const r = await postOtlp(
    `${t.otlpUrl}/v1/traces`,
    encodeTraces('svc', [{ traceId: randomHex(16), spanId: randomHex(8) }]),
  );
  expect(r.status).toBe(200);
});
afterAll(async () => {
  await t?.close();
});

const lint = (text: string) => spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });

describe('the hub monitored like a service', () => {
  it('counts its HTTP routes as http_requests_total / http_request_duration_seconds {service="hub", method, route, status}', async () => {
    const text = await (await fetch(`${t.apiUrl}/metrics`)).text();
    expect(text).toMatch(
      /^http_requests_total\{service="hub",method="GET",route="\/api\/services",status="200"\} 1$/m,
    );
    expect(text).toMatch(
      /^http_requests_total\{service="hub",method="GET",route="\/api\/traces",status="400"\} 1$/m,
    );
    expect(text).toMatch(
      /^http_requests_total\{service="hub",method="POST",route="\/v1\/traces",status="200"\} 1$/m,
    );
    expect(text).toMatch(
      /^http_request_duration_seconds_bucket\{le="\+Inf",service="hub",method="GET",route="\/api\/services",status="200"\} 1$/m,
    );
    // Scrapes and probes are not traffic.
    expect(text).not.toMatch(/route="\/metrics"/);
  });

  it('passes promtool check metrics in the text format, also right after an OpenMetrics scrape', async () => {
    const first = await (await fetch(`${t.apiUrl}/metrics`)).text();
    expect(lint(first).stdout + lint(first).stderr).toBe('');
    const om = await fetch(`${t.apiUrl}/metrics`, { headers: { accept: 'application/openmetrics-text' } });
    expect(om.headers.get('content-type')).toContain('application/openmetrics-text');
    const omText = await om.text();
    expect(omText.trimEnd().endsWith('# EOF')).toBe(true);
    expect(omText).toMatch(/^# TYPE hub_spans_received counter$/m);
    expect(omText).toMatch(/^hub_spans_received_total\{service="hub"\} 1$/m);
    const after = await (await fetch(`${t.apiUrl}/metrics`)).text();
    // The regression: counters lost `_total` in the text format after an OpenMetrics scrape.
    expect(after).toMatch(/^# TYPE hub_spans_received_total counter$/m);
    const result = lint(after);
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('passes in the OpenMetrics format too: a strict OpenMetrics parser, and promtool after dropping only exemplars, # UNIT and # EOF', async () => {
    const om = await (
      await fetch(`${t.apiUrl}/metrics`, { headers: { accept: 'application/openmetrics-text' } })
    ).text();
    const strict = await checkOpenMetrics(om);
    expect(strict.output).toMatch(/^\d+ families, \d+ samples, \d+ exemplars$/);
    expect(strict.code).toBe(0);
    const linted = await promtoolCheckMetrics(openMetricsForPromtool(om));
    expect(linted.output).toBe('');
    expect(linted.code).toBe(0);
    // The checker can fail: a counter without `_total` and a body without `# EOF` are refused.
    expect((await checkOpenMetrics(om.replace(/\n# EOF\s*$/, '\n'))).code).toBe(1);
    expect((await checkOpenMetrics('# TYPE c counter\nc 1\n# EOF\n')).code).toBe(1);
  });
});
