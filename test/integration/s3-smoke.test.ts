/**
 * Proves the S3 rig is a real gateway that enforces access, not a permissive stand-in: every other
 * integration test relies on these behaviours.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadBucketCommand,
  PutObjectAclCommand,
  PutObjectCommand,
  S3Client,
  type ObjectCannedACL,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createTestBucket,
  emptyAndDeleteBucket,
  ensureCeph,
  objectUrl,
  s3ClientFor,
  type CephEnv,
} from '../support/ceph';

vi.setConfig({ testTimeout: 30_000, hookTimeout: 240_000 });

describe('Ceph RADOS Gateway rig', () => {
  let env: CephEnv;
  let client: S3Client;
  const buckets: string[] = [];

  beforeAll(async () => {
    env = await ensureCeph();
    client = s3ClientFor(env);
  });

  afterEach(async () => {
    for (const bucket of buckets.splice(0)) await emptyAndDeleteBucket(client, bucket);
  });

  afterAll(() => client?.destroy());

  async function bucketFor(prefix: string): Promise<string> {
    const bucket = await createTestBucket(client, prefix);
    buckets.push(bucket);
    return bucket;
  }

  async function putObject(bucket: string, key: string, acl: ObjectCannedACL): Promise<Buffer> {
    const body = randomBytes(4096);
    await client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: body,
        ACL: acl,
        ContentType: 'application/zip',
      }),
    );
    return body;
  }

  /** GET with no credentials at all, as a customer's browser would. */
  async function anonymousGet(url: string): Promise<{ status: number; body: Buffer }> {
    const response = await fetch(url);
    return { status: response.status, body: Buffer.from(await response.arrayBuffer()) };
  }

  it('refuses an anonymous GET of a private object with 403', async () => {
    const bucket = await bucketFor('smoke-private');
    await putObject(bucket, 'products/ebook.zip', 'private');

    const response = await anonymousGet(objectUrl(env, bucket, 'products/ebook.zip'));

    expect(response.status).toBe(403);
    expect(response.body.toString('utf8')).toContain('AccessDenied');
  });

  it('serves a public-read object anonymously with the same bytes', async () => {
    const bucket = await bucketFor('smoke-public');
    const body = await putObject(bucket, 'products/sample pack.zip', 'public-read');

    const response = await anonymousGet(objectUrl(env, bucket, 'products/sample pack.zip'));

    expect(response.status).toBe(200);
    expect(response.body.equals(body)).toBe(true);
  });

  it('applies PutObjectAcl: public-read then private turns 200 into 403', async () => {
    const bucket = await bucketFor('smoke-acl');
    const body = await putObject(bucket, 'track.flac', 'public-read');
    const url = objectUrl(env, bucket, 'track.flac');

    const before = await anonymousGet(url);
    expect(before.status).toBe(200);
    expect(before.body.equals(body)).toBe(true);

    await client.send(new PutObjectAclCommand({ Bucket: bucket, Key: 'track.flac', ACL: 'private' }));

    expect((await anonymousGet(url)).status).toBe(403);
  });

  it('honours a pre-signed GET until it expires, then answers 403', async () => {
    const bucket = await bucketFor('smoke-presign');
    const body = await putObject(bucket, 'course/video.mp4', 'private');
    const url = await getSignedUrl(
      client,
      new GetObjectCommand({ Bucket: bucket, Key: 'course/video.mp4' }),
      {
        expiresIn: 2,
      },
    );
    expect(url).toContain('X-Amz-Expires=2');

    const fresh = await anonymousGet(url);
    expect(fresh.status).toBe(200);
    expect(fresh.body.equals(body)).toBe(true);

    await sleep(3_000);

    const expired = await anonymousGet(url);
    expect(expired.status).toBe(403);
    expect(expired.body.toString('utf8')).toContain('AccessDenied');
  });

  it('emptyAndDeleteBucket removes objects, pending multipart uploads and the bucket', async () => {
    const bucket = await createTestBucket(client, 'smoke-cleanup');
    await putObject(bucket, 'a.bin', 'private');
    await putObject(bucket, 'nested/b.bin', 'public-read');
    await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'big.bin' }));

    await emptyAndDeleteBucket(client, bucket);

    await expect(client.send(new HeadBucketCommand({ Bucket: bucket }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 404 },
    });
    // Deleting a bucket that is already gone is not an error, so afterEach cleanup is always safe.
    await expect(emptyAndDeleteBucket(client, bucket)).resolves.toBeUndefined();
  });
});
