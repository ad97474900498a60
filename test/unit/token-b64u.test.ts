/** Strict base64url: round trip and canonical form, as properties over random input. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { b64uDecode, b64uEncode, isCanonicalB64u } from '../../src/shared-node/token';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const alphabetString = fc.string({ unit: fc.constantFrom(...ALPHABET), maxLength: 64 });
const hex = (b: Uint8Array | null): string | null => (b === null ? null : Buffer.from(b).toString('hex'));

describe('b64u', () => {
  it('round-trips any bytes through the unpadded alphabet', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const s = b64uEncode(bytes);
        expect(s).toMatch(/^[A-Za-z0-9_-]*$/);
        expect(s).toHaveLength(Math.ceil((bytes.length * 4) / 3));
        expect(hex(b64uDecode(s))).toBe(hex(bytes));
      }),
    );
  });

  it('encodes a subarray, not its whole backing buffer', () => {
    const backing = Uint8Array.from([1, 2, 3, 4, 5]);
    expect(b64uEncode(backing.subarray(1, 3))).toBe(b64uEncode(Uint8Array.from([2, 3])));
  });

  it('accepts exactly the canonical encodings (one string per byte sequence)', () => {
    // A string decodes iff re-encoding what a lenient decoder reads gives the very same string.
    const canonical = (s: string) => Buffer.from(s, 'base64url').toString('base64url') === s;
    fc.assert(
      fc.property(fc.oneof(alphabetString, fc.string({ unit: 'binary', maxLength: 64 })), (s) => {
        const decoded = b64uDecode(s);
        expect(decoded !== null).toBe(canonical(s));
        if (decoded !== null) expect(b64uEncode(decoded)).toBe(s);
        expect(isCanonicalB64u(s)).toBe(decoded !== null);
      }),
    );
  });

  it('rejects any encoding with a foreign character inserted', () => {
    const foreign = fc.constantFrom(
      '=',
      '+',
      '/',
      ' ',
      '\t',
      '\n',
      '\r',
      '.',
      '%',
      '\u0000',
      'é',
      '\u{1F600}',
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), foreign, fc.nat(), (bytes, ch, at) => {
        const s = b64uEncode(bytes);
        const i = at % (s.length + 1);
        expect(b64uDecode(s.slice(0, i) + ch + s.slice(i))).toBeNull();
      }),
    );
  });

  it('rejects length 1 mod 4 and non-zero spare bits', () => {
    expect(b64uDecode('A')).toBeNull();
    expect(b64uDecode('AAAAA')).toBeNull();
    expect(hex(b64uDecode('QQ'))).toBe('41');
    expect(b64uDecode('QR')).toBeNull();
    expect(hex(b64uDecode('QUI'))).toBe('4142');
    expect(b64uDecode('QUJ')).toBeNull();
    expect(hex(b64uDecode(''))).toBe('');
  });

  it('checks a range of a longer string', () => {
    expect(isCanonicalB64u('xx.QQ.yy', 3, 5)).toBe(true);
    expect(isCanonicalB64u('xx.QR.yy', 3, 5)).toBe(false);
  });
});
