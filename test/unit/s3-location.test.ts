/**
 * objectLocation + SigV4QuerySigner (src/shared-node/s3), as the app pre-signs, must give exactly the URL the
 * AWS SDK's getSignedUrl gives for the same account, bucket and key: same origin, same raw path bytes,
 * same query parameters byte for byte (only their order differs: the signer puts X-Amz-Signature last,
 * and SigV4 sorts parameters before signing, so order is not part of the signature).
 */
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { describe, expect, it } from 'vitest';

import {
  locationUrl,
  objectLocation,
  resolveEndpoint,
  type S3LocationSettings,
} from '../../src/shared-node/s3/location';
import { SigV4QuerySigner } from '../../src/shared-node/s3/sigv4';

const CREDENTIALS = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};
const SIGNING_DATE = new Date('2024-02-02T12:00:00Z');
const EXPIRES_IN = 900;

const KEYS = [
  'plain.zip',
  'with space.zip',
  'plus+sign.zip',
  '100% done.zip',
  'ünïcödé/日本語 ファイル.pdf',
  'tilde~name.zip',
  'products/2024/spring/nested folder/file (v2).zip',
  "mixed a+b c%d~e/f'g(h)*i!.zip",
];

interface Case {
  settings: S3LocationSettings;
  bucket: string;
}

const CASES: Record<string, Case> = {
  'Amazon S3, virtual-hosted': {
    settings: { endpoint: '', region: 'eu-central-1', forcePathStyle: false },
    bucket: 'shop-bucket',
  },
  'Amazon S3, us-east-1': {
    settings: { endpoint: '', region: 'us-east-1', forcePathStyle: false },
    bucket: 'shop-bucket',
  },
  'Amazon S3, forced path style': {
    settings: { endpoint: '', region: 'eu-west-1', forcePathStyle: true },
    bucket: 'shop-bucket',
  },
  'Amazon S3, dotted bucket (path style over https)': {
    settings: { endpoint: '', region: 'eu-west-1', forcePathStyle: false },
    bucket: 'downloads.example.com',
  },
  'path-style custom endpoint with port (Ceph)': {
    settings: { endpoint: 'http://127.0.0.1:7480', region: 'us-east-1', forcePathStyle: true },
    bucket: 'shop-bucket',
  },
  'IP endpoint without forcePathStyle (still path style)': {
    settings: { endpoint: 'http://127.0.0.1:7480', region: 'us-east-1', forcePathStyle: false },
    bucket: 'shop-bucket',
  },
  'virtual-hosted custom endpoint with port': {
    settings: { endpoint: 'http://minio.internal:9000', region: 'us-east-1', forcePathStyle: false },
    bucket: 'shop-bucket',
  },
  'virtual-hosted custom endpoint (R2-like)': {
    settings: {
      endpoint: 'https://accountid.r2.cloudflarestorage.com',
      region: 'auto',
      forcePathStyle: false,
    },
    bucket: 'shop-bucket',
  },
  'path-style endpoint with a base path (trailing slash)': {
    settings: { endpoint: 'https://storage.example.com/s3/', region: 'us-east-1', forcePathStyle: true },
    bucket: 'shop-bucket',
  },
  'virtual-hosted endpoint with a base path': {
    settings: { endpoint: 'https://storage.example.com/s3', region: 'us-east-1', forcePathStyle: false },
    bucket: 'shop-bucket',
  },
  'custom https endpoint, dotted bucket (path style)': {
    settings: { endpoint: 'https://storage.example.com', region: 'us-east-1', forcePathStyle: false },
    bucket: 'downloads.example.com',
  },
};

function sdkUrl(settings: S3LocationSettings, bucket: string, key: string): Promise<string> {
  const client = new S3Client({
    region: settings.region,
    endpoint: settings.endpoint === '' ? undefined : settings.endpoint,
    forcePathStyle: settings.forcePathStyle,
    credentials: CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: key }), {
    expiresIn: EXPIRES_IN,
    signingDate: SIGNING_DATE,
  });
}

function ourUrl(settings: S3LocationSettings, bucket: string, key: string): string {
  const loc = objectLocation(settings, bucket, key);
  const query = new SigV4QuerySigner(CREDENTIALS, settings.region).sign({
    method: 'GET',
    host: loc.host,
    path: loc.path,
    // getSignedUrl signs an `x-id=GetObject` routing hint into the URL: sign the same here.
    query: { 'x-id': 'GetObject' },
    expiresIn: EXPIRES_IN,
    signingDate: SIGNING_DATE,
  });
  return locationUrl(loc, query);
}

/** The raw URL with its query parameters (each kept byte for byte) in sorted order. */
function withSortedParams(url: string): string {
  const q = url.indexOf('?');
  return `${url.slice(0, q)}?${url
    .slice(q + 1)
    .split('&')
    .sort()
    .join('&')}`;
}

