/**
 * Knowing which keychain entries exist reads no secret: a keytar double, per service as the real ones are,
 * counts every getPassword and findCredentials (which decrypts every value of a service). Two stores on one
 * double stand for the app and the command line writing at once. The real Secret Service runs the same store in
 * test/integration/keytar-secret-store.test.ts. Also: the guard that keeps keychain tests off the developer's
 * own keyring, and the configs that apply it to every integration and browser test file.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createHandlers } from '../../src/main/ipc/handlers';
import {
  AccountCredentialStore,
  credentialEntry,
} from '../../src/main/services/accounts/account-credentials';
import {
  ENTRY_INDEX,
  KeytarSecretStore,
  NAMES_COMPLETE,
  NAMES_SUFFIX,
  type KeytarLike,
} from '../../src/main/services/keytar-secret-store';
import { MemorySecretStore } from '../../src/main/services/memory-secret-store';
import { KeychainUnavailableError } from '../../src/main/services/secret-store';
import { openTestServices } from '../support/test-services';
import { AccountCreateSchema } from '../../src/shared/accounts/schemas';
import { requirePrivateTestKeyring } from '../support/test-keyring';
import mainConfig from '../../vitest.config.mjs';
import e2eConfig from '../../vitest.e2e.config.mjs';

const SVC = 'svc';
const NAMES = `${SVC}${NAMES_SUFFIX}`;

/** A keychain double: one map per service; every call yields to the event loop, as D-Bus does. */
class CountingKeytar implements KeytarLike {
  readonly services = new Map<string, Map<string, string>>();
  /** `service/account` of every getPassword. */
  readonly reads: string[] = [];
  /** The service of every findCredentials. */
  readonly enumerations: string[] = [];
  /** Makes setPassword fail for the entries it returns true for. */
  failSet: (service: string, account: string) => boolean = () => false;
  private entries(service: string) {
    const map = this.services.get(service) ?? new Map<string, string>();
    this.services.set(service, map);
    return map;
  }
  private tick() {
    return new Promise((r) => setTimeout(r, Math.floor(Math.random() * 3)));
  }
  async getPassword(service: string, account: string) {
    this.reads.push(`${service}/${account}`);
    await this.tick();
    return this.entries(service).get(account) ?? null;
  }
  async setPassword(service: string, account: string, password: string) {
    await this.tick();
    if (this.failSet(service, account)) throw new Error('The name org.freedesktop.secrets was not provided');
    this.entries(service).set(account, password);
  }
  async deletePassword(service: string, account: string) {
    await this.tick();
    return this.entries(service).delete(account);
  }
  async findCredentials(service: string) {
    this.enumerations.push(service);
    await this.tick();
    return [...this.entries(service)].map(([account, password]) => ({ account, password }));
  }
  /** Reads (decryptions) of values in the secrets' service. */
  secretReads(): number {
    return this.reads.filter((r) => r.startsWith(`${SVC}/`)).length;
  }
  /** Enumerations of the secrets' service, each of which decrypts every secret. */
  secretEnumerations(): number {
    return this.enumerations.filter((s) => s === SVC).length;
  }
  resetCounts() {
    this.reads.length = 0;
    this.enumerations.length = 0;
  }
}

