import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { registerRunbooksRoutes } from '../src/runbooks/runbooks-routes.ts';

const dir = mkdtempSync(join(tmpdir(), 'hub-runbooks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('runbook rendering', () => {
  it('renders markdown, shows raw HTML as text and drops javascript: links', async () => {
    writeFileSync(
      join(dir, 'Evil.md'),
      '# Evil\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) `code`\n',
    );
    const app = Fastify();
    registerRunbooksRoutes(app, { dir });
    const res = await app.inject({ url: '/runbooks/Evil' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<h1>Evil</h1>');
    expect(res.body).toContain('<table>');
    expect(res.body).toContain('<code>code</code>');
    expect(res.body).not.toContain('<script>');
    expect(res.body).toContain('&lt;script&gt;');
    expect(res.body).not.toMatch(/href="javascript:/);
    // A link copied from the repository (Evil.md) opens the same page.
    expect((await app.inject({ url: '/runbooks/Evil.md' })).statusCode).toBe(200);
    await app.close();
  });
});
