/**
 * Jobs on a storage that fails often: the account's endpoint is a loopback proxy in front of the Ceph gateway
 * that answers a fifth of the requests 503 SlowDown and resets the connection of one in twenty
 * (test/support/faulty-proxy.ts; seeded, so the fault sequence is the same every run). A make-private of a few
 * hundred objects and an upload of a few files still end with every item done and proved, the retries are
 * counted on the job, and what the storage itself holds (read past the proxy) is what the job says. A move
 * (copy, check, delete) through faults that also lose answers of requests the gateway carried out never loses a
 * file, and a resume finishes whatever the faults made fail.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { GetObjectAclCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobDetails } from '../../src/shared/jobs/schemas';
import {
  createTestBucket,
  emptyAndDeleteBucket,
  ensureCeph,
  anonymousStatus,
  listObjects,
  s3ClientFor,
  type CephEnv,
} from '../support/ceph';
import { NO_FAULTS, startFaultyProxy, type FaultPlan, type FaultyProxy } from '../support/faulty-proxy';
import { cephAccount, startHarness, type Harness } from '../support/main-harness';
import { requirePrivateTestKeyring } from '../support/test-keyring';
import { buildWorkerBundles, type WorkerBundles } from '../support/worker-bundles';

requirePrivateTestKeyring();

const OBJECTS = 300;
const MOVED = 120;
const FAULTS: FaultPlan = { slowDown: 0.2, reset: 0.05, lostAnswer: 0 };

let env: CephEnv;
let admin: S3Client;
let proxy: FaultyProxy;
let h: Harness;
let bucket: string;
let bucketId: number;
let accountId: string;
let files: string;
let workers: WorkerBundles;
const extraBuckets: string[] = [];

/** Waits for a job to end, then answers it with every item. */
async function ended(id: number, timeoutMs = 90_000): Promise<JobDetails> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await h.ok('jobs:get', { id, limit: 10_000 });
    if (['done', 'failed', 'cancelled', 'paused'].includes(v.state)) return v;
    if (Date.now() > until) throw new Error(`job ${id} still ${v.state} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** What a stranger gets, asked of the gateway itself (not through the faulty proxy). */
const anonymousStatusOf = (key: string) => anonymousStatus(env, bucket, key);

/** While this file exists, the next storage worker started stops at its 40th call (and removes the file). */
let armed: string;

/**
 * The built storage worker, which a test can make stop mid-job: the thread exits with code 7 at its 40th call
 * while `armed` exists. Unarmed, it is the storage worker with one more message listener that counts.
 */
function stoppingWorker(storageWorkerFile: string): string {
  armed = join(dirname(storageWorkerFile), 'stop-next-worker');
  const file = join(dirname(storageWorkerFile), 'stopping-storage-worker.js');
  writeFileSync(
    file,
    [
      "const { existsSync, rmSync } = require('node:fs');",
      "const { parentPort } = require('node:worker_threads');",
      'let calls = 0;',
      // The calls come in batches (storage-calls.ts `batched`).
      "parentPort.on('message', (batch) => {",
      '  for (const m of batch) {',
      `    if (m.type === 'call' && ++calls === 40 && existsSync(${JSON.stringify(armed)})) {`,
      `      rmSync(${JSON.stringify(armed)});`,
      '      process.exit(7);',
      '    }',
      '  }',
      '});',
      "require('./storage-worker.js');",
    ].join('\n'),
  );
  return file;
}

beforeAll(async () => {
  env = await ensureCeph();
  admin = s3ClientFor(env);
  proxy = await startFaultyProxy(env.endpoint, 20261201);
  // As in the app, a job's object calls run in the storage worker thread: its errors (503s, resets) cross back.
  workers = await buildWorkerBundles('jobs-faults-test');
  // Every job, however short (the app: from 2,000 items on).
  h = startHarness({
    prefix: 'faults',
    storageWorkerFile: stoppingWorker(workers.storageWorkerFile),
    storageWorkerFrom: 1,
  });
  files = mkdtempSync(join(tmpdir(), 'signet-faults-files-'));
  bucket = await createTestBucket(admin, 'jobs-faults');
  const keys = Array.from({ length: OBJECTS }, (_, i) => `products/${String(i).padStart(4, '0')}.zip`);
  for (let i = 0; i < keys.length; i += 32) {
    await Promise.all(
      keys
        .slice(i, i + 32)
        .map((Key) =>
          admin.send(new PutObjectCommand({ Bucket: bucket, Key, Body: Key, ACL: 'public-read' })),
        ),
    );
  }
  // The setup runs through the proxy without faults; each job then runs with them.
  const account = await h.ok(
    'accounts:add',
    cephAccount(env, 'Throttled shop', { endpoint: proxy.url, buckets: [bucket] }),
  );
  accountId = account.id;
  await h.ok('library:sync', { accountId, bucket });
  bucketId = (await h.ok('library:buckets', undefined)).find((b) => b.name === bucket)!.id;
}, 120_000);

afterAll(async () => {
  await h?.close();
  await proxy?.close();
  for (const b of [bucket, ...extraBuckets]) if (b) await emptyAndDeleteBucket(admin, b);
  admin?.destroy();
  rmSync(files, { recursive: true, force: true });
  workers?.remove();
});

describe('jobs through a storage that throttles and drops connections', { timeout: 120_000 }, () => {
  it(`makes ${OBJECTS} public files private: every one done and proved, with the retries counted`, async () => {
    const before = { ...proxy.stats };
    proxy.plan = FAULTS;
    const job = await h.ok('jobs:access', {
      selection: { kind: 'query', query: { bucketId, folder: 'products/', recursive: true } },
      access: 'private',
    });
    const v = await ended(job.id);
    proxy.plan = NO_FAULTS;
    expect(v).toMatchObject({ state: 'done', total: OBJECTS, done: OBJECTS, failed: 0, stillPublic: 0 });
    expect(v.items.filter((i) => i.state !== 'done' || i.access !== 'private')).toEqual([]);
    // The proxy did fail requests of this job, and the job counted retries for them.
    expect(proxy.stats.slowDown - before.slowDown).toBeGreaterThan(OBJECTS * 0.1);
    expect(proxy.stats.reset - before.reset).toBeGreaterThan(0);
    expect(v.retries).toBeGreaterThan(0);

    // The storage itself agrees: no object grants anything to everyone, and strangers get 403.
    const stillPublic: string[] = [];
    const keys = v.items.map((i) => i.key);
    for (let i = 0; i < keys.length; i += 16) {
      await Promise.all(
        keys.slice(i, i + 16).map(async (Key) => {
          const acl = await admin.send(new GetObjectAclCommand({ Bucket: bucket, Key }));
          const open = (acl.Grants ?? []).some((g) => g.Grantee?.URI?.endsWith('/AllUsers'));
          if (open || (await anonymousStatusOf(Key)) !== 403) stillPublic.push(Key);
        }),
      );
    }
    expect(stillPublic).toEqual([]);
  });

  it('uploads files, one of them in parts: every one done, proved private, with the same bytes', async () => {
    const paths: string[] = [];
    for (let i = 0; i < 24; i++) {
      const path = join(files, `file-${String(i).padStart(2, '0')}.pdf`);
      writeFileSync(path, `document ${i} `.repeat(100 + i));
      paths.push(path);
    }
    const large = join(files, 'course.zip');
    writeFileSync(large, randomBytes(20 * 1024 * 1024)); // above the 8 MB part size: a multipart upload
    paths.push(large);
    await h.choose(paths);
    const before = { ...proxy.stats };
    proxy.plan = FAULTS;
    const job = await h.ok('jobs:upload', { bucketId, folder: 'uploads/', paths });
    const v = await ended(job.id);
    proxy.plan = NO_FAULTS;
    expect(v).toMatchObject({ state: 'done', total: paths.length, done: paths.length, failed: 0 });
    expect(v.items.filter((i) => i.state !== 'done' || i.access !== 'private')).toEqual([]);
    expect(proxy.stats.slowDown + proxy.stats.reset - before.slowDown - before.reset).toBeGreaterThan(0);
    expect(v.retries).toBeGreaterThan(0);

    const differing: string[] = [];
    for (const path of paths) {
      const Key = `uploads/${path.slice(files.length + 1)}`;
      const got = await admin.send(new GetObjectCommand({ Bucket: bucket, Key }));
      if (!Buffer.from(await got.Body!.transformToByteArray()).equals(readFileSync(path)))
        differing.push(Key);
      expect(await anonymousStatusOf(Key), Key).toBe(403);
    }
    expect(differing).toEqual([]);
  });

  it('goes on when resumed, or stops when cancelled, while a pause still waits for the requests it had sent', async () => {
    const keys = Array.from({ length: 24 }, (_, i) => `paused/${String(i).padStart(2, '0')}.zip`);
    await Promise.all(
      keys.map((Key) =>
        admin.send(new PutObjectCommand({ Bucket: bucket, Key, Body: Key, ACL: 'public-read' })),
      ),
    );
    await h.ok('library:sync', { accountId: accountId, bucket });
    const selection = { kind: 'query' as const, query: { bucketId, folder: 'paused/', recursive: true } };
    const settingAcl = (req: { method?: string; url?: string }) =>
      req.method === 'PUT' && (req.url ?? '').includes('?acl');

    /** Starts the job with its first ACL writes held at the proxy, pauses it, then does `then` before letting them go. */
    const pausedWhileWaiting = async (then: (id: number) => Promise<unknown>) => {
      proxy.held.length = 0;
      proxy.hold = settingAcl;
      const job = await h.ok('jobs:access', { selection, access: 'private' });
      for (const until = Date.now() + 20_000; proxy.held.length === 0;) {
        if (Date.now() > until) throw new Error('no ACL write reached the proxy');
        await new Promise((r) => setTimeout(r, 20));
      }
      expect((await h.ok('jobs:pause', { id: job.id })).state).toBe('paused');
      await then(job.id);
      proxy.release();
      return ended(job.id);
    };

    // Resume clicked before the run had let go: the job runs on to its end, not back to paused.
    const resumed = await pausedWhileWaiting((id) => h.ok('jobs:resume', { id }));
    expect(resumed).toMatchObject({ state: 'done', total: keys.length, done: keys.length, failed: 0 });
    expect(await anonymousStatusOf(keys[0]!)).toBe(403);

    // Cancel clicked then: the job ends cancelled, with what was not done left undone.
    await Promise.all(
      keys.map((Key) =>
        admin.send(new PutObjectCommand({ Bucket: bucket, Key, Body: Key, ACL: 'public-read' })),
      ),
    );
    await h.ok('library:sync', { accountId: accountId, bucket });
    const cancelled = await pausedWhileWaiting((id) => h.ok('jobs:cancel', { id }));
    expect(cancelled.state).toBe('cancelled');
    expect(cancelled.cancelled).toBeGreaterThan(0);
  });

  it('stops a job whose storage worker stopped, with no file failed for it, and a resume finishes it', async () => {
    const keys = Array.from({ length: 120 }, (_, i) => `lost/${String(i).padStart(3, '0')}.zip`);
    await Promise.all(
      keys.map((Key) =>
        admin.send(new PutObjectCommand({ Bucket: bucket, Key, Body: Key, ACL: 'public-read' })),
      ),
    );
    await h.ok('library:sync', { accountId, bucket });
    const selection = { kind: 'query' as const, query: { bucketId, folder: 'lost/', recursive: true } };
    writeFileSync(armed, '');
    const job = await h.ok('jobs:access', { selection, access: 'private' });
    const stopped = await ended(job.id);
    expect(existsSync(armed)).toBe(false); // the worker did stop
    // The run stopped as a whole: no file failed with the worker's sentence, the rest wait for a resume.
    expect(stopped).toMatchObject({ state: 'failed', total: keys.length, failed: 0 });
    expect(stopped.done).toBeLessThan(keys.length);
    const log = await h.ok('activity:list', { limit: 5 });
    expect(log.map((e) => e.message)).toContainEqual(
      expect.stringMatching(/storage worker stopped unexpectedly \(exit code 7\)\..*Resume it/),
    );

    await h.ok('jobs:resume', { id: job.id });
    const resumed = await ended(job.id);
    expect(resumed).toMatchObject({
      state: 'done',
      total: keys.length,
      done: keys.length,
      failed: 0,
      stillPublic: 0,
    });
    const readable: string[] = [];
    for (const Key of keys) if ((await anonymousStatusOf(Key)) !== 403) readable.push(Key);
    expect(readable).toEqual([]);
  });

  it(`moves ${MOVED} files into the private bucket through lost answers too: no file lost, a resume finishes`, async () => {
    const source = await createTestBucket(admin, 'faults-mv');
    const vault = await createTestBucket(admin, 'faults-vault');
    extraBuckets.push(source, vault);
    const keys = Array.from({ length: MOVED }, (_, i) => `bundles/${String(i).padStart(3, '0')}.zip`);
    const bodyOf = (key: string) => `the bundle ${key} `.repeat(20);
    await Promise.all(
      keys.map((Key) =>
        admin.send(new PutObjectCommand({ Bucket: source, Key, Body: bodyOf(Key), ACL: 'public-read' })),
      ),
    );
    const original = await listObjects(admin, source);
    const account = await h.ok(
      'accounts:add',
      cephAccount(env, 'Moving shop', { endpoint: proxy.url, buckets: [source], privateBucket: vault }),
    );
    await h.ok('library:sync', { accountId: account.id, bucket: source });
    // Checks both buckets now, without faults: a job start checks any bucket never checked, in one try.
    await h.ok('accounts:test', { id: account.id });
    const sourceId = (await h.ok('library:buckets', undefined)).find((b) => b.name === source)!.id;
    // Ceph has per-object ACLs; treat this bucket as a provider without them (R2, B2), whose files are private
    // only in a private bucket (after the sync and the test: both check the bucket again).
    h.services.db
      .prepare(`UPDATE buckets SET model = 'no-object-acl', exposure = 'unknown' WHERE id = ?`)
      .run(sourceId);

    const before = { ...proxy.stats };
    proxy.plan = { slowDown: 0.15, reset: 0.03, lostAnswer: 0.07 };
    const job = await h.ok('jobs:access', {
      selection: { kind: 'query', query: { bucketId: sourceId, recursive: true } },
      access: 'private',
    });
    const faulty = await ended(job.id);
    proxy.plan = NO_FAULTS;
    expect(proxy.stats.lostAnswer - before.lostAnswer).toBeGreaterThan(0);
    expect(['done', 'failed']).toContain(faulty.state);
    expect(faulty.done + faulty.failed).toBe(MOVED);

    // Whatever the faults did, each file is still in the source as it was, or its copy is in the vault.
    const inSource = await listObjects(admin, source);
    const inVault = await listObjects(admin, vault);
    const lost = keys.filter((k) => {
      const was = original.get(k)!;
      const same = (o: { size: number; etag: string } | undefined) =>
        o?.etag === was.etag && o.size === was.size;
      return !same(inSource.get(k)) && !same(inVault.get(k));
    });
    expect(lost).toEqual([]);

    // A resume (the storage calm again) retries what failed; then every file is in the vault, private, whole.
    const resumed = await h.ok('jobs:resume', { id: job.id });
    const v = await ended(resumed.id);
    expect(v).toMatchObject({ state: 'done', total: MOVED, done: MOVED, failed: 0 });
    expect([...(await listObjects(admin, source)).keys()]).toEqual([]);
    expect([...(await listObjects(admin, vault)).keys()].sort()).toEqual(keys);
    const differing: string[] = [];
    for (const Key of keys) {
      const got = await admin.send(new GetObjectCommand({ Bucket: vault, Key }));
      if ((await got.Body!.transformToString()) !== bodyOf(Key)) differing.push(Key);
    }
    expect(differing).toEqual([]);
    expect(await anonymousStatus(env, vault, keys[0]!)).toBe(403);
  });
});
