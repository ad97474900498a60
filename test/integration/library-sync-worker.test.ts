/**
 * The app's sync path: the listing and ACL reads in a worker thread (the built sync-worker bundle) with its own
 * SQLite connection, against the real Ceph gateway. The main thread only relays progress and the outcome.
 */
import {
  DeleteBucketPolicyCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ObjectPage, ObjectRow } from '../../src/shared/library/schemas';
import {
  createTestBucket,
  emptyAndDeleteBucket,
  ensureCeph,
  s3ClientFor,
  type CephEnv,
} from '../support/ceph';
import { startFaultyProxy, type FaultyProxy } from '../support/faulty-proxy';
import { syncedThenOneDeleted } from '../support/library-sync';
import { cephAccount, startHarness, type Harness } from '../support/main-harness';
import { buildWorkerBundles, type WorkerBundles } from '../support/worker-bundles';

let workers: WorkerBundles;
let env: CephEnv;
let admin: S3Client;
let h: Harness;
let bucket: string;
/** Buckets of the tests that make their own. */
const own: string[] = [];

beforeAll(async () => {
  workers = await buildWorkerBundles('sync-worker-test');
  env = await ensureCeph();
  admin = s3ClientFor(env);
  bucket = await createTestBucket(admin, 'lib-worker');
  await Promise.all(
    Array.from({ length: 300 }, (_, i) =>
      admin.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: `items/${String(i).padStart(4, '0')}.zip`,
          Body: 'x',
          ACL: i % 10 === 0 ? 'public-read' : 'private',
        }),
      ),
    ),
  );
  h = startHarness({ prefix: 'worker', syncWorkerFile: workers.syncWorkerFile });
}, 180_000);

afterAll(async () => {
  await h?.close();
  if (admin && bucket) await emptyAndDeleteBucket(admin, bucket);
  for (const b of own) await emptyAndDeleteBucket(admin, b);
  admin?.destroy();
  workers?.remove();
});

async function ownBucket(prefix: string): Promise<string> {
  const name = await createTestBucket(admin, prefix);
  own.push(name);
  return name;
}

/** The catalog's row of one account's bucket. */
async function bucketOf(accountId: string, name: string) {
  const b = (await h.ok('library:buckets', undefined)).find(
    (x) => x.accountId === accountId && x.name === name,
  );
  expect(b, `no catalog row for ${name}`).toBeDefined();
  return b!;
}

/** Every key of a bucket's catalog, through the contract. */
async function catalogKeys(bucketId: number): Promise<string[]> {
  const rows: ObjectRow[] = [];
  let cursor: string | null = null;
  do {
    const page: ObjectPage = await h.ok('library:page', { bucketId, recursive: true, limit: 1000, cursor });
    rows.push(...page.rows);
    cursor = page.next;
  } while (cursor !== null);
  return rows.map((r) => r.key).sort();
}

/** `task:progress` payloads of one sync task, from event `from` on. */
function progressOf(taskId: string, from = 0) {
  return h.events
    .slice(from)
    .filter((e) => e.event === 'task:progress' && (e.payload as { taskId: string }).taskId === taskId)
    .map((e) => e.payload as { taskId: string; done: number; state: string });
}

