import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@vigil/service-kit/testing';
import { describe, expect, it } from 'vitest';

// Static checks of the one Dockerfile; test/containers/e2e/ builds and runs it for real.
const dockerfile = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');
// The root manifest's workspaces (`dir/*` globs and plain directories).
const workspaces = (
  JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).workspaces as string[]
).flatMap((pattern) =>
  pattern.endsWith('/*')
    ? readdirSync(join(repoRoot, pattern.slice(0, -2)), { withFileTypes: true })
        .filter(
          (e) => e.isDirectory() && existsSync(join(repoRoot, pattern.slice(0, -2), e.name, 'package.json')),
        )
        .map((e) => `${pattern.slice(0, -2)}/${e.name}`)
    : [pattern],
);

describe('Dockerfile (every Node component)', () => {
  it('is multi-stage on pinned official Node images, overridable as build args', () => {
    expect(dockerfile).toMatch(/^ARG BUILD_IMAGE=docker\.io\/library\/node:24\.\d+\.\d+-bookworm$/m);
    expect(dockerfile).toMatch(/^ARG BASE_IMAGE=docker\.io\/library\/node:24\.\d+\.\d+-bookworm-slim$/m);
    expect(dockerfile.match(/^FROM /gm)).toHaveLength(3);
    // the pinned Node is the one the repo runs on
    const node = /node:(24\.\d+\.\d+)-bookworm-slim/.exec(dockerfile)?.[1];
    expect(node).toBe(process.versions.node);
  });

  it('runs non-root with a readiness HEALTHCHECK, data in /data', () => {
    expect(dockerfile).toMatch(/^USER 1000:1000$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\\\n.*HEALTHCHECK_URL/m);
    expect(dockerfile).toMatch(/HEALTHCHECK_URL=http:\/\/127\.0\.0\.1:\$\{HEALTH_PORT\}\/health\/ready/);
    expect(dockerfile).toMatch(/^CMD \["node", "src\/server.ts"\]$/m);
    expect(dockerfile).toMatch(/^VOLUME \["\/data"\]$/m);
  });

  it('copies every workspace manifest, so npm ci accepts the lockfile', () => {
    for (const ws of workspaces) expect(dockerfile, ws).toContain(`COPY ${ws}/package.json ${ws}/`);
  });

  it('copies only paths that exist and that .dockerignore lets through', () => {
    const ignored = readFileSync(join(repoRoot, '.dockerignore'), 'utf8').split('\n').filter(Boolean);
    const sources = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) =>
      m[1]!.split(/\s+/),
    );
    expect(sources.length).toBeGreaterThan(5);
    for (const source of sources) {
      expect(existsSync(join(repoRoot, source)), source).toBe(true);
      expect(
        ignored.some((p) => source === p || source.startsWith(`${p}/`)),
        `${source} is in .dockerignore`,
      ).toBe(false);
    }
  });

  it('has no broken line continuation (a doubled backslash ends the instruction)', () => {
    expect(dockerfile).not.toMatch(/\\\\\n/);
  });
});

describe('workspace manifests (each image carries only what its package.json declares)', () => {
  it.each(workspaces)('%s declares every @vigil package its sources import', (ws) => {
    const manifest = JSON.parse(readFileSync(join(repoRoot, ws, 'package.json'), 'utf8'));
    const declared = new Set(Object.keys(manifest.dependencies ?? {}));
    const src = join(repoRoot, ws, 'src');
    if (!existsSync(src)) return;
    const imported = new Set<string>();
    for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !/\.tsx?$/.test(entry.name)) continue;
      const text = readFileSync(join(entry.parentPath, entry.name), 'utf8');
      for (const m of text.matchAll(/from '(@vigil\/[a-z-]+)/g)) imported.add(m[1] as string);
    }
    imported.delete(manifest.name);
    expect([...imported].filter((p) => !declared.has(p))).toEqual([]);
  });
});
