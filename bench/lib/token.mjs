/**
 * Issues download tokens straight from the spec (shared/spec/download-token-v1.md) with node:crypto,
 * independent of src/shared-node/token: the bench then also shows that a second implementation written
 * from the page alone is accepted by the verifier.
 */
import { createHmac, randomBytes } from 'node:crypto';

export const b64u = (buf) => Buffer.from(buf).toString('base64url');

export function newSecret() {
  return randomBytes(32);
}

export function newJti() {
  return b64u(randomBytes(16));
}

/** token = "v1." kid "." B64U(payload) "." B64U(HMAC-SHA256(secret, "v1." kid "." B64U(payload))) */
export function issueToken(payload, kid, secret) {
  const signed = `v1.${kid}.${b64u(Buffer.from(JSON.stringify(payload), 'utf8'))}`;
  return `${signed}.${b64u(createHmac('sha256', secret).update(signed, 'ascii').digest())}`;
}

/** The same token with its MAC's first character changed: still canonical B64U, so a 403, not a 400. */
export function withBadMac(token) {
  const i = token.lastIndexOf('.') + 1;
  const swapped = token[i] === 'A' ? 'B' : 'A';
  return token.slice(0, i) + swapped + token.slice(i + 1);
}
