/**
 * Storage accounts end to end on real parts: the Ceph S3 gateway, the GNOME keyring (scripts/with-test-keyring.sh)
 * and a SQLite file, driven through the IPC router exactly as the window drives it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import {
  GetObjectCommand,
  ListObjectVersionsCommand,
  PutBucketAclCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountCreateInput, AccountView } from '../../src/shared/accounts/schemas';
import { SdkS3ClientFactory, type S3ClientFactory } from '../../src/main/services/storage/s3-client-factory';
import type { Clock } from '../../src/main/services/clock';
import { cephAccount as sharedCephAccount, startHarness, type Harness } from '../support/main-harness';
import {
  createTestBucket,
  emptyAndDeleteBucket,
  ensureCeph,
  objectUrl,
  s3ClientFor,
  type CephEnv,
} from '../support/ceph';
import { requirePrivateTestKeyring } from '../support/test-keyring';

// It stores keys in the keychain: only in the private test keyring, never the developer's own.
requirePrivateTestKeyring();

const harnesses: Harness[] = [];
function harness(opts: { clock?: Clock; s3?: S3ClientFactory } = {}): Harness {
  const h = startHarness({ ...opts, prefix: 'accounts' });
  harnesses.push(h);
  return h;
}

let env: CephEnv;
let admin: S3Client;
const buckets: string[] = [];

beforeAll(async () => {
  env = await ensureCeph();
  admin = s3ClientFor(env);
});

afterAll(async () => {
  for (const h of harnesses) await h.close();
  for (const b of buckets) await emptyAndDeleteBucket(admin, b);
  admin?.destroy();
});

async function bucket(prefix: string): Promise<string> {
  const name = await createTestBucket(admin, prefix);
  buckets.push(name);
  return name;
}

function cephAccount(
  name: string,
  over: Partial<AccountCreateInput['settings']> = {},
  secret?: string,
): AccountCreateInput {
  const input = sharedCephAccount(env, name, over);
  return secret ? { ...input, credentials: { ...input.credentials, secretAccessKey: secret } } : input;
}

function keyringLookup(service: string, account: string): string {
  const found = spawnSync('secret-tool', ['lookup', 'service', service, 'account', account], {
    encoding: 'utf8',
  });
  expect(found.error, 'secret-tool missing: apt-get install libsecret-tools').toBeUndefined();
  return found.stdout;
}

/**
 * Byte search of the database, its write-ahead log and shared-memory file while open (recent writes are still
 * in the WAL, not merged). `visible` is text the account did write there, to show the search would find it.
 */
function expectNotInDatabaseFiles(dir: string, secrets: readonly string[], visible: string): void {
  const files = ['signet.db', 'signet.db-wal', 'signet.db-shm'].map((f) => join(dir, f));
  expect(existsSync(files[1]!)).toBe(true);
  const present = files.filter((f) => existsSync(f));
  for (const file of present) {
    const bytes = readFileSync(file);
    for (const secret of secrets) {
      expect(bytes.includes(Buffer.from(secret)), `${secret.slice(0, 4)}… found in ${file}`).toBe(false);
    }
  }
  expect(present.some((f) => readFileSync(f).includes(Buffer.from(visible)))).toBe(true);
}

function bucketReport(view: AccountView, name: string) {
  const report = view.lastTest?.buckets.find((b) => b.name === name);
  expect(report, `no report for ${name}`).toBeDefined();
  return report!;
}

