/**
 * An independent reading of download-token-v1.md, written from the spec text alone (it uses nothing of
 * src/shared-node/token): split, B64U without padding, HMAC-SHA256 over `v1.{kid}.{B64U(payload)}`, then the payload
 * JSON and the field rules of the spec's table "Payload fields". Tests use it to cross-check tokens the app issues.
 *
 * How this reader takes the words of the spec (each one is what the spec text says, read plainly):
 * - "integer": a JSON number whose value is a whole number that a double holds exactly (|n| ≤ 2^53−1); JSON.parse
 *   cannot tell `42` from `42.0`, and past 2^53 the value read is no longer the one written.
 * - "chars": Unicode code points (a JSON string is Unicode text, not bytes). A string with an unpaired
 *   surrogate (`"\ud800"`) is not Unicode text, so a known field holding one is a wrong type.
 * - "UTF-8 JSON object (RFC 8259)": strict UTF-8, and a byte order mark is not part of a JSON text.
 * - A present optional field must have its type (`"max": null` is a wrong type, not an absent field).
 * - `src`: the spec names the fields and their meaning only; this reader asks that each named field be a
 *   non-empty string, that `path` be relative and stay inside the root (no leading `/` or `\`, no drive
 *   letter, no `..` segment with either separator) and that `url` parse as an `https` URL with a host. Tighter
 *   rules (character sets of store and bucket, key length, control characters) are the project's own
 *   decisions, not the spec's, and are not read here.
 * - "Unknown fields are ignored": accepted, and listed in `unknownFields` so that a test can see the app adds
 *   none.
 * Field rules are checked in the table's order; the first broken one is the reason.
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
  | {
      ok: true;
      kid: string;
      payload: Record<string, unknown>;
      payloadJson: string;
      /** Top-level fields the spec's table does not name (covered by the MAC, ignored by a verifier). */
      unknownFields: string[];
    }
  | { ok: false; reason: string };

/** The fields of the spec's table, in its order. */
export const SPEC_FIELDS = [
  'product_slug',
  'expires',
  'jti',
  'src',
  'license_id',
  'max',
  'filename',
  'iat',
] as const;

const SLUG = /^[a-z0-9][a-z0-9._-]*$/;
const JTI = /^[A-Za-z0-9_-]{16,64}$/;

/** A value as a reason quotes it (short strings whole, long ones by length). */
function shown(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return v.length <= 40 ? JSON.stringify(v) : `a string of ${chars(v)} chars`;
  if (typeof v === 'number') return String(v);
  return `a ${typeof v}`;
}

/** Unicode code points (the spec's "chars"). */
function chars(s: string): number {
  return s.length - (s.match(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g)?.length ?? 0);
}

/** In a /u regex a surrogate pair is one code point, so \p{Cs} finds only unpaired halves. */
const UNPAIRED_SURROGATE = /\p{Cs}/u;

function isUnicodeText(v: unknown): v is string {
  return typeof v === 'string' && !UNPAIRED_SURROGATE.test(v);
}

function isInteger(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v);
}

/** A string of at most `max` chars, or why not. */
function stringProblem(v: unknown, max: number): string | null {
  if (typeof v !== 'string') return `must be a string (got ${shown(v)})`;
  if (!isUnicodeText(v)) return 'must be Unicode text (it holds an unpaired surrogate)';
  const n = chars(v);
  return n > max ? `must be at most ${max} chars (got ${n})` : null;
}

/** A non-empty string field of `src`, or why not. */
function srcStringProblem(src: Record<string, unknown>, field: string): string | null {
  const v = src[field];
  if (v === undefined) return `src.${field}: missing (required for type "${String(src['type'])}")`;
  if (typeof v !== 'string' || !isUnicodeText(v)) return `src.${field}: must be a string (got ${shown(v)})`;
  return v === '' ? `src.${field}: must not be empty` : null;
}

/** "P must not escape the root (no `..` segments, no absolute path)": with `/` and `\` both separators. */
function pathProblem(p: string): string | null {
  if (p.startsWith('/') || p.startsWith('\\') || /^[A-Za-z]:/.test(p)) {
    return `src.path: must be relative, not absolute (got ${shown(p)})`;
  }
  if (p.split(/[\\/]/).includes('..')) return `src.path: must not have a ".." segment (got ${shown(p)})`;
  return null;
}

function urlProblem(u: string): string | null {
  let url: URL;
  try {
    url = new URL(u);
  } catch {
    return `src.url: must be an absolute URL (got ${shown(u)})`;
  }
  if (url.protocol !== 'https:') return `src.url: must be an https URL (got ${shown(u)})`;
  return url.hostname === '' ? `src.url: must have a host (got ${shown(u)})` : null;
}

function srcProblem(src: unknown): string | null {
  if (typeof src !== 'object' || src === null || Array.isArray(src)) {
    return `src: must be an object (got ${shown(src)})`;
  }
  const s = src as Record<string, unknown>;
  switch (s['type']) {
    case 's3':
      return srcStringProblem(s, 'store') ?? srcStringProblem(s, 'bucket') ?? srcStringProblem(s, 'key');
    case 'file':
      return srcStringProblem(s, 'path') ?? pathProblem(s['path'] as string);
    case 'url':
      return srcStringProblem(s, 'url') ?? urlProblem(s['url'] as string);
    case undefined:
      return 'src.type: missing';
    default:
      return `src.type: must be "s3", "file" or "url" (got ${shown(s['type'])})`;
  }
}

