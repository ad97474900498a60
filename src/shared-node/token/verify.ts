/**
 * Verifying side: the companion verifier's hot path. Follows the spec's order literally:
 * length → four parts → "v1" → kid (syntax, then known) → B64U → MAC (constant time) → JSON → fields,
 * then the request checks (slug, then expiry). Nothing from the payload is read before the MAC matches.
 * Failures are shared frozen objects and the MAC is decoded into a scratch buffer, so a rejected
 * token allocates next to nothing.
 */
import { timingSafeEqual } from 'node:crypto';
import { isUtf8 } from 'node:buffer';

import { isCanonicalB64u } from './b64u';
import { macInto } from './mac';
import { parsePayloadFast } from './payload-fast';
import {
  isValidKid,
  MAC_B64U_LENGTH,
  TOKEN_ERROR_STATUS,
  TOKEN_MAX_LENGTH,
  type TokenErrorCode,
  type TokenKeys,
  type VerifyFailure,
  type VerifyOptions,
  type VerifyResult,
} from './types';

function failure(code: TokenErrorCode): VerifyFailure {
  return Object.freeze({ ok: false, status: TOKEN_ERROR_STATUS[code], code }) as VerifyFailure;
}

const TOO_LONG = failure('too_long');
const MALFORMED = failure('malformed');
const BAD_VERSION = failure('bad_version');
const BAD_ENCODING = failure('bad_encoding');
const INVALID_PAYLOAD = failure('invalid_payload');
const UNKNOWN_KID = failure('unknown_kid');
const BAD_SIGNATURE = failure('bad_signature');
const SLUG_MISMATCH = failure('slug_mismatch');
const EXPIRED = failure('expired');

/** verifyToken is synchronous, so one buffer each for the received and the computed MAC is enough. */
const receivedMac = Buffer.alloc(32);
const expectedMac = Buffer.alloc(32);
/** The decoded payload: B64U of at most TOKEN_MAX_LENGTH characters is under 3/4 of it in bytes. */
const payloadBytes = Buffer.alloc(TOKEN_MAX_LENGTH);

export function verifyToken(token: string, keys: TokenKeys, opts: VerifyOptions): VerifyResult {
  if (typeof token !== 'string') return MALFORMED;
  if (token.length > TOKEN_MAX_LENGTH) return TOO_LONG;

  const d1 = token.indexOf('.');
  const d2 = d1 < 0 ? -1 : token.indexOf('.', d1 + 1);
  const d3 = d2 < 0 ? -1 : token.indexOf('.', d2 + 1);
  if (d3 < 0 || token.indexOf('.', d3 + 1) >= 0) return MALFORMED;
  // 'v' = 0x76, '1' = 0x31
  if (d1 !== 2 || token.charCodeAt(0) !== 0x76 || token.charCodeAt(1) !== 0x31) return BAD_VERSION;

  const kid = token.slice(d1 + 1, d2);
  if (!isValidKid(kid)) return MALFORMED;
  const secret = keys.get(kid);
  if (secret === undefined) return UNKNOWN_KID;

  const macStart = d3 + 1;
  if (
    !isCanonicalB64u(token, d2 + 1, d3) ||
    token.length - macStart !== MAC_B64U_LENGTH ||
    !isCanonicalB64u(token, macStart, token.length)
  ) {
    return BAD_ENCODING;
  }

  receivedMac.write(token.slice(macStart), 'base64url');
  macInto(token, d3, secret, expectedMac);
  if (!timingSafeEqual(expectedMac, receivedMac)) return BAD_SIGNATURE;

  // "UTF-8 JSON": invalid UTF-8 (overlong forms, encoded surrogates, truncated sequences) rejects instead
  // of becoming U+FFFD; a leading BOM stays in the string (Buffer does not strip it), so JSON.parse
  // rejects it.
  const n = payloadBytes.write(token.slice(d2 + 1, d3), 'base64url');
  const bytes = payloadBytes.subarray(0, n);
  if (!isUtf8(bytes)) return INVALID_PAYLOAD;
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    return INVALID_PAYLOAD;
  }
  const payload = parsePayloadFast(value);
  if (payload === null) return INVALID_PAYLOAD;

  if (opts.productSlug !== undefined && payload.product_slug !== opts.productSlug) return SLUG_MISMATCH;
  if (opts.now > payload.expires) return EXPIRED;
  return { ok: true, kid, payload };
}
