/**
 * An independent reading of download-token-v1.md, written from the spec text alone (it uses nothing of
 * src/shared/token): split, B64U without padding, HMAC-SHA256 over `v1.{kid}.{B64U(payload)}`, then the payload
 * JSON. Tests use it to cross-check tokens the app issues.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const B64U = /^[A-Za-z0-9_-]*$/;

/** RFC 4648 §5 without padding; null for anything else (or non-canonical trailing bits). */
export function b64uDecodeStrict(s: string): Buffer | null {
  if (!B64U.test(s) || s.length % 4 === 1) return null;
  const bytes = Buffer.from(s, 'base64url');
  return bytes.toString('base64url') === s ? bytes : null;
}

export type SpecReading =
  | { ok: true; kid: string; payload: Record<string, unknown>; payloadJson: string }
  | { ok: false; reason: string };

/** Reads and checks a token against `keys` (kid → the 43-character B64U secret of a verifier config). */
export function readTokenPerSpec(token: string, keys: Record<string, string>): SpecReading {
  if (token.length > 2048) return { ok: false, reason: 'too long' };
  const parts = token.split('.');
  if (parts.length !== 4) return { ok: false, reason: 'not four parts' };
  const [version, kid, payloadB64, macB64] = parts as [string, string, string, string];
  if (version !== 'v1') return { ok: false, reason: 'not v1' };
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(kid) || keys[kid] === undefined)
    return { ok: false, reason: 'unknown kid' };
  const secret = b64uDecodeStrict(keys[kid]);
  const payload = b64uDecodeStrict(payloadB64);
  const mac = b64uDecodeStrict(macB64);
  if (!secret || secret.length !== 32 || !payload || !mac) return { ok: false, reason: 'bad encoding' };
  const expected = createHmac('sha256', secret).update(`v1.${kid}.${payloadB64}`, 'ascii').digest();
  if (mac.length !== expected.length || !timingSafeEqual(mac, expected))
    return { ok: false, reason: 'bad MAC' };
  const payloadJson = new TextDecoder('utf-8', { fatal: true }).decode(payload);
  const parsed = JSON.parse(payloadJson) as unknown;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { ok: false, reason: 'payload not an object' };
  }
  return { ok: true, kid, payload: parsed as Record<string, unknown>, payloadJson };
}

/** The spec's own example, to check this reader before trusting it. */
export const SPEC_EXAMPLE = {
  keys: { k1: 'AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE' },
  payload:
    '{"product_slug":"my-plugin","expires":1706900400,"jti":"AAAAAAAAAAAAAAAAAAAAAA","src":{"type":"s3","store":"main","bucket":"shop","key":"my-plugin.zip"},"license_id":42}',
  token:
    'v1.k1.eyJwcm9kdWN0X3NsdWciOiJteS1wbHVnaW4iLCJleHBpcmVzIjoxNzA2OTAwNDAwLCJqdGkiOiJBQUFBQUFBQUFBQUFBQUFBQUFBQUFBIiwic3JjIjp7InR5cGUiOiJzMyIsInN0b3JlIjoibWFpbiIsImJ1Y2tldCI6InNob3AiLCJrZXkiOiJteS1wbHVnaW4uemlwIn0sImxpY2Vuc2VfaWQiOjQyfQ.CoLddMBK1PHOXtWmkpzkxId_PEvBrCiKxg6PuedV070',
};
