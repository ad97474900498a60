import { defineConfig } from 'vitest/config';
import { pathAliases } from './path-aliases.mjs';

/** Browser tests: the built renderer in Debian Chromium, driven by playwright-core. */
export default defineConfig({
  resolve: { alias: pathAliases },
  test: {
    include: ['test/e2e/**/*.test.ts'],
    globalSetup: ['test/e2e/support/build-setup.ts', 'test/support/ceph-global-setup.ts'],
    // Every browser test runs the real keychain store: refuse outside the private test keyring (npm run
    // test:e2e provides it) instead of writing to the developer's own.
    setupFiles: ['test/support/keyring-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
