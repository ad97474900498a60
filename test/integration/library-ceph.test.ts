/**
 * The media library end to end on real parts: the Ceph S3 gateway, the test keyring and a SQLite file, driven
 * through the IPC router as the window drives it. Each access type is set on Ceph by the test user and must come
 * back from a sync exactly; a leak is planted behind Signet's back and must be caught by verify.
 */
import {
  DeleteObjectCommand,
  PutBucketPolicyCommand,
  PutObjectAclCommand,
  PutObjectCommand,
  type ObjectCannedACL,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { UserFacingError } from '../../src/main/services/errors';
import type { ObjectPage, ObjectRow } from '../../src/shared/library/schemas';
import {
  createTestBucket,
  emptyAndDeleteBucket,
  ensureCeph,
  objectUrl,
  s3ClientFor,
  type CephEnv,
} from '../support/ceph';
import { syncedThenOneDeleted as syncedThenOneDeletedIn } from '../support/library-sync';
import { cephAccount, startHarness, type Harness } from '../support/main-harness';

let env: CephEnv;
let admin: S3Client;
let h: Harness;
const buckets: string[] = [];

beforeAll(async () => {
  env = await ensureCeph();
  admin = s3ClientFor(env);
  h = startHarness({ prefix: 'library' });
});

afterAll(async () => {
  await h?.close();
  for (const b of buckets) await emptyAndDeleteBucket(admin, b);
  admin?.destroy();
});

async function bucket(prefix: string): Promise<string> {
  const name = await createTestBucket(admin, prefix);
  buckets.push(name);
  return name;
}

async function put(b: string, key: string, acl: ObjectCannedACL = 'private', body = 'x'): Promise<void> {
  await admin.send(new PutObjectCommand({ Bucket: b, Key: key, Body: body, ACL: acl }));
}

/** A new bucket set up by the shared `syncedThenOneDeleted` (test/support/library-sync.ts). */
async function syncedThenOneDeleted(prefix: string, shop: string, folder: string, count: number) {
  const name = await bucket(prefix);
  const { account } = await syncedThenOneDeletedIn(h, admin, env, { bucket: name, shop, folder, count });
  return { name, account };
}

/** Every catalog row of a bucket, through the contract, page by page (small pages to exercise the cursor). */
async function allRows(bucketId: number, extra: { search?: string; access?: ObjectRow['access'][] } = {}) {
  const rows: ObjectRow[] = [];
  let cursor: string | null = null;
  do {
    const page: ObjectPage = await h.ok('library:page', {
      bucketId,
      recursive: true,
      limit: 3,
      cursor,
      ...extra,
    });
    rows.push(...page.rows);
    cursor = page.next;
  } while (cursor !== null);
  return rows;
}

const AWKWARD = ['with space/file one.zip', 'plus+sign.zip', 'per%cent.zip', 'ünïcødé/日本語.pdf'];

describe('library on Ceph', () => {
  let accountId: string;
  let name: string;
  let bucketId: number;

  beforeAll(async () => {
    name = await bucket('lib-acl');
    await put(name, 'public/cover.png', 'public-read');
    await put(name, 'products/2026/ebook.pdf', 'private', 'a longer body');
    await put(name, 'products/2026/members.zip', 'authenticated-read');
    await put(name, 'products/readme.txt');
    for (const key of AWKWARD) await put(name, key);
    await put(name, 'products/', 'private', ''); // a folder marker, as consoles create
    const account = await h.ok('accounts:add', cephAccount(env, 'Library shop', { buckets: [name] }));
    accountId = account.id;
  });

  it('opens on an empty catalog, then a sync lists every object with its real access type', async () => {
    const [before] = await h.ok('library:buckets', undefined);
    expect(before).toMatchObject({ name, role: 'files', objects: 0, lastSyncAt: null });
    bucketId = before!.id;

    const summary = await h.ok('library:sync', { accountId, bucket: name });
    expect(summary).toMatchObject({
      bucket: name,
      objects: 8,
      added: 8,
      updated: 0,
      removed: 0,
      access: { public: 1, authenticated: 1, private: 6, 'public-bucket': 0, unknown: 0 },
    });
    const byKey = new Map((await allRows(bucketId)).map((r) => [r.key, r]));
    expect([...byKey.keys()].sort()).toEqual(
      [
        'public/cover.png',
        'products/2026/ebook.pdf',
        'products/2026/members.zip',
        'products/readme.txt',
        ...AWKWARD,
      ].sort(),
    );
    expect(byKey.get('public/cover.png')).toMatchObject({
      access: 'public',
      folder: 'public/',
      name: 'cover.png',
    });
    expect(byKey.get('products/2026/members.zip')?.access).toBe('authenticated');
    expect(byKey.get('products/2026/ebook.pdf')).toMatchObject({
      access: 'private',
      size: 13,
      contentType: 'application/pdf',
    });
    for (const key of AWKWARD) expect(byKey.get(key)?.access).toBe('private');

    const progress = h.events
      .filter((e) => e.event === 'task:progress')
      .map((e) => e.payload as { state: string; taskId: string });
    expect(progress.at(-1)).toMatchObject({ state: 'done', taskId: `sync:${accountId}:${name}` });

    const [after] = await h.ok('library:buckets', undefined);
    expect(after).toMatchObject({
      objects: 8,
      bytes: 7 * 1 + 13,
      leaks: 0,
      model: 'object-acl',
      lastSyncError: null,
    });
    expect(after!.lastSyncAt).not.toBeNull();
  });

  it('browses folders with breadcrumb paths, searches any part of a key, filters and sorts by cursor', async () => {
    const top = await h.ok('library:page', { bucketId, folder: '' });
    expect(top.folders.map((f) => f.name)).toEqual(['products', 'public', 'with space', 'ünïcødé']);
    expect(top.rows.map((r) => r.key)).toEqual(['per%cent.zip', 'plus+sign.zip']);
    expect(top.total).toBe(2);
    const products = await h.ok('library:page', { bucketId, folder: 'products/' });
    expect(products.folders).toEqual([{ path: 'products/2026/', name: '2026' }]);
    expect(products.rows.map((r) => r.name)).toEqual(['readme.txt']);

    expect((await allRows(bucketId, { search: 'EBOOK' })).map((r) => r.key)).toEqual([
      'products/2026/ebook.pdf',
    ]);
    expect((await allRows(bucketId, { search: '日本' })).map((r) => r.key)).toEqual(['ünïcødé/日本語.pdf']);
    expect((await allRows(bucketId, { search: '+si' })).map((r) => r.key)).toEqual(['plus+sign.zip']);
    expect((await allRows(bucketId, { access: ['public', 'authenticated'] })).map((r) => r.key)).toEqual([
      'products/2026/members.zip',
      'public/cover.png',
    ]);

    const bySize: ObjectRow[] = [];
    let cursor: string | null = null;
    do {
      const page: ObjectPage = await h.ok('library:page', {
        bucketId,
        recursive: true,
        sort: { column: 'size', direction: 'desc' },
        limit: 2,
        cursor,
      });
      bySize.push(...page.rows);
      cursor = page.next;
    } while (cursor);
    expect(bySize).toHaveLength(8);
    expect(bySize[0]!.key).toBe('products/2026/ebook.pdf');
  });

  it('picks up an ACL changed behind Signet’s back, a new file and a deleted one on the next sync', async () => {
    await admin.send(
      new PutObjectAclCommand({ Bucket: name, Key: 'products/readme.txt', ACL: 'public-read' }),
    );
    await admin.send(new DeleteObjectCommand({ Bucket: name, Key: 'plus+sign.zip' }));
    await put(name, 'products/2026/new.zip');
    const summary = await h.ok('library:sync', { accountId, bucket: name });
    expect(summary).toMatchObject({ objects: 8, added: 1, removed: 1, access: { public: 2, private: 5 } });
    const rows = await allRows(bucketId);
    expect(rows.find((r) => r.key === 'products/readme.txt')?.access).toBe('public');
    expect(rows.some((r) => r.key === 'plus+sign.zip')).toBe(false);
  });

  it('re-checks one prefix without touching the rest', async () => {
    await admin.send(new PutObjectAclCommand({ Bucket: name, Key: 'products/readme.txt', ACL: 'private' }));
    await admin.send(new PutObjectAclCommand({ Bucket: name, Key: 'public/cover.png', ACL: 'private' }));
    const summary = await h.ok('library:sync', { accountId, bucket: name, prefix: 'products/' });
    expect(summary).toMatchObject({
      objects: 4,
      removed: 0,
      access: { authenticated: 1, private: 3, public: 0 },
    });
    const rows = await allRows(bucketId);
    expect(rows.find((r) => r.key === 'products/readme.txt')?.access).toBe('private');
    // Outside the prefix the catalog keeps what the last full sync saw.
    expect(rows.find((r) => r.key === 'public/cover.png')?.access).toBe('public');
    expect(rows).toHaveLength(8);
  });

  it('verifies anonymously: records 200 and 403, and flags a planted leak loudly', async () => {
    await admin.send(new PutObjectAclCommand({ Bucket: name, Key: 'public/cover.png', ACL: 'public-read' }));
    // Signet holds ebook.pdf as private; make it readable by anyone behind its back.
    await admin.send(
      new PutObjectAclCommand({ Bucket: name, Key: 'products/2026/ebook.pdf', ACL: 'public-read' }),
    );
    expect((await fetch(objectUrl(env, name, 'products/2026/ebook.pdf'))).status).toBe(200);

    const summary = await h.ok('library:verify', {
      selection: { kind: 'query', query: { bucketId, folder: '', recursive: true } },
    });
    expect(summary).toMatchObject({ checked: 8, readable: 2, refused: 6, failed: 0 });
    expect(summary.leaks).toEqual([{ key: 'products/2026/ebook.pdf', access: 'private', status: 200 }]);

    const leaks = await h.ok('library:page', { bucketId, recursive: true, leaksOnly: true });
    expect(leaks.rows.map((r) => [r.key, r.leak, r.verified?.status])).toEqual([
      ['products/2026/ebook.pdf', true, 200],
    ]);
    const [b] = await h.ok('library:buckets', undefined);
    expect(b!.leaks).toBe(1);
    const details = await h.ok('library:object', { id: leaks.rows[0]!.id });
    expect(details.history).toEqual([expect.objectContaining({ status: 200, leak: true })]);
    expect(details.url).toBe(objectUrl(env, name, 'products/2026/ebook.pdf'));
    expect(details.grants).toEqual(
      expect.arrayContaining([{ grantee: expect.any(String), permission: 'FULL_CONTROL' }]),
    );

    const cover = (await allRows(bucketId, { search: 'cover' }))[0]!;
    expect(cover).toMatchObject({ access: 'public', leak: false, verified: { status: 200 } });
    const pdf = (await allRows(bucketId, { search: 'per%' }))[0]!;
    expect(pdf).toMatchObject({ leak: false, verified: { status: 403 } });
  });

  it('verifies a selection of ids only', async () => {
    const [row] = await allRows(bucketId, { search: 'readme' });
    const summary = await h.ok('library:verify', { selection: { kind: 'ids', bucketId, ids: [row!.id] } });
    expect(summary).toMatchObject({ checked: 1, refused: 1, leaks: [] });
  });
});

describe('bucket-wide exposure', () => {
  it('shows every object of a bucket with a public read policy as public-bucket, whatever its ACL', async () => {
    const name = await bucket('lib-policy');
    await put(name, 'a.zip', 'private');
    await put(name, 'b/c.zip', 'private');
    await admin.send(
      new PutBucketPolicyCommand({
        Bucket: name,
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: '*',
              Action: ['s3:GetObject'],
              Resource: [`arn:aws:s3:::${name}/*`],
            },
          ],
        }),
      }),
    );
    const account = await h.ok('accounts:add', cephAccount(env, 'Policy shop', { buckets: [name] }));
    const summary = await h.ok('library:sync', { accountId: account.id, bucket: name });
    expect(summary.access).toMatchObject({ 'public-bucket': 2, private: 0, unknown: 0 });
    const b = (await h.ok('library:buckets', undefined)).find((x) => x.name === name)!;
    expect(b.exposure).toBe('public');
    const verify = await h.ok('library:verify', {
      selection: { kind: 'query', query: { bucketId: b.id, recursive: true } },
    });
    // Readable by anyone, but the catalog says so: not a leak.
    expect(verify).toMatchObject({ readable: 2, leaks: [] });
  });

  it('fails with the bucket check’s words when the check fails after the listing began, and removes nothing', async () => {
    const { name, account } = await syncedThenOneDeleted('lib-check', 'Check shop', 'g', 30);
    const accounts = h.services.accounts;
    // The check fails only after the listing has begun: the listing must stop and the check's error be shown.
    const spy = vi.spyOn(accounts, 'checkBucket').mockImplementation(async () => {
      await new Promise((r) => setTimeout(r, 50));
      throw new UserFacingError('not-found', 'The bucket check failed in this test: check its name.');
    });
    try {
      expect(await h.call('library:sync', { accountId: account.id, bucket: name })).toMatchObject({
        ok: false,
        error: { code: 'not-found', message: 'The bucket check failed in this test: check its name.' },
      });
    } finally {
      spy.mockRestore();
    }
    const b = (await h.ok('library:buckets', undefined)).find((x) => x.name === name)!;
    expect(b.objects).toBe(30);
    expect(b.lastSyncError).toBe('The bucket check failed in this test: check its name.');
  });

  it('refuses a second sync of the same bucket while one runs, and a cancelled sync removes nothing', async () => {
    const { name, account } = await syncedThenOneDeleted('lib-cancel', 'Cancel shop', 'f', 60);

    const running = h.call('library:sync', { accountId: account.id, bucket: name });
    const second = await h.call('library:sync', { accountId: account.id, bucket: name });
    expect(second).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(await h.ok('tasks:cancel', { taskId: `sync:${account.id}:${name}` })).toEqual({ cancelled: true });
    const first = await running;
    expect(first).toMatchObject({ ok: false, error: { code: 'cancelled' } });
    const b = (await h.ok('library:buckets', undefined)).find((x) => x.name === name)!;
    // The cancelled sync did not finish its listing, so it removed nothing: the deleted file is still listed.
    expect(b.objects).toBe(60);
    expect(b.lastSyncError).toBeNull();
    const events = h.events.filter(
      (e) =>
        e.event === 'task:progress' &&
        (e.payload as { taskId: string }).taskId === `sync:${account.id}:${name}`,
    );
    expect(events.at(-1)?.payload).toMatchObject({ state: 'cancelled' });
  });
});
