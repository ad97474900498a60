/**
 * The verifier over real HTTP (server in this process, port 0, SQLite state in a temp folder): the
 * spec's answer table with the shared test vectors, redirects, limits under concurrency, revocation
 * through the admin API, error pages, health, metrics and the request log.
 */
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { generateJti } from '../../src/shared-node/token';
import { errorSentence } from '../../src/verifier/http/error-page';
import { createLogger } from '../../src/verifier/log';
import {
  adminFetch,
  downloadUrl,
  drain,
  makeToken,
  newTestKeys,
  rawConfig,
  SLUG,
  startTestVerifier,
  tempDir,
  type TestVerifier,
} from '../support/verifier';

interface VectorCase {
  name: string;
  token: string;
  product_slug: string;
  expect:
    | { valid: true; kid: string; payload: { src: { type: string } } }
    | { valid: false; status: number; error: string };
}
const vectors = JSON.parse(
  readFileSync(fileURLToPath(new URL('../vectors/download-token-v1.json', import.meta.url)), 'utf8'),
) as { keys: Record<string, string>; now: number; cases: VectorCase[] };

const keys = newTestKeys();
const tmp = tempDir('signet-verifier-http-');
let v: TestVerifier;
const logLines: string[] = [];

beforeAll(async () => {
  v = await startTestVerifier(
    rawConfig(keys, { fileRoot: './files', state: { sqlite: './state.db' } }),
    tmp.dir,
    {
      logger: createLogger('info', { out: (l) => logLines.push(l), err: (l) => logLines.push(l) }),
    },
  );
});
afterAll(async () => {
  await v?.close();
  tmp.cleanup();
});

const get = (token: string, init: RequestInit = {}, slug = SLUG): Promise<Response> =>
  fetch(downloadUrl(v.base, token, slug), { redirect: 'manual', ...init });

describe('test vectors over HTTP', () => {
  let vv: TestVerifier;
  const vtmp = tempDir('signet-verifier-vectors-');
  beforeAll(async () => {
    mkdirSync(join(vtmp.fileRoot, 'downloads'));
    writeFileSync(join(vtmp.fileRoot, 'downloads', 'my-plugin-1.2.zip'), 'zip bytes');
    vv = await startTestVerifier(
      rawConfig(keys, { keys: vectors.keys, fileRoot: './files', state: { sqlite: ':memory:' } }),
      vtmp.dir,
      { now: () => vectors.now },
    );
  });
  afterAll(async () => {
    await vv?.close();
    vtmp.cleanup();
  });

  it('answers every invalid vector with its status and error code', async () => {
    const invalid = vectors.cases.filter((c) => !c.expect.valid);
    expect(invalid.length).toBeGreaterThan(100);
    for (const c of invalid) {
      const res = await fetch(`${vv.base}/downloads/${c.product_slug}?token=${encodeURIComponent(c.token)}`, {
        redirect: 'manual',
      });
      const body = (await res.json()) as { error: string };
      const exp = c.expect as { status: number; error: string };
      expect({ name: c.name, status: res.status, error: body.error }).toEqual({
        name: c.name,
        status: exp.status,
        error: exp.error,
      });
    }
  });

  it('lets every valid vector through (HEAD: checked, not counted)', async () => {
    const valid = vectors.cases.filter((c) => c.expect.valid);
    for (const c of valid) {
      const res = await fetch(`${vv.base}/downloads/${c.product_slug}?token=${encodeURIComponent(c.token)}`, {
        method: 'HEAD',
        redirect: 'manual',
      });
      const type = (c.expect as { payload: { src: { type: string } } }).payload.src.type;
      expect({ name: c.name, status: res.status }).toEqual({
        name: c.name,
        status: type === 'file' ? 200 : 302,
      });
    }
  });
});

