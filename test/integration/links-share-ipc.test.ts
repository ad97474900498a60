/**
 * The window's calls for the share guard and reissue, through the IPC router with the app's own frame, on real
 * parts: the app's wiring on a temp SQLite file and the test keyring, the verifier config the window exports,
 * the real verifier started from it, and downloads from sockets bound to different loopback networks (127.1.0.1,
 * 127.2.0.1: each its own /24). The Notifier port is recorded, as the desktop notification the app would show.
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Notice } from '../../src/main/services/notifier';
import { loadConfigFile } from '../../src/verifier/config';
import { createLogger } from '../../src/verifier/log';
import { startVerifier, type RunningVerifier } from '../../src/verifier/server';
import { startHarness, type Harness } from '../support/main-harness';

let h: Harness;
let verifier: RunningVerifier | null = null;
let accountId: string;
const notices: Notice[] = [];

/** A GET from a socket bound to `from`, redirects not followed; the link's host swapped for the running verifier. */
function ask(url: string, from: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url.replace(/^http:\/\/[^/]+/, verifier!.url), { localAddress: from, agent: false });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Exports the config as the Settings page does and (re)starts the verifier on it. */
async function exportAndStart(): Promise<Record<string, unknown>> {
  const exported = await h.ok('verifier:export-config', { listen: '127.0.0.1:0' });
  expect(exported.file).toBe(join(h.dir, 'verifier.json'));
  await verifier?.close();
  verifier = await startVerifier(loadConfigFile(exported.file!), { logger: createLogger('silent') });
  await h.ok('settings:update', { verifierBaseUrl: verifier.url });
  return JSON.parse(readFileSync(exported.file!, 'utf8')) as Record<string, unknown>;
}

function newLink(orderId: string) {
  return h.services.links.createForKey({
    accountId,
    bucket: 'media',
    key: 'ebooks/guide.pdf',
    kind: 'verifier',
    productSlug: 'guide',
    orderId,
    email: 'ada@example.com',
    maxDownloads: 5,
    expiry: { type: 'seconds', seconds: 3600 },
  });
}

beforeAll(async () => {
  h = startHarness({
    prefix: 'links-share-ipc',
    notifier: { notify: (n) => notices.push(n) },
    saveFile: () => Promise.resolve(join(h.dir, 'verifier.json')),
  });
  // Where the verifier redirects to does not matter here: a 302 is all a test asks of it.
  const account = await h.ok('accounts:add', {
    settings: {
      name: 'Shop',
      provider: 'custom',
      endpoint: 'http://127.0.0.1:9',
      region: 'us-east-1',
      forcePathStyle: true,
      buckets: ['media'],
      privateBucket: null,
    },
    credentials: { accessKeyId: 'AKIATESTSHARE', secretAccessKey: 'share-test-secret' },
  });
  accountId = account.id;
  await h.ok('keys:create', undefined);
});

afterAll(async () => {
  await verifier?.close();
  await h?.close();
});

