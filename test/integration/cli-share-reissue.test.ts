/**
 * `signet settings set share-networks|share-action`, the share guard in `signet verifier-config` and
 * `signet links list`, and `signet links reissue`, as scripts run them: the CLI built from source, run as a child
 * process against the real Ceph gateway, the test keyring and a temporary data folder; the real verifier runs in
 * this process on the config the CLI exported. Downloads come from sockets bound to different loopback networks
 * (127.1.0.1, 127.2.0.1, …: all loopback on Linux, each its own /24), so the verifier sees different places.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeytarLike } from '../../src/main/services/keytar-secret-store';
import { loadConfigFile } from '../../src/verifier/config';
import { createLogger } from '../../src/verifier/log';
import { startVerifier, type RunningVerifier } from '../../src/verifier/server';
import {
  createTestBucket,
  emptyAndDeleteBucket,
  ensureCeph,
  s3ClientFor,
  type CephEnv,
} from '../support/ceph';
import {
  buildCli,
  cephAccountAddArgs,
  expectUsageError,
  jsonLines,
  runCli,
  type CliRun,
} from '../support/cli-runner';
import { requirePrivateTestKeyring } from '../support/test-keyring';

requirePrivateTestKeyring();

const keytar = createRequire(import.meta.url)('keytar') as KeytarLike;
const service = `signet-cli-share-test-${randomUUID()}`;
const dataDir = mkdtempSync(join(tmpdir(), 'signet-cli-share-'));
const configPath = join(dataDir, 'verifier.json');
const KEY = 'products/Course Pack.zip';
const BODY = randomBytes(30_000);

let cli: string;
let removeBuild: (() => void) | undefined;
let ceph: CephEnv;
let s3: S3Client;
let bucket: string;
let verifier: RunningVerifier | null = null;

function run(args: string[], opts: { stdin?: string } = {}): Promise<CliRun> {
  return runCli(cli, [...args, '--data-dir', dataDir], {
    ...opts,
    env: { SIGNET_KEYCHAIN_SERVICE: service, SIGNET_DATA_DIR: '' },
  });
}

async function ok<T = Record<string, unknown>>(args: string[]): Promise<T> {
  const r = await run([...args, '--json']);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout.trimEnd().split('\n')).toHaveLength(1);
  return JSON.parse(r.stdout) as T;
}

interface Row {
  jti: string;
  kind: string;
  status: string;
  downloads: number | null;
  networks: number | null;
  shared: boolean | null;
  sharedAt: string | null;
  replaces: string | null;
  replacedBy: string | null;
  order: string;
}

async function ledger(extra: string[] = []): Promise<Row[]> {
  const r = await run(['links', 'list', '--json', ...extra]);
  expect(r.code, r.stderr).toBe(0);
  return jsonLines<Row>(r.stdout);
}

async function row(jti: string): Promise<Row> {
  const found = (await ledger()).find((l) => l.jti === jti);
  expect(found, `ledger row ${jti}`).toBeDefined();
  return found!;
}

/** Exports the config through the CLI and (re)starts the verifier on it; points the settings at it. */
async function exportAndRestart(): Promise<Record<string, unknown>> {
  await ok(['verifier-config', '--out', configPath, '--listen', '127.0.0.1:0']);
  await verifier?.close();
  verifier = await startVerifier(loadConfigFile(configPath), { logger: createLogger('silent') });
  expect((await run(['settings', 'set', 'verifier-url', verifier.url])).code).toBe(0);
  return JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>;
}

/** The link's address on the verifier running now (a restart changes its port). */
const onVerifier = (url: string) => url.replace(/^http:\/\/[^/]+/, verifier!.url);

/** A GET from a socket bound to `from` (a loopback address), redirects not followed. */
function ask(url: string, from: string): Promise<{ status: number; body: string; location?: string }> {
  return new Promise((resolve, reject) => {
    const req = request(onVerifier(url), { localAddress: from, agent: false });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body,
          ...(res.headers.location ? { location: res.headers.location } : {}),
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  const built = await buildCli('share');
  cli = built.cli;
  removeBuild = built.remove;
  ceph = await ensureCeph();
  s3 = s3ClientFor(ceph);
  bucket = await createTestBucket(s3, 'cli-share');
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: KEY, Body: BODY }));
  const added = await run(cephAccountAddArgs(ceph, 'share shop', bucket), { stdin: ceph.secretAccessKey });
  expect(added.code, added.stderr).toBe(0);
  expect((await run(['keys', 'new'])).code).toBe(0);
}, 180_000);

afterAll(async () => {
  await verifier?.close();
  for (const c of await keytar.findCredentials(service).catch(() => []))
    await keytar.deletePassword(service, c.account);
  if (bucket) await emptyAndDeleteBucket(s3, bucket);
  s3?.destroy();
  rmSync(dataDir, { recursive: true, force: true });
  removeBuild?.();
});

