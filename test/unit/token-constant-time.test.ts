/** The MAC decision is made by crypto.timingSafeEqual on two 32-byte buffers, never by `===`. */
import { timingSafeEqual } from 'node:crypto';

import { beforeEach, describe, expect, it, vi } from 'vitest';

import { b64uEncode, issueToken, verifyToken } from '../../src/shared-node/token';

vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

const compare = vi.mocked(timingSafeEqual);
const secret = new Uint8Array(32).fill(7);
const keys = new Map([['k1', secret]]);
const token = issueToken(
  {
    product_slug: 'p',
    expires: 2e9,
    jti: 'AAAAAAAAAAAAAAAAAAAAAA',
    src: { type: 'file', path: 'p.zip' },
  },
  'k1',
  secret,
);
const forged = `${token.slice(0, token.lastIndexOf('.'))}.${b64uEncode(new Uint8Array(32))}`;

describe('MAC comparison', () => {
  beforeEach(() => {
    compare.mockClear();
  });

  it('compares the MAC with timingSafeEqual on equal-length 32-byte buffers', () => {
    expect(verifyToken(token, keys, { now: 0 }).ok).toBe(true);
    expect(verifyToken(forged, keys, { now: 0 })).toMatchObject({ code: 'bad_signature' });
    expect(compare).toHaveBeenCalledTimes(2);
    for (const [a, b] of compare.mock.calls) {
      expect(Buffer.isBuffer(a) && Buffer.isBuffer(b)).toBe(true);
      expect((a as Buffer).length).toBe(32);
      expect((b as Buffer).length).toBe(32);
    }
  });

  it('lets timingSafeEqual alone decide', () => {
    compare.mockReturnValueOnce(true);
    expect(verifyToken(forged, keys, { now: 0 }).ok).toBe(true);
    compare.mockReturnValueOnce(false);
    expect(verifyToken(token, keys, { now: 0 })).toMatchObject({ code: 'bad_signature' });
  });

  it('is not reached for tokens rejected on form or kid', () => {
    for (const t of ['', 'a.b.c', `${token}=`, token.replace('v1.k1.', 'v1.k9.')])
      verifyToken(t, keys, { now: 0 });
    expect(compare).not.toHaveBeenCalled();
  });
});
