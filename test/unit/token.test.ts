/** Behaviour of the token module's API beyond the vectors: issuing, key material, options. */
import { describe, expect, it } from 'vitest';

import {
  generateJti,
  generateSecret,
  isSafeRelativePath,
  issueToken,
  parseKeys,
  parseSecret,
  TOKEN_MAX_LENGTH,
  TokenPayloadError,
  TokenTooLongError,
  verifyToken,
  type TokenPayload,
} from '../../src/shared-node/token';
import { signPayloadBytes } from '../support/token-unchecked';

const SPEC_SECRET_B64U = 'AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE';
const SPEC_PAYLOAD_JSON =
  '{"product_slug":"my-plugin","expires":1706900400,"jti":"AAAAAAAAAAAAAAAAAAAAAA","src":{"type":"s3","store":"main","bucket":"shop","key":"my-plugin.zip"},"license_id":42}';
const SPEC_TOKEN =
  'v1.k1.eyJwcm9kdWN0X3NsdWciOiJteS1wbHVnaW4iLCJleHBpcmVzIjoxNzA2OTAwNDAwLCJqdGkiOiJBQUFBQUFBQUFBQUFBQUFBQUFBQUFBIiwic3JjIjp7InR5cGUiOiJzMyIsInN0b3JlIjoibWFpbiIsImJ1Y2tldCI6InNob3AiLCJrZXkiOiJteS1wbHVnaW4uemlwIn0sImxpY2Vuc2VfaWQiOjQyfQ.CoLddMBK1PHOXtWmkpzkxId_PEvBrCiKxg6PuedV070';

const secret1 = parseSecret(SPEC_SECRET_B64U);
const secret2 = generateSecret();
const keys = new Map([
  ['k1', secret1],
  ['k2', secret2],
]);
const NOW = 1706900000;

const payload: TokenPayload = {
  product_slug: 'my-plugin',
  expires: NOW + 3600,
  jti: 'abcdefghijklmnop',
  src: { type: 's3', store: 'main', bucket: 'shop', key: 'my-plugin.zip' },
};

describe('the spec example', () => {
  it('is reproduced byte for byte from the exact payload bytes', () => {
    expect(signPayloadBytes(SPEC_PAYLOAD_JSON, 'k1', secret1)).toBe(SPEC_TOKEN);
  });

  it('verifies to its payload', () => {
    expect(verifyToken(SPEC_TOKEN, keys, { now: NOW, productSlug: 'my-plugin' })).toEqual({
      ok: true,
      kid: 'k1',
      payload: JSON.parse(SPEC_PAYLOAD_JSON),
    });
  });
});

describe('issueToken → verifyToken', () => {
  const variants: [string, TokenPayload][] = [
    ['s3', payload],
    ['file', { ...payload, src: { type: 'file', path: 'products/my plugin/1.2.zip' } }],
    ['url', { ...payload, src: { type: 'url', url: 'https://cdn.example.com/a.zip?sig=x#frag' } }],
    ['all optional fields', { ...payload, license_id: 'ORD-9', max: 5, filename: 'Plugin ✓.zip', iat: NOW }],
    ['integer licence id', { ...payload, license_id: 9007199254740991 }],
  ];

  it.each(variants)('round-trips a %s payload', (_name, p) => {
    for (const [kid, secret] of keys) {
      const token = issueToken(p, kid, secret);
      expect(verifyToken(token, keys, { now: NOW, productSlug: p.product_slug })).toEqual({
        ok: true,
        kid,
        payload: p,
      });
    }
  });

  it('issues what JSON.stringify gives, signed', () => {
    expect(issueToken(payload, 'k1', secret1)).toBe(signPayloadBytes(JSON.stringify(payload), 'k1', secret1));
  });

  it('drops optional fields that are undefined', () => {
    const token = issueToken({ ...payload, max: undefined, filename: undefined }, 'k1', secret1);
    expect(verifyToken(token, keys, { now: NOW })).toEqual({ ok: true, kid: 'k1', payload });
  });

  it('works with a generated secret and jti', () => {
    const secret = generateSecret();
    const token = issueToken({ ...payload, jti: generateJti() }, 'fresh', secret);
    const result = verifyToken(token, new Map([['fresh', secret]]), { now: NOW });
    expect(result.ok).toBe(true);
  });
});

