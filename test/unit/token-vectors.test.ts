/**
 * Runs the language-neutral vectors (test/vectors/download-token-v1.json) against verifyToken, and checks
 * that the committed file is exactly what scripts/gen-token-vectors.ts builds.
 * Regenerate: SIGNET_WRITE_VECTORS=1 npx vitest run --root . test/unit/token-vectors.test.ts
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import {
  renderTokenVectors,
  VECTORS_FILE,
  writeTokenVectors,
  type TokenVectorFile,
} from '../../scripts/gen-token-vectors';
import { parseKeys, TOKEN_ERROR_STATUS, verifyToken } from '../../src/shared-node/token';

if (process.env.SIGNET_WRITE_VECTORS === '1') writeTokenVectors();

const committed = readFileSync(VECTORS_FILE, 'utf8');
const vectors = JSON.parse(committed) as TokenVectorFile;
const keys = parseKeys(vectors.keys);

describe('download-token-v1 vectors', () => {
  it('the committed file is what the generator builds (no drift)', () => {
    expect(committed).toBe(renderTokenVectors());
  });

  it('has unique names and consistent statuses', () => {
    const names = vectors.cases.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    for (const c of vectors.cases) {
      if (!c.expect.valid) expect(c.expect.status, c.name).toBe(TOKEN_ERROR_STATUS[c.expect.error]);
    }
  });

  it('covers every error code and valid tokens', () => {
    const seen = new Set(vectors.cases.map((c) => (c.expect.valid ? 'valid' : c.expect.error)));
    expect([...seen].sort()).toEqual(['valid', ...Object.keys(TOKEN_ERROR_STATUS)].sort());
  });

  // Independent of verifyToken: a plain HMAC over "v1.kid.payload", with the parts decoded leniently
  // (Buffer ignores '=', whitespace, unknown characters and spare bits). It shows that each rejection
  // happens for the reason the case names, not because of a MAC the generator got wrong.
  function macIsGenuine(token: string): boolean {
    const [v, kid, payload, mac] = token.split('.');
    const secret = kid === undefined ? undefined : keys.get(kid);
    if (v !== 'v1' || secret === undefined || payload === undefined || mac === undefined) return false;
    const lenient = (s: string) => Buffer.from(s.replaceAll('+', '-').replaceAll('/', '_'), 'base64url');
    const input = `v1.${kid}.${lenient(payload).toString('base64url')}`;
    return createHmac('sha256', secret).update(input).digest().equals(lenient(mac));
  }

  it('valid tokens and rejections after the MAC carry a genuine MAC', () => {
    const afterMac = new Set(['invalid_payload', 'slug_mismatch', 'expired', 'too_long']);
    const cases = vectors.cases.filter(
      (c) => (c.expect.valid || afterMac.has(c.expect.error)) && c.name !== 'too-long-garbage',
    );
    expect(cases.length).toBeGreaterThan(100);
    for (const c of cases) expect(macIsGenuine(c.token), c.name).toBe(true);
  });

  it('encoding cases fool a lenient decoder: it would find the MAC valid', () => {
    const lenientOk = [
      'payload-padding',
      'mac-padding',
      'payload-plus',
      'payload-slash',
      'mac-plus',
      'mac-slash',
      'payload-space',
      'payload-tab',
      'mac-newline',
      'mac-crlf-inside',
      'payload-trailing-bits-len-mod4-2',
      'payload-trailing-bits-len-mod4-3',
      'mac-trailing-bits',
    ];
    for (const name of lenientOk) {
      const c = vectors.cases.find((x) => x.name === name);
      expect(c?.expect, name).toMatchObject({ valid: false, error: 'bad_encoding' });
      expect(macIsGenuine(c?.token ?? ''), name).toBe(true);
    }
  });

  it('bad-MAC cases really have a wrong MAC', () => {
    const bad = vectors.cases.filter((c) => !c.expect.valid && c.expect.error === 'bad_signature');
    expect(bad.length).toBeGreaterThanOrEqual(5);
    for (const c of bad) expect(macIsGenuine(c.token), c.name).toBe(false);
  });

  it.each(vectors.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const result = verifyToken(c.token, keys, { now: vectors.now, productSlug: c.product_slug });
    if (c.expect.valid) {
      expect(result).toEqual({ ok: true, kid: c.expect.kid, payload: c.expect.payload });
    } else {
      expect(result).toEqual({ ok: false, status: c.expect.status, code: c.expect.error });
    }
  });
});
