/**
 * File sources over real HTTP against a real folder: full and partial downloads, ETag revalidation,
 * which requests count, safe file names, and every way out of the file root we could think of.
 */
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { generateJti, type TokenPayload } from '../../src/shared-node/token';
import { signPayloadBytes } from '../support/token-unchecked';
import { openInRoot } from '../../src/verifier/sources/file';
import {
  downloadUrl,
  drain,
  inAnHour,
  KID,
  makeToken,
  newTestKeys,
  rawConfig,
  SLUG,
  startTestVerifier,
  tempDir,
  type TestVerifier,
} from '../support/verifier';

const keys = newTestKeys();
const tmp = tempDir('signet-verifier-files-');
const content = randomBytes(10_000);
let v: TestVerifier;

beforeAll(async () => {
  const root = tmp.fileRoot;
  mkdirSync(join(root, 'products'));
  writeFileSync(join(root, 'products', 'plugin.zip'), content);
  writeFileSync(join(root, 'Résumé 2024.pdf'), 'pdf');
  writeFileSync(join(root, 'notes.txt'), 'hello');
  writeFileSync(join(root, 'data.unknownext'), 'x');
  writeFileSync(join(root, 'empty.bin'), '');
  writeFileSync(join(tmp.dir, 'secret.txt'), 'outside the root');
  mkdirSync(join(tmp.dir, 'outside-dir'));
  writeFileSync(join(tmp.dir, 'outside-dir', 'x.txt'), 'outside too');
  symlinkSync(join(tmp.dir, 'secret.txt'), join(root, 'escape.txt'));
  symlinkSync('../secret.txt', join(root, 'relative-escape.txt'));
  symlinkSync(join(tmp.dir, 'outside-dir'), join(root, 'linkdir'));
  symlinkSync('products/plugin.zip', join(root, 'inside-link.zip'));
  symlinkSync('loop-b', join(root, 'loop-a'));
  symlinkSync('loop-a', join(root, 'loop-b'));
  v = await startTestVerifier(
    rawConfig(keys, { fileRoot: './files', state: { sqlite: './state.db' } }),
    tmp.dir,
  );
});
afterAll(async () => {
  await v?.close();
  tmp.cleanup();
});

const fileToken = (path: string, extra: Partial<TokenPayload> = {}): { jti: string; token: string } =>
  makeToken(keys, { src: { type: 'file', path }, ...extra });

