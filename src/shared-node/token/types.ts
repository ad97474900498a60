/**
 * Types and constants of the Signet download token, version 1
 * (spec: `download-token-v1.md` in the shared specs; vectors: test/vectors/download-token-v1.json).
 */

/** The whole token is at most this many characters; longer input is rejected before any decoding. */
export const TOKEN_MAX_LENGTH = 2048;

/** Length of B64U(HMAC-SHA256): 32 bytes encode to 43 characters without padding. */
export const MAC_B64U_LENGTH = 43;

/** Secrets are exactly 32 bytes (43 B64U characters in configuration). */
export const SECRET_BYTES = 32;

/** `kid = 1*32( ALPHA / DIGIT / "_" / "-" )` */
export const KID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

export type TokenSource =
  | { type: 's3'; store: string; bucket: string; key: string }
  | { type: 'file'; path: string }
  | { type: 'url'; url: string };

export interface TokenPayload {
  product_slug: string;
  expires: number;
  jti: string;
  src: TokenSource;
  license_id?: number | string;
  max?: number;
  filename?: string;
  iat?: number;
}

/** kid -> 32-byte secret. Several kids may be valid at once (rotation). */
export type TokenKeys = ReadonlyMap<string, Uint8Array>;

export type TokenErrorCode =
  | 'too_long'
  | 'malformed'
  | 'bad_version'
  | 'bad_encoding'
  | 'invalid_payload'
  | 'unknown_kid'
  | 'bad_signature'
  | 'slug_mismatch'
  | 'expired';

export type TokenErrorStatus = 400 | 403 | 410;

export type VerifyFailure = { ok: false; status: TokenErrorStatus; code: TokenErrorCode };

export type VerifyResult = { ok: true; kid: string; payload: TokenPayload } | VerifyFailure;

export interface VerifyOptions {
  /** The server clock in Unix seconds (not milliseconds). The link works while `now <= expires`. */
  now: number;
  /** The request's `{product_slug}` path segment (already percent-decoded); compared exactly when given. */
  productSlug?: string;
}

/** The HTTP status each rejection maps to (spec, "Answers"). */
export const TOKEN_ERROR_STATUS: { readonly [C in TokenErrorCode]: TokenErrorStatus } = {
  too_long: 400,
  malformed: 400,
  bad_version: 400,
  bad_encoding: 400,
  invalid_payload: 400,
  unknown_kid: 403,
  bad_signature: 403,
  slug_mismatch: 403,
  expired: 410,
};

export function isValidKid(kid: string): boolean {
  return KID_PATTERN.test(kid);
}
