/**
 * The fast pre-signer (SigV4QuerySigner in src/shared-node/s3, here through the verifier's S3UrlSigner) must
 * produce exactly what the AWS SDK's getSignedUrl produces (which is known to work against S3), for
 * path-style and virtual-hosted stores and awkward keys. test/unit/s3-location.test.ts checks the same
 * through objectLocation, as the app signs; the real round trip against Ceph is in
 * test/integration/verifier-s3.test.ts.
 */
import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { describe, expect, it } from 'vitest';

import { encodeKeyPath } from '../../src/shared-node/s3/location';
import type { StoreConfig } from '../../src/verifier/config';
import { S3UrlSigner } from '../../src/verifier/sources/s3';

const KEYS = [
  'my-plugin.zip',
  'products/2024/my plugin (final).zip',
  'a+b=c&d.zip',
  '100% done.zip',
  'ünïcödé/日本語 ファイル.pdf',
  'quote\'s "double" ~tilde*star!.zip',
  'semi;colon,comma:colon@at$dollar#hash?q.zip',
  'emoji 🎉.zip',
  'dir//double-slash.zip',
  'trailing-space .zip',
];

function sdkClient(store: StoreConfig): S3Client {
  return new S3Client({
    region: store.region,
    endpoint: store.endpoint,
    forcePathStyle: store.forcePathStyle,
    credentials: {
      accessKeyId: store.accessKeyId,
      secretAccessKey: store.secretAccessKey,
      sessionToken: store.sessionToken,
    },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

function sdkUrl(
  store: StoreConfig,
  bucket: string,
  key: string,
  disposition: string,
  date: Date,
): Promise<string> {
  return getSignedUrl(
    sdkClient(store),
    new GetObjectCommand({ Bucket: bucket, Key: key, ResponseContentDisposition: disposition }),
    { expiresIn: 300, signingDate: date },
  );
}

/** Parameter order may differ (it is not signed: SigV4 sorts); everything else must be identical. */
function sorted(url: string): URL {
  const u = new URL(url);
  u.searchParams.sort();
  return u;
}

const stores: Record<string, StoreConfig> = {
  'path-style (Ceph/MinIO)': {
    name: 'ceph',
    endpoint: 'http://127.0.0.1:7480',
    region: 'us-east-1',
    forcePathStyle: true,
    accessKeyId: 'AKIDEXAMPLE',
    secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  },
  'virtual-hosted (AWS)': {
    name: 'aws',
    region: 'eu-central-1',
    forcePathStyle: false,
    accessKeyId: 'AKIDEXAMPLE',
    secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  },
  'temporary credentials (session token)': {
    name: 'sts',
    endpoint: 'https://s3.eu-west-1.amazonaws.com',
    region: 'eu-west-1',
    forcePathStyle: false,
    accessKeyId: 'ASIAEXAMPLE',
    secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
    sessionToken: 'FwoGZXIvYXdzEJr//////////wEaDOEXAMPLE+token/with=odd&chars',
  },
  'virtual-hosted custom endpoint (R2-like)': {
    name: 'r2',
    endpoint: 'https://accountid.r2.cloudflarestorage.com',
    region: 'auto',
    forcePathStyle: false,
    accessKeyId: 'AKIDEXAMPLE',
    secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  },
};

describe('S3UrlSigner', () => {
  const date = new Date('2024-02-02T12:00:00Z');
  const disposition = `attachment; filename="resume.zip"; filename*=UTF-8''r%C3%A9sum%C3%A9.zip`;

  for (const [label, store] of Object.entries(stores)) {
    it(`matches getSignedUrl byte for byte: ${label}`, async () => {
      const signer = new S3UrlSigner(store);
      for (const key of KEYS) {
        // getSignedUrl signs an `x-id=GetObject` routing hint into the URL: sign the same here.
        const ours = await signer.presign('shop-bucket', key, {
          contentDisposition: disposition,
          expiresIn: 300,
          signingDate: date,
          extraQuery: { 'x-id': 'GetObject' },
        });
        const theirs = await sdkUrl(store, 'shop-bucket', key, disposition, date);
        const a = sorted(ours);
        const b = sorted(theirs);
        expect(a.origin + a.pathname, key).toBe(b.origin + b.pathname);
        expect(a.search, key).toBe(b.search);
        // The raw path we send is the one that was signed (no re-encoding by a URL parser).
        expect(new URL(ours).pathname).toBe(new URL(theirs).pathname);
      }
    });
  }

  it('signs HEAD URLs as the SDK does, and they differ from the GET URL (the method is signed)', async () => {
    const store = stores['path-style (Ceph/MinIO)'] as StoreConfig;
    const signer = new S3UrlSigner(store);
    const ours = signer.presign('shop-bucket', 'my-plugin.zip', {
      method: 'HEAD',
      expiresIn: 300,
      signingDate: date,
    });
    const theirs = await getSignedUrl(
      sdkClient(store),
      new HeadObjectCommand({ Bucket: 'shop-bucket', Key: 'my-plugin.zip' }),
      { expiresIn: 300, signingDate: date },
    );
    expect(sorted(ours).href).toBe(sorted(theirs).href);
    const get = signer.presign('shop-bucket', 'my-plugin.zip', { expiresIn: 300, signingDate: date });
    expect(new URL(get).searchParams.get('X-Amz-Signature')).not.toBe(
      new URL(ours).searchParams.get('X-Amz-Signature'),
    );
  });

  it("signs across a change of day with that day's key", async () => {
    const store = stores['virtual-hosted (AWS)'] as StoreConfig;
    const signer = new S3UrlSigner(store);
    for (const at of ['2024-02-02T23:59:59Z', '2024-02-03T00:00:00Z', '2024-02-02T23:59:58Z']) {
      const signingDate = new Date(at);
      const ours = signer.presign('shop-bucket', 'k.zip', {
        expiresIn: 60,
        signingDate,
        extraQuery: { 'x-id': 'GetObject' },
      });
      const theirs = await getSignedUrl(
        sdkClient(store),
        new GetObjectCommand({ Bucket: 'shop-bucket', Key: 'k.zip' }),
        { expiresIn: 60, signingDate },
      );
      expect(sorted(ours).href, at).toBe(sorted(theirs).href);
    }
  });

  it('refuses a lifetime S3 would refuse (over 7 days)', () => {
    const signer = new S3UrlSigner(stores['virtual-hosted (AWS)'] as StoreConfig);
    expect(() => signer.presign('b', 'k', { expiresIn: 7 * 24 * 3600 + 1 })).toThrow(RangeError);
  });

  it('falls back to path style for a bucket that cannot be a host name', async () => {
    const signer = new S3UrlSigner(stores['virtual-hosted (AWS)'] as StoreConfig);
    const url = new URL(await signer.presign('My_Bucket', 'k.zip', { expiresIn: 60, signingDate: date }));
    expect(url.host).toBe('s3.eu-central-1.amazonaws.com');
    expect(url.pathname).toBe('/My_Bucket/k.zip');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('60');
  });

  it('encodes keys per RFC 3986, keeping "/"', () => {
    expect(encodeKeyPath("a b/c+d/e%f/g'h(i)*!~.zip")).toBe('a%20b/c%2Bd/e%25f/g%27h%28i%29%2A%21~.zip');
  });
});
