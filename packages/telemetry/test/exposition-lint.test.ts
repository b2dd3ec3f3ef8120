import { spawnSync } from 'node:child_process';
import { checkOpenMetrics, openMetricsForPromtool, promtoolCheckMetrics } from '@vigil/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FixtureProcess, startFixture } from './support/fixture-process.ts';

const promtool = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
const hasPromtool = promtool.status === 0;

let service: FixtureProcess;
beforeAll(async () => {
  service = await startFixture({ FIXTURE_SERVICE: 'lint-svc' });
  // Traffic of every kind, so every metric family has samples: matched, unmatched, 5xx, business metrics.
  for (const path of ['/items/1', '/items/2', '/nope', '/fail'])
    await (await fetch(`${service.url}${path}`)).text();
});
afterAll(async () => {
  await service?.stop();
});

describe('the /metrics output of a running service', () => {
  it.skipIf(!hasPromtool)('passes `promtool check metrics` with no findings', async () => {
    const response = await fetch(`${service.url}/metrics`);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await response.text();
    expect(text).toContain('http_requests_total{service="lint-svc"');
    const lint = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(lint.stdout + lint.stderr).toBe('');
    expect(lint.status).toBe(0);
  });

  it.skipIf(!hasPromtool)(
    'OpenMetrics output parses too: promtool reads it after an OpenMetrics scrape',
    async () => {
      const om = await fetch(`${service.url}/metrics`, {
        headers: { accept: 'application/openmetrics-text' },
      });
      expect(om.headers.get('content-type')).toContain('application/openmetrics-text');
      expect(await om.text()).toMatch(/# \{trace_id="[0-9a-f]{32}"\}/);
      const text = await (await fetch(`${service.url}/metrics`)).text();
      const lint = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
      expect(lint.stdout + lint.stderr).toBe('');
    },
  );

  it.skipIf(!hasPromtool)(
    'the OpenMetrics output itself: a strict OpenMetrics parser (exemplars included), and promtool after dropping only exemplars, # UNIT and # EOF',
    async () => {
      const om = await (
        await fetch(`${service.url}/metrics`, { headers: { accept: 'application/openmetrics-text' } })
      ).text();
      const strict = await checkOpenMetrics(om);
      expect(strict.code, strict.output).toBe(0);
      expect(strict.output).toMatch(/, [1-9]\d* exemplars$/);
      const linted = await promtoolCheckMetrics(openMetricsForPromtool(om));
      expect(linted.output).toBe('');
      expect(linted.code).toBe(0);
    },
  );
});
