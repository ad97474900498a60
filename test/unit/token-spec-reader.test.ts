/**
 * The independent reading of the token spec (test/support/token-spec-reader.ts) before the integration tests
 * trust it: it accepts the spec's example, refuses payloads that break a field rule with a reason naming the
 * field, and agrees with the project's language-neutral vectors except where those record a project decision
 * the spec text does not make.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTokenPerSpec, SPEC_EXAMPLE, SPEC_FIELDS } from '../support/token-spec-reader';
import { signPayload, signPayloadBytes } from '../support/token-unchecked';

const SECRET = Buffer.alloc(32, 7);
const KEYS = { t1: SECRET.toString('base64url') };

const BASE = {
  product_slug: 'my-plugin',
  expires: 1_706_900_400,
  jti: 'AAAAAAAAAAAAAAAAAAAAAA',
  src: { type: 's3', store: 'main', bucket: 'shop', key: 'my-plugin.zip' },
};

/** Signs `payload` (an object, serialized as given, or exact JSON text) with a real MAC and reads it back. */
function read(payload: Record<string, unknown> | string) {
  const json = typeof payload === 'string' ? payload : JSON.stringify(payload);
  return readTokenPerSpec(signPayloadBytes(json, 't1', SECRET), KEYS);
}

function reason(payload: Record<string, unknown> | string): string {
  const r = read(payload);
  return r.ok ? '(accepted)' : r.reason;
}

