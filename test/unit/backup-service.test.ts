/**
 * BackupService over in-memory databases and memory keychains: what a backup holds, that a restore gives the same
 * rows and keychain entries, and that every refusal or failure leaves the data folder and the keychain as they were.
 * (The command line, the real keychain and the verifier: test/integration/backup-restore.test.ts.)
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/main/db/database';
import {
  BACKUP_COLUMNS,
  BackupRepository,
  LAST_BACKUP_SETTING,
} from '../../src/main/repositories/backup-repository';
import { BucketRepository } from '../../src/main/repositories/bucket-repository';
import { LinkRepository } from '../../src/main/repositories/link-repository';
import { sealBackup, type KdfParams } from '../../src/main/services/backup/backup-file';
import {
  BackupOpenError,
  BackupService,
  RestoreRefusedError,
} from '../../src/main/services/backup/backup-service';
import type { Clock } from '../../src/main/services/clock';
import { MemorySecretStore } from '../../src/main/services/memory-secret-store';
import { backupStatus } from '../../src/shared/backup/schemas';
import { openTestServices, type TestServices } from '../support/test-services';

const FAST: KdfParams = { log2N: 10, r: 8, p: 1 };
const PASS = 'a long enough passphrase';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const ADMIN_TOKEN = 'admin-token-0123456789-abcdefghijklmnop';

let now = new Date('2026-11-02T10:00:00.000Z');
const clock: Clock = { now: () => now };
const opened: TestServices[] = [];
afterEach(() => {
  opened.splice(0).forEach((t) => t.close());
  now = new Date('2026-11-02T10:00:00.000Z');
});

interface Folder {
  t: TestServices;
  secrets: MemorySecretStore;
  backup: BackupService;
  log: string[];
}

function folder(secrets = new MemorySecretStore()): Folder {
  const t = openTestServices({ clock, secrets, inMemory: true, prefix: 'backup-unit' });
  opened.push(t);
  const log: string[] = [];
  const backup = new BackupService({
    repo: new BackupRepository(t.services.db),
    secrets,
    activity: t.services.activity,
    clock,
    appVersion: 'test',
    kdf: FAST,
    log: (m) => log.push(m),
  });
  return { t, secrets, backup, log };
}

async function addAccount(f: Folder, name: string, bucket: string, secret = SECRET) {
  return f.t.services.accounts.add({
    settings: {
      name,
      provider: 'custom',
      endpoint: 'https://s3.example.com',
      region: 'us-east-1',
      forcePathStyle: true,
      buckets: [bucket],
      privateBucket: null,
    },
    credentials: { accessKeyId: `AKIA${name.toUpperCase()}`, secretAccessKey: secret },
  });
}

function addLink(
  f: Folder,
  accountId: string,
  accountName: string,
  bucket: string,
  jti: string,
  kid: string,
) {
  const bucketId = new BucketRepository(f.t.services.db).byName(accountId, bucket)!.id;
  new LinkRepository(f.t.services.db).insert({
    jti,
    kind: 'verifier',
    bucketId,
    accountId,
    accountName,
    bucket,
    key: 'products/plugin.zip',
    kid,
    productSlug: 'plugin',
    orderId: '1001',
    email: 'customer@example.com',
    note: 'first order',
    maxDownloads: 3,
    filename: 'plugin.zip',
    createdAt: now.toISOString(),
    expiresAt: '2027-01-01T00:00:00.000Z',
    url: `https://shop.example.com/downloads/plugin?token=${jti}`,
  });
}

/** A shop: one account, three signing keys (one retired, one still verifying, one active), settings, a token, links. */
async function seedShop(f: Folder) {
  const account = await addAccount(f, 'Shop', 'media');
  const first = await f.t.services.keys.create();
  const second = await f.t.services.keys.create();
  await f.t.services.keys.retire(first.kid);
  const third = await f.t.services.keys.create();
  f.t.services.settings.update({
    verifierBaseUrl: 'https://shop.example.com',
    defaultLinkExpiryHours: 48,
    defaultMaxDownloads: 3,
  });
  await f.secrets.set('verifier:admin-token', ADMIN_TOKEN);
  addLink(f, account.id, 'Shop', 'media', 'AAAAAAAAAAAAAAAAAAAAAA', second.kid);
  addLink(f, account.id, 'Shop', 'media', 'BBBBBBBBBBBBBBBBBBBBBB', third.kid);
  // B was reissued in place of A (the ledger's record of which link replaced which must survive a restore).
  f.t.services.db
    .prepare("UPDATE links SET replaced_by = 'BBBBBBBBBBBBBBBBBBBBBB' WHERE jti = 'AAAAAAAAAAAAAAAAAAAAAA'")
    .run();
  f.t.services.db
    .prepare("UPDATE links SET replaces = 'AAAAAAAAAAAAAAAAAAAAAA' WHERE jti = 'BBBBBBBBBBBBBBBBBBBBBB'")
    .run();
  return { account, kids: [first.kid, second.kid, third.kid] };
}