describe('share guard and reissue over IPC, with the real verifier', { timeout: 60_000 }, () => {
  it('settings:update takes the share guard within its limits and names the field it refuses', async () => {
    expect(await h.ok('settings:get', undefined)).toMatchObject({ shareNetworks: 3, shareAction: 'flag' });
    for (const bad of [
      { shareNetworks: 256 },
      { shareNetworks: 1.5 },
      { shareNetworks: -1 },
      { shareAction: 'warn' },
    ]) {
      const r = await h.call('settings:update', bad as never);
      expect(r.ok).toBe(false);
      expect(r.ok ? null : r.error.code).toBe('invalid-input');
      expect(r.ok ? [] : r.error.issues?.map((i) => i.path)).toEqual([Object.keys(bad)[0]]);
    }
    const next = await h.ok('settings:update', { shareNetworks: 1, shareAction: 'flag' });
    expect(next).toMatchObject({ shareNetworks: 1, shareAction: 'flag' });
    expect(h.events).toContainEqual({ event: 'settings:changed', payload: next });
  });

  it('verifier:export-config writes shareGuard from the settings', async () => {
    expect((await exportAndStart())['shareGuard']).toEqual({ networks: 1, action: 'flag' });
  });

  it('links:usage reports networks and shared; the owner is told once; links:list filters the shared ones', async () => {
    const link = await newLink('1042');
    const other = await newLink('1043');
    expect((await ask(link.url, '127.1.0.1')).status).toBe(302);
    let usage = await h.ok('links:usage', { jtis: [link.jti, other.jti] });
    expect(usage.rows[0]).toMatchObject({
      jti: link.jti,
      downloads: 1,
      networks: 1,
      shared: false,
      sharedAt: null,
    });
    expect(notices).toEqual([]);

    expect((await ask(link.url, '127.2.0.1')).status).toBe(302);
    usage = await h.ok('links:usage', { jtis: [link.jti, other.jti] });
    expect(usage.rows[0]).toMatchObject({ jti: link.jti, downloads: 2, networks: 2, shared: true });
    expect(usage.rows[1]).toMatchObject({ jti: other.jti, networks: 0, shared: false, sharedAt: null });
    expect(notices).toHaveLength(1);
    expect(notices[0]!.title).toBe('A download link is being shared');
    expect(notices[0]!.body).toMatch(
      /^The link for guide\.pdf \(order 1042\) was used from 2 different places\./,
    );
    expect(h.events).toContainEqual({ event: 'links:shared', payload: { jtis: [link.jti] } });

    await h.ok('links:usage', { jtis: [link.jti] });
    expect(notices).toHaveLength(1);

    const shared = await h.ok('links:list', { shared: true });
    expect(shared.rows.map((r) => r.jti)).toEqual([link.jti]);
    expect(shared.rows[0]!.sharedAt).not.toBeNull();
  });

  it('links:reissue revokes the old link at the verifier and the new one works; the ledger links the two', async () => {
    const old = await newLink('2001');
    expect((await ask(old.url, '127.1.0.1')).status).toBe(302);
    const fresh = await h.ok('links:reissue', { jti: old.jti, expiry: { type: 'preset', preset: '24h' } });
    expect(fresh).toMatchObject({ kind: 'verifier', replaces: old.jti, orderId: '2001', maxDownloads: 5 });
    const refused = await ask(old.url, '127.1.0.1');
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body)).toEqual({ error: 'revoked' });
    expect((await ask(fresh.url, '127.1.0.1')).status).toBe(302);

    const found = await h.ok('links:list', { search: '2001' });
    const byJti = new Map(found.rows.map((r) => [r.jti, r]));
    expect(byJti.get(old.jti)).toMatchObject({ status: 'revoked', replacedBy: fresh.jti });
    expect(byJti.get(fresh.jti)).toMatchObject({ status: 'active', replaces: old.jti });

    const again = await h.call('links:reissue', { jti: old.jti });
    expect(again.ok ? null : again.error.code).toBe('conflict');
    const bad = await h.call('links:reissue', { jti: 'not a jti' });
    expect(bad.ok ? null : bad.error.code).toBe('invalid-input');
  });

  it('links:reissue with the verifier down changes nothing and says so', async () => {
    const old = await newLink('3001');
    await verifier!.close();
    const before = (await h.ok('links:list', {})).rows;
    const r = await h.call('links:reissue', { jti: old.jti });
    expect(r.ok).toBe(false);
    expect(r.ok ? null : r.error.code).toBe('verifier-error');
    expect(r.ok ? '' : r.error.message).toMatch(
      /could not be reached.*nothing was changed.*The old link still works and no new link was made/,
    );
    expect((await h.ok('links:list', {})).rows).toEqual(before);
    verifier = null;
    await exportAndStart();
    expect((await ask(old.url, '127.1.0.1')).status).toBe(302);
  });
});
