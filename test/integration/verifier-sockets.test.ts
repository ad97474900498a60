/**
 * Sockets and the edges: a reader that stops reading is cut off by the send timeout (socket and file
 * handle released, unsent bytes given back), the connection cap, keep-alive limits, and the separate
 * admin/metrics listener.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  adminFetch,
  downloadUrl,
  drain,
  makeToken,
  newTestKeys,
  rawConfig,
  startTestVerifier,
  tempDir,
  type TestVerifier,
} from '../support/verifier';

const keys = newTestKeys();
const tmp = tempDir('signet-verifier-sockets-');
// Larger than every buffer between the file and a client that does not read (loopback socket buffers
// are a few MB), so the transfer really stalls.
const SIZE = 64 * 1024 * 1024;
const SEND_TIMEOUT_S = 1;
let v: TestVerifier;
let filePath: string;

beforeAll(async () => {
  filePath = join(tmp.fileRoot, 'big.bin');
  writeFileSync(filePath, randomBytes(SIZE));
  v = await startTestVerifier(
    rawConfig(keys, {
      fileRoot: './files',
      state: { sqlite: './state.db' },
      limits: {
        sendTimeoutSeconds: SEND_TIMEOUT_S,
        maxConnections: 3,
        maxRequestsPerConnection: 2,
        keepAliveTimeoutSeconds: 2,
      },
    }),
    tmp.dir,
  );
});
afterAll(async () => {
  await v?.close();
  tmp.cleanup();
});

/** This process's open descriptors on `path` (the verifier runs in-process). */
function openHandlesOn(path: string): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === path) n++;
    } catch {
      // closed meanwhile
    }
  }
  return n;
}

const connections = (): Promise<number> =>
  new Promise((resolve, reject) => v.server.getConnections((err, n) => (err ? reject(err) : resolve(n))));

async function waitFor(check: () => Promise<boolean> | boolean, ms: number): Promise<number> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return Date.now() - start;
}

