/**
 * S3 sources against real S3 (the Ceph rig): the verifier's 302 leads to the object's bytes, for keys
 * with spaces, unicode, "+", "%" and friends, with the saved name set by response-content-disposition;
 * and the pre-signed URL stops working after its expiry.
 */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  createTestBucket,
  emptyAndDeleteBucket,
  ensureCeph,
  s3ClientFor,
  type CephEnv,
} from '../support/ceph';
import {
  downloadUrl,
  drain,
  makeToken,
  newTestKeys,
  rawConfig,
  startTestVerifier,
  tempDir,
  type TestVerifier,
} from '../support/verifier';

const KEYS = [
  'my-plugin.zip',
  'products/My Plugin/v1.2 (final).zip',
  'a+b=c&d.zip',
  '100% done.zip',
  'ünïcödé/日本語 ファイル.pdf',
  'quote\'s "double" ~tilde*star!.zip',
  'semi;colon,comma:colon@at$dollar#hash?q[1].zip',
  'emoji 🎉.zip',
];

const keys = newTestKeys();
const tmp = tempDir('signet-verifier-s3-');
let env: CephEnv;
let client: S3Client;
let bucket: string;
let v: TestVerifier;
const bodies = new Map<string, Buffer>();

const storeConfig = (e: CephEnv): Record<string, unknown> => ({
  endpoint: e.endpoint,
  region: e.region,
  forcePathStyle: e.forcePathStyle,
  accessKeyId: e.accessKeyId,
  secretAccessKey: e.secretAccessKey,
});

beforeAll(async () => {
  env = await ensureCeph();
  client = s3ClientFor(env);
  bucket = await createTestBucket(client, 'verifier-s3');
  for (const key of KEYS) {
    const body = randomBytes(2048 + bodies.size);
    bodies.set(key, body);
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  }
  v = await startTestVerifier(
    rawConfig(keys, {
      stores: { ceph: storeConfig(env) },
      presignExpirySeconds: 10,
      state: { sqlite: ':memory:' },
    }),
    tmp.dir,
  );
}, 240_000);

afterAll(async () => {
  await v?.close();
  if (bucket) await emptyAndDeleteBucket(client, bucket);
  client?.destroy();
  tmp.cleanup();
});

const s3Token = (key: string, filename?: string): string =>
  makeToken(keys, { src: { type: 's3', store: 'ceph', bucket, key }, ...(filename ? { filename } : {}) })
    .token;

async function redirectOf(base: string, token: string): Promise<string> {
  const res = await fetch(downloadUrl(base, token), { redirect: 'manual' });
  expect(res.status).toBe(302);
  await drain(res);
  return res.headers.get('location') as string;
}

describe('S3 source against Ceph', () => {
  it('redirects to a URL that returns the object, for awkward keys too', async () => {
    for (const key of KEYS) {
      const location = await redirectOf(v.base, s3Token(key));
      const obj = await fetch(location);
      expect({ key, status: obj.status }).toEqual({ key, status: 200 });
      expect(Buffer.from(await obj.arrayBuffer()).equals(bodies.get(key) as Buffer), key).toBe(true);
    }
  });

  it('follows the 302 like a browser would, landing on the bytes', async () => {
    const res = await fetch(downloadUrl(v.base, s3Token('products/My Plugin/v1.2 (final).zip')));
    expect(res.status).toBe(200);
    expect(res.redirected).toBe(true);
    expect(
      Buffer.from(await res.arrayBuffer()).equals(
        bodies.get('products/My Plugin/v1.2 (final).zip') as Buffer,
      ),
    ).toBe(true);
  });

  it('makes S3 send the saved name as Content-Disposition', async () => {
    const plain = await fetch(await redirectOf(v.base, s3Token('products/My Plugin/v1.2 (final).zip')));
    expect(plain.headers.get('content-disposition')).toBe('attachment; filename="v1.2 (final).zip"');
    await drain(plain);
    const named = await fetch(
      await redirectOf(v.base, s3Token('my-plugin.zip', 'Mein Plugin – Version 2.zip')),
    );
    expect(named.headers.get('content-disposition')).toBe(
      `attachment; filename="Mein Plugin _ Version 2.zip"; filename*=UTF-8''Mein%20Plugin%20%E2%80%93%20Version%202.zip`,
    );
    await drain(named);
  });

  it('signs for presignExpirySeconds, clamped to at least 60', async () => {
    const location = new URL(await redirectOf(v.base, s3Token('my-plugin.zip')));
    expect(location.searchParams.get('X-Amz-Expires')).toBe('60');
  });

  it('a pre-signed URL is refused by S3 once it expired', async () => {
    // The clamp keeps real URLs alive for at least 60 s; the test-only override makes it 2 s.
    const short = await startTestVerifier(
      rawConfig(keys, { stores: { ceph: storeConfig(env) }, state: { sqlite: ':memory:' } }),
      tmp.dir,
      { presignExpirySecondsUnclamped: 2 },
    );
    try {
      const location = await redirectOf(short.base, s3Token('my-plugin.zip'));
      expect(new URL(location).searchParams.get('X-Amz-Expires')).toBe('2');
      const fresh = await fetch(location);
      expect(fresh.status).toBe(200);
      await drain(fresh);
      await new Promise((r) => setTimeout(r, 4000));
      const expired = await fetch(location);
      expect(expired.status).toBe(403);
      expect(await expired.text()).toMatch(/AccessDenied|Request has expired/);
    } finally {
      await short.close();
    }
  }, 20_000);

  it('answers HEAD with a URL S3 accepts for HEAD but refuses for GET (an uncounted HEAD fetches no bytes)', async () => {
    const { token, jti } = makeToken(keys, {
      src: { type: 's3', store: 'ceph', bucket, key: 'my-plugin.zip' },
      max: 1,
    });
    const head = await fetch(downloadUrl(v.base, token), { method: 'HEAD', redirect: 'manual' });
    expect(head.status).toBe(302);
    const location = head.headers.get('location') as string;
    const s3Head = await fetch(location, { method: 'HEAD' });
    expect(s3Head.status).toBe(200);
    expect(s3Head.headers.get('content-length')).toBe(String(bodies.get('my-plugin.zip')?.length));
    const s3Get = await fetch(location);
    expect(s3Get.status).toBe(403);
    await drain(s3Get);
    expect(await v.state.downloads(jti)).toBe(0);
  });

  it('a URL signed with the wrong secret is refused by S3', async () => {
    const wrong = await startTestVerifier(
      rawConfig(keys, {
        stores: { ceph: { ...storeConfig(env), secretAccessKey: 'not-the-secret' } },
        state: { sqlite: ':memory:' },
      }),
      tmp.dir,
    );
    try {
      const res = await fetch(await redirectOf(wrong.base, s3Token('my-plugin.zip')));
      expect(res.status).toBe(403);
      await drain(res);
    } finally {
      await wrong.close();
    }
  });
});