/** Every row of the tables a backup holds (settings without the backup's own row), in a fixed order. */
function rows(db: Db): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const [table, { kept }] of Object.entries(BACKUP_COLUMNS)) {
    const where = table === 'settings' ? ` WHERE key <> '${LAST_BACKUP_SETTING}'` : '';
    out[table] = db.prepare(`SELECT ${kept.join(', ')} FROM ${table}${where} ORDER BY 1`).all();
  }
  return out;
}

/** Every table's rows, for "nothing changed" (activity included). */
function everything(db: Db): Record<string, unknown[]> {
  const tables = db
    .prepare<[], { name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'objects_search%' ORDER BY name",
    )
    .all();
  return Object.fromEntries(
    tables.map(({ name }) => [
      name,
      db
        .prepare(`SELECT * FROM "${name}"`)
        .all()
        .map((r) => JSON.stringify(r))
        .sort(),
    ]),
  );
}

async function keychain(secrets: MemorySecretStore): Promise<Record<string, string | null>> {
  const names = await secrets.list();
  return Object.fromEntries(await Promise.all(names.map(async (n) => [n, await secrets.get(n)] as const)));
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(Error);
  return err as Error;
}

/** A keychain whose `set` fails once, after `okSets` successful ones (a keyring locked half-way). */
class FailingSecrets extends MemorySecretStore {
  sets = 0;
  fail = false;
  constructor(private readonly okSets: number) {
    super();
  }
  /** Fail every set after the first `okSets`, not only the next one. */
  failFrom = false;
  override async set(account: string, secret: string): Promise<void> {
    if (this.fail) {
      this.sets++;
      if (this.sets === this.okSets + 1 || (this.failFrom && this.sets > this.okSets)) {
        throw new Error('the keyring is locked');
      }
    }
    await super.set(account, secret);
  }
}