describe('objectLocation + SigV4QuerySigner against getSignedUrl', () => {
  for (const [label, { settings, bucket }] of Object.entries(CASES)) {
    it(`gives the same URL byte for byte: ${label}`, async () => {
      for (const key of KEYS) {
        const ours = ourUrl(settings, bucket, key);
        const theirs = await sdkUrl(settings, bucket, key);
        expect(ours.slice(0, ours.indexOf('?')), key).toBe(theirs.slice(0, theirs.indexOf('?')));
        expect(withSortedParams(ours), key).toBe(withSortedParams(theirs));
      }
    });
  }
});

describe('objectLocation', () => {
  const key = 'products/2024/my plugin+extra 100%~ü.zip';
  const encodedKey = 'products/2024/my%20plugin%2Bextra%20100%25~%C3%BC.zip';

  it('addresses Amazon S3 virtual-hosted when there is no endpoint', () => {
    expect(
      objectLocation({ endpoint: '', region: 'eu-central-1', forcePathStyle: false }, 'shop', key),
    ).toEqual({ protocol: 'https:', host: 'shop.s3.eu-central-1.amazonaws.com', path: `/${encodedKey}` });
  });

  it('addresses Amazon S3 path style when forced', () => {
    expect(objectLocation({ endpoint: '', region: 'us-east-1', forcePathStyle: true }, 'shop', key)).toEqual({
      protocol: 'https:',
      host: 's3.us-east-1.amazonaws.com',
      path: `/shop/${encodedKey}`,
    });
  });

  it('keeps the port in the host and the endpoint base path (without its trailing slash)', () => {
    const settings = { endpoint: 'http://127.0.0.1:7480/base/', region: 'us-east-1', forcePathStyle: true };
    expect(objectLocation(settings, 'shop', 'a/b c.zip')).toEqual({
      protocol: 'http:',
      host: '127.0.0.1:7480',
      path: '/base/shop/a/b%20c.zip',
    });
  });

  it("drops the scheme's default port, as the Host header does", () => {
    const settings = { endpoint: 'https://storage.example.com:443', region: 'x', forcePathStyle: false };
    expect(objectLocation(settings, 'shop', 'k').host).toBe('shop.storage.example.com');
  });

  it('puts the bucket in the host for a virtual-hosted custom endpoint', () => {
    const settings = { endpoint: 'https://storage.example.com', region: 'x', forcePathStyle: false };
    expect(objectLocation(settings, 'shop', 'k')).toEqual({
      protocol: 'https:',
      host: 'shop.storage.example.com',
      path: '/k',
    });
  });

  it('uses path style for a dotted bucket over https (the wildcard certificate cannot cover it)', () => {
    const settings = { endpoint: 'https://storage.example.com', region: 'x', forcePathStyle: false };
    expect(objectLocation(settings, 'a.b', 'k')).toEqual({
      protocol: 'https:',
      host: 'storage.example.com',
      path: '/a.b/k',
    });
    // Over plain http there is no certificate: a dotted bucket stays virtual-hosted (as the verifier always
    // did; the SDK would use path style here, and both are valid signed addresses).
    const http = { ...settings, endpoint: 'http://storage.example.com' };
    expect(objectLocation(http, 'a.b', 'k').host).toBe('a.b.storage.example.com');
  });

  it('uses path style for a bucket that cannot be a host name, and for IP endpoints', () => {
    const aws = { endpoint: '', region: 'eu-central-1', forcePathStyle: false };
    expect(objectLocation(aws, 'My_Bucket', 'k')).toEqual({
      protocol: 'https:',
      host: 's3.eu-central-1.amazonaws.com',
      path: '/My_Bucket/k',
    });
    const v6 = { endpoint: 'http://[::1]:9000', region: 'x', forcePathStyle: false };
    expect(objectLocation(v6, 'shop', 'k')).toEqual({
      protocol: 'http:',
      host: '[::1]:9000',
      path: '/shop/k',
    });
  });

  it('refuses an endpoint that is not http(s)', () => {
    expect(() =>
      resolveEndpoint({ endpoint: 'ftp://example.com', region: 'x', forcePathStyle: true }),
    ).toThrow(TypeError);
  });
});

describe('locationUrl', () => {
  const loc = { protocol: 'https:', host: 'shop.s3.eu-central-1.amazonaws.com', path: '/a%20b.zip' } as const;

  it('is the plain (anonymous) URL without a query', () => {
    expect(locationUrl(loc)).toBe('https://shop.s3.eu-central-1.amazonaws.com/a%20b.zip');
    expect(locationUrl(loc, '')).toBe('https://shop.s3.eu-central-1.amazonaws.com/a%20b.zip');
  });

  it('appends a query as is', () => {
    expect(locationUrl(loc, 'x=1&y=%2F')).toBe(
      'https://shop.s3.eu-central-1.amazonaws.com/a%20b.zip?x=1&y=%2F',
    );
  });
});
