import { defineConfig } from 'vitest/config';
import { pathAliases } from './path-aliases.mjs';

/**
 * `npm test`: unit tests (pure, fast) and integration tests (real Ceph, Redis, keychain, processes).
 * `npx vitest run --project unit` runs only the first, without starting Ceph.
 */
export default defineConfig({
  resolve: { alias: pathAliases },
  test: {
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Two cores: real servers and test workers share them.
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/support/ceph-global-setup.ts'],
          // Refuses every integration file outside the private test keyring (npm test provides it), so none
          // can write to the developer's own keychain. Not for unit tests: they must run anywhere.
          setupFiles: ['test/support/keyring-setup.ts'],
        },
      },
    ],
  },
});
