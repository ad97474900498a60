/**
 * Helpers for integration tests against the real S3 rig: a one-node Ceph RADOS Gateway run by
 * `scripts/ceph-rig.sh` (loopback only, fixed test user). Tests never mock S3; they call `ensureCeph()`.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  AbortMultipartUploadCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListMultipartUploadsCommand,
  PutBucketPolicyCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  S3Client,
  S3ServiceException,
  type ObjectIdentifier,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { z } from 'zod';

const execFileAsync = promisify(execFile);

/** Absolute path of the rig script, so helpers work whatever the current directory is. */
export const CEPH_RIG_SCRIPT = fileURLToPath(new URL('../../scripts/ceph-rig.sh', import.meta.url));

/** A cold boot takes a few seconds; the script bounds its own waits, this only guards against a hang. */
const START_TIMEOUT_MS = 240_000;
const QUICK_TIMEOUT_MS = 15_000;

const cephEnvSchema = z.object({
  endpoint: z.url(),
  region: z.string().min(1),
  accessKeyId: z.string().min(1),
  secretAccessKey: z.string().min(1),
  forcePathStyle: z.boolean(),
  /** The test user's RGW user id (what a bucket policy names as `arn:aws:iam:::user/<uid>`). */
  uid: z.string().min(1),
  /** A second user who owns buckets the test user reaches only through their policy. */
  owner: z.object({
    uid: z.string().min(1),
    accessKeyId: z.string().min(1),
    secretAccessKey: z.string().min(1),
  }),
});

/** How to reach the rig's gateway as the fixed test user (what `ceph-rig.sh env` prints). */
export type CephEnv = z.infer<typeof cephEnvSchema>;

type RigCommand = 'start' | 'stop' | 'status' | 'env';

