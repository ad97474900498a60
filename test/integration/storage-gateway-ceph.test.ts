/**
 * The storage gateway's write operations on the real Ceph gateway: what uploads, access changes and moves
 * (the next features) will stand on. Each is checked by what the storage then answers, not by the call alone.
 */
import { randomBytes } from 'node:crypto';
import {
  GetObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SdkS3ClientFactory } from '../../src/main/services/storage/s3-client-factory';
import { systemClock } from '../../src/main/services/clock';
import { StorageGateway } from '../../src/main/services/storage/storage-gateway';
import {
  createTestBucket,
  emptyAndDeleteBucket,
  ensureCeph,
  objectUrl,
  s3ClientFor,
  type CephEnv,
} from '../support/ceph';

let env: CephEnv;
let admin: S3Client;
let gateway: StorageGateway;
const buckets: string[] = [];

beforeAll(async () => {
  env = await ensureCeph();
  admin = s3ClientFor(env);
  const settings = {
    provider: 'custom' as const,
    endpoint: env.endpoint,
    region: env.region,
    forcePathStyle: true,
  };
  const credentials = { accessKeyId: env.accessKeyId, secretAccessKey: env.secretAccessKey };
  gateway = new StorageGateway(
    new SdkS3ClientFactory().create(settings, credentials, { purpose: 'transfer' }),
    { id: 'gw-test', settings, credentials, clockOffsetMs: 0 },
    systemClock,
  );
  for (const prefix of ['gw-files', 'gw-vault']) buckets.push(await createTestBucket(admin, prefix));
});

afterAll(async () => {
  gateway?.destroy();
  for (const b of buckets) await emptyAndDeleteBucket(admin, b);
  admin?.destroy();
});