describe('S3 and URL sources', () => {
  it('redirects an S3 source to a pre-signed GET URL that cannot be cached', async () => {
    const { token } = makeToken(keys);
    const res = await get(token);
    expect(res.status).toBe(302);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const loc = new URL(res.headers.get('location') as string);
    expect(loc.origin).toBe('http://127.0.0.1:9');
    expect(loc.pathname).toBe('/shop/products/my-plugin.zip');
    expect(loc.searchParams.get('X-Amz-Expires')).toBe('300');
    expect(loc.searchParams.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(loc.searchParams.get('response-content-disposition')).toBe('attachment; filename=my-plugin.zip');
  });

  it('puts the token filename in response-content-disposition with an ASCII fallback', async () => {
    const { token } = makeToken(keys, { filename: 'Résumé "final" 2024.pdf' });
    const res = await get(token);
    const loc = new URL(res.headers.get('location') as string);
    expect(loc.searchParams.get('response-content-disposition')).toBe(
      `attachment; filename="Resume _final_ 2024.pdf"; filename*=UTF-8''R%C3%A9sum%C3%A9%20%22final%22%202024.pdf`,
    );
  });

  it('answers 404 unknown_store for a store the verifier does not know, without counting', async () => {
    const { token, jti } = makeToken(keys, {
      src: { type: 's3', store: 'elsewhere', bucket: 'b', key: 'k' },
      max: 1,
    });
    const res = await get(token);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'unknown_store' });
    expect(await v.state.downloads(jti)).toBe(0);
  });

  it('redirects a URL source only to an allowed https host', async () => {
    const ok = makeToken(keys, {
      src: { type: 'url', url: 'https://CDN.example.com/files/a%20b%C3%A9.zip?v=1' },
    });
    const res = await get(ok.token);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('https://cdn.example.com/files/a%20b%C3%A9.zip?v=1');
    expect(res.headers.get('cache-control')).toBe('no-store');

    for (const url of [
      'https://evil.example.com/x.zip',
      'https://cdn.example.com.evil.com/x.zip',
      'https://cdn.example.com:8443/x.zip',
      'https://user@cdn.example.com/x.zip',
    ]) {
      const { token, jti } = makeToken(keys, { src: { type: 'url', url } });
      const r = await get(token);
      expect({ url, status: r.status, body: await r.json() }).toEqual({
        url,
        status: 403,
        body: { error: 'url_not_allowed' },
      });
      expect(await v.state.downloads(jti)).toBe(0);
    }
  });
});