/** Runs one rig subcommand and returns its stdout; rejects with the script's stderr on failure. */
export async function runCephRig(command: RigCommand): Promise<string> {
  const timeout = command === 'start' ? START_TIMEOUT_MS : command === 'stop' ? 60_000 : QUICK_TIMEOUT_MS;
  try {
    const { stdout } = await execFileAsync('bash', [CEPH_RIG_SCRIPT, command], {
      timeout,
      maxBuffer: 4 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`ceph-rig.sh ${command} failed: ${String(error)}\n${stderr}`, { cause: error });
  }
}

/** True when the gateway answers HTTP (`ceph-rig.sh status`). */
export async function isCephRunning(): Promise<boolean> {
  try {
    await runCephRig('status');
    return true;
  } catch {
    return false;
  }
}

let cachedEnv: Promise<CephEnv> | undefined;

/**
 * Makes sure the rig runs (starting it if `status` fails) and returns its connection details. Cached per
 * process; the script holds a lock, so workers racing to start it boot one cluster.
 */
export function ensureCeph(): Promise<CephEnv> {
  cachedEnv ??= (async () => {
    if (!(await isCephRunning())) await runCephRig('start');
    return cephEnvSchema.parse(JSON.parse(await runCephRig('env')));
  })().catch((error: unknown) => {
    cachedEnv = undefined; // let a later call retry instead of caching the failure
    throw error;
  });
  return cachedEnv;
}

/**
 * An S3 client for the rig. Checksums only when required: Ceph Pacific does not understand the SDK's
 * default flexible-checksum trailers.
 */
export function s3ClientFor(env: CephEnv, overrides: Partial<S3ClientConfig> = {}): S3Client {
  return new S3Client({
    endpoint: env.endpoint,
    region: env.region,
    forcePathStyle: env.forcePathStyle,
    credentials: { accessKeyId: env.accessKeyId, secretAccessKey: env.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...overrides,
  });
}

/** An S3 client for the rig's second user, the owner of buckets whose rules the test user cannot read. */
export function ownerClientFor(env: CephEnv): S3Client {
  return s3ClientFor(env, {
    credentials: { accessKeyId: env.owner.accessKeyId, secretAccessKey: env.owner.secretAccessKey },
  });
}

/**
 * A bucket owned by the rig's second user whose policy gives the test user object rights only (list, read, write,
 * delete, and read and set object ACLs), the usual least-privilege IAM user: it cannot read the bucket's policy,
 * ACL or policy status. `publicPrefixes` are readable by anyone through a policy statement.
 */
export async function createLeastPrivilegeBucket(
  env: CephEnv,
  owner: S3Client,
  prefix: string,
  publicPrefixes: readonly string[],
): Promise<string> {
  const bucket = await createTestBucket(owner, prefix);
  const statements: unknown[] = [
    {
      Effect: 'Allow',
      Principal: { AWS: [`arn:aws:iam:::user/${env.uid}`] },
      Action: [
        's3:ListBucket',
        's3:GetObject',
        's3:PutObject',
        's3:DeleteObject',
        's3:GetObjectAcl',
        's3:PutObjectAcl',
      ],
      Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
    },
  ];
  if (publicPrefixes.length) {
    statements.push({
      Effect: 'Allow',
      Principal: '*',
      Action: ['s3:GetObject'],
      Resource: publicPrefixes.map((p) => `arn:aws:s3:::${bucket}/${p}*`),
    });
  }
  await owner.send(
    new PutBucketPolicyCommand({
      Bucket: bucket,
      Policy: JSON.stringify({ Version: '2012-10-17', Statement: statements }),
    }),
  );
  return bucket;
}

/** Path-style URL of an object, for anonymous `fetch` checks. */
export function objectUrl(env: CephEnv, bucket: string, key: string): string {
  const encodedKey = key.split('/').map(encodeURIComponent).join('/');
  return `${env.endpoint.replace(/\/+$/, '')}/${bucket}/${encodedKey}`;
}

/** What a stranger gets for an object: the status of an unsigned GET of its plain URL (the body is not read). */
export async function anonymousStatus(env: CephEnv, bucket: string, key: string): Promise<number> {
  const res = await fetch(objectUrl(env, bucket, key));
  await res.body?.cancel();
  return res.status;
}

/** Every object of a bucket with its size and ETag (quotes removed), as the gateway lists them. */
export async function listObjects(
  client: S3Client,
  bucket: string,
): Promise<Map<string, { size: number; etag: string }>> {
  const out = new Map<string, { size: number; etag: string }>();
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    for (const o of page.Contents ?? []) {
      out.set(o.Key!, { size: o.Size ?? -1, etag: (o.ETag ?? '').replaceAll('"', '') });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return out;
}

/**
 * A valid bucket name (3–63 chars of a-z, 0-9, '-'), unique per call, that starts with `prefix` so a
 * leftover bucket says which test made it.
 */
export function uniqueBucketName(prefix: string): string {
  const suffix = `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  const cleaned = prefix
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63 - suffix.length - 1)
    .replace(/-+$/, '');
  return `${cleaned || 'test'}-${suffix}`;
}

/** Creates a fresh bucket for one test and returns its name. */
export async function createTestBucket(client: S3Client, prefix: string): Promise<string> {
  const name = uniqueBucketName(prefix);
  await client.send(new CreateBucketCommand({ Bucket: name }));
  return name;
}

function isNoSuchBucket(error: unknown): boolean {
  return (
    error instanceof S3ServiceException &&
    (error.name === 'NoSuchBucket' || error.$metadata.httpStatusCode === 404)
  );
}

/**
 * Removes every object version, delete marker and pending multipart upload, then the bucket itself.
 * A bucket that is already gone is fine, so this can run in `afterEach` whatever the test did.
 */
export async function emptyAndDeleteBucket(client: S3Client, name: string): Promise<void> {
  try {
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    do {
      const uploads = await client.send(
        new ListMultipartUploadsCommand({
          Bucket: name,
          KeyMarker: keyMarker,
          UploadIdMarker: uploadIdMarker,
        }),
      );
      for (const upload of uploads.Uploads ?? []) {
        await client.send(
          new AbortMultipartUploadCommand({ Bucket: name, Key: upload.Key, UploadId: upload.UploadId }),
        );
      }
      keyMarker = uploads.IsTruncated ? uploads.NextKeyMarker : undefined;
      uploadIdMarker = uploads.IsTruncated ? uploads.NextUploadIdMarker : undefined;
    } while (keyMarker !== undefined);

    let versionKeyMarker: string | undefined;
    let versionIdMarker: string | undefined;
    do {
      const page = await client.send(
        new ListObjectVersionsCommand({
          Bucket: name,
          KeyMarker: versionKeyMarker,
          VersionIdMarker: versionIdMarker,
        }),
      );
      const objects: ObjectIdentifier[] = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])].map(
        (entry) => ({ Key: entry.Key, VersionId: entry.VersionId }),
      );
      if (objects.length > 0) {
        const result = await client.send(
          new DeleteObjectsCommand({ Bucket: name, Delete: { Objects: objects, Quiet: true } }),
        );
        const failed = result.Errors ?? [];
        if (failed.length > 0) {
          throw new Error(
            `could not delete ${failed.length} object(s) from ${name}: ${JSON.stringify(failed[0])}`,
          );
        }
      }
      versionKeyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
      versionIdMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
    } while (versionKeyMarker !== undefined);

    await client.send(new DeleteBucketCommand({ Bucket: name }));
  } catch (error) {
    if (!isNoSuchBucket(error)) throw error;
  }
}