describe('storage gateway on Ceph', () => {
  it('lists pages exactly as the SDK reads them: awkward keys, sizes, dates, ETags, and the next page', async () => {
    const [, vault] = buckets;
    const awkward = [
      'list/a & b <c> "d" \'e\'.zip',
      'list/café 😀/naïve+plus %25 percent.pdf',
      'list/tab\tand\rreturn.bin',
      ...Array.from({ length: 1203 }, (_, i) => `list/many/${String(i).padStart(4, '0')}.zip`),
    ];
    for (let i = 0; i < awkward.length; i += 32) {
      await Promise.all(
        awkward
          .slice(i, i + 32)
          .map((Key, j) => admin.send(new PutObjectCommand({ Bucket: vault, Key, Body: `x${i + j}` }))),
      );
    }
    const ours: unknown[] = [];
    const sdk: unknown[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await gateway.list(vault!, 'list/', cursor);
      ours.push(...page.objects);
      cursor = page.next;
      pages++;
    } while (cursor !== null);
    let token: string | undefined;
    do {
      const out = await admin.send(
        new ListObjectsV2Command({ Bucket: vault, Prefix: 'list/', ContinuationToken: token }),
      );
      for (const o of out.Contents ?? []) {
        sdk.push({
          key: o.Key,
          size: o.Size,
          lastModified: o.LastModified?.toISOString(),
          etag: o.ETag?.replaceAll('"', ''),
          storageClass: o.StorageClass ?? null,
        });
      }
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
    expect(pages).toBe(2);
    expect(ours).toHaveLength(awkward.length);
    expect(ours).toEqual(sdk);
    expect(new Set(ours.map((o) => (o as { key: string }).key))).toEqual(new Set(awkward));
  });

  it('uploads multipart with progress, private by default, and head tells its size and ETag', async () => {
    const [files] = buckets;
    const body = randomBytes(20 * 1024 * 1024); // above the 8 MB part size: three parts
    const seen: number[] = [];
    const { etag } = await gateway.upload(files!, 'products/big bundle+v2.zip', body, {
      contentType: 'application/zip',
      acl: 'private',
      onProgress: (loaded) => seen.push(loaded),
    });
    expect(etag).toMatch(/-3$/); // a multipart ETag names its part count
    expect(seen.at(-1)).toBe(body.length);
    expect(await gateway.head(files!, 'products/big bundle+v2.zip')).toMatchObject({
      size: body.length,
      etag,
    });
    expect(await gateway.head(files!, 'products/missing.zip')).toBeNull();
    expect((await fetch(objectUrl(env, files!, 'products/big bundle+v2.zip'))).status).toBe(403);
    const signed = await fetch(gateway.presign(files!, 'products/big bundle+v2.zip', { expiresIn: 60 }));
    expect(signed.status).toBe(200);
    expect(Buffer.from(await signed.arrayBuffer()).equals(body)).toBe(true);
  });

  it('makes a file public and private again, as a stranger and the ACL both see', async () => {
    const [files] = buckets;
    await gateway.upload(files!, 'covers/ünï cover.png', Buffer.from('png'), { acl: 'private' });
    await gateway.setAccess(files!, 'covers/ünï cover.png', 'public-read');
    expect((await gateway.getAcl(files!, 'covers/ünï cover.png')).access).toBe('public');
    expect((await gateway.anonymousGet(files!, 'covers/ünï cover.png')).status).toBe(200);
    await gateway.setAccess(files!, 'covers/ünï cover.png', 'private');
    expect((await gateway.getAcl(files!, 'covers/ünï cover.png')).access).toBe('private');
    expect((await gateway.anonymousGet(files!, 'covers/ünï cover.png')).status).toBe(403);
  });

  it('copies to another bucket with an awkward key, keeping the bytes, and deletes the source', async () => {
    const [files, vault] = buckets;
    const key = 'move me/100% done + ü.pdf';
    const body = Buffer.from('the exact bytes of a product');
    const { etag } = await gateway.upload(files!, key, body);
    const copied = await gateway.copy({ bucket: files!, key }, { bucket: vault!, key, acl: 'private' });
    expect(copied.etag).toBe(etag);
    expect(await gateway.head(vault!, key)).toMatchObject({ size: body.length, etag });
    await gateway.delete(files!, key);
    expect(await gateway.head(files!, key)).toBeNull();
    const got = await fetch(gateway.presign(vault!, key, { expiresIn: 60 }));
    expect(Buffer.from(await got.arrayBuffer()).equals(body)).toBe(true);
  });

  // Production copies in parts only above 5 GB, with parts of 512 MB: the same path is run here on 12 MB with
  // the threshold and the part size lowered to S3's minimum part size (5 MiB), so three parts.
  it('copies in parts above the threshold: the same bytes, headers and ACL, and a multipart ETag', async () => {
    const [files, vault] = buckets;
    const key = 'large/course video ü.mp4';
    const body = randomBytes(12 * 1024 * 1024);
    await admin.send(
      new PutObjectCommand({
        Bucket: files!,
        Key: key,
        Body: body,
        ContentType: 'video/mp4',
        ContentDisposition: 'attachment; filename="course.mp4"',
        Metadata: { edition: '2' },
        ACL: 'public-read',
      }),
    );
    const partSize = 5 * 1024 * 1024;
    const copied = await gateway.copy(
      { bucket: files!, key, size: body.length },
      { bucket: vault!, key, acl: 'private' },
      undefined,
      partSize,
      partSize,
    );
    expect(copied).toMatchObject({ multipart: true, attempts: 1 });
    expect(copied.etag).toMatch(/-3$/);
    expect(await gateway.head(vault!, key)).toMatchObject({ size: body.length, etag: copied.etag });
    const got = await admin.send(new GetObjectCommand({ Bucket: vault!, Key: key }));
    // UploadPartCopy copies bytes only: the headers a download depends on must be carried over by the gateway.
    expect(got).toMatchObject({
      ContentType: 'video/mp4',
      ContentDisposition: 'attachment; filename="course.mp4"',
      Metadata: { edition: '2' },
    });
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(body)).toBe(true);
    // The copy gets the ACL asked for, not the source's: the public source stays public, the copy is private.
    expect((await gateway.getAcl(vault!, key)).access).toBe('private');
    expect((await gateway.anonymousGet(vault!, key)).status).toBe(403);
    expect((await gateway.anonymousGet(files!, key)).status).toBe(200);
    // No multipart upload is left open behind a finished copy.
    const open = await admin.send(new ListMultipartUploadsCommand({ Bucket: vault! }));
    expect(open.Uploads ?? []).toEqual([]);
  });

  it('stops an upload when its signal aborts and leaves no object behind', async () => {
    const [files] = buckets;
    const controller = new AbortController();
    const upload = gateway.upload(files!, 'aborted.zip', randomBytes(24 * 1024 * 1024), {
      signal: controller.signal,
      onProgress: (loaded) => {
        if (loaded > 0) controller.abort();
      },
    });
    await expect(upload).rejects.toThrow();
    expect(await gateway.head(files!, 'aborted.zip')).toBeNull();
  });

  it('answers a stranger’s HEAD with the status a GET gets, and a cancel at once even while a HEAD hangs', async () => {
    const [files] = buckets;
    await admin.send(
      new PutObjectCommand({ Bucket: files!, Key: 'open.txt', Body: 'x', ACL: 'public-read' }),
    );
    await admin.send(new PutObjectCommand({ Bucket: files!, Key: 'closed.txt', Body: 'x', ACL: 'private' }));
    expect((await gateway.anonymousHead(files!, 'open.txt')).status).toBe(200);
    expect((await gateway.anonymousHead(files!, 'closed.txt')).status).toBe(403);

    // A storage that never answers: the HEAD does not take the signal (see `anonymous`), yet a cancel ends it.
    const settings = {
      provider: 'custom' as const,
      endpoint: env.endpoint,
      region: env.region,
      forcePathStyle: true,
    };
    const credentials = { accessKeyId: env.accessKeyId, secretAccessKey: env.secretAccessKey };
    const hanging = new StorageGateway(
      new SdkS3ClientFactory().create(settings, credentials, { purpose: 'transfer' }),
      { id: 'gw-hang', settings, credentials, clockOffsetMs: 0 },
      systemClock,
      () => new Promise<Response>(() => undefined),
    );
    const controller = new AbortController();
    const head = hanging.anonymousHead(files!, 'open.txt', controller.signal);
    setTimeout(() => controller.abort(new Error('cancelled by the test')), 50);
    await expect(head).rejects.toThrow('cancelled by the test');
    hanging.destroy();
  });
});
