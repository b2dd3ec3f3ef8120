import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@vigil/service-kit/testing';
import { describe, expect, it } from 'vitest';

// Static checks only: there is no Docker engine on the CI machine.
const SERVICE_ARG = '$' + '{SERVICE}';
const dockerfile = readFileSync(join(repoRoot, 'services/Dockerfile'), 'utf8');
const workspaces = ['packages', 'services'].flatMap((dir) =>
  readdirSync(join(repoRoot, dir), { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(repoRoot, dir, e.name, 'package.json')))
    .map((e) => `${dir}/${e.name}`),
);
const services = workspaces.filter((w) => w.startsWith('services/')).map((w) => w.slice('services/'.length));

describe('services/Dockerfile (shared by every service)', () => {
  it('runs node src/server.ts on node:24-slim as a non-root user with a readiness HEALTHCHECK', () => {
    expect(dockerfile).toMatch(/^FROM node:24-slim\b/m);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\\\n.*\/health\/ready/m);
    expect(dockerfile).toMatch(/^CMD \["node", "src\/server.ts"\]$/m);
    expect(dockerfile).toMatch(/^EXPOSE \$\{PORT\}$/m);
  });

  it('copies every workspace manifest, so npm ci accepts the lockfile', () => {
    for (const ws of workspaces) expect(dockerfile, ws).toContain(`COPY ${ws}/package.json ${ws}/`);
  });

  it('copies only paths that exist for every service', () => {
    const sources = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) =>
      m[1]!.split(/\s+/),
    );
    expect(sources.length).toBeGreaterThan(5);
    for (const service of services) {
      for (const source of sources) {
        const path = source.replaceAll(SERVICE_ARG, service);
        expect(existsSync(join(repoRoot, path)), `${service}: ${path}`).toBe(true);
      }
    }
  });

  it('has no broken line continuation (a doubled backslash ends the instruction)', () => {
    expect(dockerfile).not.toMatch(/\\\\\n/);
  });
});