describe('signet share guard and reissue', { timeout: 120_000 }, () => {
  it('settings get shows the share guard (3 places, flag); settings set changes it; bad values are exit 2', async () => {
    expect(await ok(['settings', 'get'])).toMatchObject({ shareNetworks: 3, shareAction: 'flag' });
    const set = await run(['settings', 'set', 'share-networks', '2']);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain('share-networks = 2');
    expect(await ok(['settings', 'set', 'share-action', 'block'])).toMatchObject({
      shareNetworks: 2,
      shareAction: 'block',
    });
    expectUsageError(
      await run(['settings', 'set', 'share-networks', '256']),
      /^signet settings set: share-networks is a whole number from 0 \(off\) to 255 \(got “256”\)\n$/,
    );
    expectUsageError(await run(['settings', 'set', 'share-networks', 'many']), /share-networks/);
    expectUsageError(await run(['settings', 'set', 'share-networks', '1.5']), /share-networks/);
    expectUsageError(
      await run(['settings', 'set', 'share-action', 'warn']),
      /^signet settings set: share-action is flag or block \(got “warn”\)\n$/,
    );
    expectUsageError(await run(['settings', 'set', 'share-action']), /share-action: give a value/);
    // Nothing changed by the refusals.
    expect(await ok(['settings', 'get'])).toMatchObject({ shareNetworks: 2, shareAction: 'block' });
    const human = await run(['settings', 'get']);
    expect(human.stdout).toMatch(/share-networks\s+2\n/);
    expect(human.stdout).toMatch(/share-action\s+block\n/);
  });

  it('verifier-config holds shareGuard when it is on, and none when it is off', async () => {
    expect((await run(['settings', 'set', 'share-networks', '2'])).code).toBe(0);
    expect((await run(['settings', 'set', 'share-action', 'block'])).code).toBe(0);
    expect((await exportAndRestart())['shareGuard']).toEqual({ networks: 2, action: 'block' });
    expect((await run(['settings', 'set', 'share-networks', '0'])).code).toBe(0);
    expect(await ok(['settings', 'get'])).toMatchObject({ shareNetworks: 0 });
    expect('shareGuard' in (await exportAndRestart())).toBe(false);
  });

  it('block: the verifier refuses a link in a place beyond the allowed ones (403 link_shared)', async () => {
    expect((await run(['settings', 'set', 'share-networks', '1'])).code).toBe(0);
    expect((await run(['settings', 'set', 'share-action', 'block'])).code).toBe(0);
    await exportAndRestart();
    const link = await ok<{ url: string; jti: string }>(['link', 'share shop', KEY, '--max', '10']);
    expect((await ask(link.url, '127.1.0.1')).status).toBe(302);
    const refused = await ask(link.url, '127.2.0.1');
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body)).toEqual({ error: 'link_shared' });
    // The first place keeps working.
    expect((await ask(link.url, '127.1.0.7')).status).toBe(302);
    expect(await row(link.jti)).toMatchObject({ downloads: 2, networks: 2, shared: true, status: 'active' });
  });

  it('links list: networks and shared from the verifier when it answers, else null; --shared lists the shared ones', async () => {
    expect((await run(['settings', 'set', 'share-networks', '1'])).code).toBe(0);
    expect((await run(['settings', 'set', 'share-action', 'flag'])).code).toBe(0);
    await exportAndRestart();
    const link = await ok<{ url: string; jti: string }>([
      'link',
      'share shop',
      KEY,
      '--order',
      'S-1',
      '--max',
      '10',
    ]);
    const quiet = await ok<{ url: string; jti: string }>(['link', 'share shop', KEY, '--order', 'S-2']);
    expect(await row(link.jti)).toMatchObject({ downloads: 0, networks: 0, shared: false, sharedAt: null });

    expect((await ask(link.url, '127.1.0.1')).status).toBe(302);
    expect(await row(link.jti)).toMatchObject({ downloads: 1, networks: 1, shared: false, sharedAt: null });
    // With flag, a second place is still answered: the link is only marked.
    expect((await ask(link.url, '127.2.0.1')).status).toBe(302);
    const shared = await row(link.jti);
    expect(shared).toMatchObject({ downloads: 2, networks: 2, shared: true, status: 'active' });
    expect(Date.parse(shared.sharedAt ?? '')).not.toBeNaN();
    const onlyShared = (await ledger(['--shared'])).map((l) => l.jti);
    expect(onlyShared).toContain(link.jti);
    expect(onlyShared).not.toContain(quiet.jti);

    const human = await run(['links', 'list', '--search', 'S-1']);
    expect(human.stdout).toMatch(/PLACES/);
    expect(human.stdout).toMatch(/ 2 shared /);

    // The verifier down: the fields are null (not a count from earlier), exit 0, a note on stderr.
    await verifier!.close();
    verifier = null;
    const down = await run(['links', 'list', '--json']);
    expect(down.code, down.stderr).toBe(0);
    expect(down.stderr).toMatch(/^Downloads and networks unknown: .*could not be reached/);
    expect(jsonLines<Row>(down.stdout).find((l) => l.jti === link.jti)).toMatchObject({
      downloads: null,
      networks: null,
      shared: null,
      sharedAt: shared.sharedAt,
    });
    await exportAndRestart();
  });

  it('links reissue: the old link is revoked (403 revoked), the new one downloads; the ledger says which replaced which', async () => {
    await exportAndRestart();
    const old = await ok<{ url: string; jti: string }>([
      'link',
      'share shop',
      KEY,
      '--order',
      'R-1',
      '--email',
      'ada@example.com',
      '--max',
      '2',
    ]);
    expect((await ask(old.url, '127.1.0.1')).status).toBe(302);

    const fresh = await ok<{ url: string; kind: string; jti: string; expiresAt: string; replaces: string }>([
      'links',
      'reissue',
      old.jti,
      '--expires',
      '2h',
    ]);
    expect(Object.keys(fresh).sort()).toEqual(['expiresAt', 'jti', 'kind', 'replaces', 'url']);
    expect(fresh).toMatchObject({ kind: 'verifier', replaces: old.jti });
    expect(fresh.jti).not.toBe(old.jti);
    expect(Math.abs(Date.parse(fresh.expiresAt) - (Date.now() + 2 * 3600_000))).toBeLessThan(60_000);

    const refused = await ask(old.url, '127.1.0.1');
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body)).toEqual({ error: 'revoked' });
    const redirect = await ask(fresh.url, '127.1.0.1');
    expect(redirect.status).toBe(302);
    const file = await fetch(onVerifier(fresh.url));
    expect(file.status).toBe(200);
    expect(Buffer.from(await file.arrayBuffer()).equals(BODY)).toBe(true);

    expect(await row(old.jti)).toMatchObject({ status: 'revoked', replacedBy: fresh.jti, replaces: null });
    expect(await row(fresh.jti)).toMatchObject({
      status: 'active',
      replaces: old.jti,
      replacedBy: null,
      order: 'R-1',
      kind: 'verifier',
    });
    const entries = jsonLines<Record<string, unknown>>((await run(['links', 'list', '--json'])).stdout);
    expect(entries.find((e) => e['jti'] === fresh.jti)).toMatchObject({ email: 'ada@example.com', max: 2 });
    expect((await run(['links', 'list', '--json', '--status', 'replaced'])).code).toBe(0);

    // Reissued once: the old link cannot be reissued again (exit 2, one line).
    expectUsageError(await run(['links', 'reissue', old.jti]), /already reissued: the link .* replaced it/);
  });

  it('links reissue with the verifier down: exit 1, the old link stays active and no link is made', async () => {
    await exportAndRestart();
    const old = await ok<{ url: string; jti: string }>(['link', 'share shop', KEY, '--order', 'D-1']);
    const before = await ledger();
    await verifier!.close();
    verifier = null;
    const down = await run(['links', 'reissue', old.jti, '--json']);
    expect(down.code).toBe(1);
    expect(down.stdout).toBe('');
    expect(down.stderr).toMatch(
      /could not be reached.*nothing was changed.*The old link still works and no new link was made/,
    );
    const after = await ledger();
    expect(after.map((l) => [l.jti, l.status, l.replacedBy])).toEqual(
      before.map((l) => [l.jti, l.status, l.replacedBy]),
    );
    await exportAndRestart();
    expect((await ask(old.url, '127.1.0.1')).status).toBe(302);
    const fresh = await ok<{ jti: string; replaces: string }>(['links', 'reissue', old.jti]);
    expect(fresh.replaces).toBe(old.jti);
    expect((await ask(old.url, '127.1.0.1')).status).toBe(403);
  });

  it('links reissue of a direct link marks it replaced and warns that it works until it expires; bad usage is exit 2', async () => {
    const old = await ok<{ url: string; jti: string; expiresAt: string }>([
      'link',
      'share shop',
      KEY,
      '--direct',
      '--expires',
      '1h',
    ]);
    expectUsageError(
      await run(['links', 'reissue', old.jti, '--max', '3']),
      /--max cannot go with a direct link/,
    );
    expectUsageError(await run(['links', 'reissue', old.jti, '--expires', 'soon']), /--expires/);
    expectUsageError(await run(['links', 'reissue', 'AAAAAAAAAAAAAAAAAAAAAA']), /no link/);
    expectUsageError(await run(['links', 'reissue', 'bad id']), /JTI: not a link id/);
    const r = await run(['links', 'reissue', old.jti, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const fresh = JSON.parse(r.stdout) as { url: string; kind: string; jti: string; replaces: string };
    expect(fresh).toMatchObject({ kind: 'direct', replaces: old.jti });
    expect(r.stderr).toBe(
      `Warning: The old link is a direct storage link: it cannot be revoked and keeps working until ${old.expiresAt}. ` +
        'To stop it sooner, make the file private or rename it.\n',
    );
    expect(await row(old.jti)).toMatchObject({ status: 'replaced', replacedBy: fresh.jti });
    expect((await ledger(['--status', 'replaced'])).map((l) => l.jti)).toEqual([old.jti]);
    const file = await fetch(fresh.url);
    expect(file.status).toBe(200);
    expect(Buffer.from(await file.arrayBuffer()).equals(BODY)).toBe(true);
  });
});
