/**
 * Strict base64url (RFC 4648 §5) without padding, as the token spec requires.
 * Node's own 'base64url' decoder is lenient (it skips '=', whitespace and unknown characters and
 * ignores trailing bits), so every input is checked here first and only then handed to Buffer.
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** char code (< 128) -> 6-bit value, or -1 for characters outside the alphabet. */
const VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) VALUE[ALPHABET.charCodeAt(i)] = i;

/**
 * Whether `s.slice(start, end)` is a canonical unpadded B64U encoding: alphabet characters only,
 * a length that is not 1 mod 4, and zero trailing bits in the last character. Works on a range so
 * that the verifier can check the parts of a token without cutting substrings.
 */
export function isCanonicalB64u(s: string, start = 0, end = s.length): boolean {
  const len = end - start;
  const rem = len & 3;
  if (rem === 1) return false;
  let last = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    last = c < 128 ? (VALUE[c] as number) : -1;
    if (last < 0) return false;
  }
  // 2 chars carry 1 byte + 4 spare bits, 3 chars carry 2 bytes + 2 spare bits; spare bits must be 0.
  if (rem === 2) return (last & 0x0f) === 0;
  if (rem === 3) return (last & 0x03) === 0;
  return true;
}

export function b64uEncode(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

/** Strict decode: null on '=', '+', '/', whitespace, any other character, length % 4 == 1, non-zero trailing bits. */
export function b64uDecode(s: string): Uint8Array | null {
  if (typeof s !== 'string' || !isCanonicalB64u(s)) return null;
  return Buffer.from(s, 'base64url');
}
