import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import {
  NAMES_COMPLETE,
  NAMES_SUFFIX,
  KeytarSecretStore,
  type KeytarLike,
} from '../../src/main/services/keytar-secret-store';
import { KeychainUnavailableError } from '../../src/main/services/secret-store';
import { requirePrivateTestKeyring } from '../support/test-keyring';

// Before keytar is loaded or anything is written: outside the private keyring this file fails instead.
requirePrivateTestKeyring();

const keytar = createRequire(import.meta.url)('keytar') as KeytarLike;
// A service name of its own per run, so runs never see each other's entries.
const service = `signet-test-${randomUUID()}`;
const store = new KeytarSecretStore(keytar, service);
const namesService = `${service}${NAMES_SUFFIX}`;

afterAll(async () => {
  for (const account of await store.list()) await store.delete(account);
  await keytar.deletePassword(namesService, NAMES_COMPLETE);
});

describe('keytar secret store on a real Secret Service (gnome-keyring in a private D-Bus session)', () => {
  it('refuses to run outside the private test keyring (npm test wraps itself in scripts/with-test-keyring.sh)', () => {
    expect(() => requirePrivateTestKeyring()).not.toThrow();
    const outside = { ...process.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/run/user/1000/bus' };
    expect(() => requirePrivateTestKeyring(outside)).toThrow(/not inside the private test keyring/);
    expect(() => requirePrivateTestKeyring({ ...process.env, SIGNET_IN_TEST_KEYRING: undefined })).toThrow(
      /with-test-keyring\.sh/,
    );
  });

  it('sets, reads, lists and deletes secrets', async () => {
    expect(await store.status()).toEqual({ available: true });
    await store.set('account:1:secret', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY');
    await store.set('signing-key:k1', 'AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE');
    expect(await store.get('account:1:secret')).toBe('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY');
    expect(await store.list()).toEqual(['account:1:secret', 'signing-key:k1']);
    await store.set('account:1:secret', 'rotated');
    expect(await store.get('account:1:secret')).toBe('rotated');
    expect(await store.delete('account:1:secret')).toBe(true);
    expect(await store.delete('account:1:secret')).toBe(false);
    expect(await store.get('account:1:secret')).toBeNull();
    expect(await store.list()).toEqual(['signing-key:k1']);
  });

  it('keeps the entry names in the keyring itself; list() decrypts no secret', async () => {
    await store.set('account:2:access-key-id', 'AKIAIOSFODNN7EXAMPLE');
    // libsecret sees a marker of the same name, in a service of its own, holding no secret.
    const marker = spawnSync(
      'secret-tool',
      ['lookup', 'service', namesService, 'account', 'account:2:access-key-id'],
      { encoding: 'utf8' },
    );
    expect(marker.stdout).toBe('1');
    const reads: string[] = [];
    const enumerated: string[] = [];
    const counting = new KeytarSecretStore(
      {
        ...keytar,
        getPassword: (s, a) => (reads.push(`${s}/${a}`), keytar.getPassword(s, a)),
        findCredentials: (s) => (enumerated.push(s), keytar.findCredentials(s)),
      },
      service,
    );
    expect(await counting.list()).toContain('account:2:access-key-id');
    expect(await counting.status()).toEqual({ available: true });
    expect(reads).toEqual([]);
    expect(enumerated).toEqual([namesService, namesService]);
  });

  it('loses no name when two stores (the app and the CLI) write to the keyring at once', async () => {
    const app = new KeytarSecretStore(keytar, service);
    const cli = new KeytarSecretStore(keytar, service);
    const appNames = Array.from({ length: 8 }, (_, i) => `account:race${i}:secret-access-key`);
    const cliNames = Array.from({ length: 8 }, (_, i) => `signing-key:race${i}`);
    await Promise.all([
      ...appNames.map((n) => app.set(n, `secret of ${n}`)),
      ...cliNames.map((n) => cli.set(n, `secret of ${n}`)),
    ]);
    const listed = await store.list();
    expect(listed).toEqual(expect.arrayContaining([...appNames, ...cliNames]));
    await Promise.all([...appNames.map((n) => cli.delete(n)), ...cliNames.map((n) => app.delete(n))]);
    const after = await store.list();
    expect(after.filter((n) => n.includes('race'))).toEqual([]);
  });

  it('stores the secret in the keyring itself: secret-tool (libsecret) sees the same entry', async () => {
    await store.set('visible-to-libsecret', 'from-keytar');
    const found = spawnSync(
      'secret-tool',
      ['lookup', 'service', service, 'account', 'visible-to-libsecret'],
      {
        encoding: 'utf8',
      },
    );
    expect(found.error, 'secret-tool missing: apt-get install libsecret-tools').toBeUndefined();
    expect(found.stdout).toBe('from-keytar');
  });

  it('with no keychain reachable, keytar really fails and the store says so plainly', async () => {
    // A child process whose D-Bus address points nowhere: the real library, the real failure.
    const script = `require('keytar').setPassword('x','y','z').then(() => process.exit(0), (e) => { console.log(e.message); process.exit(3); })`;
    const child = spawnSync(process.execPath, ['-e', script], {
      env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' },
      encoding: 'utf8',
      cwd: process.cwd(),
    });
    expect(child.status).toBe(3);
    const realMessage = child.stdout.trim();
    expect(realMessage.length).toBeGreaterThan(0);

    const failing = new KeytarSecretStore(
      {
        ...keytar,
        getPassword: () => Promise.reject(new Error(realMessage)),
        setPassword: () => Promise.reject(new Error(realMessage)),
        findCredentials: () => Promise.reject(new Error(realMessage)),
      },
      service,
      'linux',
    );
    const error = await failing.set('a', 'b').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KeychainUnavailableError);
    expect((error as Error).message).toMatch(/did not store the secret/);
    expect((error as Error).message).toMatch(/GNOME Keyring/);
    expect((error as Error).message).toContain(realMessage);
    expect(await failing.status()).toMatchObject({ available: false });
  });
});
