/**
 * Field rules of the token payload (spec table "Payload fields"), as one zod schema shared by the
 * issuer (issueToken) and the verifier (verifyToken). Parsing returns a fresh object holding only the
 * known fields: unknown fields are covered by the MAC but ignored, here and in `src`.
 *
 * Decisions where the spec leaves room (also in test/vectors/README.md, with vectors):
 * - "integer" means a JSON number whose value is a safe integer (|n| <= 2^53-1): `1706900400.0` and
 *   `1.7069004e9` count as integers, `1.5`, `"3"`, `1e400` and 2^53 do not.
 * - "chars" counts Unicode code points (not UTF-16 units, not bytes).
 * - Strings of the known fields must be well-formed Unicode: a JSON `\ud800` escape without its pair rejects.
 * - An optional field that is present must have its type: `"max": null` rejects.
 * - `src` fields (the spec only names them):
 *   store  1–64 chars of [A-Za-z0-9._-] (the rule for store names in the verifier's configuration)
 *   bucket 1–255 chars of [A-Za-z0-9._-] (covers S3, R2, GCS, B2, Wasabi, Spaces, Ceph bucket names)
 *   key    1–1024 chars (S3 keys may hold any character)
 *   path   1–1024 chars, relative: no leading '/' or '\', no drive letter, no '..' segment (split on '/'
 *          and '\'), no control characters U+0000–U+001F/U+007F. The verifier still resolves symlinks.
 *   url    starts with exactly "https://" not followed by '/' or '\', no control characters or spaces
 *          (U+0000–U+0020, U+007F), and parses as a URL with a non-empty host. Which hosts are allowed
 *          is the verifier's decision.
 */
import { z } from 'zod';

import type { TokenPayload } from './types';

/** Thrown by issueToken when a payload breaks a field rule; `field` is its path, e.g. `src.url`. */
export class TokenPayloadError extends Error {
  override readonly name = 'TokenPayloadError';
  constructor(
    readonly field: string,
    detail: string,
  ) {
    super(`invalid token payload field "${field}": ${detail}`);
  }
}

const SLUG_RE = /^[a-z0-9][a-z0-9._-]*$/;
const JTI_RE = /^[A-Za-z0-9_-]{16,64}$/;
const STORE_RE = /^[A-Za-z0-9._-]{1,64}$/;
const BUCKET_RE = /^[A-Za-z0-9._-]{1,255}$/;
/** In a /u regex a paired surrogate is one code point, so \p{Cs} only matches unpaired halves. */
const LONE_SURROGATE_RE = /\p{Cs}/u;
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL_RE = /[\u0000-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex -- as above, plus the space
const CONTROL_OR_SPACE_RE = /[\u0000-\u0020\u007f]/;
const DRIVE_RE = /^[A-Za-z]:/;
const PATH_SEPARATOR_RE = /[\\/]/;

/** Number of Unicode code points of a well-formed string. */
export function codePointLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // A high surrogate followed by a low one is a single code point.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/** A well-formed string of min..max code points. */
function text(min: number, max: number) {
  return z
    .string()
    .refine((s) => !LONE_SURROGATE_RE.test(s), 'must be well-formed Unicode (no unpaired surrogate)')
    .refine((s) => {
      // Code points <= UTF-16 units, so the common short case needs no counting.
      if (s.length >= min && s.length <= max) return true;
      const n = codePointLength(s);
      return n >= min && n <= max;
    }, `must be ${min}–${max} characters`);
}

export function isSafeRelativePath(p: string): boolean {
  if (p.length === 0 || CONTROL_RE.test(p)) return false;
  if (p[0] === '/' || p[0] === '\\' || DRIVE_RE.test(p)) return false;
  return !p.split(PATH_SEPARATOR_RE).includes('..');
}

export function isHttpsUrl(u: string): boolean {
  if (!u.startsWith('https://') || CONTROL_OR_SPACE_RE.test(u)) return false;
  // WHATWG URL would read "https:///host" as host "host"; require the host right after "//".
  const first = u[8];
  if (first === undefined || first === '/' || first === '\\') return false;
  try {
    return new URL(u).hostname !== '';
  } catch {
    return false;
  }
}

const s3Source = z.object({
  type: z.literal('s3'),
  store: z.string().regex(STORE_RE, 'must be 1–64 characters of [A-Za-z0-9._-]'),
  bucket: z.string().regex(BUCKET_RE, 'must be 1–255 characters of [A-Za-z0-9._-]'),
  key: text(1, 1024),
});

const fileSource = z.object({
  type: z.literal('file'),
  path: text(1, 1024).refine(isSafeRelativePath, 'must be a relative path that stays inside the file root'),
});

const urlSource = z.object({
  type: z.literal('url'),
  url: text(1, 2048).refine(isHttpsUrl, 'must be an https:// URL with a host'),
});

/** `jti`: the link's id (also what the verifier's admin API revokes). */
export const jtiSchema = z.string().regex(JTI_RE, 'must be 16–64 characters of the B64U alphabet');
/** `license_id`: an integer, or a string of at most 128 characters. */
export const licenseIdSchema = z.union([z.int(), text(0, 128)]);

export const tokenPayloadSchema = z.object({
  product_slug: z.string().min(1).max(200).regex(SLUG_RE, 'must match [a-z0-9][a-z0-9._-]*'),
  expires: z.int(),
  jti: jtiSchema,
  src: z.discriminatedUnion('type', [s3Source, fileSource, urlSource]),
  license_id: licenseIdSchema.optional(),
  max: z.int().min(1).optional(),
  filename: text(0, 255).optional(),
  iat: z.int().optional(),
}) satisfies z.ZodType<TokenPayload>; // the parsed output must stay assignable to the public type

export type PayloadCheck = { ok: true; payload: TokenPayload } | { ok: false; field: string; detail: string };

/** Checks a parsed JSON value against the field rules without throwing. */
export function checkPayload(value: unknown): PayloadCheck {
  const r = tokenPayloadSchema.safeParse(value);
  if (r.success) return { ok: true, payload: r.data };
  const issue = r.error.issues[0];
  return {
    ok: false,
    field: issue && issue.path.length > 0 ? issue.path.join('.') : '(payload)',
    detail: issue?.message ?? 'invalid',
  };
}