describe('BackupService: backup and restore', () => {
  it('restores into a new folder and keychain the same accounts (ids, store names), keys, token, settings and ledger', async () => {
    const source = folder();
    const { account, kids } = await seedShop(source);
    const { bytes, summary } = await source.backup.backup(PASS);
    expect(summary).toEqual({ accounts: 1, keys: 3, links: 2, createdAt: now.toISOString(), warnings: [] });

    now = new Date('2026-11-03T09:00:00.000Z');
    const target = folder();
    const restored = await target.backup.restore(bytes, PASS, { replace: false });
    expect(restored).toEqual({ accounts: 1, keys: 3, links: 2, createdAt: '2026-11-02T10:00:00.000Z' });

    expect(rows(target.t.services.db)).toEqual(rows(source.t.services.db));
    expect(target.t.services.links.get('AAAAAAAAAAAAAAAAAAAAAA')).toMatchObject({
      replacedBy: 'BBBBBBBBBBBBBBBBBBBBBB',
    });
    const [view] = await target.t.services.accounts.list();
    expect(view).toMatchObject({ id: account.id, name: 'Shop', credentials: { hasCredentials: true } });
    expect(
      new BackupRepository(target.t.services.db).snapshot(() => undefined).accounts[0]?.verifierStore,
    ).toBe('Shop');
    expect(
      target.t.services.keys
        .list()
        .map((k) => k.kid)
        .sort(),
    ).toEqual([...kids].sort());
    expect(target.t.services.settings.get()).toEqual(source.t.services.settings.get());
    // The retired key's secret left the keychain when it was retired; the others are back, as is everything else.
    const sourceKeychain = await keychain(source.secrets);
    expect(sourceKeychain[`signing-key:${kids[0]}`]).toBeUndefined();
    expect(await keychain(target.secrets)).toEqual(sourceKeychain);
    expect(await target.secrets.get(`account:${account.id}:secret-access-key`)).toBe(SECRET);
    expect(await target.secrets.get('verifier:admin-token')).toBe(ADMIN_TOKEN);
    // Links are signed with the restored keys: the active one is the same.
    const restoredKey = await target.t.services.keys.activeKey();
    const sourceKey = await source.t.services.keys.activeKey();
    expect(restoredKey.kid).toBe(sourceKey.kid);
    expect(Buffer.from(restoredKey.secret).equals(Buffer.from(sourceKey.secret))).toBe(true);
    expect(target.backup.status()).toMatchObject({ lastBackupAt: '2026-11-02T10:00:00.000Z', daysSince: 0 });
    expect(target.t.services.activity.recent(1)[0]?.message).toMatch(/^Restored the backup made/);
  });

  it('holds no secret in clear, and every other keychain entry of an account (a verifier key) too', async () => {
    const source = folder();
    const { account } = await seedShop(source);
    await source.secrets.set(
      `account:${account.id}:verifier-secret-access-key`,
      'verifier-only-secret-value',
    );
    const { bytes } = await source.backup.backup(PASS);
    for (const secret of [SECRET, ADMIN_TOKEN, 'verifier-only-secret-value', 'customer@example.com']) {
      expect(bytes.includes(Buffer.from(secret)), secret).toBe(false);
    }
    const target = folder();
    await target.backup.restore(bytes, PASS, { replace: false });
    expect(await target.secrets.get(`account:${account.id}:verifier-secret-access-key`)).toBe(
      'verifier-only-secret-value',
    );
  });

  it('save writes the file 0600 and records the last backup; status reminds after 30 days', async () => {
    const f = folder();
    expect(f.backup.status()).toEqual({
      lastBackupAt: null,
      daysSince: null,
      hasData: false,
      restoreNeedsReplace: false,
      reminder: false,
    });
    await seedShop(f);
    expect(f.backup.status()).toMatchObject({ hasData: true, restoreNeedsReplace: true, reminder: true });
    const file = join(f.t.dir, 'shop.signetbackup');
    const saved = await f.backup.save(file, PASS);
    expect(saved).toMatchObject({ file, accounts: 1, keys: 3, links: 2 });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(f.t.services.activity.recent(1)[0]?.message).toBe(
      `Made a backup (1 account, 3 signing keys, 2 links) in ${file}.`,
    );
    expect(f.backup.status()).toMatchObject({ lastBackupAt: now.toISOString(), reminder: false });
    now = new Date(now.getTime() + 30 * 86_400_000);
    expect(f.backup.status()).toMatchObject({ daysSince: 30, reminder: false });
    now = new Date(now.getTime() + 60_000);
    expect(f.backup.status()).toMatchObject({ daysSince: 30, reminder: true });
  });

  it('refuses a folder with accounts or keys unless replace, changing nothing; replace swaps them', async () => {
    const source = folder();
    const { account } = await seedShop(source);
    const { bytes } = await source.backup.backup(PASS);

    const target = folder();
    const other = await addAccount(target, 'Other', 'other-bucket', 'other-secret-value');
    const oldKey = await target.t.services.keys.create();
    const before = everything(target.t.services.db);
    const keysBefore = await keychain(target.secrets);

    const refused = await rejection(target.backup.restore(bytes, PASS, { replace: false }));
    expect(refused).toBeInstanceOf(RestoreRefusedError);
    expect(refused.message).toMatch(/already has 1 storage account and 1 signing key.*Nothing was changed/);
    expect(everything(target.t.services.db)).toEqual(before);
    expect(await keychain(target.secrets)).toEqual(keysBefore);

    const restored = await target.backup.restore(bytes, PASS, { replace: true });
    expect(restored).toMatchObject({ accounts: 1, keys: 3, links: 2 });
    expect(rows(target.t.services.db)).toEqual(rows(source.t.services.db));
    expect((await target.t.services.accounts.list()).map((a) => a.id)).toEqual([account.id]);
    // The replaced account's and key's secrets left the keychain with them.
    const names = await target.secrets.list();
    expect(names.filter((n) => n.includes(other.id))).toEqual([]);
    expect(names).not.toContain(`signing-key:${oldKey.kid}`);
    expect(await keychain(target.secrets)).toEqual(await keychain(source.secrets));
  });

  it('a wrong passphrase or a damaged file changes nothing, even with replace', async () => {
    const source = folder();
    await seedShop(source);
    const { bytes } = await source.backup.backup(PASS);
    const target = folder();
    await addAccount(target, 'Other', 'other-bucket');
    const before = everything(target.t.services.db);
    const keysBefore = await keychain(target.secrets);

    const wrong = await rejection(target.backup.restore(bytes, `${PASS}!`, { replace: true }));
    expect(wrong).toBeInstanceOf(BackupOpenError);
    expect(wrong.message).toMatch(/passphrase is wrong.*Nothing was changed/);
    const damaged = Buffer.from(bytes);
    damaged[Math.floor(damaged.length / 2)]! ^= 0x40;
    expect(await rejection(target.backup.restore(damaged, PASS, { replace: true }))).toBeInstanceOf(
      BackupOpenError,
    );
    expect(everything(target.t.services.db)).toEqual(before);
    expect(await keychain(target.secrets)).toEqual(keysBefore);
  });

  it('a keychain failure half-way puts back every entry it wrote, and writes no row', async () => {
    const source = folder();
    const { account } = await seedShop(source);
    const { bytes } = await source.backup.backup(PASS);

    const secrets = new FailingSecrets(2);
    const target = folder(secrets);
    // An entry the restore overwrites: it must come back as it was.
    await secrets.set(`account:${account.id}:access-key-id`, 'OLD-KEY-ID');
    await secrets.set('verifier:admin-token', 'the-old-admin-token-of-this-computer');
    const before = everything(target.t.services.db);
    const keysBefore = await keychain(secrets);
    secrets.fail = true;

    const err = await rejection(target.backup.restore(bytes, PASS, { replace: false }));
    expect(err.message).toBe('the keyring is locked');
    expect(secrets.sets).toBeGreaterThan(2);
    secrets.fail = false;
    expect(await keychain(secrets)).toEqual(keysBefore);
    expect(everything(target.t.services.db)).toEqual(before);
    expect(target.log).toEqual([]);
  });

  it('an undo the keychain refuses too is logged by entry name, never with a secret', async () => {
    const source = folder();
    const { account } = await seedShop(source);
    const { bytes } = await source.backup.backup(PASS);
    const secrets = new FailingSecrets(1);
    const target = folder(secrets);
    await secrets.set(`account:${account.id}:access-key-id`, 'OLD-KEY-ID');
    secrets.fail = true;
    // From the second set on, every set fails: the restore's and the undo's.
    secrets.failFrom = true;
    expect((await rejection(target.backup.restore(bytes, PASS, { replace: false }))).message).toBe(
      'the keyring is locked',
    );
    expect(target.log).toEqual([
      `Signet could not undo a half-done restore in the keychain: account:${account.id}:access-key-id was not put back (the keyring is locked)`,
    ]);
    expect(target.log.join('\n')).not.toContain(SECRET);
    // Entries that did not exist before were removed again (deletes still work).
    expect((await secrets.list()).filter((n) => n !== `account:${account.id}:access-key-id`)).toEqual([]);
  });

  it('when the database refuses after the keychain was written (an account added meanwhile), the keychain is put back', async () => {
    const source = folder();
    await seedShop(source);
    const { bytes } = await source.backup.backup(PASS);

    const target = folder();
    const keysBefore = await keychain(target.secrets);
    // Another process adds an account between the first check and the transaction: the set of the admin token
    // (the last entry written) stands for "meanwhile".
    const set = target.secrets.set.bind(target.secrets);
    target.secrets.set = async (name, value) => {
      await set(name, value);
      if (name === 'verifier:admin-token' && value === ADMIN_TOKEN)
        await addAccount(target, 'Meanwhile', 'mw-bucket');
    };
    const err = await rejection(target.backup.restore(bytes, PASS, { replace: false }));
    expect(err).toBeInstanceOf(RestoreRefusedError);
    const after = await keychain(target.secrets);
    const meanwhile = (await target.t.services.accounts.list())[0]!;
    // Only the account added meanwhile has entries now: each one the restore wrote was removed again.
    expect(Object.keys(after).every((n) => n.startsWith(`account:${meanwhile.id}:`))).toBe(true);
    expect(Object.keys(keysBefore)).toEqual([]);
    expect(rows(target.t.services.db)['links']).toEqual([]);
    expect(target.t.services.keys.list()).toEqual([]);
  });

  it('refuses to replace a folder where a job is running', async () => {
    const source = folder();
    await seedShop(source);
    const { bytes } = await source.backup.backup(PASS);
    const target = folder();
    const account = await addAccount(target, 'Other', 'other-bucket');
    const bucketId = new BucketRepository(target.t.services.db).byName(account.id, 'other-bucket')!.id;
    target.t.services.db
      .prepare(
        `INSERT INTO jobs (kind, state, account_id, bucket_id, title, owner, lease_until, created_at)
         VALUES ('private', 'running', ?, ?, 'Make private', 'other:1', ?, ?)`,
      )
      .run(account.id, bucketId, now.getTime() + 60_000, now.toISOString());
    const err = await rejection(target.backup.restore(bytes, PASS, { replace: true }));
    expect(err.message).toMatch(/1 job is running in this data folder.*Nothing was changed/);
    expect((await target.t.services.accounts.list()).map((a) => a.name)).toEqual(['Other']);
  });

  it('warns when an account’s keys or a verifying key’s secret are missing or not a key, and still backs up the rest', async () => {
    const f = folder();
    const { account, kids } = await seedShop(f);
    await f.secrets.delete(`account:${account.id}:secret-access-key`);
    await f.secrets.set(`signing-key:${kids[1]}`, 'not a signing key');
    await f.secrets.delete(`signing-key:${kids[2]}`);
    const { bytes, summary } = await f.backup.backup(PASS);
    // Keys in the order of the table (same creation time here: by kid).
    expect([...summary.warnings].sort()).toEqual(
      [
        'The keys of “Shop” are missing from the keychain: the backup holds its settings only. Enter its keys again after restoring.',
        `The secret of signing key ${kids[1]} is not a valid key in the keychain: links signed with it cannot be checked after a restore.`,
        `The secret of signing key ${kids[2]} is missing from the keychain: links signed with it cannot be checked after a restore.`,
      ].sort(),
    );
    // What it holds restores: the account (without its secret), every key row, the ledger.
    const target = folder();
    expect(await target.backup.restore(bytes, PASS, { replace: false })).toMatchObject({
      accounts: 1,
      keys: 3,
      links: 2,
    });
    expect(await target.secrets.list()).toEqual([
      `account:${account.id}:access-key-id`,
      'verifier:admin-token',
    ]);
  });

  it('refuses a passphrase shorter than 8 characters', async () => {
    const f = folder();
    expect((await rejection(f.backup.backup('short'))).message).toMatch(/at least 8 characters/);
  });
});

