/**
 * Overwrites, on the Ceph rig through the IPC router: uploads are create-only unless the owner agreed to replace
 * the key. Ceph answers a conditional PutObject (`If-None-Match: *`) of a taken key 412 and ignores the header on
 * CompleteMultipartUpload, so a multipart upload is checked with a HEAD right before its completion. The job keeps
 * what the owner agreed to per item, and a resume honours it; an earlier upload of the very same file (a run
 * stopped before recording it) is recognised by size and ETag. A checked move never takes a target of the same
 * size and another ETag for its own copy, and an original the storage refuses to delete after a good copy leaves
 * the item still public, with the reason.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  DeleteBucketPolicyCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobRepository } from '../../src/main/repositories/job-repository';
import { KeyExistsError, UPLOAD_PART_SIZE } from '../../src/main/services/storage/storage-gateway';
import type { JobDetails } from '../../src/shared/jobs/schemas';
import {
  anonymousStatus,
  createTestBucket,
  emptyAndDeleteBucket,
  ensureCeph,
  s3ClientFor,
  type CephEnv,
} from '../support/ceph';
import { startFaultyProxy, type FaultyProxy } from '../support/faulty-proxy';
import { cephAccount, startHarness, type Harness } from '../support/main-harness';

let env: CephEnv;
let admin: S3Client;
let proxy: FaultyProxy;
let h: Harness;
let files: string;
const buckets: string[] = [];
const policies: string[] = [];

beforeAll(async () => {
  env = await ensureCeph();
  admin = s3ClientFor(env);
  proxy = await startFaultyProxy(env.endpoint, 4);
  h = startHarness({ prefix: 'overwrite' });
  files = mkdtempSync(join(tmpdir(), 'signet-overwrite-files-'));
});

afterAll(async () => {
  await h?.close();
  await proxy?.close();
  for (const b of policies) await admin.send(new DeleteBucketPolicyCommand({ Bucket: b }));
  for (const b of buckets) await emptyAndDeleteBucket(admin, b);
  admin?.destroy();
  rmSync(files, { recursive: true, force: true });
});

async function bucket(prefix: string): Promise<string> {
  const name = await createTestBucket(admin, prefix);
  buckets.push(name);
  return name;
}

async function ended(id: number): Promise<JobDetails> {
  const until = Date.now() + 60_000;
  for (;;) {
    const v = await h.ok('jobs:get', { id, limit: 100 });
    if (['done', 'failed', 'cancelled', 'paused'].includes(v.state)) return v;
    if (Date.now() > until) throw new Error(`job ${id} still ${v.state}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function body(name: string, key: string): Promise<Buffer> {
  const got = await admin.send(new GetObjectCommand({ Bucket: name, Key: key }));
  return Buffer.from(await got.Body!.transformToByteArray());
}

function file(name: string, bytes: string | Buffer): string {
  const path = join(files, name);
  writeFileSync(path, bytes);
  return path;
}

describe('create-only uploads', { timeout: 90_000 }, () => {
  let name: string;
  let bucketId: number;
  let accountId: string;

  beforeAll(async () => {
    name = await bucket('overwrite');
    // Through the proxy, so a test can hold the upload's PutObject while someone else writes the key.
    const account = await h.ok(
      'accounts:add',
      cephAccount(env, 'Overwrite shop', { endpoint: proxy.url, buckets: [name] }),
    );
    accountId = account.id;
    bucketId = (await h.ok('library:buckets', undefined)).find((b) => b.name === name)!.id;
  });

  it('Ceph answers a second conditional PutObject of a key 412 PreconditionFailed', async () => {
    const key = 'probe/conditional.txt';
    await admin.send(new PutObjectCommand({ Bucket: name, Key: key, Body: 'first', IfNoneMatch: '*' }));
    const second = admin.send(
      new PutObjectCommand({ Bucket: name, Key: key, Body: 'second', IfNoneMatch: '*' }),
    );
    await expect(second).rejects.toMatchObject({
      name: 'PreconditionFailed',
      $metadata: { httpStatusCode: 412 },
    });
    expect((await body(name, key)).toString()).toBe('first');
  });

  it('refuses a key written by someone else after the plan: Ceph enforces the conditional PutObject', async () => {
    const path = file('late.pdf', 'Signet’s upload');
    await h.choose([path]);
    // The plan and the HEAD before the write find nothing; the write itself waits while another tool takes the key.
    proxy.hold = (req) => req.method === 'PUT' && (req.url ?? '').includes('/late/late.pdf');
    const started = h.call('jobs:upload', { bucketId, folder: 'late/', paths: [path] });
    const until = Date.now() + 10_000;
    while (proxy.held.length === 0) {
      if (Date.now() > until) throw new Error('no PutObject was sent');
      await new Promise((r) => setTimeout(r, 10));
    }
    await admin.send(
      new PutObjectCommand({ Bucket: name, Key: 'late/late.pdf', Body: 'someone else’s file' }),
    );
    proxy.release();
    const answer = await started;
    if (!answer.ok) throw new Error(answer.error.message);
    const v = await ended(answer.data.id);
    expect(v).toMatchObject({ state: 'failed', done: 0, failed: 1 });
    expect(v.items[0]!.error).toBe(
      `“late/late.pdf” already exists in “${name}”, so it was not replaced. To replace it, upload the file again and choose to replace it; or rename the file.`,
    );
    expect((await body(name, 'late/late.pdf')).toString()).toBe('someone else’s file');
  });

  it('checks a multipart upload right before its completion, which Ceph does not condition', async () => {
    const gateway = await h.services.gateways.for(accountId);
    const key = 'race/course.zip';
    const part = randomBytes(UPLOAD_PART_SIZE);
    // The second part is read only once the other writer's object is in place, before the parts are completed.
    const stream = Readable.from(
      (async function* () {
        yield part;
        await admin.send(new PutObjectCommand({ Bucket: name, Key: key, Body: 'written meanwhile' }));
        yield part;
      })(),
    );
    await expect(gateway.upload(name, key, stream, { ifAbsent: true })).rejects.toBeInstanceOf(
      KeyExistsError,
    );
    expect((await body(name, key)).toString()).toBe('written meanwhile');
    const open = await admin.send(new ListMultipartUploadsCommand({ Bucket: name }));
    expect(open.Uploads ?? []).toEqual([]);
  });

  it('keeps the owner’s choice per item: a resume retries a refused key and refuses it again', async () => {
    await admin.send(new PutObjectCommand({ Bucket: name, Key: 'keep/guide.pdf', Body: 'the original' }));
    const path = file('guide.pdf', 'a new version');
    await h.choose([path]);
    const refused = await ended((await h.ok('jobs:upload', { bucketId, folder: 'keep/', paths: [path] })).id);
    expect(refused).toMatchObject({ state: 'failed', failed: 1 });
    expect(refused.items[0]!.error).toMatch(/already exists/);

    // "Retry the failed ones": the item runs again, with what the owner agreed to (nothing), and fails again.
    await h.ok('jobs:resume', { id: refused.id });
    const resumed = await ended(refused.id);
    expect(resumed).toMatchObject({ state: 'failed', done: 0, failed: 1 });
    expect(resumed.items[0]!.error).toMatch(/already exists in .*so it was not replaced/);
    expect((await body(name, 'keep/guide.pdf')).toString()).toBe('the original');

    const agreed = await ended(
      (
        await h.ok('jobs:upload', {
          bucketId,
          folder: 'keep/',
          paths: [path],
          overwrite: ['keep/guide.pdf'],
        })
      ).id,
    );
    expect(agreed).toMatchObject({ state: 'done', done: 1 });
    expect((await body(name, 'keep/guide.pdf')).toString()).toBe('a new version');
  });

  it('takes an earlier upload of the very same file (a run stopped before recording it) as done, nothing else', async () => {
    const gateway = await h.services.gateways.for(accountId);
    const small = file('small.pdf', 'the small file');
    const large = file('large.zip', randomBytes(UPLOAD_PART_SIZE * 2 + 1234));
    const other = file('other.pdf', 'the other file');
    // What a stopped run left: the same bytes, sent the way Signet sends them (one PutObject; parts of 8 MiB).
    await gateway.upload(name, 'again/small.pdf', readFileSync(small));
    await gateway.upload(name, 'again/large.zip', Readable.from([readFileSync(large)]));
    // Same size, other bytes: someone else's.
    await admin.send(new PutObjectCommand({ Bucket: name, Key: 'again/other.pdf', Body: 'THE OTHER FILE' }));

    const jobs = new JobRepository(h.services.db);
    const item = (path: string, key: string) => ({
      source: path,
      key,
      size: statSync(path).size,
      mtimeMs: statSync(path).mtimeMs,
      method: 'upload' as const,
      targetBucketId: bucketId,
      acl: 'private' as const,
    });
    const id = jobs.create(
      {
        kind: 'upload',
        accountId,
        bucketId,
        title: 'Upload 3 files (stopped before recording)',
        options: { public: false },
        at: new Date().toISOString(),
      },
      [item(small, 'again/small.pdf'), item(large, 'again/large.zip'), item(other, 'again/other.pdf')],
    );
    await h.ok('jobs:resume', { id });
    const v = await ended(id);
    expect(Object.fromEntries(v.items.map((i) => [i.key, i.state]))).toEqual({
      'again/small.pdf': 'done',
      'again/large.zip': 'done',
      'again/other.pdf': 'failed',
    });
    expect(v.items.find((i) => i.key === 'again/other.pdf')!.error).toMatch(
      /already exists .*so it was not replaced/,
    );
    expect((await body(name, 'again/other.pdf')).toString()).toBe('THE OTHER FILE');
  });
});

describe('checked moves', { timeout: 90_000 }, () => {
  let source: string;
  let vault: string;
  let sourceId: number;
  let accountId: string;

  beforeAll(async () => {
    source = await bucket('mv-src');
    vault = await bucket('mv-vault');
    const account = await h.ok(
      'accounts:add',
      cephAccount(env, 'Moving shop', { buckets: [source], privateBucket: vault }),
    );
    accountId = account.id;
    await h.ok('accounts:test', { id: account.id });
    sourceId = (await h.ok('library:buckets', undefined)).find((b) => b.name === source)!.id;
  });

  /** Puts public files in the source, syncs, and treats the bucket as one without per-file access (R2, B2). */
  async function publicFiles(files: Record<string, string>): Promise<void> {
    for (const [Key, Body] of Object.entries(files)) {
      await admin.send(new PutObjectCommand({ Bucket: source, Key, Body, ACL: 'public-read' }));
    }
    await h.ok('library:sync', { accountId, bucket: source });
    h.services.db
      .prepare(`UPDATE buckets SET model = 'no-object-acl', exposure = 'unknown' WHERE id = ?`)
      .run(sourceId);
  }

  async function makePrivate(keys: string[]): Promise<JobDetails> {
    const page = await h.ok('library:page', { bucketId: sourceId, recursive: true });
    const ids = page.rows.filter((r) => keys.includes(r.key)).map((r) => r.id);
    expect(ids).toHaveLength(keys.length);
    const job = await h.ok('jobs:access', {
      selection: { kind: 'ids', bucketId: sourceId, ids },
      access: 'private',
    });
    return ended(job.id);
  }

  it('never takes a target of the same size and another ETag for its own copy', async () => {
    await publicFiles({ 'same-size/a.zip': 'AAAA' });
    await admin.send(new PutObjectCommand({ Bucket: vault, Key: 'same-size/a.zip', Body: 'BBBB' }));
    const v = await makePrivate(['same-size/a.zip']);
    expect(v).toMatchObject({ state: 'failed', done: 0, failed: 1 });
    expect(v.items[0]!.error).toBe(
      `A different file named “same-size/a.zip” is already in “${vault}” (the same size, other content). Nothing was moved or deleted; rename or remove one of them, then retry.`,
    );
    expect((await body(source, 'same-size/a.zip')).toString()).toBe('AAAA');
    expect((await body(vault, 'same-size/a.zip')).toString()).toBe('BBBB');
  });

  it('leaves a file whose original the storage refuses to delete still public, with that reason', async () => {
    await publicFiles({ 'locked/b.zip': 'the locked file' });
    // The key may read, copy and write, but not delete in the source bucket.
    await admin.send(
      new PutBucketPolicyCommand({
        Bucket: source,
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Deny',
              Principal: { AWS: [`arn:aws:iam:::user/${env.uid}`] },
              Action: ['s3:DeleteObject'],
              Resource: [`arn:aws:s3:::${source}/*`],
            },
          ],
        }),
      }),
    );
    policies.push(source);
    const v = await makePrivate(['locked/b.zip']);
    expect(v).toMatchObject({ state: 'failed', done: 0, failed: 1, stillPublic: 1 });
    expect(v.items[0]!.error).toBe(
      `Copied to “${vault}” and checked, but the storage refused to delete the original in “${source}” (AccessDenied): the original is still readable there. Give the key permission to delete in “${source}” (or delete the file there yourself), then retry.`,
    );
    expect(v.summary).toMatch(/still public/i);
    expect(await anonymousStatus(env, source, 'locked/b.zip')).toBe(200);
    expect((await body(vault, 'locked/b.zip')).toString()).toBe('the locked file');
    await expect(
      admin.send(new HeadObjectCommand({ Bucket: source, Key: 'locked/b.zip' })),
    ).resolves.toBeTruthy();
  });
});