describe('storage accounts on Ceph, the real keychain and SQLite, through the IPC router', () => {
  const allKeys = () => [
    env.secretAccessKey,
    'not-the-right-secret-at-all',
    env.accessKeyId,
    'NOSUCHKEY000000000000',
  ];

  /** Each test gets its own database, keychain service, bucket and account: none depends on another's. */
  async function withAccount(name = 'Ceph shop files') {
    const main = harness();
    const privateBucket = await bucket('acct-private');
    const account = await main.ok('accounts:add', cephAccount(name, { buckets: [privateBucket] }));
    return { main, privateBucket, account };
  }

  /** No key part in any IPC answer, nor in the SQLite files (`visible` shows the byte search does find text). */
  function expectNoSecretLeaked(main: Harness, visible: string) {
    const everything = JSON.stringify(main.responses);
    for (const secret of allKeys()) expect(everything).not.toContain(secret);
    expectNotInDatabaseFiles(main.dir, allKeys(), visible);
  }

  it('adds a Ceph account: the secret goes to gnome-keyring and nowhere in the SQLite files', async () => {
    const { main, account } = await withAccount();
    expect(account).toMatchObject({
      name: 'Ceph shop files',
      provider: 'custom',
      endpoint: env.endpoint,
      credentials: { hasCredentials: true, temporary: false },
      lastTest: null,
    });

    // The keyring holds each part under its own entry; libsecret (another program) reads the same values.
    expect(keyringLookup(main.service, `account:${account.id}:secret-access-key`)).toBe(env.secretAccessKey);
    expect(keyringLookup(main.service, `account:${account.id}:access-key-id`)).toBe(env.accessKeyId);
    expect(await main.services.secrets.list()).toEqual([
      `account:${account.id}:access-key-id`,
      `account:${account.id}:secret-access-key`,
    ]);

    // Neither key part is in the SQLite files; the account's own settings are, in plain bytes.
    expectNotInDatabaseFiles(main.dir, [env.secretAccessKey, env.accessKeyId], 'Ceph shop files');
  });

  it('tests it: signs in, lists buckets, detects per-object ACLs, and leaves nothing in the bucket', async () => {
    const { main, account, privateBucket } = await withAccount();
    const tested = await main.ok('accounts:test', { id: account.id });
    const result = tested.lastTest!;
    expect(result.status, JSON.stringify(result, null, 2)).toBe('ok');
    expect(result.problem).toBeNull();
    expect(result.listing.allowed).toBe(true);
    expect(result.listing.names).toContain(privateBucket);
    expect(result.clock).not.toBeNull();
    expect(Math.abs(result.clock!.offsetMs)).toBeLessThan(3_000);
    expect(result.clock!.skewed).toBe(false);
    expect(result.temporaryCredentials).toBe(false);

    const report = bucketReport(tested, privateBucket);
    expect(report.reachable).toBe(true);
    expect(report.privacy).toMatchObject({ model: 'object-acl', source: 'detected' });
    expect(report.privacy.evidence.join('\n')).toMatch(
      /PutObjectAcl on a file that does not exist: NoSuchKey/,
    );
    expect(report.exposure.level).toBe('private');
    expect(report.advice.join(' ')).toMatch(/private one by one/);

    // The probe changed nothing: no object, version or delete marker appeared.
    const versions = await admin.send(new ListObjectVersionsCommand({ Bucket: privateBucket }));
    expect([...(versions.Versions ?? []), ...(versions.DeleteMarkers ?? [])]).toEqual([]);

    // What later features read: the stored privacy per bucket.
    expect(main.services.accounts.bucketPrivacy(account.id)).toEqual([
      expect.objectContaining({ bucket: privateBucket, model: 'object-acl', exposure: 'private' }),
    ]);
    expect((await main.ok('accounts:list', undefined))[0]!.lastTest?.status).toBe('ok');
    // The stored test result (last_test JSON, with provider messages and evidence) is there; no key part is.
    expectNoSecretLeaked(main, 'PutObjectAcl on a file that does not exist');
  });

  it('reports a bucket made public by its ACL, and one made public by its policy', async () => {
    const { main, account, privateBucket } = await withAccount();
    const aclPublic = await bucket('acct-acl-public');
    await admin.send(new PutBucketAclCommand({ Bucket: aclPublic, ACL: 'public-read' }));
    const policyPublic = await bucket('acct-policy-public');
    await admin.send(
      new PutBucketPolicyCommand({
        Bucket: policyPublic,
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: '*',
              Action: ['s3:GetObject'],
              Resource: [`arn:aws:s3:::${policyPublic}/*`],
            },
          ],
        }),
      }),
    );
    // What the warning is about, for real: a file uploaded as private is downloadable anyway.
    await admin.send(
      new PutObjectCommand({ Bucket: policyPublic, Key: 'product.zip', Body: 'x', ACL: 'private' }),
    );
    expect((await fetch(objectUrl(env, policyPublic, 'product.zip'))).status).toBe(200);

    await main.ok('accounts:update', {
      id: account.id,
      settings: {
        ...cephAccount('Ceph shop files').settings,
        buckets: [privateBucket, aclPublic, policyPublic],
      },
    });
    const tested = await main.ok('accounts:test', { id: account.id });
    expect(tested.lastTest!.status).toBe('warning');
    expect(tested.lastTest!.headline).toMatch(/3 buckets reachable, 2 public buckets/);

    const byAcl = bucketReport(tested, aclPublic);
    expect(byAcl.exposure.level).toBe('public');
    expect(byAcl.exposure.findings).toContainEqual(
      expect.objectContaining({ source: 'acl', effect: 'list-objects', neutralized: false }),
    );
    expect(byAcl.advice.join(' ')).toMatch(/Anyone can list the file names/);

    const byPolicy = bucketReport(tested, policyPublic);
    expect(byPolicy.exposure.level).toBe('public');
    expect(byPolicy.exposure.findings).toContainEqual(
      expect.objectContaining({ source: 'policy', effect: 'read-objects', neutralized: false }),
    );
    expect(byPolicy.advice.join(' ')).toMatch(/A private file in a public bucket is not private/);

    expect(bucketReport(tested, privateBucket).exposure.level).toBe('private');
  });

  it('edits the account without retyping the secret: the stored one stays and still works', async () => {
    const { main, account, privateBucket } = await withAccount();
    const edited = await main.ok('accounts:update', {
      id: account.id,
      settings: { ...cephAccount('Ceph – renamed').settings, buckets: [privateBucket] },
      credentials: { accessKeyId: '', secretAccessKey: '' },
    });
    expect(edited).toMatchObject({ name: 'Ceph – renamed', credentials: { hasCredentials: true } });
    expect(edited.lastTest).toBeNull(); // the buckets changed, so the old result no longer holds
    expect(keyringLookup(main.service, `account:${account.id}:secret-access-key`)).toBe(env.secretAccessKey);
    expect((await main.ok('accounts:test', { id: account.id })).lastTest!.status).toBe('ok');
    expectNoSecretLeaked(main, 'Ceph – renamed');
  });

  it('says plainly when the secret is wrong, and when the key is unknown', async () => {
    const main = harness();
    const wrongSecret = await main.ok(
      'accounts:add',
      cephAccount('Wrong secret', {}, 'not-the-right-secret-at-all'),
    );
    const failed = (await main.ok('accounts:test', { id: wrongSecret.id })).lastTest!;
    expect(failed).toMatchObject({
      status: 'failed',
      problem: { kind: 'wrong-secret', code: 'SignatureDoesNotMatch', httpStatus: 403 },
    });
    expect(failed.headline).toBe('The secret access key does not match the access key ID (wrong secret).');
    expect(failed.problem!.advice).toMatch(/Paste the secret again/);

    const wrongKey = await main.ok('accounts:add', {
      ...cephAccount('Unknown key'),
      credentials: { accessKeyId: 'NOSUCHKEY000000000000', secretAccessKey: 'whatever' },
    });
    expect((await main.ok('accounts:test', { id: wrongKey.id })).lastTest).toMatchObject({
      status: 'failed',
      problem: { kind: 'wrong-key', code: 'InvalidAccessKeyId', httpStatus: 403 },
    });
    expectNoSecretLeaked(main, 'Wrong secret');
  });

  it('says plainly when nothing answers at the endpoint', async () => {
    const main = harness();
    const down = await main.ok(
      'accounts:add',
      cephAccount('Nothing there', { endpoint: 'http://127.0.0.1:9' }),
    );
    expect((await main.ok('accounts:test', { id: down.id })).lastTest).toMatchObject({
      status: 'failed',
      problem: {
        kind: 'network',
        code: 'ECONNREFUSED',
        title: 'Nothing is listening at 127.0.0.1:9: the connection was refused.',
      },
    });
  });

  it('refuses a second account with the same name, and leaves no keychain entry behind for it', async () => {
    const { main } = await withAccount('Ceph – renamed');
    const before = await main.services.secrets.list();
    expect(before).toHaveLength(2);
    const result = await main.call('accounts:add', cephAccount('ceph – RENAMED'));
    expect(result).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(await main.services.secrets.list()).toEqual(before);
  });

  it('removes an account together with its keychain entries', async () => {
    const { main, account: kept } = await withAccount();
    const gone = await main.ok(
      'accounts:add',
      cephAccount('Wrong secret', {}, 'not-the-right-secret-at-all'),
    );
    expect(await main.ok('accounts:remove', { id: gone.id })).toEqual({
      id: gone.id,
      keychainEntriesRemoved: 2,
    });
    expect(keyringLookup(main.service, `account:${gone.id}:secret-access-key`)).toBe('');
    expect((await main.services.secrets.list()).filter((e) => e.includes(gone.id))).toEqual([]);
    const left = (await main.ok('accounts:list', undefined)).map((a) => a.id);
    expect(left).toEqual([kept.id]);
    expect(keyringLookup(main.service, `account:${kept.id}:secret-access-key`)).toBe(env.secretAccessKey);
  });
});

