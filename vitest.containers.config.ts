import { defineConfig } from 'vitest/config';

// `make test-containers`: the compose core profile in podman (test/containers/e2e/), run apart
// from the main suite because a cold machine spends minutes building its base images.
export default defineConfig({
  test: {
    include: ['test/containers/e2e/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 1,
    testTimeout: 120_000,
    hookTimeout: 30 * 60_000,
    reporters: ['default'],
  },
});