/** The first field rule the payload breaks, as `field: why`, or null when it keeps them all. */
export function payloadProblem(p: Record<string, unknown>): string | null {
  const present = (f: string) => Object.hasOwn(p, f);
  for (const f of ['product_slug', 'expires', 'jti', 'src'] as const) {
    if (!present(f)) return `${f}: missing (required)`;
  }

  const slug = p['product_slug'];
  if (typeof slug !== 'string') return `product_slug: must be a string (got ${shown(slug)})`;
  const slugChars = chars(slug);
  if (slugChars < 1 || slugChars > 200) return `product_slug: must be 1–200 chars (got ${slugChars})`;
  if (!SLUG.test(slug)) return `product_slug: must match [a-z0-9][a-z0-9._-]* (got ${shown(slug)})`;

  if (!isInteger(p['expires'])) {
    return `expires: must be an integer of Unix seconds (got ${shown(p['expires'])})`;
  }

  const jti = p['jti'];
  if (typeof jti !== 'string') return `jti: must be a string (got ${shown(jti)})`;
  if (!JTI.test(jti)) {
    return `jti: must be 16–64 chars of the B64U alphabet (got ${chars(jti)} chars: ${shown(jti)})`;
  }

  const src = srcProblem(p['src']);
  if (src) return src;

  if (present('license_id')) {
    const id = p['license_id'];
    if (typeof id === 'number') {
      if (!isInteger(id)) return `license_id: must be an integer or a string (got ${shown(id)})`;
    } else if (typeof id === 'string') {
      const problem = stringProblem(id, 128);
      if (problem) return `license_id: ${problem}`;
    } else {
      return `license_id: must be an integer or a string (got ${shown(id)})`;
    }
  }

  if (present('max')) {
    const max = p['max'];
    if (!isInteger(max) || max < 1) return `max: must be an integer ≥ 1 (got ${shown(max)})`;
  }

  if (present('filename')) {
    const problem = stringProblem(p['filename'], 255);
    if (problem) return `filename: ${problem}`;
  }

  if (present('iat') && !isInteger(p['iat'])) {
    return `iat: must be an integer of Unix seconds (got ${shown(p['iat'])})`;
  }
  return null;
}

/** Reads and checks a token against `keys` (kid → the 43-character B64U secret of a verifier config). */
export function readTokenPerSpec(token: string, keys: Record<string, string>): SpecReading {
  if (token.length > 2048) return { ok: false, reason: 'too long' };
  const parts = token.split('.');
  if (parts.length !== 4) return { ok: false, reason: 'not four parts' };
  const [version, kid, payloadB64, macB64] = parts as [string, string, string, string];
  if (version !== 'v1') return { ok: false, reason: 'not v1' };
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(kid) || !Object.hasOwn(keys, kid))
    return { ok: false, reason: 'unknown kid' };
  const secret = b64uDecodeStrict(keys[kid]!);
  const payload = b64uDecodeStrict(payloadB64);
  const mac = b64uDecodeStrict(macB64);
  if (!secret || secret.length !== 32 || !payload || !mac) return { ok: false, reason: 'bad encoding' };
  const expected = createHmac('sha256', secret).update(`v1.${kid}.${payloadB64}`, 'ascii').digest();
  if (mac.length !== expected.length || !timingSafeEqual(mac, expected))
    return { ok: false, reason: 'bad MAC' };

  let payloadJson: string;
  try {
    // ignoreBOM keeps a byte order mark in the text, where JSON.parse refuses it (RFC 8259 §8.1).
    payloadJson = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(payload);
  } catch {
    return { ok: false, reason: 'payload not UTF-8' };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(payloadJson);
  } catch (err) {
    return { ok: false, reason: `payload not JSON (${(err as Error).message})` };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { ok: false, reason: 'payload not an object' };
  }
  const fields = parsed as Record<string, unknown>;
  const problem = payloadProblem(fields);
  if (problem) return { ok: false, reason: problem };
  const known: readonly string[] = SPEC_FIELDS;
  return {
    ok: true,
    kid,
    payload: fields,
    payloadJson,
    unknownFields: Object.keys(fields).filter((f) => !known.includes(f)),
  };
}

/** The spec's own example, to check this reader before trusting it. */
export const SPEC_EXAMPLE = {
  keys: { k1: 'AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE' },
  payload:
    '{"product_slug":"my-plugin","expires":1706900400,"jti":"AAAAAAAAAAAAAAAAAAAAAA","src":{"type":"s3","store":"main","bucket":"shop","key":"my-plugin.zip"},"license_id":42}',
  token:
    'v1.k1.eyJwcm9kdWN0X3NsdWciOiJteS1wbHVnaW4iLCJleHBpcmVzIjoxNzA2OTAwNDAwLCJqdGkiOiJBQUFBQUFBQUFBQUFBQUFBQUFBQUFBIiwic3JjIjp7InR5cGUiOiJzMyIsInN0b3JlIjoibWFpbiIsImJ1Y2tldCI6InNob3AiLCJrZXkiOiJteS1wbHVnaW4uemlwIn0sImxpY2Vuc2VfaWQiOjQyfQ.CoLddMBK1PHOXtWmkpzkxId_PEvBrCiKxg6PuedV070',
};
