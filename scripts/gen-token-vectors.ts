/**
 * Generates test/vectors/download-token-v1.json, the language-neutral test vectors of the download
 * token spec (v1). Every token whose MAC matters is produced by real signing (signPayload); expectations
 * are written here by hand from the spec, never by calling verifyToken.
 *
 * Node 20 cannot run TypeScript directly and tsx is not a dependency, so the file is (re)written through
 * vitest:  SIGNET_WRITE_VECTORS=1 npx vitest run --root . test/unit/token-vectors.test.ts
 * The same test, without the variable, fails when the committed file differs from what this builds.
 */
import { writeFileSync } from 'node:fs';

import {
  b64uEncode,
  TOKEN_ERROR_STATUS,
  type TokenErrorCode,
  type TokenErrorStatus,
  type TokenPayload,
} from '../src/shared-node/token';
import { signPayload } from '../test/support/token-unchecked';

export const VECTORS_FILE = new URL('../test/vectors/download-token-v1.json', import.meta.url);

export type VectorExpectation =
  | { valid: true; kid: string; payload: TokenPayload }
  | { valid: false; status: TokenErrorStatus; error: TokenErrorCode };

export interface TokenVectorCase {
  name: string;
  description: string;
  token: string;
  /** The request's {product_slug} path segment. */
  product_slug: string;
  expect: VectorExpectation;
}

export interface TokenVectorFile {
  spec: string;
  description: string;
  /** kid -> secret as B64U (32 bytes). */
  keys: Record<string, string>;
  /** The verifier's clock (Unix seconds) for every case. */
  now: number;
  cases: TokenVectorCase[];
}

const NOW = 1706900000;
const SLUG = 'my-plugin';
const KID32 = 'rotation_2024-06_abcdefghijklmno';

const SECRETS: Record<string, Uint8Array> = {
  k1: new Uint8Array(32).fill(0x01), // the spec's example key
  k2: Uint8Array.from({ length: 32 }, (_, i) => i),
  [KID32]: Uint8Array.from({ length: 32 }, (_, i) => (i * 37 + 11) & 0xff),
};

/** The spec's example, exactly. */
const SPEC_PAYLOAD_JSON =
  '{"product_slug":"my-plugin","expires":1706900400,"jti":"AAAAAAAAAAAAAAAAAAAAAA","src":{"type":"s3","store":"main","bucket":"shop","key":"my-plugin.zip"},"license_id":42}';
const SPEC_TOKEN =
  'v1.k1.eyJwcm9kdWN0X3NsdWciOiJteS1wbHVnaW4iLCJleHBpcmVzIjoxNzA2OTAwNDAwLCJqdGkiOiJBQUFBQUFBQUFBQUFBQUFBQUFBQUFBIiwic3JjIjp7InR5cGUiOiJzMyIsInN0b3JlIjoibWFpbiIsImJ1Y2tldCI6InNob3AiLCJrZXkiOiJteS1wbHVnaW4uemlwIn0sImxpY2Vuc2VfaWQiOjQyfQ.CoLddMBK1PHOXtWmkpzkxId_PEvBrCiKxg6PuedV070';

const EXPIRES = 1706900400;
const JTI = 'AAAAAAAAAAAAAAAAAAAAAA';

type Obj = Record<string, unknown>;

/** A fresh copy of the spec example's payload, to mutate. */
function base(): Obj {
  return {
    product_slug: SLUG,
    expires: EXPIRES,
    jti: JTI,
    src: { type: 's3', store: 'main', bucket: 'shop', key: 'my-plugin.zip' },
    license_id: 42,
  };
}

function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`gen-token-vectors: ${what}`);
}

function secretOf(kid: string): Uint8Array {
  const s = SECRETS[kid];
  if (!s) throw new Error(`gen-token-vectors: no secret for ${kid}`);
  return s;
}

const utf8 = (s: string): Uint8Array => Buffer.from(s, 'utf8');
const bytes = (...parts: (string | number[])[]): Uint8Array =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

function sign(payload: string | Uint8Array, kid = 'k1'): string {
  return signPayload(typeof payload === 'string' ? utf8(payload) : payload, kid, secretOf(kid));
}

interface Parts {
  head: string; // "v1.kid"
  payload: string;
  mac: string;
}
function split(token: string): Parts {
  const [v, kid, payload, mac] = token.split('.');
  check(v !== undefined && kid !== undefined && payload !== undefined && mac !== undefined, 'split');
  return { head: `${v}.${kid}`, payload: payload as string, mac: mac as string };
}
const join = (p: Parts): string => `${p.head}.${p.payload}.${p.mac}`;

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** Sets the lowest spare bit of the last character: a lenient decoder still yields the same bytes. */
function setTrailingBit(s: string): string {
  const v = ALPHABET.indexOf(s.slice(-1));
  check(v >= 0 && (s.length % 4 === 2 ? (v & 0x0f) === 0 : (v & 0x03) === 0), 'canonical last char');
  return s.slice(0, -1) + ALPHABET.charAt(v + 1);
}