describe('backup contents are checked before anything is written', () => {
  async function sealed(lines: unknown[]): Promise<Buffer> {
    const text = lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n');
    return sealBackup(gzipSync(Buffer.from(text)), PASS, FAST);
  }

  const account = {
    id: '5b8d3c1e-0000-4000-8000-000000000001',
    name: 'Shop',
    provider: 'custom',
    endpoint: 'https://s3.example.com',
    region: 'us-east-1',
    forcePathStyle: true,
    clockOffsetMs: 0,
    verifierStore: 'Shop',
    lastTest: null,
    lastTestedAt: null,
    createdAt: '2026-11-01T00:00:00.000Z',
    updatedAt: '2026-11-01T00:00:00.000Z',
  };
  const head = {
    kind: 'signet-backup',
    format: 1,
    createdAt: '2026-11-01T00:00:00.000Z',
    app: { version: 'test' },
    schemaVersion: 9,
    accounts: [account],
    buckets: [],
    signingKeys: [],
    secrets: [],
    settings: [],
    links: 0,
  };

  async function problem(lines: unknown[]): Promise<string> {
    const target = folder();
    const before = everything(target.t.services.db);
    const err = await rejection(target.backup.restore(await sealed(lines), PASS, { replace: true }));
    expect(err).toBeInstanceOf(BackupOpenError);
    expect(everything(target.t.services.db)).toEqual(before);
    expect(await target.secrets.list()).toEqual([]);
    return err.message;
  }

  it('accepts a minimal valid backup (the cases below differ from it in one thing)', async () => {
    const target = folder();
    await expect(
      target.backup.restore(await sealed([head]), PASS, { replace: false }),
    ).resolves.toMatchObject({
      accounts: 1,
    });
  });

  it('refuses contents that break a table rule or point nowhere', async () => {
    const twice = {
      ...account,
      id: '5b8d3c1e-0000-4000-8000-000000000002',
      name: 'SHOP',
      verifierStore: 'x',
    };
    expect(await problem([{ ...head, accounts: [account, twice] }])).toMatch(
      /account name “shop” appears twice/,
    );
    const store = { ...twice, name: 'Other', verifierStore: 'shop' };
    expect(await problem([{ ...head, accounts: [account, store] }])).toMatch(
      /store name “SHOP” appears twice/,
    );
    expect(
      await problem([{ ...head, secrets: [{ name: 'account:someone-else:secret-access-key', value: 'x' }] }]),
    ).toMatch(/belongs to no account/);
    expect(await problem([{ ...head, secrets: [{ name: 'ssh:id_rsa', value: 'x' }] }])).toMatch(
      /not one Signet writes/,
    );
    const key = { kid: 'k1', createdAt: head.createdAt, retiredAt: null, active: true, exportedAt: null };
    expect(
      await problem([{ ...head, signingKeys: [key], secrets: [{ name: 'signing-key:k1', value: 'short' }] }]),
    ).toMatch(/signing key k1 is not a valid key/);
    expect(await problem([{ ...head, signingKeys: [key, { ...key, kid: 'k2' }] }])).toMatch(/more than one/);
    expect(await problem([{ ...head, accounts: [{ ...account, provider: 'ftp' }] }])).toMatch(
      /accounts\.0\.provider/,
    );
    expect(await problem([{ ...head, surprise: true }])).toMatch(/could not be read/);
  });

  it('refuses a ledger whose row count or rows do not match', async () => {
    expect(await problem([{ ...head, links: 1 }])).toMatch(/should hold 1 ledger rows and holds 0/);
    expect(await problem([head, '{"jti":"x"}'])).toMatch(/ledger row 1/);
    expect(await problem([head, 'not json'])).toMatch(/ledger row 1 is not JSON/);
  });

  it('says a backup from a newer Signet needs an update, and that garbage is not readable', async () => {
    expect(await problem([{ ...head, format: 2 }])).toMatch(/newer version of Signet.*Update Signet/);
    const target = folder();
    const garbage = await sealBackup(Buffer.from('not gzip'), PASS, FAST);
    expect((await rejection(target.backup.restore(garbage, PASS, { replace: false }))).message).toMatch(
      /could not be read \(its contents do not decompress\)/,
    );
  });
});

