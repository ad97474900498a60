import { createHmac } from 'node:crypto';

/** HMAC-SHA256 over the ASCII signing input `v1.{kid}.{B64U(payload)}` (callers ensure it is ASCII). */
export function computeMac(signingInput: string, secret: Uint8Array): Buffer {
  return createHmac('sha256', secret).update(signingInput, 'latin1').digest();
}
