import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@vigil/service-kit/testing';
import { describe, expect, it } from 'vitest';

// Static checks only: no Docker daemon in CI.
const dockerfile = readFileSync(join(repoRoot, 'services/user/Dockerfile'), 'utf8');

describe('user-service Dockerfile', () => {
  it('runs node src/server.ts on node:24-slim as a non-root user with a readiness HEALTHCHECK', () => {
    expect(dockerfile).toMatch(/^FROM node:24-slim\b/m);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\\\n.*\/health\/ready/m);
    expect(dockerfile).toMatch(/^CMD \["node", "src\/server.ts"\]$/m);
    expect(dockerfile).toMatch(/^EXPOSE 8001$/m);
  });

  it('copies only paths that exist in the repository', () => {
    const sources = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) =>
      m[1]!.split(/\s+/),
    );
    expect(sources.length).toBeGreaterThan(5);
    for (const source of sources) expect(existsSync(join(repoRoot, source)), source).toBe(true);
  });
});
