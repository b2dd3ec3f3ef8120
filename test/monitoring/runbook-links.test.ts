import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, type RunningService, repoRoot, startService } from '@vigil/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { monitoringSources, writeRebasedRules } from '../../packages/cli/src/monitoring/index.ts';

// Every alert's runbook link opens: the rules rendered the way `vigil start` renders them (base =
// this run's console) point at the real hub, which answers each with the rendered runbook.

interface RuleFile {
  groups: Array<{ rules: Array<{ alert?: string; annotations?: Record<string, string> }> }>;
}

let dir = '';
let hub: RunningService | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-runbooks-'));
  const port = await freePort();
  hub = await startService({
    entry: 'packages/hub/src/server.ts',
    env: {
      PORT: String(port),
      HUB_PORT: String(port),
      HUB_OTLP_PORT: String(await freePort()),
      VIGIL_DATA_DIR: join(dir, 'hub'),
      LOG_LEVEL: 'warn',
    },
    // The hub takes 40 s and more to start on the loaded 2-core test machine.
    timeoutMs: 150_000,
  });
}, 180_000);

afterAll(async () => {
  await hub?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('runbook links', () => {
  it("every alert's runbook_url, rendered for this console, opens its runbook (200, HTML)", async () => {
    const rendered = join(dir, 'rules');
    writeRebasedRules(monitoringSources(repoRoot).rulesDir, rendered, `${hub!.url}/runbooks`);
    const links = new Map<string, string>();
    for (const file of readdirSync(rendered)) {
      for (const group of (parse(readFileSync(join(rendered, file), 'utf8')) as RuleFile).groups) {
        for (const rule of group.rules) {
          if (rule.alert) links.set(rule.alert, rule.annotations?.runbook_url ?? '');
        }
      }
    }
    expect(links.size).toBeGreaterThan(10);
    for (const [alert, url] of links) {
      expect(url, alert).toBe(`${hub!.url}/runbooks/${alert}`);
      const res = await fetch(url);
      expect(res.status, `${alert}: ${url}`).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await res.text(), alert).toContain(`<h1>${alert}</h1>`);
    }
  });

  it('lists the runbooks, and refuses unknown names and paths outside docs/runbooks', async () => {
    const index = await (await fetch(`${hub!.url}/runbooks`)).text();
    expect(index).toContain('<a href="/runbooks/ServiceDown">ServiceDown</a>');
    for (const path of ['NoSuchAlert', '..%2F..%2FREADME', '..%2Fperformance', 'Service%00Down']) {
      const res = await fetch(`${hub!.url}/runbooks/${path}`);
      expect(res.status, path).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('RUNBOOK_NOT_FOUND');
    }
  });
});