/** The spec example's JSON with `n` spaces of insignificant whitespace, to move the B64U alignment. */
function padded(n: number, extra = ''): string {
  return `{${' '.repeat(n)}${SPEC_PAYLOAD_JSON.slice(1, -1)}${extra}}`;
}

/** The first of a few whitespace-padded variants whose token satisfies `ok`. */
function findToken(ok: (p: Parts) => boolean, extra = '', kid = 'k1'): { json: string; token: string } {
  for (let n = 0; n < 64; n++) {
    const json = padded(n, extra);
    const token = sign(json, kid);
    if (ok(split(token))) return { json, token };
  }
  throw new Error('gen-token-vectors: no variant found');
}

export function buildTokenVectors(): TokenVectorFile {
  const cases: TokenVectorCase[] = [];
  const names = new Set<string>();
  function add(c: TokenVectorCase): void {
    check(!names.has(c.name), `duplicate case name ${c.name}`);
    names.add(c.name);
    cases.push(c);
  }
  function valid(name: string, description: string, token: string, payload: Obj, kid = 'k1'): void {
    // A valid case is requested under its own slug.
    const slug = String(payload.product_slug);
    add({
      name,
      description,
      token,
      product_slug: slug,
      expect: { valid: true, kid, payload: payload as unknown as TokenPayload },
    });
  }
  function invalid(
    name: string,
    description: string,
    token: string,
    error: TokenErrorCode,
    slug = SLUG,
  ): void {
    add({
      name,
      description,
      token,
      product_slug: slug,
      expect: { valid: false, status: TOKEN_ERROR_STATUS[error], error },
    });
  }
  /** A payload built from the example by `edit`, serialized with JSON.stringify and signed with k1. */
  function edited(edit: (p: Obj) => void): { json: string; payload: Obj; token: string } {
    const payload = base();
    edit(payload);
    const json = JSON.stringify(payload);
    return { json, payload, token: sign(json) };
  }
  const validEdit = (name: string, description: string, edit: (p: Obj) => void): void => {
    const e = edited(edit);
    valid(name, description, e.token, e.payload);
  };
  const fieldError = (name: string, description: string, edit: (p: Obj) => void): void =>
    invalid(name, description, edited(edit).token, 'invalid_payload');
  /** A raw JSON text (exact bytes), signed with k1, that must be rejected after the MAC matched. */
  const rawError = (name: string, description: string, payload: string | Uint8Array): void =>
    invalid(name, description, sign(payload), 'invalid_payload');
  const src = (p: Obj): Obj => p.src as Obj;

  // ---------------------------------------------------------------- the spec example and valid tokens
  check(KID32.length === 32, 'KID32 has 32 characters');
  check(sign(SPEC_PAYLOAD_JSON) === SPEC_TOKEN, 'the spec example must be reproduced byte for byte');
  const specPayload = base();
  valid('spec-example', 'The example token of the spec, verbatim.', SPEC_TOKEN, specPayload);

  validEdit('all-fields', 'Every optional field present, licence id as a string.', (p) => {
    Object.assign(p, { license_id: 'ORDER-1001', max: 3, filename: 'My Plugin 1.2.zip', iat: NOW - 60 });
  });
  validEdit('license-id-integer-zero', 'license_id 0 is an integer like any other.', (p) => {
    p.license_id = 0;
  });
  validEdit('no-optional-fields', 'Only the four required fields.', (p) => {
    delete p.license_id;
  });
  validEdit('src-file', 'A file source with a relative path.', (p) => {
    p.src = { type: 'file', path: 'downloads/my-plugin-1.2.zip' };
  });
  validEdit('src-url', 'A URL source (https).', (p) => {
    p.src = { type: 'url', url: 'https://cdn.example.com/files/my-plugin.zip?v=1.2' };
  });
  validEdit('src-s3-key-with-slashes-and-spaces', 'S3 keys may hold any character.', (p) => {
    src(p).key = 'products/My Plugin/v1.2 (final).zip';
  });

  // expiry: the link works while now <= expires
  validEdit('valid-at-expiry', 'expires == now is still valid.', (p) => {
    p.expires = NOW;
  });
  invalid(
    'expired',
    'expires == now - 1 (i.e. now == expires + 1).',
    edited((p) => (p.expires = NOW - 1)).token,
    'expired',
  );
  invalid('expired-long-ago', 'expires 0.', edited((p) => (p.expires = 0)).token, 'expired');
  invalid(
    'expired-negative',
    'A negative expires is an integer, so the token is merely expired.',
    edited((p) => (p.expires = -1)).token,
    'expired',
  );
  validEdit('expires-max-safe-integer', 'expires 2^53-1 is the largest integer accepted.', (p) => {
    p.expires = Number.MAX_SAFE_INTEGER;
  });

  // rotation: several kids valid at once, each token carries its kid
  const rot = JSON.stringify(specPayload);
  valid('rotation-k1', 'The same payload signed with k1 …', sign(rot, 'k1'), specPayload, 'k1');
  valid(
    'rotation-k2',
    '… and with k2: both are valid while both keys are configured.',
    sign(rot, 'k2'),
    specPayload,
    'k2',
  );
  valid(
    'kid-32-chars',
    'A kid of the maximum length (32), with "_" and "-".',
    sign(rot, KID32),
    specPayload,
    KID32,
  );

  // length boundary: exactly 2048 characters is valid (an unknown field pads the payload)
  for (const [len, ok] of [
    [2048, true],
    [2049, false],
  ] as const) {
    let found: string | undefined;
    for (let n = 1000; n < 1500 && !found; n++) {
      const t = sign(padded(0, `,"pad":"${'x'.repeat(n)}"`));
      if (t.length === len) found = t;
    }
    check(found !== undefined, `token of ${len} chars`);
    if (ok)
      valid(
        'length-2048',
        'A token of exactly 2048 characters (an unknown "pad" field fills it).',
        found as string,
        specPayload,
      );
    else
      invalid(
        'too-long-2049',
        'A token of 2049 characters with a valid MAC: rejected before decoding.',
        found as string,
        'too_long',
      );
  }
  invalid(
    'too-long-garbage',
    '5000 characters that are not a token at all.',
    'v1.k1.' + 'A'.repeat(4994),
    'too_long',
  );

  // unknown fields, duplicates, whitespace, number forms
  valid(
    'unknown-fields-ignored',
    'Unknown fields (top level and in src, including "__proto__" and "constructor") are ignored.',
    sign(
      '{"product_slug":"my-plugin","expires":1706900400,"jti":"AAAAAAAAAAAAAAAAAAAAAA","src":{"type":"s3","store":"main","bucket":"shop","key":"my-plugin.zip","region":"eu-west-1"},"license_id":42,"v":2,"note":{"a":[1,2,null]},"__proto__":{"admin":true},"constructor":"x"}',
    ),
    specPayload,
  );
  valid(
    'duplicate-key-last-wins',
    'Duplicate keys: the last occurrence counts (as JSON.parse, PHP json_decode and Python json do).',
    sign(
      '{"product_slug":"not valid!","expires":1,"product_slug":"my-plugin","expires":1706900400,"jti":"AAAAAAAAAAAAAAAAAAAAAA","src":{"type":"s3","store":"main","bucket":"shop","key":"my-plugin.zip"},"license_id":42}',
    ),
    specPayload,
  );
  rawError(
    'duplicate-key-last-invalid',
    'Duplicate keys: a valid first value does not save an invalid last one.',
    '{"product_slug":"my-plugin","expires":1706900400,"jti":"AAAAAAAAAAAAAAAAAAAAAA","src":{"type":"s3","store":"main","bucket":"shop","key":"my-plugin.zip"},"license_id":42,"expires":"soon"}',
  );
  invalid(
    'duplicate-key-last-is-other-slug',
    'Duplicate product_slug: the last one is compared with the request.',
    sign(
      '{"product_slug":"my-plugin","expires":1706900400,"jti":"AAAAAAAAAAAAAAAAAAAAAA","src":{"type":"s3","store":"main","bucket":"shop","key":"my-plugin.zip"},"license_id":42,"product_slug":"other-plugin"}',
    ),
    'slug_mismatch',
  );
  valid(
    'json-whitespace',
    'Insignificant JSON whitespace (space, tab, CR, LF) is allowed anywhere JSON allows it.',
    sign(
      ' \t{\r\n "product_slug" : "my-plugin",\n "expires":1706900400 , "jti":"AAAAAAAAAAAAAAAAAAAAAA",\n "src":{ "type":"s3","store":"main","bucket":"shop","key":"my-plugin.zip" },"license_id":42 }\n',
    ),
    specPayload,
  );
  valid(
    'json-escapes',
    'JSON escapes are decoded: \\u002d is "-", \\/ is "/", \\ud83d\\ude00 is one code point.',
    sign(
      '{"product_slug":"my\\u002dplugin","expires":1706900400,"jti":"AAAAAAAAAAAAAAAAAAAAAA","src":{"type":"s3","store":"main","bucket":"shop","key":"my-plugin.zip"},"license_id":42,"filename":"a\\/b \\ud83d\\ude00.zip"}',
    ),
    { ...specPayload, filename: 'a/b \u{1F600}.zip' },
  );
  valid(
    'integer-with-zero-fraction',
    'Integers are judged by value: 1706900400.0 and 4.2e1 are the integers 1706900400 and 42.',
    sign(
      '{"product_slug":"my-plugin","expires":1706900400.0,"jti":"AAAAAAAAAAAAAAAAAAAAAA","src":{"type":"s3","store":"main","bucket":"shop","key":"my-plugin.zip"},"license_id":4.2e1}',
    ),
    specPayload,
  );
  valid(
    'utf8-filename',
    'Non-ASCII UTF-8 in a string field.',
    edited((p) => (p.filename = 'Résumé – Ünïcödé ✓ \u{1F600}.pdf')).token,
    { ...specPayload, filename: 'Résumé – Ünïcödé ✓ \u{1F600}.pdf' },
  );

  // boundaries of the field ranges (valid side)
  validEdit('slug-200-chars', 'product_slug of 200 characters.', (p) => (p.product_slug = 'a'.repeat(200)));
  validEdit('slug-all-allowed-chars', 'product_slug using every allowed character class.', (p) => {
    p.product_slug = '0my.plugin_v1-2';
  });
  validEdit('jti-16-chars', 'jti of 16 characters.', (p) => (p.jti = 'abcdEFGH1234-_xy'));
  validEdit('jti-64-chars', 'jti of 64 characters.', (p) => (p.jti = 'Z'.repeat(63) + '_'));
  validEdit('max-1', 'max 1.', (p) => (p.max = 1));
  validEdit(
    'license-id-128-chars',
    'license_id string of 128 characters.',
    (p) => (p.license_id = 'L'.repeat(128)),
  );
  validEdit(
    'license-id-empty-string',
    'license_id "" (the spec sets only an upper bound).',
    (p) => (p.license_id = ''),
  );
  validEdit(
    'filename-255-chars',
    'filename of 255 ASCII characters.',
    (p) => (p.filename = 'f'.repeat(251) + '.zip'),
  );
  validEdit(
    'filename-255-code-points',
    'filename of 255 code points (510 UTF-16 units, 1020 bytes): characters are code points.',
    (p) => {
      p.filename = '\u{1F600}'.repeat(255);
    },
  );
  validEdit('filename-empty', 'filename "" (the spec sets only an upper bound).', (p) => (p.filename = ''));

  // ---------------------------------------------------------------- form: length, parts, version, kid
  const spec = split(SPEC_TOKEN);
  invalid('empty-string', 'The empty string.', '', 'malformed');
  invalid('parts-1', 'No dots at all.', 'hello', 'malformed');
  invalid('parts-3', 'Three parts (the MAC is missing).', `${spec.head}.${spec.payload}`, 'malformed');
  invalid('parts-5', 'Five parts (a trailing ".x").', `${SPEC_TOKEN}.x`, 'malformed');
  invalid('parts-5-trailing-dot', 'A trailing dot makes a fifth, empty part.', `${SPEC_TOKEN}.`, 'malformed');
  invalid('version-v2', 'Version v2.', SPEC_TOKEN.replace(/^v1/, 'v2'), 'bad_version');
  invalid(
    'version-uppercase',
    'Version "V1" (the version is case-sensitive).',
    SPEC_TOKEN.replace(/^v1/, 'V1'),
    'bad_version',
  );
  invalid('version-v10', 'Version "v10".', SPEC_TOKEN.replace(/^v1/, 'v10'), 'bad_version');
  invalid('version-empty', 'An empty version part.', SPEC_TOKEN.replace(/^v1/, ''), 'bad_version');
  invalid(
    'version-leading-space',
    'A leading space: tokens are not trimmed.',
    ` ${SPEC_TOKEN}`,
    'bad_version',
  );
  invalid(
    'kid-bad-char',
    'kid with "!" (syntax: 1*32 of ALPHA / DIGIT / "_" / "-").',
    SPEC_TOKEN.replace('v1.k1.', 'v1.k!1.'),
    'malformed',
  );
  invalid('kid-empty', 'An empty kid.', SPEC_TOKEN.replace('v1.k1.', 'v1..'), 'malformed');
  invalid(
    'kid-33-chars',
    'A kid of 33 characters.',
    SPEC_TOKEN.replace('v1.k1.', `v1.${KID32}x.`),
    'malformed',
  );
  invalid(
    'kid-non-ascii',
    'A kid with a non-ASCII letter.',
    SPEC_TOKEN.replace('v1.k1.', 'v1.kö.'),
    'malformed',
  );
  invalid(
    'kid-unknown',
    'A well-formed kid that is not configured.',
    SPEC_TOKEN.replace('v1.k1.', 'v1.k9.'),
    'unknown_kid',
  );
  invalid(
    'kid-case-sensitive',
    'Kids are case-sensitive: "K1" is not "k1".',
    SPEC_TOKEN.replace('v1.k1.', 'v1.K1.'),
    'unknown_kid',
  );
  invalid(
    'kid-unknown-before-encoding',
    'The kid is looked up before anything is decoded.',
    'v1.k9.!!!.???',
    'unknown_kid',
  );

  // ---------------------------------------------------------------- B64U strictness
  // Each case is made so that a lenient decoder would read the very same bytes (and find the MAC valid).
  check(spec.payload.length % 4 === 2 && spec.mac.length === 43, 'spec example alignment');
  invalid(
    'payload-padding',
    'The payload part with "==" padding (standard base64 form).',
    join({ ...spec, payload: `${spec.payload}==` }),
    'bad_encoding',
  );
  invalid(
    'mac-padding',
    'The MAC part with "=" padding.',
    join({ ...spec, mac: `${spec.mac}=` }),
    'bad_encoding',
  );
  const dash = findToken((p) => p.payload.includes('-') && p.payload.includes('_'), ',"x":">>>???>>>???"');
  const dp = split(dash.token);
  invalid(
    'payload-plus',
    'A "+" where B64U has "-".',
    join({ ...dp, payload: dp.payload.replace('-', '+') }),
    'bad_encoding',
  );
  invalid(
    'payload-slash',
    'A "/" where B64U has "_".',
    join({ ...dp, payload: dp.payload.replace('_', '/') }),
    'bad_encoding',
  );
  check(spec.mac.includes('_'), 'spec mac has "_"');
  invalid(
    'mac-slash',
    'A "/" where the MAC has "_".',
    join({ ...spec, mac: spec.mac.replace('_', '/') }),
    'bad_encoding',
  );
  const macDash = findToken((p) => p.mac.includes('-'));
  const mp = split(macDash.token);
  invalid(
    'mac-plus',
    'A "+" where the MAC has "-".',
    join({ ...mp, mac: mp.mac.replace('-', '+') }),
    'bad_encoding',
  );
  const mid = (s: string): number => Math.floor(s.length / 2);
  const insert = (s: string, at: number, what: string): string => s.slice(0, at) + what + s.slice(at);
  invalid(
    'payload-space',
    'A space inside the payload part.',
    join({ ...spec, payload: insert(spec.payload, mid(spec.payload), ' ') }),
    'bad_encoding',
  );
  invalid(
    'payload-tab',
    'A tab inside the payload part.',
    join({ ...spec, payload: insert(spec.payload, 8, '\t') }),
    'bad_encoding',
  );
  invalid('mac-newline', 'A trailing newline after the MAC.', `${SPEC_TOKEN}\n`, 'bad_encoding');
  invalid(
    'mac-crlf-inside',
    'CR LF inside the MAC.',
    join({ ...spec, mac: insert(spec.mac, 20, '\r\n') }),
    'bad_encoding',
  );
  invalid(
    'payload-other-char',
    'A "!" inside the payload part.',
    join({ ...spec, payload: insert(spec.payload, 4, '!') }),
    'bad_encoding',
  );
  invalid(
    'payload-percent-encoded',
    'A percent-encoded character left in the token ("%2D" for "-").',
    join({ ...dp, payload: dp.payload.replace('-', '%2D') }),
    'bad_encoding',
  );
  invalid(
    'payload-non-ascii',
    'A non-ASCII letter inside the payload part.',
    join({ ...spec, payload: insert(spec.payload, 4, 'é') }),
    'bad_encoding',
  );
  const len0 = findToken((p) => p.payload.length % 4 === 0);
  const l0 = split(len0.token);
  invalid(
    'payload-length-mod4-1',
    'A payload part whose length is 1 mod 4 (can encode no whole byte).',
    join({ ...l0, payload: `${l0.payload}A` }),
    'bad_encoding',
  );
  invalid(
    'payload-trailing-bits-len-mod4-2',
    'Non-zero spare bits in the last payload character (length 2 mod 4).',
    join({ ...spec, payload: setTrailingBit(spec.payload) }),
    'bad_encoding',
  );
  const len3 = findToken((p) => p.payload.length % 4 === 3);
  const l3 = split(len3.token);
  invalid(
    'payload-trailing-bits-len-mod4-3',
    'Non-zero spare bits in the last payload character (length 3 mod 4).',
    join({ ...l3, payload: setTrailingBit(l3.payload) }),
    'bad_encoding',
  );
  invalid(
    'mac-trailing-bits',
    'Non-zero spare bits in the last MAC character.',
    join({ ...spec, mac: setTrailingBit(spec.mac) }),
    'bad_encoding',
  );
  const macBytes = Buffer.from(spec.mac, 'base64url');
  invalid(
    'mac-31-bytes',
    'A MAC of 31 bytes (42 characters, canonical).',
    join({ ...spec, mac: b64uEncode(macBytes.subarray(0, 31)) }),
    'bad_encoding',
  );
  invalid(
    'mac-33-bytes',
    'A MAC of 33 bytes (44 characters, canonical).',
    join({ ...spec, mac: b64uEncode(Buffer.concat([macBytes, Buffer.from([0])])) }),
    'bad_encoding',
  );
  invalid(
    'mac-41-chars',
    'A MAC part of 41 characters (1 mod 4).',
    join({ ...spec, mac: spec.mac.slice(0, 41) }),
    'bad_encoding',
  );
  invalid('mac-empty', 'An empty MAC part.', join({ ...spec, mac: '' }), 'bad_encoding');
  invalid(
    'bad-encoding-before-mac',
    'A bad encoding is reported even when the MAC is wrong too.',
    join({ ...spec, payload: `${spec.payload}==`, mac: 'A'.repeat(43) }),
    'bad_encoding',
  );

  // ---------------------------------------------------------------- MAC
  const flipped = Buffer.from(macBytes);
  flipped[31] = (flipped[31] as number) ^ 0x01;
  invalid(
    'mac-last-bit-flipped',
    'The MAC with its last bit flipped.',
    join({ ...spec, mac: b64uEncode(flipped) }),
    'bad_signature',
  );
  invalid('mac-zero', 'A MAC of 32 zero bytes.', join({ ...spec, mac: 'A'.repeat(43) }), 'bad_signature');
  invalid(
    'mac-from-other-kid',
    'Signed with k2 but labelled k1.',
    sign(rot, 'k2').replace('v1.k2.', 'v1.k1.'),
    'bad_signature',
  );
  const later = split(edited((p) => (p.expires = EXPIRES + 86400)).token);
  invalid(
    'payload-swapped',
    'A payload changed after signing (a later expiry) with the original MAC.',
    join({ ...later, mac: spec.mac }),
    'bad_signature',
  );
  invalid(
    'mac-bad-and-slug-mismatch',
    'Bad MAC and another slug: the slug is not looked at before the MAC matches.',
    join({ ...spec, mac: b64uEncode(flipped) }),
    'bad_signature',
    'other-plugin',
  );
  invalid(
    'mac-bad-and-expired',
    'Bad MAC on an expired payload: the MAC is checked first.',
    join({ ...split(edited((p) => (p.expires = NOW - 1)).token), mac: spec.mac }),
    'bad_signature',
  );
  invalid(
    'mac-bad-and-payload-not-json',
    'Bad MAC on a payload that is not JSON.',
    join({ ...spec, payload: b64uEncode(utf8('not json')) }),
    'bad_signature',
  );

  // ---------------------------------------------------------------- MAC ok, payload not a JSON object
  rawError('payload-empty', 'An empty payload (zero bytes).', '');
  rawError('payload-not-json', 'Not JSON.', 'not json');
  rawError('payload-json-array', 'A JSON array.', '[]');
  rawError('payload-json-null', 'JSON null.', 'null');
  rawError('payload-json-string', 'A JSON string.', '"my-plugin"');
  rawError('payload-json-number', 'A JSON number.', '42');
  rawError(
    'payload-json-trailing-garbage',
    'An object followed by other characters.',
    `${SPEC_PAYLOAD_JSON}x`,
  );
  rawError('payload-json-two-objects', 'Two objects.', `${SPEC_PAYLOAD_JSON}{}`);
  rawError(
    'payload-json-single-quotes',
    'Single quotes are not JSON.',
    SPEC_PAYLOAD_JSON.replaceAll('"', "'"),
  );
  rawError(
    'payload-json-trailing-comma',
    'A trailing comma is not JSON.',
    `${SPEC_PAYLOAD_JSON.slice(0, -1)},}`,
  );
  rawError(
    'payload-bom',
    'A UTF-8 byte order mark before the object (RFC 8259: must not be sent).',
    bytes([0xef, 0xbb, 0xbf], SPEC_PAYLOAD_JSON),
  );
  const inFilename = (raw: number[]): Uint8Array =>
    bytes(`${SPEC_PAYLOAD_JSON.slice(0, -1)},"filename":"a`, raw, 'b"}');
  rawError('utf8-invalid-continuation', 'Invalid UTF-8: C3 28.', inFilename([0xc3, 0x28]));
  rawError('utf8-lone-continuation', 'Invalid UTF-8: a lone 80.', inFilename([0x80]));
  rawError('utf8-overlong', 'Invalid UTF-8: the overlong form C0 AF of "/".', inFilename([0xc0, 0xaf]));
  rawError(
    'utf8-encoded-surrogate',
    'Invalid UTF-8: ED A0 80 (a UTF-16 surrogate encoded as UTF-8).',
    inFilename([0xed, 0xa0, 0x80]),
  );
  rawError(
    'utf8-truncated',
    'Invalid UTF-8: F0 9F 98 (a 4-byte sequence cut short).',
    inFilename([0xf0, 0x9f, 0x98]),
  );
  rawError('utf8-ff-byte', 'Invalid UTF-8: FF.', inFilename([0xff]));
  rawError(
    'utf8-invalid-in-unknown-field',
    'Invalid UTF-8 is rejected anywhere in the payload, even in an unknown field.',
    bytes(`${SPEC_PAYLOAD_JSON.slice(0, -1)},"x":"`, [0xc3, 0x28], '"}'),
  );
  rawError(
    'lone-surrogate-escape',
    'A known string field holding an unpaired surrogate escape (\\ud800).',
    `${SPEC_PAYLOAD_JSON.slice(0, -1)},"filename":"a\\ud800b"}`,
  );

  // ---------------------------------------------------------------- MAC ok, field rules
  for (const field of ['product_slug', 'expires', 'jti', 'src']) {
    fieldError(
      `missing-${field.replace('_', '-')}`,
      `The required field ${field} is missing.`,
      (p) => delete p[field],
    );
  }
  const slugs: [string, string, unknown][] = [
    ['slug-not-string', 'product_slug is a number.', 42],
    ['slug-null', 'product_slug is null.', null],
    ['slug-empty', 'product_slug is empty.', ''],
    ['slug-201-chars', 'product_slug of 201 characters.', 'a'.repeat(201)],
    ['slug-uppercase', 'product_slug with an uppercase letter.', 'My-plugin'],
    ['slug-leading-dash', 'product_slug starting with "-".', '-my-plugin'],
    ['slug-leading-dot', 'product_slug starting with ".".', '.my-plugin'],
    ['slug-leading-underscore', 'product_slug starting with "_".', '_my-plugin'],
    ['slug-space', 'product_slug with a space.', 'my plugin'],
    ['slug-slash', 'product_slug with "/".', 'my/plugin'],
    [
      'slug-trailing-newline',
      'product_slug ending in "\\n" (beware of "$" in PCRE: use \\z or D).',
      'my-plugin\n',
    ],
    ['slug-non-ascii', 'product_slug with a non-ASCII letter.', 'my-plügin'],
  ];
  for (const [name, description, value] of slugs)
    fieldError(name, description, (p) => (p.product_slug = value));
  invalid(
    'field-invalid-and-expired',
    'An invalid field is reported before the expiry.',
    edited((p) => {
      p.expires = NOW - 1;
      p.jti = 'short';
    }).token,
    'invalid_payload',
  );

  const integers: [string, string, string][] = [
    ['expires-string', 'expires as a string.', '"1706900400"'],
    ['expires-float', 'expires with a fraction.', '1706900400.5'],
    ['expires-null', 'expires null.', 'null'],
    ['expires-bool', 'expires true.', 'true'],
    ['expires-2-pow-53', 'expires 2^53: beyond the safe integers.', '9007199254740992'],
    ['expires-huge-exponent', 'expires 1e400 (overflows a double).', '1e400'],
  ];
  for (const [name, description, raw] of integers) {
    rawError(name, description, SPEC_PAYLOAD_JSON.replace('"expires":1706900400', `"expires":${raw}`));
  }

  const jtis: [string, string, unknown][] = [
    ['jti-15-chars', 'jti of 15 characters.', 'A'.repeat(15)],
    ['jti-65-chars', 'jti of 65 characters.', 'A'.repeat(65)],
    ['jti-plus', 'jti with "+".', 'AAAAAAAAAAAAAAAAAAAA+A'],
    ['jti-padding', 'jti with "=".', 'AAAAAAAAAAAAAAAAAAAAAA=='],
    ['jti-dot', 'jti with ".".', 'AAAAAAAAAA.AAAAAAAAAAA'],
    ['jti-space', 'jti with a space.', 'AAAAAAAAAA AAAAAAAAAAA'],
    ['jti-number', 'jti is a number.', 1234567890123456],
  ];
  for (const [name, description, value] of jtis) fieldError(name, description, (p) => (p.jti = value));

  const sources: [string, string, unknown][] = [
    ['src-string', 'src is a string.', 's3://shop/my-plugin.zip'],
    ['src-null', 'src is null.', null],
    ['src-array', 'src is an array.', [{ type: 's3', store: 'main', bucket: 'shop', key: 'my-plugin.zip' }]],
    ['src-no-type', 'src without type.', { store: 'main', bucket: 'shop', key: 'my-plugin.zip' }],
    ['src-unknown-type', 'src type "ftp".', { type: 'ftp', url: 'ftp://example.com/x' }],
    ['src-type-not-string', 'src type is a number.', { type: 1, store: 'main', bucket: 'shop', key: 'k' }],
    [
      'src-type-uppercase',
      'src type "S3" (types are case-sensitive).',
      { type: 'S3', store: 'main', bucket: 'shop', key: 'k' },
    ],
    [
      'src-s3-missing-store',
      's3 source without store.',
      { type: 's3', bucket: 'shop', key: 'my-plugin.zip' },
    ],
    [
      'src-s3-missing-bucket',
      's3 source without bucket.',
      { type: 's3', store: 'main', key: 'my-plugin.zip' },
    ],
    ['src-s3-missing-key', 's3 source without key.', { type: 's3', store: 'main', bucket: 'shop' }],
    ['src-s3-store-empty', 's3 store "".', { type: 's3', store: '', bucket: 'shop', key: 'k' }],
    [
      'src-s3-store-65-chars',
      's3 store of 65 characters.',
      { type: 's3', store: 's'.repeat(65), bucket: 'shop', key: 'k' },
    ],
    [
      'src-s3-store-space',
      's3 store with a space.',
      { type: 's3', store: 'my store', bucket: 'shop', key: 'k' },
    ],
    ['src-s3-bucket-empty', 's3 bucket "".', { type: 's3', store: 'main', bucket: '', key: 'k' }],
    [
      'src-s3-bucket-slash',
      's3 bucket with "/".',
      { type: 's3', store: 'main', bucket: 'shop/sub', key: 'k' },
    ],
    ['src-s3-key-empty', 's3 key "".', { type: 's3', store: 'main', bucket: 'shop', key: '' }],
    ['src-s3-key-number', 's3 key is a number.', { type: 's3', store: 'main', bucket: 'shop', key: 7 }],
    [
      'src-s3-key-1025-chars',
      's3 key of 1025 characters.',
      { type: 's3', store: 'main', bucket: 'shop', key: 'k'.repeat(1025) },
    ],
    ['src-file-missing-path', 'file source without path.', { type: 'file' }],
    ['src-file-path-empty', 'file path "".', { type: 'file', path: '' }],
    ['src-file-path-absolute', 'file path "/etc/passwd".', { type: 'file', path: '/etc/passwd' }],
    ['src-file-path-dotdot', 'file path "../secret.zip".', { type: 'file', path: '../secret.zip' }],
    [
      'src-file-path-dotdot-inside',
      'file path "a/../../secret.zip".',
      { type: 'file', path: 'a/../../secret.zip' },
    ],
    ['src-file-path-dotdot-end', 'file path "a/..".', { type: 'file', path: 'a/..' }],
    [
      'src-file-path-backslash-dotdot',
      'file path "a\\..\\..\\secret.zip" ("\\" is a separator too).',
      { type: 'file', path: 'a\\..\\..\\secret.zip' },
    ],
    [
      'src-file-path-backslash-absolute',
      'file path "\\\\server\\share\\x".',
      { type: 'file', path: '\\\\server\\share\\x' },
    ],
    ['src-file-path-drive', 'file path "C:/secret.zip".', { type: 'file', path: 'C:/secret.zip' }],
    ['src-file-path-nul', 'file path with NUL.', { type: 'file', path: 'a\u0000.zip' }],
    ['src-file-path-newline', 'file path with a newline.', { type: 'file', path: 'a\n.zip' }],
    ['src-url-missing-url', 'url source without url.', { type: 'url' }],
    [
      'src-url-http',
      'url "http://…" (must be https).',
      { type: 'url', url: 'http://cdn.example.com/my-plugin.zip' },
    ],
    [
      'src-url-uppercase-scheme',
      'url "HTTPS://…" (the exact prefix "https://" is required).',
      { type: 'url', url: 'HTTPS://cdn.example.com/x.zip' },
    ],
    [
      'src-url-no-slashes',
      'url "https:cdn.example.com/x.zip".',
      { type: 'url', url: 'https:cdn.example.com/x.zip' },
    ],
    ['src-url-empty-host', 'url "https://".', { type: 'url', url: 'https://' }],
    ['src-url-three-slashes', 'url "https:///x.zip".', { type: 'url', url: 'https:///x.zip' }],
    [
      'src-url-space',
      'url with a space in the host.',
      { type: 'url', url: 'https://cdn.example .com/x.zip' },
    ],
    [
      'src-url-bad-port',
      'url with a non-numeric port.',
      { type: 'url', url: 'https://cdn.example.com:port/x.zip' },
    ],
    ['src-url-relative', 'url "/x.zip".', { type: 'url', url: '/x.zip' }],
    ['src-url-javascript', 'url "javascript:…".', { type: 'url', url: 'javascript:alert(1)' }],
  ];
  for (const [name, description, value] of sources) fieldError(name, description, (p) => (p.src = value));

  const optionals: [string, string, string, unknown][] = [
    ['license-id-129-chars', 'license_id string of 129 characters.', 'license_id', 'L'.repeat(129)],
    ['license-id-float', 'license_id 4.5.', 'license_id', 4.5],
    ['license-id-bool', 'license_id true.', 'license_id', true],
    ['license-id-null', 'license_id null (absent is fine, null is not).', 'license_id', null],
    ['license-id-object', 'license_id {}.', 'license_id', {}],
    ['max-0', 'max 0.', 'max', 0],
    ['max-negative', 'max -1.', 'max', -1],
    ['max-float', 'max 1.5.', 'max', 1.5],
    ['max-string', 'max "3".', 'max', '3'],
    ['max-null', 'max null.', 'max', null],
    ['filename-256-chars', 'filename of 256 characters.', 'filename', 'f'.repeat(252) + '.zip'],
    ['filename-256-code-points', 'filename of 256 code points.', 'filename', '\u{1F600}'.repeat(256)],
    ['filename-number', 'filename is a number.', 'filename', 7],
    ['filename-null', 'filename null.', 'filename', null],
    ['iat-float', 'iat 1.5.', 'iat', 1.5],
    ['iat-string', 'iat "now".', 'iat', 'now'],
  ];
  for (const [name, description, field, value] of optionals)
    fieldError(name, description, (p) => (p[field] = value));

  // ---------------------------------------------------------------- request checks after the fields
  invalid(
    'slug-mismatch',
    'A valid token for my-plugin requested as other-plugin.',
    SPEC_TOKEN,
    'slug_mismatch',
    'other-plugin',
  );
  invalid('slug-mismatch-case', 'The slug comparison is exact.', SPEC_TOKEN, 'slug_mismatch', 'My-Plugin');
  invalid(
    'slug-mismatch-and-expired',
    'Another slug and expired: the slug is checked before the expiry.',
    edited((p) => (p.expires = NOW - 1)).token,
    'slug_mismatch',
    'other-plugin',
  );

  return {
    spec: 'download-token-v1',
    description:
      'Test vectors for the Signet download token v1. Verify every case with the keys below at the clock `now` ' +
      'against the request slug `product_slug`; see README.md in this folder.',
    keys: Object.fromEntries(Object.entries(SECRETS).map(([kid, s]) => [kid, b64uEncode(s)])),
    now: NOW,
    cases,
  };
}

/** The exact text of the committed vectors file. */
export function renderTokenVectors(): string {
  return `${JSON.stringify(buildTokenVectors(), null, 2)}\n`;
}

export function writeTokenVectors(): void {
  writeFileSync(VECTORS_FILE, renderTokenVectors());
}
