/**
 * Fuzzing the running verifier (the built CLI, one process, so a crash cannot hide behind a restarted
 * worker): thousands of random and mutated tokens, correctly signed payloads full of wrong types and
 * odd paths, random request paths, methods and headers, and admin calls. Every request must get an
 * answer below 500, and afterwards the process must still be alive, healthy, and have logged no
 * internal error. Bounded: a fixed number of runs, sequential requests on keep-alive connections.
 *
 * Beyond "no 5xx", an accept/reject oracle (../shared/spec/download-token-v1.md, "Payload fields" and `src`): a
 * correctly signed token that breaks one field rule is never let through (no 200, 206, 302 or 304), while the
 * same payload unbroken is.
 *
 * Repeatable: every input comes from one seed (and the key and base token from it too), printed at the start;
 * SIGNET_FUZZ_SEED=<n> runs with another one, e.g. to replay a failure.
 */
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { b64uEncode } from '../../src/shared-node/token';
import { signPayloadBytes } from '../support/token-unchecked';
import {
  buildVerifierCli,
  inAnHour,
  KID,
  makeToken,
  rawConfig,
  SLUG,
  spawnVerifier,
  tempDir,
  writeConfigFile,
  type TestKeys,
  type VerifierProcess,
} from '../support/verifier';

/** The default seed, fixed so that every run sends the same requests; SIGNET_FUZZ_SEED overrides it. */
const DEFAULT_SEED = 20_260_122;
const SEED = ((): number => {
  const text = process.env['SIGNET_FUZZ_SEED'];
  if (text === undefined || text === '') return DEFAULT_SEED;
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new Error(`SIGNET_FUZZ_SEED must be an integer (got “${text}”)`);
  return n;
})();
console.log(`verifier fuzz: seed ${SEED} (SIGNET_FUZZ_SEED=${SEED} repeats this run)`);
fc.configureGlobal({ seed: SEED });

/** 32 bytes derived from the seed: the signing key and admin token are the same in every run with it. */
const seeded = (what: string): Buffer => createHash('sha256').update(`signet-fuzz:${what}:${SEED}`).digest();
const keys: TestKeys = {
  secret: seeded('key'),
  secretB64u: b64uEncode(seeded('key')),
  adminToken: b64uEncode(seeded('admin')),
};
/** 2100-01-01: a fixed expiry far ahead, so the base token is the same in every run. */
const FAR = 4_102_444_800;
const tmp = tempDir('signet-verifier-fuzz-');
let cleanupBuild: () => void;
let p: VerifierProcess;
let host: string;
let port: number;
const agent = new Agent({ keepAlive: true, maxSockets: 4 });
let sent = 0;

beforeAll(async () => {
  const built = await buildVerifierCli();
  cleanupBuild = built.cleanup;
  mkdirSync(join(tmp.fileRoot, 'dir'));
  writeFileSync(join(tmp.fileRoot, 'dir', 'file.bin'), Buffer.alloc(1000, 7));
  // Outside the file root, and two symlinks inside it that lead there (a file and a folder).
  writeFileSync(join(tmp.dir, 'outside.bin'), Buffer.alloc(1000, 9));
  symlinkSync(join(tmp.dir, 'outside.bin'), join(tmp.fileRoot, 'escape.bin'));
  symlinkSync(tmp.dir, join(tmp.fileRoot, 'up'));
  const config = writeConfigFile(
    tmp.dir,
    'fuzz.json',
    rawConfig(keys, { fileRoot: './files', state: { sqlite: './fuzz.db' } }),
  );
  p = await spawnVerifier(built.cli, config, ['--workers', '1', '--log-level', 'warn']);
  const u = new URL(p.base);
  host = u.hostname;
  port = Number(u.port);
}, 60_000);

afterAll(async () => {
  agent.destroy();
  await p?.stop();
  cleanupBuild?.();
  tmp.cleanup();
});

interface Answer {
  status: number;
  body: string;
}