describe('token spec reader', () => {
  it('reads the spec example to its exact payload bytes', () => {
    const r = readTokenPerSpec(SPEC_EXAMPLE.token, SPEC_EXAMPLE.keys);
    expect(r).toEqual({
      ok: true,
      kid: 'k1',
      payload: JSON.parse(SPEC_EXAMPLE.payload) as unknown,
      payloadJson: SPEC_EXAMPLE.payload,
      unknownFields: [],
    });
  });

  it.each<[string, Record<string, unknown> | string, RegExp]>([
    ['a missing product_slug', { ...BASE, product_slug: undefined }, /^product_slug: missing/],
    ['an upper-case slug', { ...BASE, product_slug: 'My-plugin' }, /^product_slug: must match/],
    ['a slug starting with a dash', { ...BASE, product_slug: '-plugin' }, /^product_slug: must match/],
    ['a slug with a trailing newline', { ...BASE, product_slug: 'plugin\n' }, /^product_slug: must match/],
    [
      'a 201-char slug',
      { ...BASE, product_slug: 'a'.repeat(201) },
      /^product_slug: must be 1–200 chars \(got 201\)/,
    ],
    ['an empty slug', { ...BASE, product_slug: '' }, /^product_slug: must be 1–200 chars \(got 0\)/],
    ['expires in a string', { ...BASE, expires: '1706900400' }, /^expires: must be an integer/],
    ['expires with a fraction', { ...BASE, expires: 1_706_900_400.5 }, /^expires: must be an integer/],
    [
      'expires past 2^53',
      '{"product_slug":"a","expires":9007199254740992,"jti":"AAAAAAAAAAAAAAAAAAAAAA","src":{"type":"s3","store":"m","bucket":"b","key":"k"}}',
      /^expires: must be an integer/,
    ],
    [
      'a 15-char jti',
      { ...BASE, jti: 'A'.repeat(15) },
      /^jti: must be 16–64 chars of the B64U alphabet \(got 15 chars/,
    ],
    ['a 65-char jti', { ...BASE, jti: 'A'.repeat(65) }, /^jti: must be 16–64 chars .*got 65 chars/],
    ['a jti with "+"', { ...BASE, jti: 'AAAAAAAAAAAAAAAAAAAAA+' }, /^jti: must be 16–64 chars/],
    ['src as a string', { ...BASE, src: 's3://shop/x' }, /^src: must be an object/],
    [
      'src of an unknown type',
      { ...BASE, src: { type: 'ftp', path: 'x' } },
      /^src\.type: must be "s3", "file" or "url"/,
    ],
    ['src without a type', { ...BASE, src: { path: 'x' } }, /^src\.type: missing/],
    [
      's3 src without a key',
      { ...BASE, src: { type: 's3', store: 'main', bucket: 'shop' } },
      /^src\.key: missing/,
    ],
    [
      's3 src with an empty store',
      { ...BASE, src: { ...BASE.src, store: '' } },
      /^src\.store: must not be empty/,
    ],
    [
      'a file path with ".."',
      { ...BASE, src: { type: 'file', path: 'a/../../etc/passwd' } },
      /^src\.path: must not have a "\.\." segment/,
    ],
    [
      'a file path with "\\..\\"',
      { ...BASE, src: { type: 'file', path: 'a\\..\\..\\x' } },
      /^src\.path: must not have/,
    ],
    [
      'an absolute file path',
      { ...BASE, src: { type: 'file', path: '/etc/passwd' } },
      /^src\.path: must be relative/,
    ],
    [
      'a drive-letter file path',
      { ...BASE, src: { type: 'file', path: 'C:\\x' } },
      /^src\.path: must be relative/,
    ],
    [
      'an http url',
      { ...BASE, src: { type: 'url', url: 'http://cdn.example.com/a.zip' } },
      /^src\.url: must be an https URL/,
    ],
    [
      'a relative url',
      { ...BASE, src: { type: 'url', url: '/a.zip' } },
      /^src\.url: must be an absolute URL/,
    ],
    [
      'a 129-char license_id',
      { ...BASE, license_id: 'x'.repeat(129) },
      /^license_id: must be at most 128 chars \(got 129\)/,
    ],
    ['a fractional license_id', { ...BASE, license_id: 4.5 }, /^license_id: must be an integer or a string/],
    [
      'a null license_id',
      { ...BASE, license_id: null },
      /^license_id: must be an integer or a string \(got null\)/,
    ],
    ['max 0', { ...BASE, max: 0 }, /^max: must be an integer ≥ 1 \(got 0\)/],
    ['max -1', { ...BASE, max: -1 }, /^max: must be an integer ≥ 1/],
    ['max 1.5', { ...BASE, max: 1.5 }, /^max: must be an integer ≥ 1/],
    ['max "3"', { ...BASE, max: '3' }, /^max: must be an integer ≥ 1 \(got "3"\)/],
    [
      'a 256-char filename',
      { ...BASE, filename: 'f'.repeat(256) },
      /^filename: must be at most 255 chars \(got 256\)/,
    ],
    [
      'a 256-code-point filename',
      { ...BASE, filename: '😀'.repeat(256) },
      /^filename: must be at most 255 chars \(got 256\)/,
    ],
    [
      'a filename with an unpaired surrogate',
      '{"product_slug":"a","expires":1,"jti":"AAAAAAAAAAAAAAAAAAAAAA","src":{"type":"s3","store":"m","bucket":"b","key":"k"},"filename":"\\ud800.zip"}',
      /^filename: must be Unicode text/,
    ],
    ['iat in milliseconds as a string', { ...BASE, iat: '1706900000000' }, /^iat: must be an integer/],
    ['a JSON array', '[1,2]', /^payload not an object/],
    ['not JSON', '{"product_slug":', /^payload not JSON/],
  ])('refuses %s', (_name, payload, why) => {
    expect(reason(payload)).toMatch(why);
  });

  it('refuses bytes that are not UTF-8, and a byte order mark', () => {
    const json = Buffer.from(JSON.stringify({ ...BASE, filename: 'x' }), 'utf8');
    const bad = Buffer.concat([json.subarray(0, -3), Buffer.from([0xc3, 0x28]), json.subarray(-3)]);
    const latin1 = readTokenPerSpec(signPayload(bad, 't1', SECRET), KEYS);
    expect(latin1).toEqual({ ok: false, reason: 'payload not UTF-8' });
    const bom = readTokenPerSpec(
      signPayload(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), json]), 't1', SECRET),
      KEYS,
    );
    expect(bom.ok ? 'accepted' : bom.reason).toMatch(/^payload not JSON/);
  });

  it('accepts the edges the spec allows and lists unknown fields', () => {
    const edge = {
      ...BASE,
      product_slug: `0${'a'.repeat(198)}.`,
      jti: 'Z'.repeat(64),
      src: { type: 's3', store: 'main', bucket: 'shop', key: 'produkte/Ünïcödé 日本.zip', extra: 1 },
      license_id: 'Ö'.repeat(128),
      max: 1,
      filename: 'f'.repeat(255),
      iat: 1_706_900_000,
      coupon: 'SPRING',
    };
    expect(read(edge)).toMatchObject({ ok: true, kid: 't1', payload: edge, unknownFields: ['coupon'] });
    // 255 code points in 510 UTF-16 units (alone: with the rest above the token would pass 2,048 chars).
    const emoji = { ...BASE, filename: '😀'.repeat(255) };
    expect(read(emoji)).toMatchObject({ ok: true, payload: emoji, unknownFields: [] });
    expect(read({ ...BASE, license_id: 0 }).ok).toBe(true);
    expect(read({ ...BASE, license_id: '' }).ok).toBe(true);
    expect(read({ ...BASE, filename: '' }).ok).toBe(true);
    expect(read({ ...BASE, src: { type: 'file', path: 'downloads/v1..2/a.zip' } }).ok).toBe(true);
    expect(read({ ...BASE, src: { type: 'url', url: 'https://cdn.example.com/a.zip' } }).ok).toBe(true);
  });

  it('refuses a token whose MAC does not match, before reading the payload', () => {
    const token = signPayloadBytes('not json at all', 't1', SECRET);
    const other = { t1: Buffer.alloc(32, 8).toString('base64url') };
    expect(readTokenPerSpec(token, other)).toEqual({ ok: false, reason: 'bad MAC' });
    expect(readTokenPerSpec(token, { t2: KEYS.t1 })).toEqual({ ok: false, reason: 'unknown kid' });
  });

  describe('against the project vectors (test/vectors/download-token-v1.json)', () => {
    interface VectorCase {
      name: string;
      token: string;
      expect:
        { valid: true; kid: string; payload: Record<string, unknown> } | { valid: false; error: string };
    }
    const vectors = JSON.parse(
      readFileSync(join(__dirname, '../vectors/download-token-v1.json'), 'utf8'),
    ) as { keys: Record<string, string>; cases: VectorCase[] };

    /**
     * Cases the vectors refuse for a rule the project chose where the spec only names a field (test/vectors/
     * README.md, "Decisions where the spec leaves room"): the character sets of store and bucket, the length of
     * key and path, control characters in a path, the exact spelling of an https URL. The spec's reader takes
     * them, which is the point of reading it independently: everything else must agree.
     */
    const PROJECT_DECISIONS = new Set([
      'src-s3-store-65-chars',
      'src-s3-store-space',
      'src-s3-bucket-slash',
      'src-s3-key-1025-chars',
      'src-file-path-nul',
      'src-file-path-newline',
      'src-url-uppercase-scheme',
      'src-url-three-slashes',
      'src-url-no-slashes',
    ]);

    it('accepts every valid vector with its payload', () => {
      const valid = vectors.cases.flatMap((c) =>
        c.expect.valid
          ? [{ name: c.name, token: c.token, kid: c.expect.kid, payload: c.expect.payload }]
          : [],
      );
      expect(valid.length).toBeGreaterThan(20);
      for (const c of valid) {
        const r = readTokenPerSpec(c.token, vectors.keys);
        // The reason in place of the reading shows why, should a vector be refused.
        expect(r.ok ? { kid: r.kid, payload: r.payload } : r.reason, c.name).toMatchObject({
          kid: c.kid,
          payload: c.payload,
        });
      }
    });

    it('refuses every invalid_payload vector but the project decisions, and every token refused before', () => {
      const refused = vectors.cases.filter(
        (c) => !c.expect.valid && !['slug_mismatch', 'expired'].includes(c.expect.error),
      );
      expect(refused.length).toBeGreaterThan(100);
      const accepted = refused.filter((c) => readTokenPerSpec(c.token, vectors.keys).ok).map((c) => c.name);
      expect(accepted.sort()).toEqual([...PROJECT_DECISIONS].sort());
    });

    it('refuses the invalid_payload vectors for a payload reason, after a MAC it found genuine', () => {
      const payloadCases = vectors.cases.filter(
        (c) => !c.expect.valid && c.expect.error === 'invalid_payload' && !PROJECT_DECISIONS.has(c.name),
      );
      expect(payloadCases.length).toBeGreaterThan(80);
      const field = new RegExp(`^(payload not |(${SPEC_FIELDS.join('|')})(\\.\\w+)?: )`);
      for (const c of payloadCases) {
        const r = readTokenPerSpec(c.token, vectors.keys);
        expect(r.ok ? '(accepted)' : r.reason, c.name).toMatch(field);
      }
    });

    it('accepts the slug_mismatch and expired vectors: the request path and the clock are the verifier’s', () => {
      const later = vectors.cases.filter(
        (c) => !c.expect.valid && ['slug_mismatch', 'expired'].includes(c.expect.error),
      );
      expect(later.length).toBeGreaterThan(4);
      for (const c of later) expect(readTokenPerSpec(c.token, vectors.keys).ok, c.name).toBe(true);
    });
  });
});
