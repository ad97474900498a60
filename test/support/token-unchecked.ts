/**
 * Test-only signing without any payload check: how test vectors with invalid payloads (bad JSON, invalid
 * UTF-8, over-long tokens, millisecond expiries) and fuzz inputs get real MACs. The app issues tokens only
 * through `issueToken` (src/shared-node/token), which checks every field first; this entry point lives under test/
 * so nothing in src can reach it.
 */
import { b64uEncode, isValidKid, SECRET_BYTES } from '../../src/shared-node/token';
import { computeMac } from '../../src/shared-node/token/mac';

/** Signs exact payload bytes. */
export function signPayload(payload: Uint8Array, kid: string, secret: Uint8Array): string {
  if (typeof kid !== 'string' || !isValidKid(kid)) {
    throw new TypeError('kid must be 1–32 characters of [A-Za-z0-9_-]');
  }
  if (!(secret instanceof Uint8Array) || secret.byteLength !== SECRET_BYTES) {
    throw new RangeError(`secret must be exactly ${SECRET_BYTES} bytes`);
  }
  const signingInput = `v1.${kid}.${b64uEncode(payload)}`;
  return `${signingInput}.${computeMac(signingInput, secret).toString('base64url')}`;
}

/** Signs the UTF-8 encoding of `payloadJson` exactly as given (no re-serialization, no checks). */
export function signPayloadBytes(payloadJson: string, kid: string, secret: Uint8Array): string {
  return signPayload(Buffer.from(payloadJson, 'utf8'), kid, secret);
}
