/** Issuing side: the desktop app (and the test-vector generator). */
import { b64uEncode } from './b64u';
import { computeMac } from './mac';
import { checkPayload, TokenPayloadError } from './payload';
import { isValidKid, SECRET_BYTES, TOKEN_MAX_LENGTH, type TokenPayload } from './types';

/** Thrown by issueToken when the payload is valid but the token would exceed TOKEN_MAX_LENGTH. */
export class TokenTooLongError extends Error {
  override readonly name = 'TokenTooLongError';
  constructor(readonly length: number) {
    super(`token would be ${length} characters, over the limit of ${TOKEN_MAX_LENGTH}`);
  }
}

function assertSigningKey(kid: string, secret: Uint8Array): void {
  if (typeof kid !== 'string' || !isValidKid(kid)) {
    throw new TypeError('kid must be 1–32 characters of [A-Za-z0-9_-]');
  }
  if (!(secret instanceof Uint8Array) || secret.byteLength !== SECRET_BYTES) {
    throw new RangeError(`secret must be exactly ${SECRET_BYTES} bytes`);
  }
}

/**
 * Signs exact payload bytes. No payload or length checks: this is how test vectors with invalid payloads
 * (bad JSON, invalid UTF-8, over-long tokens) get real MACs.
 */
export function signPayload(payload: Uint8Array, kid: string, secret: Uint8Array): string {
  assertSigningKey(kid, secret);
  const signingInput = `v1.${kid}.${b64uEncode(payload)}`;
  return `${signingInput}.${computeMac(signingInput, secret).toString('base64url')}`;
}

/** Signs the UTF-8 encoding of `payloadJson` exactly as given (no re-serialization, no checks). */
export function signPayloadBytes(payloadJson: string, kid: string, secret: Uint8Array): string {
  return signPayload(Buffer.from(payloadJson, 'utf8'), kid, secret);
}

/**
 * Validates the payload (TokenPayloadError names the first bad field), serializes it with JSON.stringify
 * and signs it. Throws TokenTooLongError when the token would be longer than TOKEN_MAX_LENGTH.
 */
export function issueToken(payload: TokenPayload, kid: string, secret: Uint8Array): string {
  const before = checkPayload(payload);
  if (!before.ok) throw new TokenPayloadError(before.field, before.detail);
  const json = JSON.stringify(payload);
  // The verifier sees the JSON, not this object: check what it will parse (toJSON, getters, -0 and the
  // like must not produce a token that the issuer accepted but the verifier rejects).
  const after = checkPayload(JSON.parse(json));
  if (!after.ok) throw new TokenPayloadError(after.field, `${after.detail} (after JSON serialization)`);
  const token = signPayloadBytes(json, kid, secret);
  if (token.length > TOKEN_MAX_LENGTH) throw new TokenTooLongError(token.length);
  return token;
}
