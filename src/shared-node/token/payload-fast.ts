/**
 * The payload field rules of payload.ts, hand-written for the verifier's hot path: the same decisions
 * as `tokenPayloadSchema.safeParse` (zod) on every JSON value, at a fraction of the cost and without
 * building issue objects for a rejection. zod stays the reference and the issuer's check (it names the
 * bad field); test/unit/verifier-payload-fast.test.ts holds the two to the same answers, on the test
 * vectors and on random input.
 *
 * Returns a fresh object with only the known fields (as zod does), or null.
 */
import { isHttpsUrl, isSafeRelativePath } from './payload';
import type { TokenPayload, TokenSource } from './types';

const SLUG_RE = /^[a-z0-9][a-z0-9._-]*$/;
const JTI_RE = /^[A-Za-z0-9_-]{16,64}$/;
const STORE_RE = /^[A-Za-z0-9._-]{1,64}$/;
const BUCKET_RE = /^[A-Za-z0-9._-]{1,255}$/;

type Obj = Record<string, unknown>;

const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** zod's `z.int()`: a number that is a safe integer. */
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);

/**
 * zod's `text(min, max)` of payload.ts: a well-formed string (no unpaired surrogate) of min..max code
 * points. One pass over the UTF-16 units.
 */
function isText(v: unknown, min: number, max: number): v is string {
  if (typeof v !== 'string') return false;
  const len = v.length;
  if (len < min) return false; // code points <= UTF-16 units
  let points = 0;
  for (let i = 0; i < len; i++) {
    const c = v.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) {
      // A high surrogate must be followed by a low one; a low one on its own is unpaired.
      if (c > 0xdbff || i + 1 >= len) return false;
      const d = v.charCodeAt(i + 1);
      if (d < 0xdc00 || d > 0xdfff) return false;
      i++;
    }
    points++;
  }
  return points >= min && points <= max;
}

function source(v: unknown): TokenSource | null {
  if (!isObject(v)) return null;
  switch (v.type) {
    case 's3': {
      const { store, bucket, key } = v;
      if (typeof store !== 'string' || !STORE_RE.test(store)) return null;
      if (typeof bucket !== 'string' || !BUCKET_RE.test(bucket)) return null;
      if (!isText(key, 1, 1024)) return null;
      return { type: 's3', store, bucket, key };
    }
    case 'file': {
      const path = v.path;
      if (!isText(path, 1, 1024) || !isSafeRelativePath(path)) return null;
      return { type: 'file', path };
    }
    case 'url': {
      const url = v.url;
      if (!isText(url, 1, 2048) || !isHttpsUrl(url)) return null;
      return { type: 'url', url };
    }
    default:
      return null;
  }
}

/** The token payload from a parsed JSON value, or null when a field rule is broken. */
export function parsePayloadFast(value: unknown): TokenPayload | null {
  if (!isObject(value)) return null;
  const { product_slug, expires, jti, license_id, max, filename, iat } = value;
  if (
    typeof product_slug !== 'string' ||
    product_slug.length < 1 ||
    product_slug.length > 200 ||
    !SLUG_RE.test(product_slug)
  )
    return null;
  if (!isInt(expires)) return null;
  if (typeof jti !== 'string' || !JTI_RE.test(jti)) return null;
  const src = source(value.src);
  if (src === null) return null;
  const out: TokenPayload = { product_slug, expires, jti, src };
  if (license_id !== undefined) {
    if (!isInt(license_id) && !isText(license_id, 0, 128)) return null;
    out.license_id = license_id;
  }
  if (max !== undefined) {
    if (!isInt(max) || max < 1) return null;
    out.max = max;
  }
  if (filename !== undefined) {
    if (!isText(filename, 0, 255)) return null;
    out.filename = filename;
  }
  if (iat !== undefined) {
    if (!isInt(iat)) return null;
    out.iat = iat;
  }
  return out;
}