describe('what a backup keeps', () => {
  it('names every column of the tables it reads, as kept or left out on purpose', () => {
    const f = folder();
    for (const [table, { kept, left }] of Object.entries(BACKUP_COLUMNS)) {
      const columns = f.t.services.db
        .prepare<[], { name: string }>(`PRAGMA table_info(${table})`)
        .all()
        .map((c) => c.name);
      expect([...kept, ...left].sort(), table).toEqual(columns.sort());
    }
  });

  it('reminds when there is something to keep and no backup, or none for more than 30 days', () => {
    const at = new Date('2026-11-02T10:00:00.000Z');
    const some = { accounts: 1, keys: 0, links: 0 };
    expect(backupStatus(null, at, { accounts: 0, keys: 0, links: 0 }).reminder).toBe(false);
    expect(backupStatus(null, at, some).reminder).toBe(true);
    expect(backupStatus('2026-10-03T10:00:00.000Z', at, some)).toMatchObject({
      daysSince: 30,
      reminder: false,
    });
    expect(backupStatus('2026-10-03T09:59:00.000Z', at, some)).toMatchObject({
      daysSince: 30,
      reminder: true,
    });
    expect(backupStatus('2026-09-01T00:00:00.000Z', at, { accounts: 0, keys: 0, links: 4 })).toMatchObject({
      hasData: true,
      restoreNeedsReplace: false,
      reminder: true,
    });
  });
});
