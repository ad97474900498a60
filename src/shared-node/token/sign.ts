/** Issuing side: the desktop app (and shop plugins following the spec). Only checked payloads are signed here. */
import { b64uEncode } from './b64u';
import { macInto } from './mac';
import { checkPayload, TokenPayloadError } from './payload';
import { parsePayloadFast } from './payload-fast';
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
 * The largest `expires` / `iat` the issuer accepts: 10^10 seconds is the year 2286. `Date.now()` is about
 * 1.8 × 10^12 (milliseconds), so a milliseconds value, which would make a link live for millennia, is refused.
 */
export const MAX_PLAUSIBLE_UNIX_SECONDS = 10_000_000_000;

function assertUnixSeconds(field: 'expires' | 'iat', value: number | undefined): void {
  if (value === undefined) return;
  if (value < 0 || value >= MAX_PLAUSIBLE_UNIX_SECONDS) {
    throw new TokenPayloadError(
      field,
      `must be Unix seconds (0 to ${MAX_PLAUSIBLE_UNIX_SECONDS - 1}); ${value} looks like milliseconds or is not a time`,
    );
  }
}

/** Signs exact bytes (after the issuer's checks). The unchecked form for tests is test/support/token-unchecked.ts. */
function sign(json: string, kid: string, secret: Uint8Array): string {
  assertSigningKey(kid, secret);
  const signingInput = `v1.${kid}.${b64uEncode(Buffer.from(json, 'utf8'))}`;
  macInto(signingInput, signingInput.length, secret, MAC_OUT);
  return `${signingInput}.${MAC_OUT.toString('base64url')}`;
}

/** The MAC's 32 bytes, reused (signing is synchronous). */
const MAC_OUT = Buffer.alloc(32);

/** Throws the TokenPayloadError zod finds in the payload as given, if any. */
function namedFailure(payload: unknown): void {
  const before = checkPayload(payload);
  if (!before.ok) throw new TokenPayloadError(before.field, before.detail);
}

/**
 * Validates the payload (TokenPayloadError names the first bad field; `expires` and `iat` must be plausible
 * Unix seconds, not milliseconds), serializes it with JSON.stringify and signs it. Throws TokenTooLongError
 * when the token would be longer than TOKEN_MAX_LENGTH.
 */
export function issueToken(payload: TokenPayload, kid: string, secret: Uint8Array): string {
  // The verifier sees the JSON, not this object: check what it will parse (toJSON, getters, -0 and the
  // like must not produce a token that the issuer accepted but the verifier rejects). The hand-written checker
  // (payload-fast.ts, held to zod's answers by its tests) is the fast path; zod runs only when it refuses, on
  // the object as given first, so the error names the field the caller set.
  let json: string | undefined;
  try {
    json = JSON.stringify(payload);
  } catch (err) {
    namedFailure(payload); // a BigInt or a cycle: name the field when zod can
    throw err;
  }
  if (json === undefined) {
    namedFailure(payload);
    throw new TokenPayloadError('(payload)', 'must be an object');
  }
  const reparsed: unknown = JSON.parse(json);
  let after = parsePayloadFast(reparsed);
  if (after === null) {
    namedFailure(payload);
    const checked = checkPayload(reparsed);
    if (!checked.ok)
      throw new TokenPayloadError(checked.field, `${checked.detail} (after JSON serialization)`);
    after = checked.payload;
  }
  assertUnixSeconds('expires', after.expires);
  assertUnixSeconds('iat', after.iat);
  const token = sign(json, kid, secret);
  if (token.length > TOKEN_MAX_LENGTH) throw new TokenTooLongError(token.length);
  return token;
}