describe('clock check against the Ceph gateway', () => {
  it('measures a clock an hour behind from the Date header, corrects for it and signs with the offset', async () => {
    const HOUR = 3_600_000;
    // This computer's clock, as the app would see it: an hour slow. The SDK signs with local time plus the
    // offset it is given, so a factory that subtracts an hour makes its signatures just as slow.
    const slowClock: Clock = { now: () => new Date(Date.now() - HOUR) };
    const real = new SdkS3ClientFactory();
    const slowFactory: S3ClientFactory = {
      create: (settings, credentials, options = {}) =>
        real.create(settings, credentials, {
          ...options,
          systemClockOffset: (options.systemClockOffset ?? 0) - HOUR,
        }),
    };
    const h = harness({ clock: slowClock, s3: slowFactory });
    const name = await bucket('acct-clock');
    const added = await h.ok('accounts:add', cephAccount('Slow clock', { buckets: [name] }));

    const result = (await h.ok('accounts:test', { id: added.id })).lastTest!;
    // Ceph refused the first, hour-old signature (RequestTimeTooSkewed); the retry with the offset went through.
    expect(result.status).toBe('warning');
    expect(result.buckets[0]).toMatchObject({ name, reachable: true });
    expect(result.clock!.skewed).toBe(true);
    expect(Math.abs(result.clock!.offsetMs - HOUR)).toBeLessThan(3_000);
    expect(result.notes.map((n) => n.text).join(' ')).toMatch(/clock is 1 hour behind/);

    const view = await h.ok('accounts:list', undefined);
    expect(Math.abs(view[0]!.clockOffsetMs - HOUR)).toBeLessThan(3_000);
    // Requests and links for this account go through its storage gateway, which applies the offset itself.
    const gateway = await h.services.gateways.for(added.id);
    await expect(gateway.list(name, '', null)).resolves.toEqual({ objects: [], next: null });

    // A 15-minute download link signed by the slow local clock is already expired at Ceph; the gateway's link,
    // signed at the server's time, works.
    await admin.send(new PutObjectCommand({ Bucket: name, Key: 'product.zip', Body: 'zip', ACL: 'private' }));
    const slow = await getSignedUrl(admin, new GetObjectCommand({ Bucket: name, Key: 'product.zip' }), {
      expiresIn: 900,
      signingDate: slowClock.now(),
    });
    expect((await fetch(slow)).status).toBe(403);
    const good = await fetch(gateway.presign(name, 'product.zip', { expiresIn: 900 }));
    expect(good.status).toBe(200);
    expect(await good.text()).toBe('zip');
  });
});
