/**
 * Vitest setup file of the integration project (vitest.config.mts) and of the browser tests
 * (vitest.e2e.config.mts). It runs in each test file's worker before the file is imported, so a file that
 * reaches the keychain (keytar directly, the CLI as a child process, startHarness, startApp) fails here,
 * before anything is written, when it is not inside scripts/with-test-keyring.sh. Unit tests do not load it:
 * they use in-memory or fake keychains and must run anywhere.
 */
import { requirePrivateTestKeyring } from './test-keyring';

requirePrivateTestKeyring();
