/**
 * The verifier's hot-path pieces that replace general ones must give the very same answers:
 * parsePayloadFast against the zod schema (the reference), macInto against createHmac, and the
 * memoised S3 signer against a fresh signature.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { tokenPayloadSchema } from '../../src/shared-node/token';
import { computeMac, macInto } from '../../src/shared-node/token/mac';
import { parsePayloadFast } from '../../src/shared-node/token/payload-fast';
import { S3UrlSigner } from '../../src/verifier/sources/s3';

const reference = (v: unknown): unknown => {
  const r = tokenPayloadSchema.safeParse(v);
  return r.success ? r.data : null;
};

const vectors = JSON.parse(
  readFileSync(new URL('../vectors/download-token-v1.json', import.meta.url), 'utf8'),
) as { cases: { name: string; token: string }[] };

/** The JSON payload of a vector token, when it decodes at all. */
function payloadOf(token: string): unknown {
  try {
    return JSON.parse(Buffer.from(token.split('.')[2] ?? '', 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

const base = {
  product_slug: 'my-plugin',
  expires: 1706900400,
  jti: 'AAAAAAAAAAAAAAAAAAAAAA',
  src: { type: 's3', store: 'main', bucket: 'shop', key: 'my-plugin.zip' },
};

describe('parsePayloadFast = tokenPayloadSchema', () => {
  it('on every payload of the test vectors', () => {
    let checked = 0;
    for (const c of vectors.cases) {
      const value = payloadOf(c.token);
      if (value === undefined) continue;
      expect(parsePayloadFast(value), c.name).toEqual(reference(value));
      checked++;
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('on edge values of every field', () => {
    const edges: unknown[] = [
      null,
      [],
      'x',
      1.5,
      -0,
      0,
      1,
      2 ** 53,
      2 ** 53 - 1,
      -(2 ** 53) + 1,
      '',
      'a'.repeat(200),
      'a'.repeat(201),
      '\ud800',
      '\udc00\ud800',
      '😀'.repeat(255),
      '😀'.repeat(256),
      'é'.repeat(128),
      'é'.repeat(129),
      '../x',
      'a/../b',
      '/abs',
      'C:x',
      'a\\b',
      'ok/path.zip',
      'https://cdn.example.com/x',
      'https:///x',
      'http://x',
      'https://a b',
      { type: 's3' },
      { type: 'file', path: 'a.zip' },
      { type: 'url', url: 'https://cdn.example.com/a' },
      { type: 's3', store: 'm', bucket: 'b', key: 'k', extra: 1 },
      { type: 'nope' },
      [1],
      true,
    ];
    const fields = ['product_slug', 'expires', 'jti', 'src', 'license_id', 'max', 'filename', 'iat'];
    for (const field of fields) {
      for (const v of edges) {
        const value = { ...base, [field]: v };
        expect(parsePayloadFast(value), `${field} = ${JSON.stringify(v)}`).toEqual(reference(value));
      }
      const without: Record<string, unknown> = { ...base };
      delete without[field];
      expect(parsePayloadFast(without), `without ${field}`).toEqual(reference(without));
    }
  });

  it('on random JSON values and random mutations of a valid payload', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(parsePayloadFast(v)).toEqual(reference(v));
      }),
      { numRuns: 2000 },
    );
    const field = fc.constantFrom(
      'product_slug',
      'expires',
      'jti',
      'src',
      'license_id',
      'max',
      'filename',
      'iat',
    );
    const value = fc.oneof(
      fc.jsonValue(),
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.integer(),
      fc.double(),
      fc.record({
        type: fc.constantFrom('s3', 'file', 'url', 'x'),
        store: fc.string(),
        bucket: fc.string(),
        key: fc.string({ unit: 'binary' }),
        path: fc.string({ unit: 'binary' }),
        url: fc.string(),
      }),
    );
    fc.assert(
      fc.property(field, value, (f, v) => {
        const payload = JSON.parse(JSON.stringify({ ...base, [f]: v })) as unknown;
        expect(parsePayloadFast(payload)).toEqual(reference(payload));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('macInto = HMAC-SHA256', () => {
  it('matches createHmac for random keys and message lengths, and computeMac', () => {
    const out = Buffer.alloc(32);
    for (let i = 0; i < 200; i++) {
      const secret = randomBytes(32);
      const text = randomBytes(i * 11).toString('base64url');
      const length = Math.floor(text.length * Math.random());
      macInto(text, length, secret, out);
      const expected = createHmac('sha256', secret).update(text.slice(0, length), 'latin1').digest();
      expect(out.equals(expected)).toBe(true);
      expect(computeMac(text.slice(0, length), secret).equals(expected)).toBe(true);
    }
  });
});

describe('S3UrlSigner memo', () => {
  const signer = new S3UrlSigner({
    name: 'main',
    endpoint: 'http://127.0.0.1:9',
    region: 'us-east-1',
    forcePathStyle: true,
    accessKeyId: 'AKIDEXAMPLE',
    secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  });

  it('hands out the URL a fresh signature of the same second gives, per method and disposition', () => {
    const opts = { expiresIn: 300, contentDisposition: 'attachment; filename=a.zip' };
    const a = signer.presign('shop', 'a.zip', opts);
    // 20240202T120000Z -> 2024-02-02T12:00:00Z
    const amz = /X-Amz-Date=(\d{8}T\d{6}Z)/.exec(a)?.[1] ?? '';
    const date = new Date(
      `${amz.slice(0, 4)}-${amz.slice(4, 6)}-${amz.slice(6, 11)}:${amz.slice(11, 13)}:${amz.slice(13)}`,
    );
    expect(signer.presign('shop', 'a.zip', { ...opts, signingDate: date })).toBe(a);
    const head = signer.presign('shop', 'a.zip', { ...opts, method: 'HEAD' });
    expect(head).not.toBe(a);
    expect(signer.presign('shop', 'a.zip', { expiresIn: 300 })).not.toContain('response-content-disposition');
    expect(signer.presign('shop', 'a.zip', { expiresIn: 300, contentDisposition: '' })).toContain(
      'response-content-disposition=&',
    );
    expect(signer.presign('shop', 'b.zip', opts)).toContain('/shop/b.zip?');
  });
});
