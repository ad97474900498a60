/**
 * Fuzzing the running verifier (the built CLI, one process, so a crash cannot hide behind a restarted
 * worker): thousands of random and mutated tokens, correctly signed payloads full of wrong types and
 * odd paths, random request paths, methods and headers, and admin calls. Every request must get an
 * answer below 500, and afterwards the process must still be alive, healthy, and have logged no
 * internal error. Bounded: a fixed number of runs, sequential requests on keep-alive connections.
 */
import fc from 'fast-check';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { signPayloadBytes } from '../support/token-unchecked';
import {
  buildVerifierCli,
  inAnHour,
  KID,
  makeToken,
  newTestKeys,
  rawConfig,
  SLUG,
  spawnVerifier,
  tempDir,
  writeConfigFile,
  type VerifierProcess,
} from '../support/verifier';

const keys = newTestKeys();
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

const valid = makeToken(keys).token;
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
