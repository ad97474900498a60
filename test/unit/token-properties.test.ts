/** Properties of verifyToken over random input: no throw, no forgery by mutation, round trip. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  b64uEncode,
  issueToken,
  TOKEN_ERROR_STATUS,
  verifyToken,
  type TokenPayload,
  type VerifyResult,
  MAX_PLAUSIBLE_UNIX_SECONDS,
} from '../../src/shared-node/token';
import { signPayloadBytes } from '../support/token-unchecked';

const secret = Uint8Array.from({ length: 32 }, (_, i) => 255 - i);
const keys = new Map([['k1', secret]]);
const NOW = 1706900000;

function wellFormed(r: VerifyResult): void {
  if (r.ok) {
    expect(r.kid).toBe('k1');
    expect(typeof r.payload.product_slug).toBe('string');
  } else {
    expect(r.status).toBe(TOKEN_ERROR_STATUS[r.code]);
  }
}

const slug = fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,40}$/);
const jti = fc.stringMatching(/^[A-Za-z0-9_-]{16,64}$/);
const segment = fc.stringMatching(/^[A-Za-z0-9 ._-]{1,16}$/).filter((s) => s !== '..');
const source = fc.oneof(
  fc.record({
    type: fc.constant('s3' as const),
    store: fc.stringMatching(/^[A-Za-z0-9._-]{1,64}$/),
    bucket: fc.stringMatching(/^[A-Za-z0-9._-]{1,63}$/),
    key: fc.string({ unit: 'binary', minLength: 1, maxLength: 60 }),
  }),
  fc.record({
    type: fc.constant('file' as const),
    path: fc.array(segment, { minLength: 1, maxLength: 5 }).map((s) => s.join('/')),
  }),
  fc.record({
    type: fc.constant('url' as const),
    url: fc
      .tuple(fc.domain(), fc.array(segment.map(encodeURIComponent), { maxLength: 4 }))
      .map(([host, path]) => `https://${host}/${path.join('/')}`),
  }),
);
// Sizes keep the worst case (every character a 6-byte JSON escape) under TOKEN_MAX_LENGTH; the length
// limits themselves are covered by the vectors.
const payload: fc.Arbitrary<TokenPayload> = fc.record(
  {
    product_slug: slug,
    // The issuer takes plausible Unix seconds only (milliseconds are refused).
    expires: fc.integer({ min: 0, max: MAX_PLAUSIBLE_UNIX_SECONDS - 1 }),
    jti,
    src: source,
    license_id: fc.oneof(fc.maxSafeInteger(), fc.string({ unit: 'binary', maxLength: 40 })),
    max: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
    filename: fc.string({ unit: 'binary', maxLength: 60 }),
    iat: fc.integer({ min: 0, max: MAX_PLAUSIBLE_UNIX_SECONDS - 1 }),
  },
  { requiredKeys: ['product_slug', 'expires', 'jti', 'src'] },
);

/** A random edit of a string: replace, insert or delete one character, swap two, truncate, or extend. */
const mutation = fc.oneof(
  fc.record({
    op: fc.constant('replace' as const),
    at: fc.nat(),
    ch: fc.string({ minLength: 1, maxLength: 1, unit: 'binary' }),
  }),
  fc.record({
    op: fc.constant('replace' as const),
    at: fc.nat(),
    ch: fc.constantFrom(...'AQgw-_.=+/ v1kK0'),
  }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), ch: fc.constantFrom(...'AQgw-_.=+/ \n') }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('swap' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('append' as const), ch: fc.string({ minLength: 1, maxLength: 3 }) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(s: string, m: Mutation): string {
  const i = 'at' in m ? m.at % s.length : 0;
  switch (m.op) {
    case 'replace':
      return s.slice(0, i) + m.ch + s.slice(i + 1);
    case 'insert':
      return s.slice(0, i) + m.ch + s.slice(i);
    case 'delete':
      return s.slice(0, i) + s.slice(i + 1);
    case 'swap':
      return i + 1 < s.length ? s.slice(0, i) + s.charAt(i + 1) + s.charAt(i) + s.slice(i + 2) : s;
    case 'truncate':
      return s.slice(0, i);
    case 'append':
      return s + m.ch;
  }
}

describe('verifyToken on random input', () => {
  it('never throws on arbitrary strings', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ unit: 'binary', maxLength: 3000 }),
          fc.string({ unit: 'grapheme' }),
        ),
        (s) => {
          wellFormed(verifyToken(s, keys, { now: NOW, productSlug: 'x' }));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('never throws on token-shaped strings with random parts', () => {
    const part = fc.oneof(fc.string({ maxLength: 80 }), fc.uint8Array({ maxLength: 60 }).map(b64uEncode));
    fc.assert(
      fc.property(
        fc.constantFrom('v1', 'v2', ''),
        fc.constantFrom('k1', 'k2', ''),
        part,
        part,
        (v, kid, p, m) => {
          wellFormed(verifyToken(`${v}.${kid}.${p}.${m}`, keys, { now: NOW }));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('with a genuine MAC over any JSON, answers only by the payload rules', () => {
    const payloadCodes = new Set(['invalid_payload', 'expired', 'slug_mismatch']);
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), payload), fc.boolean(), (value, asBytes) => {
        const json = JSON.stringify(value) ?? 'undefined';
        const token = signPayloadBytes(asBytes ? json : ` ${json} `, 'k1', secret);
        const r = verifyToken(token, keys, { now: NOW, productSlug: 'x' });
        wellFormed(r);
        if (token.length <= 2048) expect(r.ok || payloadCodes.has(r.code), JSON.stringify(r)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('never accepts a mutated token (unless the mutation changed nothing)', () => {
    fc.assert(
      fc.property(payload, fc.array(mutation, { minLength: 1, maxLength: 3 }), (p, mutations) => {
        const token = issueToken(p, 'k1', secret);
        const mutated = mutations.reduce(mutate, token);
        // A clock before any safe-integer expiry: only the mutation can make the token fail.
        const r = verifyToken(mutated, keys, { now: Number.MIN_SAFE_INTEGER });
        wellFormed(r);
        expect(r.ok).toBe(mutated === token);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('issueToken → verifyToken', () => {
  it('returns the issued payload for any valid payload', () => {
    fc.assert(
      fc.property(payload, (p) => {
        const token = issueToken(p, 'k1', secret);
        expect(token.length).toBeLessThanOrEqual(2048);
        expect(verifyToken(token, keys, { now: p.expires, productSlug: p.product_slug })).toEqual({
          ok: true,
          kid: 'k1',
          payload: JSON.parse(JSON.stringify(p)),
        });
      }),
      { numRuns: 300 },
    );
  });
});