describe('keytar secret store: a marker per name instead of decrypting every entry', () => {
  it('keeps the names as entries are set and deleted; list and status read no secret', async () => {
    const keytar = new CountingKeytar();
    const store = new KeytarSecretStore(keytar, SVC, 'linux');
    await store.set('account:a:secret-access-key', 's3cr3t');
    await store.set('signing-key:k1', 'key');
    await store.set('verifier:admin-token', 'token');
    expect(await store.delete('signing-key:k1')).toBe(true);
    expect(await store.delete('signing-key:k1')).toBe(false);
    // A new keychain: the names were "gathered" from an empty service before the first write.
    expect(keytar.secretReads()).toBe(0);
    keytar.resetCounts();

    expect(await store.list()).toEqual(['account:a:secret-access-key', 'verifier:admin-token']);
    expect(await store.status()).toEqual({ available: true });
    expect(keytar.secretReads()).toBe(0);
    expect(keytar.secretEnumerations()).toBe(0);
    expect(keytar.enumerations).toEqual([NAMES, NAMES]);
    // The markers hold no secret; the secrets' service holds the secrets and nothing else.
    expect([...keytar.services.get(NAMES)!.values()].join()).not.toMatch(/s3cr3t|token/);
    expect([...keytar.services.get(SVC)!.keys()].sort()).toEqual([
      'account:a:secret-access-key',
      'verifier:admin-token',
    ]);

    expect(await store.get('verifier:admin-token')).toBe('token');
    expect(keytar.secretReads()).toBe(1); // a secret is read when it is used, and only that one
  });

  it('gathers the names of an older keychain once (no list, or the one-entry list), then never enumerates again', async () => {
    const keytar = new CountingKeytar();
    const old = new Map([
      ['account:a:access-key-id', 'AKIA'],
      ['account:a:secret-access-key', 's3cr3t'],
      // The one-entry list of the previous version, missing a name (as a lost update left it).
      [ENTRY_INDEX, JSON.stringify(['account:a:access-key-id'])],
    ]);
    keytar.services.set(SVC, old);
    const store = new KeytarSecretStore(keytar, SVC, 'linux');
    expect(await store.list()).toEqual(['account:a:access-key-id', 'account:a:secret-access-key']);
    expect(keytar.secretEnumerations()).toBe(1);
    expect(old.has(ENTRY_INDEX)).toBe(false);
    for (let i = 0; i < 3; i++) await store.list();
    const cli = new KeytarSecretStore(keytar, SVC, 'linux'); // a new process (the CLI) sees the same names
    expect(await cli.list()).toEqual(['account:a:access-key-id', 'account:a:secret-access-key']);
    await cli.set('signing-key:k1', 'key');
    expect(keytar.secretEnumerations()).toBe(1);
    expect(keytar.services.get(NAMES)!.has(NAMES_COMPLETE)).toBe(true);
  });

  it('loses no name when two processes (two stores on one keychain) write at the same time', async () => {
    const keytar = new CountingKeytar();
    const app = new KeytarSecretStore(keytar, SVC, 'linux');
    const cli = new KeytarSecretStore(keytar, SVC, 'linux');
    await Promise.all([app.set('verifier:admin-token', 't'), cli.set('doomed', 'x')]);
    await Promise.all([
      ...Array.from({ length: 20 }, (_, i) => app.set(`account:app${i}:secret-access-key`, 'a')),
      ...Array.from({ length: 20 }, (_, i) => cli.set(`signing-key:cli${i}`, 'c')),
      cli.delete('doomed'),
    ]);
    const expected = [
      ...Array.from({ length: 20 }, (_, i) => `account:app${i}:secret-access-key`),
      ...Array.from({ length: 20 }, (_, i) => `signing-key:cli${i}`),
      'verifier:admin-token',
    ].sort();
    expect(await app.list()).toEqual(expected);
    expect(await cli.list()).toEqual(expected);
  });

  it('a failed name write stores no secret; a failed secret write leaves only a listed name, which undo removes', async () => {
    const keytar = new CountingKeytar();
    const store = new KeytarSecretStore(keytar, SVC, 'linux');
    await store.list(); // a keychain Signet has used before
    keytar.failSet = (service) => service === NAMES;
    await expect(store.set('signing-key:k1', 'key')).rejects.toBeInstanceOf(KeychainUnavailableError);
    expect(keytar.services.get(SVC)?.has('signing-key:k1') ?? false).toBe(false);

    // The access key is written, then the keychain refuses the secret key after its name was recorded.
    keytar.failSet = (service, account) => service === SVC && account.endsWith(':secret-access-key');
    const logged: string[] = [];
    const creds = new AccountCredentialStore(store, (m) => logged.push(m));
    await expect(
      creds.write('acc', { 'access-key-id': 'AKIANEW', 'secret-access-key': 'new-secret-value' }),
    ).rejects.toBeInstanceOf(KeychainUnavailableError);
    // Both entries are undone, the one whose write failed half-way included: no name, no secret is left.
    expect(await store.list()).toEqual([]);
    expect([...(keytar.services.get(SVC)?.keys() ?? [])]).toEqual([]);
    expect(logged).toEqual([]);
  });

  it('puts back the name of a secret that is read without one, and logs when it cannot', async () => {
    const keytar = new CountingKeytar();
    const store = new KeytarSecretStore(keytar, SVC, 'linux');
    await store.set('signing-key:k1', 'key');
    await store.set('signing-key:k2', 'key2');
    // As an overlapping set and delete of one name in two processes, or a marker removed by hand, leave it.
    keytar.services.get(NAMES)!.delete('signing-key:k1');
    keytar.services.get(NAMES)!.delete('signing-key:k2');
    expect(await store.list()).toEqual([]);
    expect(await store.get('signing-key:k1')).toBe('key');
    expect(await store.list()).toEqual(['signing-key:k1']);

    const logged: string[] = [];
    const failing = new KeytarSecretStore(keytar, SVC, 'linux', (m) => logged.push(m));
    keytar.failSet = () => true;
    // The caller still gets the secret; the failed repair is reported by name, never with the secret.
    expect(await failing.get('signing-key:k2')).toBe('key2');
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain('could not add signing-key:k2');
    expect(logged[0]).not.toContain('key2)');
    expect(await store.list()).toEqual(['signing-key:k1']);
  });

  it('never enumerates a locked keyring on Linux (keytar would crash the process): it says the keychain is locked', async () => {
    const keytar = new CountingKeytar();
    const store = new KeytarSecretStore(keytar, SVC, 'linux');
    await store.set('signing-key:k1', 'key');
    expect(await store.list()).toEqual(['signing-key:k1']); // the probe's own marker is not an entry
    const before = keytar.enumerations.length;
    keytar.setPassword = () => Promise.reject(new Error('Cannot create an item in a locked collection'));
    await expect(store.list()).rejects.toThrow(
      /cannot reach your system keychain.*System said: Cannot create an item in a locked collection/,
    );
    await expect(store.status()).resolves.toMatchObject({ available: false });
    expect(keytar.enumerations.length).toBe(before);
  });

  it('refuses the names it keeps for itself as entries', async () => {
    const store = new KeytarSecretStore(new CountingKeytar(), SVC, 'linux');
    await expect(store.set(ENTRY_INDEX, '[]')).rejects.toThrow(/reserved/);
    await expect(store.get(ENTRY_INDEX)).rejects.toThrow(/reserved/);
    await expect(store.set(NAMES_COMPLETE, 'x')).rejects.toThrow(/reserved/);
    await expect(store.delete(NAMES_COMPLETE)).rejects.toThrow(/reserved/);
  });

  it('reports an unreachable keychain through status, in plain words', async () => {
    const keytar = new CountingKeytar();
    keytar.findCredentials = () => Promise.reject(new Error('Cannot autolaunch D-Bus'));
    const status = await new KeytarSecretStore(keytar, SVC, 'linux').status();
    expect(status).toMatchObject({ available: false, message: expect.stringMatching(/GNOME Keyring/) });
  });

  it('listing accounts and the keychain status read no secret', async () => {
    const keytar = new CountingKeytar();
    const opened = openTestServices({
      clock: { now: () => new Date('2026-01-01T00:00:00Z') },
      secrets: new KeytarSecretStore(keytar, SVC, 'linux'),
      prefix: 'keychain',
    });
    const services = opened.services;
    try {
      const { id } = await services.accounts.add(
        AccountCreateSchema.parse({
          settings: {
            name: 'Shop',
            provider: 'aws',
            region: 'us-east-1',
            endpoint: '',
            forcePathStyle: false,
            buckets: ['shop'],
            privateBucket: null,
          },
          credentials: {
            accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
            secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
          },
        }),
      );
      keytar.resetCounts();

      const handlers = createHandlers(services);
      const listed = await handlers['accounts:list'](undefined as never);
      expect(listed).toEqual([
        expect.objectContaining({ id, credentials: expect.objectContaining({ hasCredentials: true }) }),
      ]);
      expect(await handlers['keychain:status'](undefined as never)).toMatchObject({ available: true });
      expect(keytar.secretReads()).toBe(0);
      expect(keytar.secretEnumerations()).toBe(0);
      expect(keytar.services.get(SVC)!.has(credentialEntry(id, 'secret-access-key'))).toBe(true);
    } finally {
      opened.close();
    }
  });
});