describe('issueToken refuses what the verifier would reject', () => {
  const bad: [string, Record<string, unknown>][] = [
    ['product_slug', { product_slug: 'My Plugin' }],
    ['expires', { expires: 1.5 }],
    ['expires', { expires: Date.now() + 3_600_000 }],
    ['expires', { expires: -1 }],
    ['jti', { jti: 'short' }],
    ['src.type', { src: { type: 'ftp' } }],
    ['src.url', { src: { type: 'url', url: 'http://example.com/a.zip' } }],
    ['src.path', { src: { type: 'file', path: '../etc/passwd' } }],
    ['src.bucket', { src: { type: 's3', store: 'main', bucket: 'a/b', key: 'k' } }],
    ['license_id', { license_id: 'x'.repeat(129) }],
    ['max', { max: 0 }],
    ['filename', { filename: 'f'.repeat(256) }],
    ['iat', { iat: '2024-01-01' }],
    ['iat', { iat: Date.now() }],
  ];

  it.each(bad)('names the field %s', (field, change) => {
    const p = { ...payload, ...change } as unknown as TokenPayload;
    expect(() => issueToken(p, 'k1', secret1)).toThrow(TokenPayloadError);
    expect(() => issueToken(p, 'k1', secret1)).toThrow(
      expect.objectContaining({ field, message: expect.stringContaining(`"${field}"`) }),
    );
  });

  it('names a missing required field', () => {
    const { jti: _omit, ...rest } = payload;
    expect(() => issueToken(rest as TokenPayload, 'k1', secret1)).toThrow(
      expect.objectContaining({ field: 'jti' }),
    );
  });

  it('checks the serialized JSON, not only the object (toJSON can change what is signed)', () => {
    const sneaky = {
      ...payload,
      src: { ...payload.src, toJSON: () => ({ type: 'url', url: 'http://evil.example/x' }) },
    } as unknown as TokenPayload;
    expect(() => issueToken(sneaky, 'k1', secret1)).toThrow(expect.objectContaining({ field: 'src.url' }));
  });

  it('throws TokenTooLongError instead of issuing a token the verifier rejects as too long', () => {
    const big: TokenPayload = {
      ...payload,
      src: { type: 's3', store: 'main', bucket: 'shop', key: 'k'.repeat(1024) },
      filename: '\u{1F600}'.repeat(255),
    };
    expect(() => issueToken(big, 'k1', secret1)).toThrow(TokenTooLongError);
    const token = signPayloadBytes(JSON.stringify(big), 'k1', secret1);
    expect(token.length).toBeGreaterThan(TOKEN_MAX_LENGTH);
    expect(verifyToken(token, keys, { now: NOW })).toEqual({ ok: false, status: 400, code: 'too_long' });
  });

  it('refuses a bad kid or a secret that is not 32 bytes', () => {
    expect(() => issueToken(payload, 'bad kid', secret1)).toThrow(TypeError);
    expect(() => issueToken(payload, 'k'.repeat(33), secret1)).toThrow(TypeError);
    expect(() => issueToken(payload, 'k1', new Uint8Array(31))).toThrow(RangeError);
    expect(() => signPayloadBytes('{}', 'k1', new Uint8Array(33))).toThrow(RangeError);
  });
});

describe('verifyToken options and results', () => {
  const token = issueToken(payload, 'k1', secret1);

  it('checks the slug only when one is given', () => {
    expect(verifyToken(token, keys, { now: NOW }).ok).toBe(true);
    expect(verifyToken(token, keys, { now: NOW, productSlug: 'my-plugin' }).ok).toBe(true);
    expect(verifyToken(token, keys, { now: NOW, productSlug: 'other' })).toEqual({
      ok: false,
      status: 403,
      code: 'slug_mismatch',
    });
    expect(verifyToken(token, keys, { now: NOW, productSlug: '' })).toMatchObject({ code: 'slug_mismatch' });
  });

  it('expires after `expires`, not at it', () => {
    expect(verifyToken(token, keys, { now: payload.expires }).ok).toBe(true);
    expect(verifyToken(token, keys, { now: payload.expires + 1 })).toEqual({
      ok: false,
      status: 410,
      code: 'expired',
    });
  });

  it('forgets a kid that is removed from the keys (rotation)', () => {
    const t2 = issueToken(payload, 'k2', secret2);
    expect(verifyToken(t2, keys, { now: NOW }).ok).toBe(true);
    expect(verifyToken(t2, new Map([['k1', secret1]]), { now: NOW })).toMatchObject({ code: 'unknown_kid' });
  });

  it('returns frozen failure results that callers cannot alter', () => {
    const r = verifyToken('nope', keys, { now: NOW });
    expect(Object.isFrozen(r)).toBe(true);
    expect(verifyToken('nope', keys, { now: NOW })).toBe(r);
  });

  it('answers non-string input (e.g. a repeated query parameter) as malformed', () => {
    for (const input of [undefined, null, 42, ['a', 'b'], {}]) {
      expect(verifyToken(input as unknown as string, keys, { now: NOW })).toMatchObject({
        code: 'malformed',
      });
    }
  });

  it('returns a fresh payload that holds only the known fields', () => {
    const json = JSON.stringify({ ...payload, extra: 1, src: { ...payload.src, extra: 2 } });
    const r = verifyToken(signPayloadBytes(json, 'k1', secret1), keys, { now: NOW });
    expect(r.ok && Object.keys(r.payload).sort()).toEqual(['expires', 'jti', 'product_slug', 'src']);
    expect(r.ok && Object.keys(r.payload.src).sort()).toEqual(['bucket', 'key', 'store', 'type']);
  });
});

