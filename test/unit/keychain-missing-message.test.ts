/**
 * What Signet says when the keychain fails: on a machine with no Secret Service at all (SSH, a server, a
 * container: no session bus, or a bus without a keyring daemon) "no keychain is available" and how to run the
 * command line under a keyring daemon; a keychain that is there but does not answer is asked to be unlocked.
 * Only a write says the secret was not stored. The system messages below are the real ones libsecret gave
 * (keytar under Node 24 on Debian 12): no bus and no display, a bus address leading nowhere, a bus without a
 * keyring daemon, a keyring daemon without a login keyring and no display to ask for one.
 */
import { describe, expect, it } from 'vitest';
import {
  keychainFailureMessage,
  KeytarSecretStore,
  type KeytarLike,
} from '../../src/main/services/keytar-secret-store';
import { KeychainUnavailableError } from '../../src/main/services/secret-store';

const NO_KEYCHAIN = [
  'Cannot autolaunch D-Bus without X11 $DISPLAY',
  'Could not connect: No such file or directory',
  'GDBus.Error:org.freedesktop.DBus.Error.ServiceUnknown: The name org.freedesktop.secrets was not provided by any .service files',
  'Object does not exist at path “/org/freedesktop/secrets/collection/login”',
  'the keychain library could not be loaded (libsecret-1.so.0: cannot open shared object file: No such file or directory)',
];
const LOCKED = 'Cannot create an item in a locked collection';

/** A keytar whose every call fails with `message`, as the real one does when the Secret Service is missing. */
function failingKeytar(message: string): KeytarLike {
  const fail = () => Promise.reject(new Error(message));
  return { getPassword: fail, setPassword: fail, deletePassword: fail, findCredentials: fail };
}

async function errorOf(p: Promise<unknown>): Promise<KeychainUnavailableError> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KeychainUnavailableError);
  return error as KeychainUnavailableError;
}

describe('a keychain failure message', () => {
  it.each(NO_KEYCHAIN)(
    'on Linux without a Secret Service says no keychain is available: %s',
    async (said) => {
      const store = new KeytarSecretStore(failingKeytar(said), 'svc', 'linux', () => undefined);

      const read = await errorOf(store.get('verifier:admin-token'));
      expect(read.code).toBe('keychain-unavailable');
      expect(read.message).toMatch(/^Signet cannot reach your system keychain: no keychain is available \(/);
      expect(read.message).toContain(`(System said: ${said})`);
      // A read stored nothing, so it does not say it did not store the secret.
      expect(read.message).not.toMatch(/did not store/);
      // How to carry on: a desktop session, or a keyring daemon for the command line.
      expect(read.message).toMatch(/Run Signet in a desktop session/);
      expect(read.message).toContain(
        "dbus-run-session -- sh -c 'gnome-keyring-daemon --unlock --components=secrets",
      );
      expect(read.message).not.toContain('\n');

      const listed = await errorOf(store.list());
      expect(listed.message).toBe(read.message);
      expect(await store.status()).toEqual({ available: false, message: read.message });

      const written = await errorOf(store.set('verifier:admin-token', 'x'.repeat(40)));
      expect(written.message).toMatch(
        /^Signet cannot reach your system keychain: no keychain is available \(.*\), so it did not store the secret\. /,
      );
    },
  );

  it('for a keychain that is there but refuses, asks to unlock it, and a read does not claim a store', async () => {
    const store = new KeytarSecretStore(failingKeytar(LOCKED), 'svc', 'linux', () => undefined);
    const read = await errorOf(store.get('signing-key:k1'));
    expect(read.message).not.toMatch(/no keychain is available/);
    expect(read.message).not.toMatch(/did not store/);
    expect(read.message).toMatch(/GNOME Keyring or KWallet is installed, running and unlocked/);
    expect(read.message).toContain(`(System said: ${LOCKED})`);

    const written = await errorOf(store.set('signing-key:k1', 'secret'));
    expect(written.message).toMatch(
      /^Signet cannot reach your system keychain, so it did not store the secret/,
    );
    expect(written.message).toContain(`(System said: ${LOCKED})`);
  });

  it('is worded per platform; "no keychain" is a Linux case only', () => {
    const mac = keychainFailureMessage('darwin', 'User interaction is not allowed.', false);
    expect(mac).toMatch(/Unlock the macOS Keychain/);
    expect(mac).not.toMatch(/no keychain is available|did not store/);
    const win = keychainFailureMessage('win32', 'Could not connect: x', true);
    expect(win).toMatch(/did not store the secret.*Windows Credential Manager/);
    expect(win).not.toMatch(/no keychain is available/);
  });

  it('keeps the messages a store without a platform hint gave (the default sentence)', () => {
    const plain = new KeychainUnavailableError('(test: refused)');
    expect(plain.message).toBe(
      'Signet cannot reach your system keychain, so it did not store the secret (it never keeps secrets in ' +
        'plain files). (test: refused)',
    );
  });
});