const get = (token: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Response> =>
  fetch(downloadUrl(v.base, token), { headers, method, redirect: 'manual' });

const bytes = async (res: Response): Promise<Buffer> => Buffer.from(await res.arrayBuffer());

describe('whole files', () => {
  it('streams the file with validators, Accept-Ranges and a safe Content-Disposition, and counts it', async () => {
    const { token, jti } = fileToken('products/plugin.zip');
    const res = await get(token);
    expect(res.status).toBe(200);
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(res.headers.get('etag')).toMatch(/^"[0-9a-z]+-[0-9a-z]+"$/);
    expect(res.headers.get('last-modified')).toMatch(/GMT$/);
    expect(res.headers.get('content-type')).toBe('application/zip');
    expect(res.headers.get('content-length')).toBe('10000');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename=plugin.zip');
    expect((await bytes(res)).equals(content)).toBe(true);
    expect(await v.state.downloads(jti)).toBe(1);
  });

  it('names the saved file per RFC 6266/5987, from the path or the token filename', async () => {
    const a = await get(fileToken('Résumé 2024.pdf').token);
    expect(a.headers.get('content-disposition')).toBe(
      `attachment; filename="Resume 2024.pdf"; filename*=UTF-8''R%C3%A9sum%C3%A9%202024.pdf`,
    );
    expect(a.headers.get('content-type')).toBe('application/pdf');
    await drain(a);
    const b = await get(fileToken('notes.txt', { filename: '../../évil\r\n"name".txt' }).token);
    expect(b.headers.get('content-disposition')).toBe(
      `attachment; filename=.._.._evil_name_.txt; filename*=UTF-8''.._.._%C3%A9vil%22name%22.txt`,
    );
    expect(b.headers.get('content-type')).toBe('text/plain');
    await drain(b);
    const c = await get(fileToken('data.unknownext').token);
    expect(c.headers.get('content-type')).toBe('application/octet-stream');
    await drain(c);
  });

  it('serves an empty file', async () => {
    const res = await get(fileToken('empty.bin').token);
    expect([res.status, res.headers.get('content-length'), (await bytes(res)).length]).toEqual([200, '0', 0]);
  });

  it('answers HEAD with the headers only and does not count it', async () => {
    const { token, jti } = fileToken('products/plugin.zip');
    const res = await get(token, {}, 'HEAD');
    expect([res.status, res.headers.get('content-length')]).toEqual([200, '10000']);
    expect((await bytes(res)).length).toBe(0);
    expect(await v.state.downloads(jti)).toBe(0);
  });
});

describe('ranges', () => {
  it('serves the first range (counted), a middle range and a suffix range (not counted again)', async () => {
    const { token, jti } = fileToken('products/plugin.zip');
    const first = await get(token, { range: 'bytes=0-99' });
    expect(first.status).toBe(206);
    expect(first.headers.get('content-range')).toBe('bytes 0-99/10000');
    expect((await bytes(first)).equals(content.subarray(0, 100))).toBe(true);
    expect(await v.state.downloads(jti)).toBe(1);

    const middle = await get(token, { range: 'bytes=5000-5999' });
    expect(middle.status).toBe(206);
    expect(middle.headers.get('content-range')).toBe('bytes 5000-5999/10000');
    expect((await bytes(middle)).equals(content.subarray(5000, 6000))).toBe(true);

    const suffix = await get(token, { range: 'bytes=-500' });
    expect(suffix.status).toBe(206);
    expect(suffix.headers.get('content-range')).toBe('bytes 9500-9999/10000');
    expect((await bytes(suffix)).equals(content.subarray(9500))).toBe(true);

    const open = await get(token, { range: 'bytes=9990-' });
    expect((await bytes(open)).equals(content.subarray(9990))).toBe(true);
    expect(await v.state.downloads(jti)).toBe(1);
  });

  it('answers 416 for an unsatisfiable range, without counting', async () => {
    const { token, jti } = fileToken('products/plugin.zip');
    const res = await get(token, { range: 'bytes=20000-30000' });
    expect(res.status).toBe(416);
    expect(res.headers.get('content-range')).toBe('bytes */10000');
    expect(await res.json()).toEqual({ error: 'range_not_satisfiable' });
    expect(await v.state.downloads(jti)).toBe(0);
  });

  it('sends the whole file for several ranges, a malformed Range or a stale If-Range', async () => {
    const { token } = fileToken('products/plugin.zip');
    const cases: Record<string, string>[] = [
      { range: 'bytes=0-9,20-29' },
      { range: 'bytes=abc' },
      { range: 'items=0-9' },
      { range: 'bytes=0-9', 'if-range': '"stale"' },
    ];
    for (const headers of cases) {
      const res = await get(token, headers);
      expect({ headers, status: res.status }).toEqual({ headers, status: 200 });
      expect((await bytes(res)).length).toBe(10_000);
    }
  });

  it('honours If-Range with the current ETag', async () => {
    const { token } = fileToken('products/plugin.zip');
    const full = await get(token);
    const etag = full.headers.get('etag') as string;
    await drain(full);
    const res = await get(token, { range: 'bytes=10-19', 'if-range': etag });
    expect(res.status).toBe(206);
    expect((await bytes(res)).equals(content.subarray(10, 20))).toBe(true);
  });

  it('lets a resume through after the limit is used up, but not once revoked', async () => {
    const { token, jti } = fileToken('products/plugin.zip', { max: 1 });
    // The first 4000 bytes (counted), then the rest as a resume: one copy in all.
    await drain(await get(token, { range: 'bytes=0-3999' }));
    const again = await get(token);
    expect(again.status).toBe(410);
    await drain(again);
    const resume = await get(token, { range: 'bytes=4000-' });
    expect(resume.status).toBe(206);
    expect((await bytes(resume)).equals(content.subarray(4000))).toBe(true);
    expect(await v.state.downloads(jti)).toBe(1);

    await v.state.revoke({ jti });
    const revoked = await get(token, { range: 'bytes=4000-' });
    expect([revoked.status, await revoked.json()]).toEqual([403, { error: 'revoked' }]);
  });

  it('counts a resume that has no counted download yet as the first download', async () => {
    const { token, jti } = fileToken('products/plugin.zip', { max: 1 });
    const res = await get(token, { range: 'bytes=100-199' });
    expect(res.status).toBe(206);
    await drain(res);
    expect(await v.state.downloads(jti)).toBe(1);
    expect((await get(token)).status).toBe(410);
  });
});

describe('ETag revalidation', () => {
  it('answers 304 to a matching If-None-Match without counting, 200 otherwise', async () => {
    const { token, jti } = fileToken('products/plugin.zip', { max: 1 });
    const first = await get(token);
    const etag = first.headers.get('etag') as string;
    await drain(first);
    for (const inm of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const res = await get(token, { 'if-none-match': inm });
      expect({ inm, status: res.status }).toEqual({ inm, status: 304 });
      expect(res.headers.get('etag')).toBe(etag);
      expect((await bytes(res)).length).toBe(0);
    }
    expect(await v.state.downloads(jti)).toBe(1);
    const other = fileToken('products/plugin.zip');
    const changed = await get(other.token, { 'if-none-match': '"different"' });
    expect(changed.status).toBe(200);
    await drain(changed);

    await v.state.revoke({ jti });
    expect((await get(token, { 'if-none-match': etag })).status).toBe(403);
  });
});

describe('staying inside the file root', () => {
  /** Signs a payload the issuer would refuse, to see that the verifier refuses it too. */
  const rawFileToken = (path: string): string =>
    signPayloadBytes(
      JSON.stringify({
        product_slug: SLUG,
        expires: inAnHour(),
        jti: generateJti(),
        src: { type: 'file', path },
      }),
      KID,
      keys.secret,
    );

  it('refuses traversal in the token path (400 invalid_payload)', async () => {
    for (const path of [
      '../secret.txt',
      'products/../../secret.txt',
      '..',
      '/etc/passwd',
      '\\etc\\passwd',
      'products\\..\\..\\secret.txt',
      'C:\\Windows\\win.ini',
      'c:secret.txt',
      'products/plugin.zip\u0000.txt',
    ]) {
      const res = await get(rawFileToken(path));
      const body = await res.text();
      expect({ path, status: res.status, body }).toEqual({
        path,
        status: 400,
        body: '{"error":"invalid_payload"}',
      });
    }
  });

  it('treats percent-encoded dots and slashes as plain characters of a name (not found)', async () => {
    for (const path of [
      '%2e%2e/secret.txt',
      '..%2fsecret.txt',
      '%2e%2e%2fsecret.txt',
      'products%2fplugin.zip',
    ]) {
      const res = await get(rawFileToken(path));
      expect({ path, status: res.status, body: await res.json() }).toEqual({
        path,
        status: 404,
        body: { error: 'source_missing' },
      });
    }
  });

  it('refuses symlinks that lead out of the root, follows those that stay inside', async () => {
    for (const path of ['escape.txt', 'relative-escape.txt', 'linkdir/x.txt']) {
      const res = await get(fileToken(path).token);
      const body = await res.text();
      expect({ path, status: res.status, body }).toEqual({
        path,
        status: 403,
        body: '{"error":"path_outside_root"}',
      });
    }
    const inside = await get(fileToken('inside-link.zip').token);
    expect(inside.status).toBe(200);
    expect((await bytes(inside)).equals(content)).toBe(true);
  });

  it('answers 404 for missing files, directories and symlink loops, without counting', async () => {
    for (const path of ['nope.zip', 'products', 'products/', 'products/plugin.zip/x', 'loop-a']) {
      const { token, jti } = fileToken(path);
      const res = await get(token);
      expect({ path, status: res.status, body: await res.json() }).toEqual({
        path,
        status: 404,
        body: { error: 'source_missing' },
      });
      expect(await v.state.downloads(jti)).toBe(0);
    }
  });

  it('does not let the request path reach the file system', async () => {
    const { token } = fileToken('products/plugin.zip');
    // Raw request targets (fetch would normalize the dots away).
    for (const target of [
      `/downloads/..%2f..%2fsecret.txt?token=${token}`,
      `/downloads/%2e%2e/%2e%2e/secret.txt?token=${token}`,
      `/downloads/../../secret.txt?token=${token}`,
      `/downloads/${SLUG}%2f..%2f..?token=${token}`,
      `/downloads/${SLUG}/../x?token=${token}`,
    ]) {
      const { status, body } = await rawGet(target);
      expect({ target, status }).toEqual({
        target,
        status: expect.toSatisfy((s: number) => s === 403 || s === 404),
      });
      expect(body).not.toContain('outside the root');
    }
  });

  it('checks again below the token module (defence in depth)', async () => {
    for (const path of ['../secret.txt', '/etc/passwd', 'a\\..\\..\\secret.txt', 'x/../../secret.txt']) {
      expect(await openInRoot(v.config.fileRoot as string, path)).toEqual({
        ok: false,
        status: 403,
        code: 'path_outside_root',
      });
    }
  });
});

function rawGet(path: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(v.base);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
