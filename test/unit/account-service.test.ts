/**
 * The account service's promises about the keychain, on an in-memory SQLite database and a keychain that can be
 * made to fail at any step (the real keychain is exercised in test/integration/account-ceph.test.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { AccountCreateInput } from '../../src/shared/accounts/schemas';
import { AccountCreateSchema, AccountUpdateSchema } from '../../src/shared/accounts/schemas';
import { openDatabase, type Db } from '../../src/main/db/database';
import { AccountRepository } from '../../src/main/repositories/account-repository';
import { ActivityRepository } from '../../src/main/repositories/activity-repository';
import { AccountCredentialStore } from '../../src/main/services/accounts/account-credentials';
import { StorageGateways } from '../../src/main/services/storage/storage-gateways';
import { AccountService } from '../../src/main/services/accounts/account-service';
import { ConnectionTester } from '../../src/main/services/accounts/connection-tester';
import { ActivityService } from '../../src/main/services/activity-service';
import type { Clock } from '../../src/main/services/clock';
import { UserFacingError } from '../../src/main/services/errors';
import { MemorySecretStore } from '../../src/main/services/memory-secret-store';
import { KeychainUnavailableError } from '../../src/main/services/secret-store';
import { loadFixture, replayFactory } from '../fixtures/providers/replay';

/** A keychain that works until told to fail, on a given operation and call number. */
class FlakyKeychain extends MemorySecretStore {
  /** Refuse the n-th write only (as when a keychain prompt is cancelled once); 0 refuses none. */
  failSetOn = 0;
  failSetAfter = Infinity;
  failDelete = false;
  failList = false;
  private sets = 0;
  override async set(account: string, secret: string): Promise<void> {
    this.sets++;
    if (this.sets === this.failSetOn || this.sets > this.failSetAfter) {
      throw new KeychainUnavailableError('(test: the keychain refused)');
    }
    return super.set(account, secret);
  }
  override async delete(account: string): Promise<boolean> {
    if (this.failDelete) throw new KeychainUnavailableError('(test: the keychain is locked)');
    return super.delete(account);
  }
  override async list(): Promise<string[]> {
    if (this.failList) throw new KeychainUnavailableError('(test: the keychain is locked)');
    return super.list();
  }
  /** Everything stored, for checks (never reachable by the app). */
  async dump(): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const name of await super.list()) out[name] = (await super.get(name))!;
    return out;
  }
}

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const dbs: Db[] = [];
afterEach(() => dbs.splice(0).forEach((db) => db.close()));

function setup(clock: Clock = { now: () => new Date('2026-11-21T10:00:00.300Z') }) {
  const db = openDatabase(':memory:');
  dbs.push(db);
  const keychain = new FlakyKeychain();
  const { factory } = replayFactory(loadFixture('aws', 'ownership-enforced'));
  const ids = [
    '6f1d3c8e-9a4b-4c2d-8e7f-0a1b2c3d4e5f',
    '7a2e4d9f-0b5c-4d3e-9f8a-1b2c3d4e5f60',
    '8b3f5e0a-1c6d-4e4f-8a9b-2c3d4e5f6071',
  ];
  const service = new AccountService({
    repo: new AccountRepository(db),
    credentials: new AccountCredentialStore(keychain),
    tester: new ConnectionTester(factory, clock),
    activity: new ActivityService(new ActivityRepository(db), clock),
    clock,
    newId: () => ids.shift()!,
  });
  return { db, keychain, service, gateways: new StorageGateways(service, factory, clock) };
}

function awsAccount(name = 'Shop on S3', sessionToken?: string) {
  const input: AccountCreateInput = {
    settings: {
      name,
      provider: 'aws',
      endpoint: '',
      region: 'us-east-1',
      forcePathStyle: false,
      buckets: ['shop-downloads'],
      privateBucket: 'shop-downloads',
    },
    credentials: {
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      secretAccessKey: SECRET,
      ...(sessionToken ? { sessionToken } : {}),
    },
  };
  return AccountCreateSchema.parse(input);
}