describe('sync in a worker thread', () => {
  it('lists and resolves access in the worker, and the catalog the window reads has it all', async () => {
    const account = await h.ok('accounts:add', cephAccount(env, 'Worker shop', { buckets: [bucket] }));
    const seen = h.events.length;
    const summary = await h.ok('library:sync', { accountId: account.id, bucket });
    expect(summary).toMatchObject({
      objects: 300,
      added: 300,
      access: { public: 30, private: 270, unknown: 0 },
    });
    const progress = progressOf(`sync:${account.id}:${bucket}`, seen);
    expect(progress.some((p) => p.state === 'running' && p.done > 0)).toBe(true);
    expect(progress.at(-1)).toMatchObject({ state: 'done' });
    const b = await bucketOf(account.id, bucket);
    expect(b).toMatchObject({ objects: 300, access: { public: 30, private: 270 } });
  });

  it('lists while the bucket check still runs, and gives access types only by the rule the check decides', async () => {
    // An account of its own on the 300-file bucket.
    const account = await h.ok('accounts:add', cephAccount(env, 'Held check shop', { buckets: [bucket] }));
    const accounts = h.services.accounts;
    const check = accounts.checkBucket.bind(accounts);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const spy = vi.spyOn(accounts, 'checkBucket').mockImplementation(async (id, name) => {
      await held;
      return check(id, name);
    });
    try {
      const seen = h.events.length;
      const running = h.call('library:sync', { accountId: account.id, bucket });
      const listedAll = () =>
        h.events
          .slice(seen)
          .some((e) => e.event === 'task:progress' && (e.payload as { done: number }).done === 300);
      const deadline = Date.now() + 15_000;
      while (!listedAll() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      // Every key is listed into the catalog while the check is still held.
      expect(listedAll()).toBe(true);
      expect(spy).toHaveBeenCalledTimes(1);
      release();
      expect(await running).toMatchObject({
        ok: true,
        data: { objects: 300, access: { public: 30, private: 270, unknown: 0 } },
      });
    } finally {
      release();
      spy.mockRestore();
    }
  });

  it('fails with the bucket check’s own words when the check fails, and removes nothing', async () => {
    const name = await ownBucket('lib-worker-check');
    const { account, deletedKey } = await syncedThenOneDeleted(h, admin, env, {
      bucket: name,
      shop: 'Check shop',
      folder: 'g',
      count: 30,
    });
    // The check fails for real: the bucket's policy refuses a listing of one key (how the check probes the
    // bucket), while the sync's own listing in the worker (pages of 1000 keys) is allowed.
    await admin.send(
      new PutBucketPolicyCommand({
        Bucket: name,
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Deny',
              Principal: '*',
              Action: 's3:ListBucket',
              Resource: `arn:aws:s3:::${name}`,
              Condition: { NumericLessThan: { 's3:max-keys': '2' } },
            },
          ],
        }),
      }),
    );
    // The check's words (account-service.ts), not the worker's "The bucket check failed.".
    const checkSays =
      `The key is valid, but it may not read bucket “${name}”. Give the key access to this bucket (at least ` +
      's3:ListBucket, s3:GetObject, s3:PutObject and —for per-file access— s3:PutObjectAcl), or remove the ' +
      'bucket from the account.';
    try {
      const result = await h.call('library:sync', { accountId: account.id, bucket: name });
      expect(result).toMatchObject({ ok: false, error: { code: 'not-found', message: checkSays } });
    } finally {
      await admin.send(new DeleteBucketPolicyCommand({ Bucket: name }));
    }
    const b = await bucketOf(account.id, name);
    // Nothing removed: the file deleted behind Signet's back is still in the catalog, as is every other.
    expect(b).toMatchObject({ objects: 30, access: { public: 0, private: 30 } });
    expect(await catalogKeys(b.id)).toContain(deletedKey);
    expect(b.lastSyncError).toBe(checkSays);
  });

  it('cancels the worker’s sync mid-listing and keeps what it listed', async () => {
    // The account reaches Ceph through a proxy that holds the listing's second page: the cancel lands while
    // the worker waits for it, after the first page (1000 keys) was written.
    const proxy: FaultyProxy = await startFaultyProxy(env.endpoint, 1);
    try {
      const name = await ownBucket('lib-worker-cancel');
      const { account, deletedKey } = await syncedThenOneDeleted(h, admin, env, {
        bucket: name,
        shop: 'Cancel shop',
        folder: 'f',
        count: 1001,
        settings: { endpoint: proxy.url },
      });
      // New since that sync: ten files listed on the first page (before f/), ten on the second (after f/).
      const early = Array.from({ length: 10 }, (_, i) => `e/${i}.zip`);
      const late = Array.from({ length: 10 }, (_, i) => `g/${i}.zip`);
      await Promise.all(
        [...early, ...late].map((Key) => admin.send(new PutObjectCommand({ Bucket: name, Key, Body: 'x' }))),
      );
      proxy.hold = (req) => req.method === 'GET' && /[?&]continuation-token=/.test(req.url ?? '');

      const taskId = `sync:${account.id}:${name}`;
      const seen = h.events.length;
      const running = h.call('library:sync', { accountId: account.id, bucket: name });
      const deadline = Date.now() + 20_000;
      while (!(proxy.held.length > 0 && progressOf(taskId, seen).some((p) => p.done >= 1000))) {
        if (Date.now() > deadline)
          throw new Error(`no first page, or no held second page (${proxy.held.length})`);
        await new Promise((r) => setTimeout(r, 5));
      }
      expect(await h.ok('tasks:cancel', { taskId })).toEqual({ cancelled: true });
      expect(await running).toMatchObject({ ok: false, error: { code: 'cancelled' } });
      // The worker gave up the held request: the listing really stopped between its pages.
      expect(proxy.held).toHaveLength(1);
      await expect.poll(() => proxy.held[0]!.closed).toBe(true);

      const b = await bucketOf(account.id, name);
      const keys = await catalogKeys(b.id);
      // What the first page listed is kept (the new early files), nothing is removed (the deleted file stays),
      // and nothing of the unread second page is there.
      expect(keys).toEqual(expect.arrayContaining([...early, deletedKey]));
      expect(keys.filter((k) => k.startsWith('g/'))).toEqual([]);
      expect(b.objects).toBe(1001 + early.length);
      expect(b.lastSyncError).toBeNull();
      expect(progressOf(taskId, seen).at(-1)).toMatchObject({ state: 'cancelled' });
    } finally {
      proxy.release();
      await proxy.close();
    }
  }, 120_000);
});