function rawRequest(
  path: string,
  extra = '',
): { socket: Socket; received: () => number; text: () => string } {
  const socket = connect(v.port, '127.0.0.1');
  let received = 0;
  let head = '';
  socket.on('data', (d: Buffer) => {
    received += d.length;
    if (head.length < 4096) head += d.toString('latin1');
  });
  socket.on('error', () => undefined);
  socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${extra}\r\n`);
  return { socket, received: () => received, text: () => head };
}

describe('a reader that stops reading', () => {
  it('is cut off after the send timeout: socket and file handle released, unsent bytes given back', async () => {
    const { token, jti } = makeToken(keys, { src: { type: 'file', path: 'big.bin' }, max: 1 });
    const url = new URL(downloadUrl(v.base, token));
    const before = await connections();
    const r = rawRequest(`${url.pathname}${url.search}`);
    // Read the headers and a little, then stop reading for good.
    await waitFor(() => r.received() > 0, 5000);
    r.socket.pause();
    await waitFor(() => openHandlesOn(filePath) === 1, 5000);
    const stalledAt = Date.now();
    // The server destroys the socket once nothing has moved for the send timeout; the read stream
    // is destroyed with it and closes the file.
    await waitFor(async () => openHandlesOn(filePath) === 0 && (await connections()) === before, 15_000);
    const waited = Date.now() - stalledAt;
    expect(waited).toBeGreaterThanOrEqual(SEND_TIMEOUT_S * 1000 - 200);
    expect(waited).toBeLessThan(SEND_TIMEOUT_S * 1000 + 8000);
    expect(r.text()).toMatch(/^HTTP\/1\.1 200 OK/);
    r.socket.destroy();

    // What never left the file was given back: the client can resume from where it is (its kernel
    // buffers held more than it read, so it asks for a little more than strictly needed).
    const got = r.received();
    await waitFor(async () => (await v.state.linkStatus(jti)).downloads === 1, 2000);
    await new Promise((resolve) => setTimeout(resolve, 100)); // the refund joins the next commit
    const resume = await fetch(downloadUrl(v.base, token), { headers: { range: `bytes=${got}-` } });
    expect(resume.status).toBe(206);
    await drain(resume);
  });
});

describe('connection limits', () => {
  it('closes connections past maxConnections at once', async () => {
    const open: Socket[] = [];
    try {
      // Earlier tests' keep-alive connections end within keepAliveTimeoutSeconds.
      await waitFor(async () => (await connections()) === 0, 5000);
      for (let i = 0; i < 3; i++) {
        const s = connect(v.port, '127.0.0.1');
        s.on('error', () => undefined);
        open.push(s);
        await new Promise((resolve) => s.once('connect', resolve));
      }
      await waitFor(async () => (await connections()) === 3, 2000);
      const extra = connect(v.port, '127.0.0.1');
      extra.on('error', () => undefined);
      let data = '';
      extra.on('data', (d: Buffer) => (data += d.toString()));
      extra.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
      await new Promise((resolve) => extra.once('close', resolve));
      expect(data).toBe('');
      expect(open.every((s) => !s.destroyed)).toBe(true);
    } finally {
      for (const s of open) s.destroy();
    }
    await waitFor(async () => (await connections()) === 0, 3000);
  });

  it('ends a keep-alive connection after maxRequestsPerConnection answers', async () => {
    const r = rawRequest('/healthz');
    await waitFor(() => /\r\n\r\n\{"ok":true\}/.test(r.text()), 3000);
    expect(r.text()).toMatch(/keep-alive/i);
    r.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await waitFor(() => r.text().split('HTTP/1.1 200').length === 3, 3000);
    expect(r.text().split('HTTP/1.1 200')[2]).toMatch(/connection: close/i);
    await new Promise((resolve) => r.socket.once('close', resolve));
  });

  it('closes an idle keep-alive connection after keepAliveTimeoutSeconds', async () => {
    const r = rawRequest('/healthz');
    await waitFor(() => /\{"ok":true\}/.test(r.text()), 3000);
    const start = Date.now();
    await new Promise((resolve) => r.socket.once('close', resolve));
    expect(Date.now() - start).toBeLessThan(6000);
  });
});

describe('separate admin listener', () => {
  it('serves /admin and /metrics only on adminListen (loopback by default); /healthz on both', async () => {
    const sep = tempDir('signet-verifier-admin-');
    const a = await startTestVerifier(
      rawConfig(keys, { adminListen: { port: 0 }, state: { sqlite: './state.db' } }),
      sep.dir,
    );
    try {
      expect(a.adminUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const { token, jti } = makeToken(keys);
      const pub = await fetch(downloadUrl(a.base, token), { redirect: 'manual' });
      expect(pub.status).toBe(302);
      for (const path of ['/metrics', `/admin/links/${jti}`, '/admin/revocations']) {
        const res = await adminFetch(a.base, keys.adminToken, 'GET', path);
        expect([path, res.status]).toEqual([path, 404]);
        await drain(res);
      }
      expect((await fetch(`${a.base}/healthz`)).status).toBe(200);

      const admin = a.adminUrl as string;
      const status = await adminFetch(admin, keys.adminToken, 'GET', `/admin/links/${jti}`);
      expect(await status.json()).toEqual({
        downloads: 1,
        revoked: false,
        revoked_by: null,
        networks: 0,
        shared: false,
      });
      const revoke = await adminFetch(admin, keys.adminToken, 'POST', '/admin/revocations', { jti });
      expect(revoke.status).toBe(200);
      await drain(revoke);
      expect((await fetch(`${admin}/metrics`)).status).toBe(200);
      expect((await fetch(`${admin}/healthz`)).status).toBe(200);
      const download = await fetch(downloadUrl(admin, token), { redirect: 'manual' });
      expect(download.status).toBe(404);
      const refused = await fetch(downloadUrl(a.base, token), { redirect: 'manual' });
      expect(refused.status).toBe(403);
    } finally {
      await a.close();
      sep.cleanup();
    }
  });
});
