import { defineConfig } from 'vitest/config';

// One runner for the whole repo. Integration tests start real processes and bind real ports,
// so files run in parallel only up to the core count of the 2-core CI machine.
export default defineConfig({
  test: {
    include: [
      'packages/*/test/**/*.test.ts',
      'services/*/test/**/*.test.ts',
      'test/**/*.test.ts',
      'scripts/test/**/*.test.ts',
    ],
    // test/containers/e2e runs from `make test-containers` (vitest.containers.config.ts).
    exclude: ['**/node_modules/**', 'bench/**', 'test/containers/e2e/**'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
