import { defineConfig } from 'vitest/config';

/** Unit and integration tests, in Node. Integration tests use real Ceph, Redis and the keychain. */
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
    globalSetup: ['test/support/ceph-global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Two cores: keep real servers from starving each other.
    fileParallelism: true,
    maxWorkers: 2,
    reporters: ['default'],
  },
});