describe('key material', () => {
  it('parses a 43-character B64U secret of 32 bytes', () => {
    expect(Buffer.from(parseSecret(SPEC_SECRET_B64U))).toEqual(Buffer.alloc(32, 1));
  });

  it.each([
    ['42 characters', SPEC_SECRET_B64U.slice(0, 42)],
    ['44 characters', `${SPEC_SECRET_B64U}A`],
    ['padding', `${SPEC_SECRET_B64U.slice(0, 42)}=`],
    ['spare bits set', `${SPEC_SECRET_B64U.slice(0, 42)}F`],
    ['standard alphabet', `+${SPEC_SECRET_B64U.slice(1)}`],
    ['whitespace', ` ${SPEC_SECRET_B64U.slice(1)}`],
  ])('rejects a secret with %s, without echoing it', (_name, bad) => {
    expect(() => parseSecret(bad)).toThrow(TypeError);
    try {
      parseSecret(bad);
    } catch (e) {
      expect((e as Error).message).not.toContain(bad.trim());
    }
  });

  it('builds a key map from configuration and names the bad kid, not the secret', () => {
    const map = parseKeys({ k1: SPEC_SECRET_B64U, 'k2-2024_06': SPEC_SECRET_B64U });
    expect([...map.keys()]).toEqual(['k1', 'k2-2024_06']);
    expect(() => parseKeys({ 'bad kid': SPEC_SECRET_B64U })).toThrow(/bad kid/);
    expect(() => parseKeys({ k3: 'short' })).toThrow(/k3/);
    // A non-canonical secret is refused; the error names the kid and never echoes the secret.
    const badSecret = `${SPEC_SECRET_B64U.slice(0, 42)}F`;
    let refusal: unknown;
    try {
      parseKeys({ k3: badSecret });
    } catch (e) {
      refusal = e;
    }
    expect(refusal).toBeInstanceOf(TypeError);
    expect((refusal as Error).message).toMatch(/k3.*canonical/);
    expect((refusal as Error).message).not.toContain('AQEB');
    expect(() =>
      parseKeys([
        ['k1', SPEC_SECRET_B64U],
        ['k1', SPEC_SECRET_B64U],
      ]),
    ).toThrow(/twice/);
  });

  it('generates 32-byte secrets and 22-character jtis, all different', () => {
    const secrets = new Set(Array.from({ length: 50 }, () => Buffer.from(generateSecret()).toString('hex')));
    expect(secrets.size).toBe(50);
    for (const s of secrets) expect(s).toHaveLength(64);
    const jtis = new Set(Array.from({ length: 50 }, generateJti));
    expect(jtis.size).toBe(50);
    for (const j of jtis) expect(j).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });
});

describe('file paths', () => {
  it.each(['a.zip', 'dir/a.zip', './a.zip', 'a/..b/c', '..a', 'a..', 'dir/.hidden', 'ünï/çødé.zip'])(
    'accepts %j',
    (p) => expect(isSafeRelativePath(p)).toBe(true),
  );
  it.each(['', '/a', '\\a', 'C:a', 'c:\\a', '..', '../a', 'a/../b', 'a/..', 'a\\..\\b', 'a\u0000b', 'a\tb'])(
    'rejects %j',
    (p) => expect(isSafeRelativePath(p)).toBe(false),
  );
});