describe('answers and error pages', () => {
  it('sends JSON to programs and a short escaped HTML page to browsers', async () => {
    const { token } = makeToken(keys, { expires: Math.floor(Date.now() / 1000) - 5 });
    const json = await get(token);
    expect(json.status).toBe(410);
    expect(json.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await json.json()).toEqual({ error: 'expired' });

    const html = await get(token, { headers: { accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.8' } });
    expect(html.status).toBe(410);
    expect(html.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(html.headers.get('content-security-policy')).toContain("default-src 'none'");
    const page = await html.text();
    expect(page).toContain('This download link has expired. Ask the shop for a new one.');
    expect(page).not.toContain('<script');
  });

  it('says the right sentence for each refusal', () => {
    expect(errorSentence('limit_reached')).toMatch(/used as many times as it allows/);
    expect(errorSentence('revoked')).toMatch(/withdrawn/);
    expect(errorSentence('bad_signature')).toMatch(/not valid/);
    expect(errorSentence('malformed')).toMatch(/incomplete or damaged/);
    expect(errorSentence('something-new')).toMatch(/Something went wrong/);
  });

  it('refuses requests without exactly one token, other methods and unknown routes', async () => {
    const missing = await fetch(`${v.base}/downloads/${SLUG}`);
    expect([missing.status, await missing.json()]).toEqual([400, { error: 'missing_token' }]);
    const { token } = makeToken(keys);
    const twice = await fetch(`${v.base}/downloads/${SLUG}?token=${token}&token=${token}`, {
      redirect: 'manual',
    });
    expect([twice.status, await twice.json()]).toEqual([400, { error: 'malformed' }]);
    const post = await fetch(downloadUrl(v.base, token), { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    await drain(post);
    for (const path of [
      '/',
      '/downloads/',
      `/downloads/${SLUG}/`,
      `/downloads/${SLUG}/extra`,
      '/favicon.ico',
      '/admin',
    ]) {
      const r = await fetch(`${v.base}${path}`);
      expect({ path, status: r.status }).toEqual({ path, status: path === '/admin' ? 401 : 404 });
      await drain(r);
    }
  });

  it('compares the slug after percent-decoding the path segment; a broken escape is 400', async () => {
    const { token } = makeToken(keys);
    expect((await get(token, {}, 'my%2Dplugin')).status).toBe(302);
    expect((await get(token, {}, 'my%2dplugin')).status).toBe(302);
    const other = await get(token, {}, 'my%2Dplugins');
    expect([other.status, await other.json()]).toEqual([403, { error: 'slug_mismatch' }]);
    for (const bad of ['my%2', 'my%ZZplugin', '%C3%28']) {
      const r = await get(token, {}, bad);
      expect([bad, r.status, await r.json()]).toEqual([bad, 400, { error: 'malformed' }]);
    }
  });
});

describe('download limits and HEAD', () => {
  it('lets exactly 5 of 50 concurrent requests through against max = 5', async () => {
    const { token, jti } = makeToken(keys, { max: 5 });
    const responses = await Promise.all(Array.from({ length: 50 }, () => get(token)));
    const statuses = responses.map((r) => r.status);
    await Promise.all(responses.map(drain));
    expect(statuses.filter((s) => s === 302)).toHaveLength(5);
    expect(statuses.filter((s) => s === 410)).toHaveLength(45);
    const status = await adminFetch(v.base, keys.adminToken, 'GET', `/admin/links/${jti}`);
    expect(await status.json()).toEqual({
      downloads: 5,
      revoked: false,
      revoked_by: null,
      networks: 0,
      shared: false,
    });
  });

  it('answers limit_reached with 410 and a human sentence', async () => {
    const { token } = makeToken(keys, { max: 1 });
    expect((await get(token)).status).toBe(302);
    const again = await get(token, { headers: { accept: 'text/html' } });
    expect(again.status).toBe(410);
    expect(await again.text()).toContain('used as many times as it allows');
  });

  it('never counts HEAD, but HEAD still sees revocation and a used-up limit', async () => {
    const { token, jti } = makeToken(keys, { max: 1 });
    for (let i = 0; i < 3; i++) {
      const head = await get(token, { method: 'HEAD' });
      expect(head.status).toBe(302);
      // The URL is signed for HEAD only (verifier-s3.test.ts shows S3 refuses a GET with it).
      expect(head.headers.get('location')).toMatch(/X-Amz-Signature=/);
    }
    expect(await v.state.downloads(jti)).toBe(0);
    expect((await get(token)).status).toBe(302);
    expect((await get(token, { method: 'HEAD' })).status).toBe(410);

    const other = makeToken(keys);
    await v.state.revoke({ jti: other.jti });
    expect((await get(other.token, { method: 'HEAD' })).status).toBe(403);
  });
});

describe('admin API', () => {
  const admin = (method: string, path: string, body?: unknown): Promise<Response> =>
    adminFetch(v.base, keys.adminToken, method, path, body);

  it('refuses requests without the admin token or with a wrong one', async () => {
    const jti = generateJti();
    const cases: [string, Record<string, string>][] = [
      ['none', {}],
      ['wrong', { authorization: `Bearer ${keys.adminToken}x` }],
      ['prefix', { authorization: `Bearer ${keys.adminToken.slice(0, 10)}` }],
      ['basic scheme', { authorization: `Basic ${keys.adminToken}` }],
      ['empty bearer', { authorization: 'Bearer ' }],
    ];
    for (const [name, headers] of cases) {
      for (const [method, path] of [
        ['POST', '/admin/revocations'],
        ['DELETE', '/admin/revocations'],
        ['GET', `/admin/links/${jti}`],
      ] as const) {
        const res = await fetch(`${v.base}${path}`, {
          method,
          headers: { ...headers, 'content-type': 'application/json' },
          body: method === 'GET' ? undefined : JSON.stringify({ jti }),
        });
        expect({ name, method, status: res.status }).toEqual({ name, method, status: 401 });
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
        await drain(res);
      }
    }
    expect(await v.state.isRevoked(jti)).toBe(false);
  });

  it('revokes a jti at once and undoes it', async () => {
    const { token, jti } = makeToken(keys);
    expect((await get(token)).status).toBe(302);
    const post = await admin('POST', '/admin/revocations', { jti });
    expect([post.status, await post.json()]).toEqual([200, { ok: true, revoked: { jti } }]);
    const refused = await get(token);
    expect([refused.status, await refused.json()]).toEqual([403, { error: 'revoked' }]);
    expect(await (await admin('GET', `/admin/links/${jti}`)).json()).toEqual({
      downloads: 1,
      revoked: true,
      revoked_by: 'jti',
      networks: 0,
      shared: false,
    });

    const del = await admin('DELETE', '/admin/revocations', { jti });
    expect([del.status, await del.json()]).toEqual([200, { ok: true, restored: { jti } }]);
    expect((await get(token)).status).toBe(302);
    expect(await (await admin('GET', `/admin/links/${jti}`)).json()).toEqual({
      downloads: 2,
      revoked: false,
      revoked_by: null,
      networks: 0,
      shared: false,
    });
  });

  it('revokes every link of a licence at once and undoes it', async () => {
    const a = makeToken(keys, { license_id: 1001 });
    const b = makeToken(keys, { license_id: '1001' });
    const c = makeToken(keys, { license_id: 1002 });
    expect((await admin('POST', '/admin/revocations', { license_id: 1001 })).status).toBe(200);
    expect((await get(a.token)).status).toBe(403);
    expect((await get(b.token)).status).toBe(403);
    expect((await get(c.token)).status).toBe(302);
    expect((await admin('DELETE', '/admin/revocations', { license_id: '1001' })).status).toBe(200);
    expect((await get(a.token)).status).toBe(302);
  });

  it('validates bodies and paths', async () => {
    const bad: [unknown, number, string][] = [
      ['{not json', 400, 'invalid_json'],
      [{}, 400, 'invalid_body'],
      [{ jti: 'short' }, 400, 'invalid_body'],
      [{ jti: generateJti(), license_id: 1 }, 400, 'invalid_body'],
      [{ license_id: 1.5 }, 400, 'invalid_body'],
      [{ license_id: 'x'.repeat(129) }, 400, 'invalid_body'],
      [[1, 2], 400, 'invalid_body'],
    ];
    for (const [body, status, error] of bad) {
      const res = await fetch(`${v.base}/admin/revocations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${keys.adminToken}` },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      expect({ body, status: res.status, error: ((await res.json()) as { error: string }).error }).toEqual({
        body,
        status,
        error,
      });
    }
    const big = await fetch(`${v.base}/admin/revocations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${keys.adminToken}` },
      body: JSON.stringify({ jti: generateJti(), pad: 'x'.repeat(100_000) }),
    });
    expect([big.status, await big.json()]).toEqual([413, { error: 'body_too_large' }]);
    const put = await admin('PUT', '/admin/revocations', { jti: generateJti() });
    expect([put.status, put.headers.get('allow')]).toEqual([405, 'POST, DELETE']);
    await drain(put);
    const badJti = await admin('GET', '/admin/links/not..valid');
    expect([badJti.status, await badJti.json()]).toEqual([400, { error: 'invalid_jti' }]);
    const unknown = await admin('GET', '/admin/other');
    expect(unknown.status).toBe(404);
    await drain(unknown);
    expect(await (await admin('GET', `/admin/links/${generateJti()}`)).json()).toEqual({
      downloads: 0,
      revoked: false,
      revoked_by: null,
      networks: 0,
      shared: false,
    });
  });
});

describe('health, metrics and the request log', () => {
  it('reports health from the state backend', async () => {
    const res = await fetch(`${v.base}/healthz`);
    expect([res.status, await res.json()]).toEqual([200, { ok: true }]);
  });

  it('exposes requests by outcome and a latency histogram', async () => {
    const { token } = makeToken(keys);
    await drain(await get(token));
    await drain(await get('v1.k1.x.y'));
    const res = await fetch(`${v.base}/metrics`, { headers: { authorization: `Bearer ${keys.adminToken}` } });
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toMatch(/^signet_verifier_requests_total\{outcome="redirect"\} \d+$/m);
    expect(text).toMatch(/^signet_verifier_requests_total\{outcome="bad_encoding"\} \d+$/m);
    expect(text).toMatch(/^# TYPE signet_verifier_request_duration_seconds histogram$/m);
    const count = Number(/^signet_verifier_request_duration_seconds_count (\d+)$/m.exec(text)?.[1]);
    const inf = Number(
      /^signet_verifier_request_duration_seconds_bucket\{le="\+Inf"\} (\d+)$/m.exec(text)?.[1],
    );
    expect(count).toBeGreaterThan(2);
    expect(inf).toBe(count);
  });

  it('writes one JSON line per request with the jti, never the token or its MAC', async () => {
    const { token, jti } = makeToken(keys);
    logLines.length = 0;
    await drain(await get(token));
    const mac = token.split('.')[3] as string;
    const payloadPart = token.split('.')[2] as string;
    const requestLines = logLines.filter((l) => l.includes('"msg":"request"'));
    expect(requestLines).toHaveLength(1);
    const entry = JSON.parse(requestLines[0] as string) as Record<string, unknown>;
    expect(entry).toMatchObject({
      level: 'info',
      method: 'GET',
      route: '/downloads/:slug',
      status: 302,
      outcome: 'redirect',
      jti,
      kid: 'k1',
    });
    expect(typeof entry.ms).toBe('number');
    expect(typeof entry.time).toBe('string');
    const all = logLines.join('');
    expect(all).not.toContain(mac);
    expect(all).not.toContain(payloadPart);
    expect(all).not.toContain(keys.adminToken);
  });
});
