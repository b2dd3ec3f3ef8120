import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@vigil/service-kit/testing';
import { describe, expect, it } from 'vitest';
import { workspaceClosures, workspaces as workspaceMap } from './support/podman-compose.ts';

// Static checks of the one Dockerfile; test/containers/e2e/ builds and runs it for real.
const dockerfile = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');
const workspaces = [...workspaceMap().values()];

describe('Dockerfile (every Node component)', () => {
  it('is multi-stage on pinned official Node images, overridable as build args', () => {
    expect(dockerfile).toMatch(/^ARG BUILD_IMAGE=docker\.io\/library\/node:24\.\d+\.\d+-bookworm$/m);
    expect(dockerfile).toMatch(/^ARG BASE_IMAGE=docker\.io\/library\/node:24\.\d+\.\d+-bookworm-slim$/m);
    // manifests, ui (the console's build), deps, app, runtime; only the last is FROM BASE_IMAGE
    expect(dockerfile.match(/^FROM .*$/gm)).toEqual([
      'FROM ${BUILD_IMAGE} AS manifests',
      'FROM manifests AS ui',
      'FROM manifests AS deps',
      'FROM deps AS app',
      'FROM ${BASE_IMAGE}',
    ]);
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
    const patterns = readFileSync(join(repoRoot, '.dockerignore'), 'utf8').split('\n').filter(Boolean);
    // As Docker reads it: the last pattern that matches a path decides; `!` lets it back in.
    const ignored = (path: string) => {
      let out = false;
      for (const pattern of patterns) {
        const p = pattern.replace(/^!/, '');
        if (path === p || path.startsWith(`${p}/`)) out = !pattern.startsWith('!');
      }
      return out;
    };
    const sources = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) =>
      m[1]!.split(/\s+/),
    );
    expect(sources.length).toBeGreaterThan(5);
    expect(sources).toContain('docs/runbooks');
    for (const source of sources) {
      expect(existsSync(join(repoRoot, source)), source).toBe(true);
      expect(ignored(source), `${source} is in .dockerignore`).toBe(false);
    }
    expect(ignored('docs/architecture.md')).toBe(true);
  });

  it("the hub's runtime closure carries no build tool chain (Vite, React: built in the ui stage)", () => {
    const closure = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable', '-w', 'packages/hub'], {
      cwd: repoRoot,
      encoding: 'utf8',
      maxBuffer: 16 * 1024 * 1024,
    })
      .split('\n')
      .map((l) => l.replace(/^.*\/node_modules\//, ''));
    expect(closure).toContain('fastify');
    for (const tool of ['vite', 'rolldown', '@vitejs/plugin-react', 'react', 'react-dom', 'uplot'])
      expect(closure, tool).not.toContain(tool);
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

describe('image tags (test/containers/support/podman-compose.ts)', () => {
  it("hash each image's own closure: the app and the workspace packages it depends on, transitively", async () => {
    const byName = workspaceMap();
    const apps = ['packages/hub', 'packages/smtp-sink', 'services/gateway', 'services/order'];
    const closures = await workspaceClosures(apps);
    for (const app of apps) {
      const closure = closures[app] as string[];
      expect(closure, app).toContain(app);
      // closed under the manifests' dependencies, and no other service rides along
      for (const dir of closure) {
        const deps = Object.keys(
          JSON.parse(readFileSync(join(repoRoot, dir, 'package.json'), 'utf8')).dependencies ?? {},
        );
        for (const dep of deps.filter((d) => byName.has(d)))
          expect(closure, `${app}: ${dir} -> ${dep}`).toContain(byName.get(dep));
      }
      expect(
        closure.filter((d) => d.startsWith('services/') && d !== app),
        app,
      ).toEqual([]);
    }
    expect(closures['services/order']).toEqual(
      expect.arrayContaining(['packages/service-kit', 'packages/telemetry']),
    );
    expect(closures['packages/hub']).toContain('monitoring/grafana');
  });
});