/** One raw request (the path is sent as given). Rejects on a dropped connection or after 5 s. */
function send(
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<Answer> {
  sent++;
  // Explicit framing: Node's client sends a DELETE/OPTIONS body without Content-Length or chunking.
  const allHeaders =
    body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) };
  return new Promise((resolve, reject) => {
    const req = request({ host, port, method, path, headers: allHeaders, agent, timeout: 5000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d.length < 2000 ? d : ''));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within 5 s: ${method} ${path.slice(0, 200)}`)));
    req.on('error', reject);
    req.end(body);
  });
}

async function expectNo5xx(
  method: string,
  path: string,
  headers?: Record<string, string>,
  body?: string,
): Promise<void> {
  const a = await send(method, path, headers, body);
  if (a.status >= 500 || a.status < 100) {
    throw new Error(`${method} ${path.slice(0, 300)} -> ${a.status} ${a.body.slice(0, 200)}`);
  }
}

/** Any string as a query value or path segment, percent-encoded so it is a valid request target. */
const enc = (s: string): string => {
  try {
    return encodeURIComponent(s);
  } catch {
    // Lone surrogates cannot be encoded as UTF-8: send their UTF-16 units as raw bytes instead.
    return [...s].map((c) => `%${(c.charCodeAt(0) & 0xff).toString(16).padStart(2, '0')}`).join('');
  }
};

const valid = makeToken(keys, { jti: b64uEncode(seeded('jti').subarray(0, 16)), expires: FAR }).token;
const B64U = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** A valid token with a few random edits: replace, insert, delete characters; cut; duplicate dots. */
const mutatedToken = fc
  .array(
    fc.oneof(
      fc.record({
        op: fc.constant('replace'),
        at: fc.nat(),
        ch: fc.oneof(fc.constantFrom(...'.=+/ %\n\u0000é'), fc.constantFrom(...B64U)),
      }),
      fc.record({
        op: fc.constant('insert'),
        at: fc.nat(),
        ch: fc.string({ unit: 'binary', minLength: 1, maxLength: 3 }),
      }),
      fc.record({ op: fc.constant('delete'), at: fc.nat(), ch: fc.constant('') }),
      fc.record({ op: fc.constant('cut'), at: fc.nat(), ch: fc.constant('') }),
    ),
    { minLength: 1, maxLength: 4 },
  )
  .map((edits) => {
    let t = valid;
    for (const e of edits) {
      const i = t.length === 0 ? 0 : e.at % t.length;
      if (e.op === 'replace') t = t.slice(0, i) + e.ch + t.slice(i + 1);
      else if (e.op === 'insert') t = t.slice(0, i) + e.ch + t.slice(i);
      else if (e.op === 'delete') t = t.slice(0, i) + t.slice(i + 1);
      else t = t.slice(0, i);
    }
    return t;
  });

const randomToken = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.stringMatching(/^v1\.[A-Za-z0-9_-]{0,40}\.[A-Za-z0-9_-]{0,200}\.[A-Za-z0-9_-]{0,60}$/),
  fc.string({ maxLength: 2100 }).map((s) => `v1.${KID}.${s}`),
  fc.constantFrom('', 'v1', 'v1...', '....', 'v1.k1..', `${valid}.`, `${valid}${valid}`, 'x'.repeat(3000)),
);

/** Payload fields with plausible and implausible values; signed with the real key, so the MAC passes. */
const anyJson = fc.jsonValue({ maxDepth: 2 });
const fieldValue = <T>(good: fc.Arbitrary<T>): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 3, arbitrary: good },
    { weight: 1, arbitrary: anyJson },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
const oddPath = fc
  .tuple(
    fc.array(
      fc.constantFrom(
        '..',
        '.',
        'dir',
        'file.bin',
        '%2e%2e',
        '%2f',
        '\\',
        '/',
        '',
        'é',
        '\u0000',
        'C:',
        '~',
        'a b',
      ),
      {
        minLength: 1,
        maxLength: 6,
      },
    ),
    fc.constantFrom('/', '\\', ''),
  )
  .map(([parts, sep]) => parts.join(sep));
const srcValue = fc.oneof(
  fc.record({
    type: fc.constant('file'),
    path: fc.oneof(oddPath, fc.string({ unit: 'binary', maxLength: 40 })),
  }),
  fc.record({
    type: fc.constant('s3'),
    store: fieldValue(fc.constantFrom('main', 'other', '')),
    bucket: fieldValue(fc.string()),
    key: fieldValue(fc.string({ unit: 'binary' })),
  }),
  fc.record({
    type: fc.constant('url'),
    url: fieldValue(
      fc.oneof(
        fc.webUrl(),
        fc.constantFrom(
          'https://cdn.example.com/a',
          'https://cdn.example.com:443/a',
          'https://x@cdn.example.com/',
        ),
      ),
    ),
  }),
  anyJson,
);
const signedPayload = fc
  .record({
    product_slug: fieldValue(fc.constantFrom(SLUG, 'other', '', 'MY-PLUGIN')),
    expires: fieldValue(fc.oneof(fc.constant(inAnHour()), fc.integer(), fc.double())),
    jti: fieldValue(fc.stringMatching(/^[A-Za-z0-9_-]{10,70}$/)),
    src: srcValue,
    license_id: fieldValue(fc.oneof(fc.integer(), fc.string({ maxLength: 140 }))),
    max: fieldValue(fc.integer({ min: -2, max: 3 })),
    filename: fieldValue(fc.string({ unit: 'binary', maxLength: 300 })),
    iat: fieldValue(fc.integer()),
  })
  .map((o) => signPayloadBytes(JSON.stringify(o), KID, keys.secret));

const headerValue = fc.stringMatching(/^[\x20-\x7e]{0,60}$/);
const randomHeaders = fc.record(
  {
    range: fc.oneof(headerValue, fc.stringMatching(/^bytes=(-?\d{0,6}-?\d{0,6},?){1,3}$/)),
    'if-none-match': fc.oneof(headerValue, fc.constant('*')),
    'if-range': headerValue,
    accept: fc.constantFrom('text/html', 'application/json', '*/*', ''),
  },
  { requiredKeys: [] },
);

// ---- the accept/reject oracle ------------------------------------------------------------------------

type Payload = Record<string, unknown>;
/** Answers that let a download through (or tell the client its cached copy is good). */
const LETS_THROUGH = new Set([200, 206, 302, 304]);

/** One valid payload per source kind, and what the verifier answers it: all three are served. */
const SOURCES = {
  s3: { src: { type: 's3', store: 'main', bucket: 'shop', key: 'products/my-plugin.zip' }, status: 302 },
  file: { src: { type: 'file', path: 'dir/file.bin' }, status: 200 },
  url: { src: { type: 'url', url: 'https://cdn.example.com/a' }, status: 302 },
} as const;
type SourceKind = keyof typeof SOURCES;

const jtiValue = fc.stringMatching(/^[A-Za-z0-9_-]{22}$/);
/** A valid payload: required fields, some of the optional ones (valid), sometimes an unknown field. */
const validPayload = fc
  .record(
    {
      kind: fc.constantFrom<SourceKind>('s3', 'file', 'url'),
      jti: jtiValue,
      expires: fc.integer({ min: Math.floor(Date.now() / 1000) + 3600, max: FAR }),
      license_id: fc.oneof(fc.integer(), fc.string({ maxLength: 128 })),
      max: fc.integer({ min: 1000, max: 1_000_000 }),
      filename: fc.string({ maxLength: 100 }),
      iat: fc.integer({ min: 0, max: FAR }),
      x_unknown: anyJson,
    },
    { requiredKeys: ['kind', 'jti', 'expires'] },
  )
  .map(({ kind, ...fields }) => ({
    kind,
    payload: { product_slug: SLUG, src: SOURCES[kind].src, ...fields } as Payload,
  }));

/** A value that is not an integer (the spec's type for expires, max, iat). */
const notInteger = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Number.isInteger(d)),
  fc.constantFrom(null, true, false, '1', '4102444800', [], {}, [1]),
  fc.string({ maxLength: 10 }),
);
const notString = fc.oneof(fc.integer(), fc.constantFrom(null, true, false, [], {}, ['x']));
const badB64uChar = fc.constantFrom('.', '+', '/', '=', ' ', '%', 'é', '\u0000', '~', '"');

/**
 * One field rule broken (the rest of the payload stays valid), with the rule's name. `slug` is the request's
 * path segment when the rule is about the slug's form (the path then says the same, so only the form is wrong).
 */
type Break = { rule: string; apply(p: Payload): void; slug?: string };
const set =
  (field: string, value: unknown) =>
  (p: Payload): void => {
    p[field] = value;
  };
const drop =
  (field: string) =>
  (p: Payload): void => {
    delete p[field];
  };
const setSrc =
  (src: unknown) =>
  (p: Payload): void => {
    p['src'] = src;
  };
const fieldBreak: fc.Arbitrary<Break> = fc.oneof(
  // product_slug: string, 1–200 chars of [a-z0-9][a-z0-9._-]*, required
  fc.constant<Break>({ rule: 'product_slug missing', apply: drop('product_slug') }),
  notString.map((v) => ({ rule: 'product_slug not a string', apply: set('product_slug', v) })),
  fc
    .oneof(
      fc.constantFrom('My-Plugin', 'MY-PLUGIN', '-x', '.x', '_x', 'a b', 'a/b', 'é', 'a+b', 'a%b'),
      fc.integer({ min: 201, max: 260 }).map((n) => 'a'.repeat(n)),
      fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,20}[A-Z~!*()' ][a-z0-9]{0,5}$/),
    )
    .map((slug) => ({
      rule: `product_slug of the wrong form (${slug.slice(0, 30)})`,
      apply: set('product_slug', slug),
      slug,
    })),
  // expires: integer, required; the link works while now <= expires
  fc.constant<Break>({ rule: 'expires missing', apply: drop('expires') }),
  notInteger.map((v) => ({
    rule: `expires not an integer (${JSON.stringify(v)})`,
    apply: set('expires', v),
  })),
  fc
    .integer({ min: -1_000_000, max: Math.floor(Date.now() / 1000) - 5 })
    .map((t) => ({ rule: `expires in the past (${t})`, apply: set('expires', t) })),
  // jti: 16–64 chars of the B64U alphabet, required
  fc.constant<Break>({ rule: 'jti missing', apply: drop('jti') }),
  notString.map((v) => ({ rule: 'jti not a string', apply: set('jti', v) })),
  fc
    .stringMatching(/^[A-Za-z0-9_-]{0,15}$/)
    .map((j) => ({ rule: `jti too short (${j.length})`, apply: set('jti', j) })),
  fc
    .stringMatching(/^[A-Za-z0-9_-]{65,90}$/)
    .map((j) => ({ rule: `jti too long (${j.length})`, apply: set('jti', j) })),
  fc
    .tuple(
      fc.stringMatching(/^[A-Za-z0-9_-]{8,20}$/),
      badB64uChar,
      fc.stringMatching(/^[A-Za-z0-9_-]{8,20}$/),
    )
    .map(([a, c, b]) => ({ rule: `jti with “${c}”`, apply: set('jti', `${a}${c}${b}`) })),
  // src: required, one of three shapes
  fc.constant<Break>({ rule: 'src missing', apply: drop('src') }),
  fc
    .oneof(notString, fc.string())
    .map((v) => ({ rule: `src not an object (${JSON.stringify(v)})`, apply: setSrc(v) })),
  fc
    .oneof(fc.constantFrom('S3', 'files', 'http', '', 'URL'), fc.string({ maxLength: 8 }))
    .filter((t) => !['s3', 'file', 'url'].includes(t))
    .map((t) => ({ rule: `src.type “${t}”`, apply: setSrc({ ...SOURCES.s3.src, type: t }) })),
  fc.constantFrom('store', 'bucket', 'key').map((f) => {
    const src: Payload = { ...SOURCES.s3.src };
    delete src[f];
    return { rule: `src.${f} missing`, apply: setSrc(src) };
  }),
  fc
    .tuple(fc.constantFrom('store', 'bucket', 'key'), notString)
    .map(([f, v]) => ({ rule: `src.${f} not a string`, apply: setSrc({ ...SOURCES.s3.src, [f]: v }) })),
  fc.constant<Break>({
    rule: 'src.store not configured',
    apply: setSrc({ ...SOURCES.s3.src, store: 'other' }),
  }),
  fc.constant<Break>({ rule: 'src.path missing', apply: setSrc({ type: 'file' }) }),
  notString.map((v) => ({ rule: 'src.path not a string', apply: setSrc({ type: 'file', path: v }) })),
  fc
    .constantFrom(
      '../outside.bin',
      'dir/../../outside.bin',
      'dir/../dir/file.bin',
      'dir\\..\\dir\\file.bin',
      '..',
      'dir/..',
    )
    .map((path) => ({ rule: `src.path with a .. segment (${path})`, apply: setSrc({ type: 'file', path }) })),
  fc
    .constantFrom('/etc/passwd', 'ABSOLUTE_FILE', '\\dir\\file.bin', 'C:/dir/file.bin', 'C:\\dir\\file.bin')
    .map((path) => ({
      rule: `src.path absolute (${path})`,
      apply: setSrc({
        type: 'file',
        path: path === 'ABSOLUTE_FILE' ? join(tmp.fileRoot, 'dir', 'file.bin') : path,
      }),
    })),
  fc.constantFrom('escape.bin', 'up/outside.bin').map((path) => ({
    rule: `src.path through a symlink out of the root (${path})`,
    apply: setSrc({ type: 'file', path }),
  })),
  fc.constant<Break>({ rule: 'src.url missing', apply: setSrc({ type: 'url' }) }),
  notString.map((v) => ({ rule: 'src.url not a string', apply: setSrc({ type: 'url', url: v }) })),
  fc
    .constantFrom(
      'http://cdn.example.com/a',
      'ftp://cdn.example.com/a',
      'https:///cdn.example.com/a',
      'https://evil.example.com/a',
      'https://cdn.example.com.evil.test/a',
      'https://evil.test/cdn.example.com/a',
      '//cdn.example.com/a',
      'cdn.example.com/a',
    )
    .map((url) => ({
      rule: `src.url not an allowed https URL (${url})`,
      apply: setSrc({ type: 'url', url }),
    })),
  // license_id: integer or string of at most 128 chars
  fc
    .oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Number.isInteger(d)),
      fc.constantFrom(null, true, [], {}, [1]),
      fc.integer({ min: 129, max: 200 }).map((n) => 'L'.repeat(n)),
    )
    .map((v) => ({ rule: `license_id ${JSON.stringify(v).slice(0, 20)}`, apply: set('license_id', v) })),
  // max: integer >= 1
  fc
    .oneof(notInteger, fc.integer({ min: -1_000_000, max: 0 }))
    .map((v) => ({ rule: `max ${JSON.stringify(v)}`, apply: set('max', v) })),
  // filename: string of at most 255 chars
  fc
    .oneof(
      notString,
      fc.integer({ min: 256, max: 300 }).map((n) => 'f'.repeat(n)),
      fc.integer({ min: 256, max: 300 }).map((n) => '日'.repeat(n)),
    )
    .map((v) => ({ rule: `filename ${JSON.stringify(v).slice(0, 20)}`, apply: set('filename', v) })),
  // iat: integer
  notInteger.map((v) => ({ rule: `iat ${JSON.stringify(v)}`, apply: set('iat', v) })),
);

describe('fuzzing the running verifier', () => {
  it('answers mutated and random tokens without a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(mutatedToken, randomToken),
        fc.constantFrom('GET', 'HEAD'),
        async (token, method) => {
          await expectNo5xx(method, `/downloads/${SLUG}?token=${enc(token)}`);
        },
      ),
      { numRuns: 1500 },
    );
  }, 120_000);

  it('answers correctly signed but wrong payloads without a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        signedPayload,
        fc.constantFrom('GET', 'HEAD'),
        randomHeaders,
        async (token, method, headers) => {
          await expectNo5xx(method, `/downloads/${SLUG}?token=${enc(token)}`, headers);
        },
      ),
      { numRuns: 1000 },
    );
  }, 120_000);

  it('never lets through a correctly signed token that breaks a field rule; the same payload unbroken gets through', async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(
        validPayload,
        fieldBreak,
        fc.constantFrom('GET', 'HEAD'),
        randomHeaders,
        async ({ kind, payload }, broken, method, headers) => {
          // Unbroken (a jti of its own, plain GET): let through, so the oracle below can tell the difference.
          const control = signPayloadBytes(
            JSON.stringify({ ...payload, jti: `c${String(payload['jti'])}` }),
            KID,
            keys.secret,
          );
          const ok = await send('GET', `/downloads/${SLUG}?token=${enc(control)}`);
          expect(ok.status, `unbroken ${kind} payload: ${ok.body.slice(0, 200)}`).toBe(SOURCES[kind].status);
          accepted++;

          const p: Payload = structuredClone(payload);
          broken.apply(p);
          const token = signPayloadBytes(JSON.stringify(p), KID, keys.secret);
          const slug = broken.slug === undefined ? SLUG : enc(broken.slug);
          const a = await send(method, `/downloads/${slug}?token=${enc(token)}`, headers);
          expect(
            a.status,
            `${method} ${slug}: ${broken.rule}: ${a.body.slice(0, 200)}`,
          ).toBeGreaterThanOrEqual(400);
          expect(a.status, `${broken.rule}: no 5xx`).toBeLessThan(500);
          expect(LETS_THROUGH.has(a.status)).toBe(false);
        },
      ),
      { numRuns: 700 },
    );
    expect(accepted).toBe(700);
  }, 180_000);

  it('answers random paths, queries, methods and headers without a 5xx', async () => {
    const segment = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 30 }).map(enc),
      fc.constantFrom(
        'downloads',
        'admin',
        'links',
        'revocations',
        'healthz',
        'metrics',
        '..',
        '.',
        '%2e%2e',
        '%2f',
        SLUG,
        '',
      ),
    );
    const path = fc
      .tuple(
        fc.array(segment, { maxLength: 5 }),
        fc.option(fc.string({ unit: 'binary', maxLength: 80 }).map((q) => `?${enc(q)}`)),
        fc.option(fc.constant(`?token=${valid}`)),
      )
      .map(([segs, q, t]) => `/${segs.join('/')}${q ?? ''}${t ?? ''}`.replace('??', '?'));
    await fc.assert(
      fc.asyncProperty(
        path,
        fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH'),
        randomHeaders,
        async (pth, method, headers) => {
          await expectNo5xx(method, pth, headers, method === 'GET' || method === 'HEAD' ? undefined : 'x');
        },
      ),
      { numRuns: 1000 },
    );
  }, 120_000);

  it('answers random admin calls, with and without the token, without a 5xx', async () => {
    const body = fc.oneof(
      fc.jsonValue().map((j) => JSON.stringify(j)),
      fc
        .record(
          {
            jti: fieldValue(fc.stringMatching(/^[A-Za-z0-9_-]{14,66}$/)),
            license_id: fieldValue(fc.oneof(fc.integer(), fc.string())),
          },
          { requiredKeys: [] },
        )
        .map((o) => JSON.stringify(o)),
      fc.string({ unit: 'binary', maxLength: 200 }),
    );
    const auth = fc.constantFrom(
      `Bearer ${keys.adminToken}`,
      'Bearer x',
      '',
      `bearer   ${keys.adminToken}`,
      'Basic abc',
    );
    const route = fc.oneof(
      fc.constant('/admin/revocations'),
      fc.stringMatching(/^[A-Za-z0-9_%.-]{0,70}$/).map((j) => `/admin/links/${j}`),
      fc.string({ maxLength: 20 }).map((s) => `/admin/${enc(s)}`),
    );
    await fc.assert(
      fc.asyncProperty(
        route,
        fc.constantFrom('GET', 'POST', 'DELETE', 'PUT'),
        auth,
        body,
        async (r, method, authorization, b) => {
          await expectNo5xx(
            method,
            r,
            authorization ? { authorization, 'content-type': 'application/json' } : {},
            method === 'GET' ? undefined : b,
          );
        },
      ),
      { numRuns: 600 },
    );
  }, 120_000);

  it('is still alive and healthy afterwards, with no internal error logged', async () => {
    expect(sent).toBeGreaterThan(4000);
    expect(p.child.exitCode).toBeNull();
    const health = await send('GET', '/healthz');
    expect([health.status, health.body]).toEqual([200, '{"ok":true}']);
    expect(p.output()).not.toContain('internal error');
    expect(p.output()).not.toMatch(/"level":"error"/);
  });
});