describe('account credentials: a failed undo is logged, not swallowed', () => {
  it('names each entry it could not put back, the one whose write failed included, never the secret', async () => {
    class Failing extends MemorySecretStore {
      sets = 0;
      override async set(account: string, secret: string) {
        if (++this.sets === 2) throw new KeychainUnavailableError('(test: refused)');
        return super.set(account, secret);
      }
      override async delete(): Promise<boolean> {
        throw new Error('the keychain is locked');
      }
    }
    const logged: string[] = [];
    const creds = new AccountCredentialStore(new Failing(), (m) => logged.push(m));
    await expect(
      creds.write('acc', { 'access-key-id': 'AKIANEW', 'secret-access-key': 'new-secret-value' }),
    ).rejects.toBeInstanceOf(KeychainUnavailableError);
    // Newest first: the failed write is undone too, since a keychain can fail after writing part of it.
    expect(logged).toHaveLength(2);
    expect(logged[0]).toContain('account:acc:secret-access-key was not removed');
    expect(logged[1]).toContain('account:acc:access-key-id was not removed');
    for (const line of logged) {
      expect(line).toContain('the keychain is locked');
      expect(line).not.toMatch(/AKIANEW|new-secret-value/);
    }
  });
});

describe('the private test keyring guard (test/support/test-keyring.ts)', () => {
  const home = join(tmpdir(), 'signet-keyring-abc123');
  // What scripts/with-test-keyring.sh exports inside its dbus-run-session.
  const wrapped: NodeJS.ProcessEnv = {
    SIGNET_IN_TEST_KEYRING: '1',
    SIGNET_KEYRING_HOME: home,
    DBUS_SESSION_BUS_ADDRESS: 'unix:path=/tmp/dbus-Xy12,guid=0123',
    SIGNET_TEST_DBUS_ADDRESS: 'unix:path=/tmp/dbus-Xy12,guid=0123',
    XDG_RUNTIME_DIR: join(home, 'run'),
    XDG_DATA_HOME: join(home, 'data'),
  };

  it('lets a test run inside the wrapper and refuses without its marker or on another bus', () => {
    expect(() => requirePrivateTestKeyring(wrapped)).not.toThrow();
    const refusal = /Refusing to run: .*with-test-keyring\.sh/s;
    expect(() => requirePrivateTestKeyring({})).toThrow(refusal);
    expect(() => requirePrivateTestKeyring({ ...wrapped, SIGNET_IN_TEST_KEYRING: undefined })).toThrow(
      refusal,
    );
    expect(() => requirePrivateTestKeyring({ ...wrapped, SIGNET_KEYRING_HOME: undefined })).toThrow(refusal);
    // The developer's own session bus, as a shell inside the desktop has it.
    expect(() =>
      requirePrivateTestKeyring({ ...wrapped, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/run/user/1000/bus' }),
    ).toThrow(refusal);
    expect(() => requirePrivateTestKeyring({ ...wrapped, SIGNET_TEST_DBUS_ADDRESS: undefined })).toThrow(
      refusal,
    );
    // The keyring's folders must be inside the wrapper's temp home, not merely start with its name.
    expect(() =>
      requirePrivateTestKeyring({ ...wrapped, XDG_DATA_HOME: `${home}-other${join('/', 'data')}` }),
    ).toThrow(refusal);
    expect(() => requirePrivateTestKeyring({ ...wrapped, XDG_RUNTIME_DIR: '/run/user/1000' })).toThrow(
      refusal,
    );
  });

  it('runs before every integration and browser test file, and not before unit tests', () => {
    type Project = { test?: { name?: string; setupFiles?: string | string[] } };
    const projects = (mainConfig.test?.projects ?? []) as Project[];
    const setupOf = (name: string) => projects.find((p) => p.test?.name === name)?.test?.setupFiles;
    expect(setupOf('integration')).toEqual(['test/support/keyring-setup.ts']);
    expect(setupOf('unit')).toBeUndefined();
    expect(mainConfig.test?.setupFiles).toBeUndefined(); // not shared with the unit project through extends
    expect(e2eConfig.test?.setupFiles).toEqual(['test/support/keyring-setup.ts']);
  });
});
