/** Key material: configuration parsing and generation of secrets and link ids. */
import { randomFillSync } from 'node:crypto';

import { b64uDecode } from './b64u';
import { isValidKid, SECRET_BYTES, type TokenKeys } from './types';

const SECRET_B64U_LENGTH = 43;

/** Parses a secret written as 43 B64U characters (exactly 32 bytes). The message never echoes the input. */
export function parseSecret(b64u: string): Uint8Array {
  if (typeof b64u !== 'string' || b64u.length !== SECRET_B64U_LENGTH) {
    throw new TypeError(`a token secret must be ${SECRET_B64U_LENGTH} base64url characters (32 bytes)`);
  }
  const bytes = b64uDecode(b64u);
  if (bytes === null || bytes.byteLength !== SECRET_BYTES) {
    throw new TypeError('a token secret must be canonical unpadded base64url of exactly 32 bytes');
  }
  // Small Buffers share Node's allocation pool; a secret gets memory of its own.
  return new Uint8Array(bytes);
}

/**
 * Builds the verifier's key map from configuration (kid -> B64U secret), checking each kid and secret.
 * Throws naming the kid (never the secret).
 */
export function parseKeys(
  config: Readonly<Record<string, string>> | Iterable<readonly [string, string]>,
): TokenKeys {
  const entries = Symbol.iterator in config ? [...config] : Object.entries(config);
  const keys = new Map<string, Uint8Array>();
  for (const [kid, secret] of entries) {
    if (!isValidKid(kid))
      throw new TypeError(`token kid ${JSON.stringify(kid)} must be 1–32 of [A-Za-z0-9_-]`);
    if (keys.has(kid)) throw new TypeError(`token kid ${JSON.stringify(kid)} is configured twice`);
    try {
      keys.set(kid, parseSecret(secret));
    } catch (e) {
      throw new TypeError(`token kid ${JSON.stringify(kid)}: ${(e as Error).message}`);
    }
  }
  return keys;
}

export function generateSecret(): Uint8Array {
  return randomFillSync(new Uint8Array(SECRET_BYTES));
}

const JTI_BYTES = 16;
/** Random bytes for link ids, filled 256 ids at a time: one call into the CSPRNG costs more than a whole token. */
const jtiPool = Buffer.alloc(JTI_BYTES * 256);
let jtiOffset = jtiPool.length;

/** The first byte of ids whose B64U form would start with '-' (index 62: the byte's top six bits 111110). */
const DASH_FIRST = 62;

/**
 * 16 random bytes (never reused: each id takes fresh bytes from the pool) as 22 B64U characters: a valid `jti`,
 * never starting with '-'. A jti is a command-line argument (`signet links revoke JTI`, where '-…' reads as a
 * flag) and a cell of the batch CSV (where '-…' would get the formula guard's quote); an id that would is drawn
 * again.
 */
export function generateJti(): string {
  for (;;) {
    if (jtiOffset === jtiPool.length) {
      randomFillSync(jtiPool);
      jtiOffset = 0;
    }
    const start = jtiOffset;
    jtiOffset += JTI_BYTES;
    if (jtiPool[start]! >> 2 !== DASH_FIRST) return jtiPool.toString('base64url', start, start + JTI_BYTES);
  }
}