describe('account service and the keychain', () => {
  it('stores each credential part in its own keychain entry and only settings in SQLite', async () => {
    const { db, keychain, service } = setup();
    const view = await service.add(awsAccount());
    expect(await keychain.dump()).toEqual({
      [`account:${view.id}:access-key-id`]: 'AKIAIOSFODNN7EXAMPLE',
      [`account:${view.id}:secret-access-key`]: SECRET,
    });
    expect(JSON.stringify(db.prepare('SELECT * FROM accounts').all())).not.toContain(SECRET);
    expect(view.credentials).toEqual({ hasCredentials: true, temporary: false });
    expect(JSON.stringify(view)).not.toContain(SECRET);
    expect(JSON.stringify(view)).not.toContain('AKIAIOSFODNN7EXAMPLE');
  });

  it('saves nothing, and leaves no keychain entry, when the keychain fails half-way through adding', async () => {
    const { db, keychain, service } = setup();
    keychain.failSetAfter = 1; // the access key ID is written, the secret is refused
    const error = await service.add(awsAccount()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KeychainUnavailableError);
    expect((error as UserFacingError).code).toBe('keychain-unavailable');
    expect((error as Error).message).toMatch(/did not store the secret/);
    expect(await keychain.dump()).toEqual({});
    expect(db.prepare('SELECT count(*) AS n FROM accounts').get()).toEqual({ n: 0 });
  });

  it('keeps the stored secret when an edit leaves the key fields empty, and replaces it when given', async () => {
    const { keychain, service } = setup();
    const view = await service.add(awsAccount());
    const settings = { ...awsAccount().settings, name: 'Renamed', region: 'eu-west-1' };
    const edited = await service.update(
      AccountUpdateSchema.parse({
        id: view.id,
        settings,
        credentials: { accessKeyId: '', secretAccessKey: '' },
      }),
    );
    expect(edited).toMatchObject({
      name: 'Renamed',
      region: 'eu-west-1',
      credentials: { hasCredentials: true },
    });
    expect((await keychain.dump())[`account:${view.id}:secret-access-key`]).toBe(SECRET);

    await service.update(
      AccountUpdateSchema.parse({
        id: view.id,
        settings,
        credentials: { secretAccessKey: 'rotated-secret' },
      }),
    );
    expect(await keychain.dump()).toEqual({
      [`account:${view.id}:access-key-id`]: 'AKIAIOSFODNN7EXAMPLE',
      [`account:${view.id}:secret-access-key`]: 'rotated-secret',
    });
  });

  it('drops the stored session token when a new key comes without one, and keeps it for a settings edit', async () => {
    const { keychain, service } = setup();
    const view = await service.add(awsAccount('Temporary', 'FwoGZXIvYXdzEXAMPLE'));
    const token = `account:${view.id}:session-token`;
    const settings = awsAccount('Temporary').settings;

    await service.update(
      AccountUpdateSchema.parse({ id: view.id, settings: { ...settings, region: 'eu-west-1' } }),
    );
    expect((await keychain.dump())[token]).toBe('FwoGZXIvYXdzEXAMPLE');

    const rotated = await service.update(
      AccountUpdateSchema.parse({
        id: view.id,
        settings,
        credentials: { accessKeyId: 'AKIANEWPERMANENTKEY', secretAccessKey: 'new-secret', sessionToken: '' },
      }),
    );
    expect(rotated.credentials).toEqual({ hasCredentials: true, temporary: false });
    expect(await keychain.dump()).toEqual({
      [`account:${view.id}:access-key-id`]: 'AKIANEWPERMANENTKEY',
      [`account:${view.id}:secret-access-key`]: 'new-secret',
    });

    // A new secret alone ends the session too; a new pair with its own token stores that token.
    await service.update(
      AccountUpdateSchema.parse({
        id: view.id,
        settings,
        credentials: { accessKeyId: 'ASIATEMPKEY', secretAccessKey: 's1', sessionToken: 'token-2' },
      }),
    );
    expect((await keychain.dump())[token]).toBe('token-2');
    await service.update(
      AccountUpdateSchema.parse({ id: view.id, settings, credentials: { secretAccessKey: 's2' } }),
    );
    expect((await keychain.dump())[token]).toBeUndefined();
  });

  it('puts the old keys back when the keychain fails during an edit, and leaves the settings as they were', async () => {
    const { keychain, service } = setup();
    const view = await service.add(awsAccount());
    keychain.failSetOn = 4; // new key ID written (3rd write), new secret refused (4th)
    const settings = { ...awsAccount().settings, name: 'Should not stick' };
    await expect(
      service.update(
        AccountUpdateSchema.parse({
          id: view.id,
          settings,
          credentials: { accessKeyId: 'AKIANEWKEY', secretAccessKey: 'new' },
        }),
      ),
    ).rejects.toBeInstanceOf(KeychainUnavailableError);
    expect((await keychain.dump())[`account:${view.id}:access-key-id`]).toBe('AKIAIOSFODNN7EXAMPLE');
    expect((await service.get(view.id)).name).toBe('Shop on S3');
  });

  it('removes the keychain entries with the account, and keeps the account when the keychain is locked', async () => {
    const { keychain, service } = setup();
    const view = await service.add(awsAccount('Temporary', 'FwoGZXIvYXdzEXAMPLE'));
    expect(view.credentials).toEqual({ hasCredentials: true, temporary: true });
    keychain.failDelete = true;
    await expect(service.remove(view.id)).rejects.toBeInstanceOf(KeychainUnavailableError);
    expect((await service.list()).map((a) => a.id)).toEqual([view.id]);
    keychain.failDelete = false;
    expect(await service.remove(view.id)).toEqual({ id: view.id, keychainEntriesRemoved: 3 });
    expect(await keychain.dump()).toEqual({});
    expect(await service.list()).toEqual([]);
    await expect(service.get(view.id)).rejects.toMatchObject({ code: 'not-found' });
  });

  it('still lists accounts when the keychain is locked, saying it could not ask', async () => {
    const { keychain, service } = setup();
    await service.add(awsAccount());
    keychain.failList = true;
    expect((await service.list())[0]!.credentials).toEqual({ hasCredentials: null, temporary: null });
  });

  it('refuses a duplicate name in plain words and removes the keys it had just stored', async () => {
    const { keychain, service } = setup();
    await service.add(awsAccount('Shop'));
    const before = await keychain.dump();
    await expect(service.add(awsAccount('shop'))).rejects.toMatchObject({
      code: 'conflict',
      message: 'There is already an account named “shop”. Choose another name.',
    });
    expect(await keychain.dump()).toEqual(before);
  });

  it('tests with the stored keys, keeps the result and each bucket’s privacy, and drops it when settings change', async () => {
    const { service } = setup();
    const view = await service.add(awsAccount());
    const tested = await service.test(view.id);
    expect(tested.lastTest).toMatchObject({
      status: 'ok',
      buckets: [{ name: 'shop-downloads', privacy: { model: 'acl-disabled' } }],
    });
    expect(service.bucketPrivacy(view.id)).toEqual([
      {
        bucket: 'shop-downloads',
        model: 'acl-disabled',
        exposure: 'private',
        checkedAt: tested.lastTest!.testedAt,
      },
    ]);
    // A new name keeps the result and the privacy it found; anything about the connection drops both.
    const renamed = await service.update(
      AccountUpdateSchema.parse({ id: view.id, settings: { ...awsAccount().settings, name: 'New name' } }),
    );
    expect(renamed.lastTest).not.toBeNull();
    expect(service.bucketPrivacy(view.id)).toHaveLength(1);
    const moved = await service.update(
      AccountUpdateSchema.parse({
        id: view.id,
        settings: { ...awsAccount().settings, name: 'New name', region: 'eu-west-1' },
      }),
    );
    expect(moved.lastTest).toBeNull();
    expect(service.bucketPrivacy(view.id)).toEqual([]);
  });

  it.each([
    ['endpoint', { endpoint: 'https://s3.eu-west-1.amazonaws.com' }],
    ['region', { region: 'eu-west-1' }],
    ['addressing style', { forcePathStyle: true }],
    ['buckets', { buckets: ['shop-downloads', 'shop-public'] }],
    ['private bucket', { privateBucket: null }],
    ['provider', { provider: 'wasabi', endpoint: 'https://s3.us-east-1.wasabisys.com' }],
  ] as const)('forgets each bucket’s privacy when the %s changes', async (_, change) => {
    const { service } = setup();
    const view = await service.add(awsAccount());
    await service.test(view.id);
    expect(service.bucketPrivacy(view.id)).toHaveLength(1);
    // A new endpoint or provider needs the keys again (see below); the other changes keep the stored ones.
    const moved = 'endpoint' in change || 'provider' in change;
    await service.update(
      AccountUpdateSchema.parse({
        id: view.id,
        settings: { ...awsAccount().settings, ...change },
        ...(moved ? { credentials: awsAccount().credentials } : {}),
      }),
    );
    expect(service.bucketPrivacy(view.id)).toEqual([]);
    expect((await service.get(view.id)).lastTest).toBeNull();
  });

  it('keeps the clock offset while the same server answers, and resets it for another endpoint or provider', async () => {
    // Local clock 90 s behind the fixture's Date header: the test measures and keeps an offset.
    const { service } = setup({ now: () => new Date('2026-11-21T09:58:30.000Z') });
    const view = await service.add(awsAccount());
    const offsetAfter = async (settings: Partial<AccountCreateInput['settings']>) => {
      await service.test(view.id);
      const moved = 'endpoint' in settings || 'provider' in settings;
      await service.update(
        AccountUpdateSchema.parse({
          id: view.id,
          settings: { ...awsAccount().settings, ...settings },
          ...(moved ? { credentials: awsAccount().credentials } : {}),
        }),
      );
      return (await service.get(view.id)).clockOffsetMs;
    };
    expect(await offsetAfter({ name: 'Renamed' })).toBe(90_500);
    expect(await offsetAfter({ buckets: ['shop-downloads', 'shop-public'] })).toBe(90_500);
    expect(await offsetAfter({ endpoint: 'https://s3.example.net' })).toBe(0);
    expect(await offsetAfter({ provider: 'wasabi', endpoint: 'https://s3.example.net' })).toBe(0);
  });

  it('signs with the clock offset the last test measured', async () => {
    // Local clock 90 s behind the fixture's Date header (10:00:00): beyond the warning threshold.
    const { service, gateways } = setup({ now: () => new Date('2026-11-21T09:58:30.000Z') });
    const view = await service.add(awsAccount());
    const tested = await service.test(view.id);
    expect(tested.clockOffsetMs).toBe(90_500);
    expect(tested.lastTest!.clock).toMatchObject({ skewed: true });
    // The storage gateway applies it: callers never pass a signing date.
    const gateway = await gateways.for(view.id);
    const url = new URL(gateway.presign('shop-downloads', 'a.zip', { expiresIn: 900 }));
    expect(url.searchParams.get('X-Amz-Date')).toBe('20261121T100000Z');
    expect(gateway.account.clockOffsetMs).toBe(90_500);
  });

  it.each([
    ['endpoint', { endpoint: 'https://attacker.example.net' }],
    ['provider', { provider: 'wasabi', endpoint: 'https://s3.us-east-1.wasabisys.com' }],
  ] as const)(
    'asks for the keys again when the %s changes, and changes nothing without them',
    async (_, change) => {
      const { db, keychain, service } = setup();
      const view = await service.add(awsAccount());
      const stored = await keychain.dump();
      const row = db.prepare('SELECT * FROM accounts').all();
      const settings = { ...awsAccount().settings, ...change };
      // Nothing typed, or the blank fields the edit form sends (a partial pair is refused by the schema itself).
      for (const credentials of [{}, { accessKeyId: '', secretAccessKey: '' }]) {
        await expect(
          service.update(AccountUpdateSchema.parse({ id: view.id, settings, credentials })),
        ).rejects.toMatchObject({
          code: 'invalid-input',
          message: expect.stringMatching(/Enter the access key ID and the secret access key again/),
        });
      }
      expect(await keychain.dump()).toEqual(stored);
      expect(db.prepare('SELECT * FROM accounts').all()).toEqual(row);

      const updated = await service.update(
        AccountUpdateSchema.parse({
          id: view.id,
          settings,
          credentials: {
            accessKeyId: 'AKIAI44QH8DHBEXAMPLE',
            secretAccessKey: 'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY',
          },
        }),
      );
      expect(updated.endpoint).toBe(settings.endpoint);
      expect(await keychain.get(`account:${view.id}:access-key-id`)).toBe('AKIAI44QH8DHBEXAMPLE');
    },
  );

  it('refuses http:// to an address on the internet, in plain words; allows it on this computer or a LAN', () => {
    const withEndpoint = (endpoint: string) =>
      AccountCreateSchema.safeParse({
        ...awsAccount(),
        settings: { ...awsAccount().settings, provider: 'custom', endpoint, privateBucket: null },
      });
    for (const endpoint of ['http://s3.example.com', 'http://8.8.8.8:9000', 'http://[2001:db8::1]:9000']) {
      const parsed = withEndpoint(endpoint);
      expect(parsed.success).toBe(false);
      expect(parsed.error!.issues.map((i) => i.message).join(' ')).toMatch(/unencrypted over the internet/);
    }
    for (const endpoint of [
      'http://127.0.0.1:7480',
      'http://localhost:9000',
      'http://10.0.0.5:9000',
      'http://172.20.1.1',
      'http://192.168.1.20:9000',
      'http://[::1]:9000',
      'http://[fd12:3456::1]:9000',
      'http://nas.local:9000',
      'http://minio:9000',
      'https://s3.example.com',
    ]) {
      expect({ endpoint, ok: withEndpoint(endpoint).success }).toEqual({ endpoint, ok: true });
    }
  });

  it('says plainly when an account’s keys are missing from the keychain', async () => {
    const { keychain, service } = setup();
    const view = await service.add(awsAccount());
    await keychain.delete(`account:${view.id}:secret-access-key`);
    expect((await service.get(view.id)).credentials.hasCredentials).toBe(false);
    await expect(service.test(view.id)).rejects.toThrow(
      /missing from the system keychain\. Edit the account/,
    );
  });
});
