/**
 * Durable jobs on real parts: the Ceph S3 gateway, the test keyring and a SQLite file, driven through the IPC
 * router as the window drives it. Uploads are private by default (an anonymous GET gets 403); a bulk
 * make-private of public-read objects ends with every one refused to strangers; a bucket treated as having no
 * per-object ACLs moves files into the account's private bucket with a checked copy.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { JobRepository } from '../../src/main/repositories/job-repository';
import { CONCURRENCY } from '../../src/main/services/jobs/job-runner';
import { StorageGateway } from '../../src/main/services/storage/storage-gateway';
import type { JobView } from '../../src/shared/jobs/schemas';
import {
  createTestBucket,
  emptyAndDeleteBucket,
  ensureCeph,
  anonymousStatus,
  s3ClientFor,
  type CephEnv,
} from '../support/ceph';
import { cephAccount, startHarness, type Harness } from '../support/main-harness';

let env: CephEnv;
let admin: S3Client;
let h: Harness;
let files: string;
const buckets: string[] = [];

beforeAll(async () => {
  env = await ensureCeph();
  admin = s3ClientFor(env);
  h = startHarness({ prefix: 'jobs' });
  files = mkdtempSync(join(tmpdir(), 'signet-jobs-files-'));
});

afterAll(async () => {
  await h?.close();
  for (const b of buckets) await emptyAndDeleteBucket(admin, b);
  admin?.destroy();
  rmSync(files, { recursive: true, force: true });
});

async function bucket(prefix: string): Promise<string> {
  const name = await createTestBucket(admin, prefix);
  buckets.push(name);
  return name;
}

/** Waits for a job started through the contract to end, by its progress events and the jobs:get answer. */
async function ended(id: number, timeoutMs = 120_000): Promise<JobView> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await h.ok('jobs:get', { id, limit: 1 });
    if (['done', 'failed', 'cancelled', 'paused'].includes(v.state)) return v;
    if (Date.now() > until) throw new Error(`job ${id} still ${v.state} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function bucketId(name: string): Promise<number> {
  const all = await h.ok('library:buckets', undefined);
  const b = all.find((x) => x.name === name);
  if (!b) throw new Error(`no bucket ${name}`);
  return b.id;
}

describe('uploads on Ceph', () => {
  let name: string;
  let id: number;

  beforeAll(async () => {
    name = await bucket('jobs-up');
    await h.ok('accounts:add', cephAccount(env, 'Upload shop', { buckets: [name] }));
    id = await bucketId(name);
  });

  it('uploads a small and a multipart file private by default: strangers get 403', async () => {
    const small = join(files, 'guide.pdf');
    const large = join(files, 'course.zip');
    writeFileSync(small, 'a small product file');
    writeFileSync(large, Buffer.alloc(20 * 1024 * 1024, 7)); // above the 8 MB part size: multipart
    await h.choose([small, large]);
    const plan = await h.ok('jobs:upload-plan', { bucketId: id, folder: 'products/', paths: [small, large] });
    expect(plan).toMatchObject({ collisions: [], problems: [] });
    expect(plan.destination).toMatch(/private by its own access setting/);

    const job = await h.ok('jobs:upload', { bucketId: id, folder: 'products/', paths: [small, large] });
    const v = await ended(job.id);
    expect(v).toMatchObject({ kind: 'upload', state: 'done', total: 2, done: 2, failed: 0 });
    expect(v.bytesDone).toBe(20 * 1024 * 1024 + 20);
    expect(await anonymousStatus(env, name, 'products/guide.pdf')).toBe(403);
    expect(await anonymousStatus(env, name, 'products/course.zip')).toBe(403);
    const head = await admin.send(new HeadObjectCommand({ Bucket: name, Key: 'products/course.zip' }));
    expect(head.ContentLength).toBe(20 * 1024 * 1024);

    const page = await h.ok('library:page', { bucketId: id, recursive: true });
    expect(page.rows.map((r) => [r.key, r.access])).toEqual([
      ['products/course.zip', 'private'],
      ['products/guide.pdf', 'private'],
    ]);
    const progress = h.events.filter((e) => e.event === 'job:progress');
    expect(progress.length).toBeGreaterThan(1);
    const items = (await h.ok('jobs:get', { id: job.id })).items;
    expect(items.map((i) => [i.key, i.state, i.access])).toEqual([
      ['products/guide.pdf', 'done', 'private'],
      ['products/course.zip', 'done', 'private'],
    ]);
  });

  it('goes on uploading while the files already up are proved, and proves every one', async () => {
    const n = CONCURRENCY.upload * 2 + 3;
    const paths = Array.from({ length: n }, (_, i) => {
      const p = join(files, `batch-${String(i).padStart(2, '0')}.zip`);
      writeFileSync(p, `file ${i}`);
      return p;
    });
    await h.choose(paths);
    // Every ACL read (the proofs) waits until all files are up: with proofs holding upload slots, the uploads
    // would stop after the first CONCURRENCY.upload files and the job would never end.
    let uploaded = 0;
    const upload = StorageGateway.prototype.upload;
    const getAcl = StorageGateway.prototype.getAcl;
    let allUp!: () => void;
    const everyFileUp = new Promise<void>((resolve) => (allUp = resolve));
    const uploads = vi.spyOn(StorageGateway.prototype, 'upload').mockImplementation(async function (
      this: StorageGateway,
      ...args: Parameters<StorageGateway['upload']>
    ) {
      const out = await upload.apply(this, args);
      if (++uploaded === n) allUp();
      return out;
    });
    const reads = vi.spyOn(StorageGateway.prototype, 'getAcl').mockImplementation(async function (
      this: StorageGateway,
      ...args: Parameters<StorageGateway['getAcl']>
    ) {
      await everyFileUp;
      return getAcl.apply(this, args);
    });
    try {
      const job = await h.ok('jobs:upload', { bucketId: id, folder: 'batch/', paths });
      const v = await ended(job.id, 60_000);
      expect(uploaded).toBe(n);
      expect(v).toMatchObject({ state: 'done', total: n, done: n, failed: 0 });
      const items = (await h.ok('jobs:get', { id: job.id, limit: n })).items;
      expect(items.filter((i) => i.access === 'private')).toHaveLength(n);
    } finally {
      uploads.mockRestore();
      reads.mockRestore();
    }
  });

  it('does not overwrite an existing key unless agreed, and uploads public only when asked', async () => {
    const file = join(files, 'guide.pdf');
    writeFileSync(file, 'a second version');
    await h.choose([file]);
    const plan = await h.ok('jobs:upload-plan', { bucketId: id, folder: 'products/', paths: [file] });
    expect(plan.collisions).toEqual(['products/guide.pdf']);

    const refused = await ended(
      (await h.ok('jobs:upload', { bucketId: id, folder: 'products/', paths: [file] })).id,
    );
    expect(refused).toMatchObject({ state: 'failed', done: 0, failed: 1 });
    const [item] = (await h.ok('jobs:get', { id: refused.id })).items;
    expect(item!.error).toMatch(/already exists/);
    const kept = await admin.send(new HeadObjectCommand({ Bucket: name, Key: 'products/guide.pdf' }));
    expect(kept.ContentLength).toBe('a small product file'.length);

    const agreed = await ended(
      (
        await h.ok('jobs:upload', {
          bucketId: id,
          folder: 'products/',
          paths: [file],
          overwrite: ['products/guide.pdf'],
        })
      ).id,
    );
    expect(agreed).toMatchObject({ state: 'done', done: 1 });
    const replaced = await admin.send(new HeadObjectCommand({ Bucket: name, Key: 'products/guide.pdf' }));
    expect(replaced.ContentLength).toBe('a second version'.length);

    const cover = join(files, 'cover.png');
    writeFileSync(cover, 'png');
    await h.choose([cover]);
    const pub = await ended(
      (await h.ok('jobs:upload', { bucketId: id, folder: 'images/', paths: [cover], public: true })).id,
    );
    expect(pub).toMatchObject({ state: 'done', done: 1 });
    expect(await anonymousStatus(env, name, 'images/cover.png')).toBe(200);
  });

  it('cancels a running job through tasks:cancel with its task id, as its Cancel button does', async () => {
    const n = CONCURRENCY.upload + 3;
    const paths = Array.from({ length: n }, (_, i) => {
      const p = join(files, `held-${String(i).padStart(2, '0')}.zip`);
      writeFileSync(p, `held file ${i}`);
      return p;
    });
    await h.choose(paths);
    // Every upload waits at the gate, so the job is surely running (with files in flight) when it is cancelled.
    const upload = StorageGateway.prototype.upload;
    let reached!: () => void;
    const inFlight = new Promise<void>((resolve) => (reached = resolve));
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const uploads = vi.spyOn(StorageGateway.prototype, 'upload').mockImplementation(async function (
      this: StorageGateway,
      ...args: Parameters<StorageGateway['upload']>
    ) {
      reached();
      await gate;
      return upload.apply(this, args);
    });
    try {
      const job = await h.ok('jobs:upload', { bucketId: id, folder: 'held/', paths });
      await inFlight;
      expect((await h.ok('jobs:get', { id: job.id, limit: 1 })).state).toBe('running');
      expect(await h.ok('tasks:cancel', { taskId: `job:${job.id}` })).toEqual({ cancelled: true });
      open();
      const v = await ended(job.id);
      expect(v.state).toBe('cancelled');
      expect(v.cancelled).toBeGreaterThan(0);
      expect(v.done + v.cancelled + v.failed).toBe(n);
      // The job's task ended cancelled too, and a second cancel finds nothing running.
      const last = h.events
        .filter(
          (e) => e.event === 'task:progress' && (e.payload as { taskId: string }).taskId === `job:${job.id}`,
        )
        .at(-1)?.payload;
      expect(last).toMatchObject({ state: 'cancelled', total: n });
      expect(await h.ok('tasks:cancel', { taskId: `job:${job.id}` })).toEqual({ cancelled: false });
    } finally {
      open();
      uploads.mockRestore();
    }
  });
});

describe('make private / public on Ceph', () => {
  const N = 2000;
  let name: string;
  let id: number;
  let accountId: string;

  beforeAll(async () => {
    name = await bucket('jobs-acl');
    const keys = Array.from({ length: N }, (_, i) => `products/${String(i).padStart(4, '0')}.zip`);
    for (let i = 0; i < keys.length; i += 64) {
      await Promise.all(
        keys
          .slice(i, i + 64)
          .map((Key) =>
            admin.send(new PutObjectCommand({ Bucket: name, Key, Body: 'x', ACL: 'public-read' })),
          ),
      );
    }
    const account = await h.ok('accounts:add', cephAccount(env, 'ACL shop', { buckets: [name] }));
    accountId = account.id;
    await h.ok('library:sync', { accountId, bucket: name });
    id = await bucketId(name);
  }, 120_000);

  it(`makes ${N} public-read files private; each one proved by its ACL and refused to a stranger`, async () => {
    const selection = {
      kind: 'query' as const,
      query: { bucketId: id, folder: 'products/', recursive: true },
    };
    const preview = await h.ok('jobs:access-preview', { selection, access: 'private' });
    expect(preview).toMatchObject({ total: N, acl: N, move: 0, refusedTotal: 0 });

    const job = await h.ok('jobs:access', { selection, access: 'private', verify: true });
    const v = await ended(job.id);
    expect(v).toMatchObject({ kind: 'private', state: 'done', total: N, done: N, failed: 0, stillPublic: 0 });
    const counts = (await h.ok('library:buckets', undefined)).find((b) => b.id === id)!;
    expect(counts.access).toMatchObject({ private: N, public: 0 });
    // verify: true fetched every file anonymously; the catalog holds each answer.
    const page = await h.ok('library:page', { bucketId: id, recursive: true, limit: 500 });
    expect(new Set(page.rows.map((r) => r.verified?.status))).toEqual(new Set([403]));
    for (const key of ['products/0000.zip', 'products/1000.zip', 'products/1999.zip']) {
      expect(await anonymousStatus(env, name, key)).toBe(403);
    }
  }, 180_000);

  it('writes a big job in chunks, shown once whole; a job a stopped process left half-written is removed', async () => {
    // The 2,000-file job above was written in chunks (more items than one transaction takes): listed once, whole.
    const listed = (await h.ok('jobs:list', { limit: 100 })).filter((j) => j.total === N);
    expect(listed).toHaveLength(1);
    // A process that died while writing a job's items: the job was never planned whole and changed nothing.
    const jobs = new JobRepository(h.services.db);
    const left = jobs.createUnplanned({
      kind: 'private',
      accountId,
      bucketId: id,
      title: 'Make 2 files private',
      options: {},
      at: new Date().toISOString(),
      owner: `${hostname()}:999999999`,
      lease: Date.now() + 60_000,
    });
    jobs.addItems(left, [
      {
        source: 'products/0000.zip',
        key: 'products/0000.zip',
        size: 1,
        method: 'acl',
        targetBucketId: id,
        acl: 'private',
      },
    ]);
    expect((await h.ok('jobs:list', { limit: 100 })).map((j) => j.id)).not.toContain(left);
    await h.services.jobs.resumeInterrupted();
    expect(jobs.get(left)).toBeNull();
  });

  it('makes one file public again, and the proof reads it back', async () => {
    const row = (await h.ok('library:page', { bucketId: id, recursive: true, limit: 1 })).rows[0]!;
    const v = await ended(
      (
        await h.ok('jobs:access', {
          selection: { kind: 'ids', bucketId: id, ids: [row.id] },
          access: 'public',
        })
      ).id,
    );
    expect(v).toMatchObject({ state: 'done', done: 1 });
    expect(await anonymousStatus(env, name, row.key)).toBe(200);
    expect((await h.ok('library:object', { id: row.id })).access).toBe('public');
    // Changed in place: the file is where it was, the same catalog row.
    expect(await h.ok('jobs:file-now', { id: row.id, bucketId: id, key: row.key })).toMatchObject({
      id: row.id,
      bucketId: id,
      key: row.key,
      access: 'public',
    });
  });
});

describe('the move path: a bucket without per-object ACLs', () => {
  let files_: string;
  let vault: string;
  let accountId: string;
  let filesId: number;

  beforeAll(async () => {
    files_ = await bucket('jobs-mv');
    vault = await bucket('jobs-vault');
    for (const Key of ['a/one.zip', 'a/two.zip', 'a/three.zip']) {
      await admin.send(
        new PutObjectCommand({ Bucket: files_, Key, Body: `body of ${Key}`, ACL: 'public-read' }),
      );
    }
    const account = await h.ok(
      'accounts:add',
      cephAccount(env, 'Move shop', { buckets: [files_], privateBucket: vault }),
    );
    accountId = account.id;
    await h.ok('library:sync', { accountId, bucket: files_ });
    filesId = await bucketId(files_);
    // Ceph has per-object ACLs; treat this bucket as a provider without them (R2, B2), whose files are only
    // private in a private bucket.
    h.services.db
      .prepare(`UPDATE buckets SET model = 'no-object-acl', exposure = 'unknown' WHERE id = ?`)
      .run(filesId);
  });

  it('copies each file to the private bucket, checks the copy, then deletes the source; the catalog follows', async () => {
    const selection = { kind: 'query' as const, query: { bucketId: filesId, recursive: true } };
    const before = (await h.ok('library:page', { bucketId: filesId, recursive: true })).rows;
    const preview = await h.ok('jobs:access-preview', { selection, access: 'private' });
    expect(preview).toMatchObject({ total: 3, move: 3, acl: 0 });
    expect(preview.plan).toMatch(/moved from .* to .*jobs-vault/);

    const v = await ended((await h.ok('jobs:access', { selection, access: 'private' })).id);
    expect(v).toMatchObject({ state: 'done', done: 3, failed: 0, stillPublic: 0 });
    for (const key of ['a/one.zip', 'a/two.zip', 'a/three.zip']) {
      await expect(admin.send(new HeadObjectCommand({ Bucket: files_, Key: key }))).rejects.toMatchObject({
        $metadata: { httpStatusCode: 404 },
      });
      const copy = await admin.send(new HeadObjectCommand({ Bucket: vault, Key: key }));
      expect(copy.ContentLength).toBe(`body of ${key}`.length);
    }
    const vaultId = await bucketId(vault);
    const moved = await h.ok('library:page', { bucketId: vaultId, recursive: true });
    expect(moved.rows.map((r) => [r.key, r.access])).toEqual([
      ['a/one.zip', 'private'],
      ['a/three.zip', 'private'],
      ['a/two.zip', 'private'],
    ]);
    expect((await h.ok('library:page', { bucketId: filesId, recursive: true })).rows).toEqual([]);

    // Main answers where each file went, in one call: its new row in the private bucket.
    for (const file of before) {
      const now = await h.ok('jobs:file-now', { id: file.id, bucketId: filesId, key: file.key });
      const row = moved.rows.find((r) => r.key === file.key)!;
      expect(now).toMatchObject({
        id: row.id,
        bucketId: vaultId,
        bucket: vault,
        key: file.key,
        access: 'private',
      });
    }
    // A file no job moved and the catalog no longer holds is nowhere.
    expect(await h.ok('jobs:file-now', { id: 999_999, bucketId: filesId, key: 'a/gone.zip' })).toBeNull();
  });

  it('refuses to move onto a different file of the same name, and deletes nothing', async () => {
    await admin.send(
      new PutObjectCommand({ Bucket: files_, Key: 'b/clash.zip', Body: 'new', ACL: 'public-read' }),
    );
    await admin.send(new PutObjectCommand({ Bucket: vault, Key: 'b/clash.zip', Body: 'older, different' }));
    await h.ok('library:sync', { accountId, bucket: files_ });
    // The sync checked the bucket again (Ceph: per-object ACLs); keep treating it as a provider without them.
    h.services.db
      .prepare(`UPDATE buckets SET model = 'no-object-acl', exposure = 'unknown' WHERE id = ?`)
      .run(filesId);
    const row = (await h.ok('library:page', { bucketId: filesId, recursive: true })).rows[0]!;
    const v = await ended(
      (
        await h.ok('jobs:access', {
          selection: { kind: 'ids', bucketId: filesId, ids: [row.id] },
          access: 'private',
        })
      ).id,
    );
    expect(v).toMatchObject({ state: 'failed', done: 0, failed: 1 });
    const [item] = (await h.ok('jobs:get', { id: v.id })).items;
    expect(item!.error).toMatch(/different file named/);
    expect(await anonymousStatus(env, files_, 'b/clash.zip')).toBe(200); // the source is still there
    // Not moved: still the same row, where it was (not the different file of that name in the vault).
    expect(await h.ok('jobs:file-now', { id: row.id, bucketId: filesId, key: row.key })).toMatchObject({
      id: row.id,
      bucketId: filesId,
    });
  });
});
