import { createHmac, hash } from 'node:crypto';

/** HMAC-SHA256 over the ASCII signing input `v1.{kid}.{B64U(payload)}` (callers ensure it is ASCII). */
export function computeMac(signingInput: string, secret: Uint8Array): Buffer {
  return createHmac('sha256', secret).update(signingInput, 'latin1').digest();
}

/**
 * The verifier's hot path: the same HMAC-SHA256 (RFC 2104) as computeMac over the first `length`
 * characters of `text`, written into `out` (32 bytes). Built from two one-shot SHA-256 calls over key
 * blocks prepared once per secret, which costs less than a fresh Hmac object per request (Node ≥ 20.12
 * has crypto.hash). test/unit/verifier-payload-fast.test.ts checks it against createHmac.
 */
export function macInto(text: string, length: number, secret: Uint8Array, out: Buffer): void {
  if (length > MAX_MESSAGE) {
    computeMac(text.slice(0, length), secret).copy(out);
    return;
  }
  let pads = PADS.get(secret);
  if (pads === undefined) {
    pads = keyPads(secret);
    PADS.set(secret, pads);
  }
  pads.inner.write(text.length === length ? text : text.slice(0, length), 64, 'latin1');
  const innerDigest = hash('sha256', pads.inner.subarray(0, 64 + length), 'buffer');
  innerDigest.copy(pads.outer, 64);
  hash('sha256', pads.outer, 'buffer').copy(out);
}

interface Pads {
  /** (key XOR ipad) followed by room for a message of up to 4 KB. */
  inner: Buffer;
  /** (key XOR opad) followed by the 32-byte inner digest. */
  outer: Buffer;
}

/** Per secret (the verifier's few configured keys); a WeakMap so a dropped key set is not kept. */
const MAX_MESSAGE = 4096;
const PADS = new WeakMap<Uint8Array, Pads>();

function keyPads(secret: Uint8Array): Pads {
  // SHA-256's block is 64 bytes; a longer key is first hashed (RFC 2104), a shorter one zero-padded.
  const key = secret.byteLength > 64 ? hash('sha256', Buffer.from(secret), 'buffer') : secret;
  const inner = Buffer.alloc(64 + MAX_MESSAGE);
  const outer = Buffer.alloc(64 + 32);
  for (let i = 0; i < 64; i++) {
    const k = i < key.byteLength ? (key[i] as number) : 0;
    inner[i] = k ^ 0x36;
    outer[i] = k ^ 0x5c;
  }
  return { inner, outer };
}
