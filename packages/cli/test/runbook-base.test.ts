import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { components } from '../src/components.ts';
import { createStartContext } from '../src/context.ts';
import { monitoringSources, runbookBaseUrl, writeRebasedRules } from '../src/monitoring/index.ts';
import { varLayout } from '../src/paths.ts';

// Issue 11 item 7: the rules' runbook_url is built from a configurable base, by default this run's
// console (test/monitoring/runbook-links.test.ts follows every link on a real hub).

const saved = process.env.VIGIL_RUNBOOK_BASE_URL;
afterEach(() => {
  if (saved === undefined) delete process.env.VIGIL_RUNBOOK_BASE_URL;
  else process.env.VIGIL_RUNBOOK_BASE_URL = saved;
});

const ctx = (env: NodeJS.ProcessEnv) =>
  createStartContext({
    registered: components,
    components,
    layout: varLayout('/tmp/vigil-runbook-base'),
    adminToken: 't',
    env,
  });

describe('runbook base URL', () => {
  it("defaults to this run's console, on its port", () => {
    delete process.env.VIGIL_RUNBOOK_BASE_URL;
    expect(runbookBaseUrl(ctx({ HUB_PORT: '4999' }))).toBe('http://127.0.0.1:4999/runbooks');
  });

  it('VIGIL_RUNBOOK_BASE_URL replaces it, and every rule links there', () => {
    process.env.VIGIL_RUNBOOK_BASE_URL = 'https://wiki.example.test/vigil/runbooks';
    const base = runbookBaseUrl(ctx({}));
    expect(base).toBe('https://wiki.example.test/vigil/runbooks');
    const dir = mkdtempSync(join(tmpdir(), 'vigil-runbook-base-'));
    try {
      writeRebasedRules(monitoringSources(ctx({}).repoRoot).rulesDir, dir, base);
      const doc = parse(readFileSync(join(dir, 'service-alerts.yml'), 'utf8')) as {
        groups: { rules: { alert?: string; annotations?: { runbook_url?: string } }[] }[];
      };
      const alerts = doc.groups.flatMap((g) => g.rules).filter((r) => r.alert);
      expect(alerts.length).toBeGreaterThan(3);
      for (const rule of alerts) expect(rule.annotations?.runbook_url).toBe(`${base}/${rule.alert}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a base that is not an http(s) URL', () => {
    for (const bad of ['wiki/runbooks', 'file:///etc/runbooks', 'javascript:alert(1)']) {
      process.env.VIGIL_RUNBOOK_BASE_URL = bad;
      expect(() => runbookBaseUrl(ctx({})), bad).toThrow(/VIGIL_RUNBOOK_BASE_URL must be an http\(s\) URL/);
    }
  });
});
