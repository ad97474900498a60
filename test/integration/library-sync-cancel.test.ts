/**
 * Cancelling a sync whose listing runs far ahead of its ACL reads. The listing waits for room in the bounded
 * queue of keys; the ACL readers stop taking keys when the sync is cancelled, so the cancel itself must wake the
 * listing. It did not: a cancelled 200k-key sync (the bench's part 6) never ended, and the bucket could not be
 * synced again. Here the proxy in front of the Ceph gateway holds every ACL read, and the queue holds 5 keys, so
 * the listing is stuck on a full queue when Cancel comes.
 */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestBucket,
  emptyAndDeleteBucket,
  ensureCeph,
  s3ClientFor,
  type CephEnv,
} from '../support/ceph';
import { startFaultyProxy, type FaultyProxy } from '../support/faulty-proxy';
import { cephAccount, startHarness, type Harness } from '../support/main-harness';
import { requirePrivateTestKeyring } from '../support/test-keyring';

requirePrivateTestKeyring();

const FILES = 60;

let env: CephEnv;
let admin: S3Client;
let proxy: FaultyProxy;
let h: Harness;
let bucket: string;

beforeAll(async () => {
  env = await ensureCeph();
  admin = s3ClientFor(env);
  bucket = await createTestBucket(admin, 'sync-cancel');
  await Promise.all(
    Array.from({ length: FILES }, (_, i) =>
      admin.send(
        new PutObjectCommand({ Bucket: bucket, Key: `items/${String(i).padStart(3, '0')}.zip`, Body: 'x' }),
      ),
    ),
  );
  proxy = await startFaultyProxy(env.endpoint, 20261207);
  h = startHarness({ prefix: 'sync-cancel' });
}, 120_000);

afterAll(async () => {
  proxy?.release();
  await h?.close();
  await proxy?.close();
  if (bucket) await emptyAndDeleteBucket(admin, bucket);
  admin?.destroy();
});

describe('cancelling a sync', () => {
  it('ends at once when its listing waits for the ACL reads behind it, and the bucket syncs again', async () => {
    const account = await h.ok(
      'accounts:add',
      cephAccount(env, 'Cancel shop', { endpoint: proxy.url, buckets: [bucket] }),
    );
    // Files' ACL reads only (the bucket check reads the bucket's own ACL, and must get its answer).
    proxy.hold = (req) =>
      req.method === 'GET' && (req.url ?? '').includes('/items/') && (req.url ?? '').includes('?acl');
    const controller = new AbortController();
    const sync = h.services.library.sync(
      { accountId: account.id, bucket },
      { signal: controller.signal, queueHighWater: 5, aclConcurrency: 2 },
    );
    const outcome = sync.then(
      () => 'finished',
      (err: Error) => err.name,
    );
    // Both readers wait for their ACL answers; the listing (one page of 60) fills the queue of 5 behind them.
    for (const until = Date.now() + 20_000; proxy.held.length < 2;) {
      if (Date.now() > until) throw new Error('no ACL read reached the proxy');
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, 300));

    controller.abort();
    const ended = await Promise.race([
      outcome,
      new Promise((r) => setTimeout(() => r('still running'), 5_000)),
    ]);
    expect(ended).toBe('AbortError');

    // Nothing is left running: the same bucket syncs again, to its end.
    proxy.hold = null;
    proxy.release();
    const again = await h.ok('library:sync', { accountId: account.id, bucket });
    expect(again).toMatchObject({ objects: FILES, access: { private: FILES, unknown: 0 } });
  });
});
