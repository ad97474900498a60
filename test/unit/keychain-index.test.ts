/**
 * Knowing which keychain entries exist reads no secret: a keytar double counts every getPassword (per entry)
 * and findCredentials (which decrypts every entry of the service). The real Secret Service runs the same
 * store in test/integration/keytar-secret-store.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createHandlers } from '../../src/main/ipc/handlers';
import {
  AccountCredentialStore,
  credentialEntry,
} from '../../src/main/services/accounts/account-credentials';
import { ENTRY_INDEX, KeytarSecretStore, type KeytarLike } from '../../src/main/services/keytar-secret-store';
import { MemorySecretStore } from '../../src/main/services/memory-secret-store';
import { KeychainUnavailableError } from '../../src/main/services/secret-store';
import { createMainServices } from '../../src/main/wiring';
import { AccountCreateSchema } from '../../src/shared/accounts/schemas';

class CountingKeytar implements KeytarLike {
  readonly entries = new Map<string, string>();
  /** getPassword calls per entry name. */
  readonly reads = new Map<string, number>();
  findCredentialsCalls = 0;
  async getPassword(_service: string, account: string) {
    this.reads.set(account, (this.reads.get(account) ?? 0) + 1);
    return this.entries.get(account) ?? null;
  }
  async setPassword(_service: string, account: string, password: string) {
    await new Promise((r) => setTimeout(r, 1)); // D-Bus is not synchronous either
    this.entries.set(account, password);
  }
  async deletePassword(_service: string, account: string) {
    return this.entries.delete(account);
  }
  async findCredentials() {
    this.findCredentialsCalls++;
    return [...this.entries].map(([account, password]) => ({ account, password }));
  }
  /** Reads of entries that hold secrets (everything but the index of names). */
  secretReads(): number {
    return [...this.reads].filter(([name]) => name !== ENTRY_INDEX).reduce((n, [, c]) => n + c, 0);
  }
  resetCounts() {
    this.reads.clear();
    this.findCredentialsCalls = 0;
  }
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('keytar secret store: an index of names instead of decrypting every entry', () => {
  it('keeps the names as entries are set and deleted; list and status read only the index', async () => {
    const keytar = new CountingKeytar();
    const store = new KeytarSecretStore(keytar, 'svc', 'linux');
    await store.set('account:a:secret-access-key', 's3cr3t');
    await store.set('signing-key:k1', 'key');
    await store.set('verifier:admin-token', 'token');
    expect(await store.delete('signing-key:k1')).toBe(true);
    expect(await store.delete('signing-key:k1')).toBe(false);
    keytar.resetCounts();

    expect(await store.list()).toEqual(['account:a:secret-access-key', 'verifier:admin-token']);
    expect(await store.status()).toEqual({ available: true });
    expect(keytar.secretReads()).toBe(0);
    expect(keytar.findCredentialsCalls).toBe(0);
    expect(JSON.parse(keytar.entries.get(ENTRY_INDEX)!)).toEqual([
      'account:a:secret-access-key',
      'verifier:admin-token',
    ]);

    expect(await store.get('verifier:admin-token')).toBe('token');
    expect(keytar.secretReads()).toBe(1); // a secret is read when it is used, and only that one
  });

  it('builds the index once from an older keychain, then never enumerates again', async () => {
    const keytar = new CountingKeytar();
    keytar.entries.set('account:a:access-key-id', 'AKIA');
    keytar.entries.set('account:a:secret-access-key', 's3cr3t');
    const store = new KeytarSecretStore(keytar, 'svc', 'linux');
    expect(await store.list()).toEqual(['account:a:access-key-id', 'account:a:secret-access-key']);
    expect(keytar.findCredentialsCalls).toBe(1);
    for (let i = 0; i < 3; i++) await store.list();
    await new KeytarSecretStore(keytar, 'svc', 'linux').list(); // a new process (the CLI) sees the same index
    expect(keytar.findCredentialsCalls).toBe(1);
  });

  it('keeps every name when writes overlap, and refuses the index name as an entry', async () => {
    const keytar = new CountingKeytar();
    const store = new KeytarSecretStore(keytar, 'svc', 'linux');
    await Promise.all(Array.from({ length: 10 }, (_, i) => store.set(`signing-key:k${i}`, 'x')));
    expect(await store.list()).toHaveLength(10);
    await expect(store.set(ENTRY_INDEX, '[]')).rejects.toThrow(/index/);
    await expect(store.get(ENTRY_INDEX)).rejects.toThrow(/index/);
  });

  it('reports an unreachable keychain through status, in plain words', async () => {
    const keytar = new CountingKeytar();
    keytar.getPassword = () => Promise.reject(new Error('Cannot autolaunch D-Bus'));
    const status = await new KeytarSecretStore(keytar, 'svc', 'linux').status();
    expect(status).toMatchObject({ available: false, message: expect.stringMatching(/GNOME Keyring/) });
  });

  it('listing accounts and the keychain status read no secret', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'signet-keychain-'));
    dirs.push(dir);
    const keytar = new CountingKeytar();
    const services = createMainServices({
      databaseFile: join(dir, 'signet.db'),
      secrets: new KeytarSecretStore(keytar, 'svc', 'linux'),
      clock: { now: () => new Date('2026-01-01T00:00:00Z') },
      facts: {
        name: 'Signet',
        version: '0',
        versions: { electron: null, chrome: null, node: process.versions.node },
        platform: 'linux',
        dataFolder: dir,
      },
      emit: () => undefined,
    });
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
      expect(keytar.findCredentialsCalls).toBe(0);
      expect(keytar.entries.has(credentialEntry(id, 'secret-access-key'))).toBe(true);
    } finally {
      services.close();
    }
  });
});

describe('account credentials: a failed undo is logged, not swallowed', () => {
  it('names the entry it could not put back, never the secret', async () => {
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
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain('account:acc:access-key-id was not removed');
    expect(logged[0]).toContain('the keychain is locked');
    expect(logged[0]).not.toMatch(/AKIANEW|new-secret-value/);
  });
});
