/**
 * Tests that write to the keychain must run inside scripts/with-test-keyring.sh: a private D-Bus session with a
 * throwaway GNOME Keyring. Outside it, keytar would talk to whatever session bus exists, that is, the
 * developer's own keyring. It throws (the file fails, nothing is written) unless the private keyring is the one
 * in use. Called for every integration and browser test file by test/support/keyring-setup.ts (the vitest
 * setup file of both configs), again by the harnesses that open the keychain (startHarness, startApp), and at
 * the top of test files that load keytar themselves, so no single forgotten call opens the developer's keyring.
 */
import { sep } from 'node:path';

export function requirePrivateTestKeyring(env: NodeJS.ProcessEnv = process.env): void {
  const home = env['SIGNET_KEYRING_HOME'];
  const inWrapper = env['SIGNET_IN_TEST_KEYRING'] === '1' && Boolean(home);
  // The wrapper started its own bus (and named it) and points the keyring's folders into its temp home.
  const privateDaemon =
    inWrapper &&
    Boolean(env['DBUS_SESSION_BUS_ADDRESS']) &&
    env['DBUS_SESSION_BUS_ADDRESS'] === env['SIGNET_TEST_DBUS_ADDRESS'] &&
    (env['XDG_RUNTIME_DIR'] ?? '').startsWith(`${home}${sep}`) &&
    (env['XDG_DATA_HOME'] ?? '').startsWith(`${home}${sep}`);
  if (!privateDaemon) {
    throw new Error(
      'Refusing to run: this test writes to the keychain and is not inside the private test keyring, so it ' +
        'would write to your own. Run it through scripts/with-test-keyring.sh (npm test does).',
    );
  }
}
