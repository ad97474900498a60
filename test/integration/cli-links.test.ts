/**
 * `signet keys|verifier-config|link|links` as scripts run them: the CLI built from source, run as a child
 * process against the real Ceph gateway, the test keyring (a service name of its own) and a temporary data
 * folder; the real verifier runs in this process on the config the CLI exported.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { parse as parseCsv } from 'csv-parse/sync';
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
import { readTokenPerSpec } from '../support/token-spec-reader';
import { requirePrivateTestKeyring } from '../support/test-keyring';

requirePrivateTestKeyring();

const keytar = createRequire(import.meta.url)('keytar') as KeytarLike;
const service = `signet-cli-links-test-${randomUUID()}`;
const dataDir = mkdtempSync(join(tmpdir(), 'signet-cli-links-'));
const configPath = join(dataDir, 'verifier.json');
const BODY = randomBytes(50_000);
/** A key with letters outside ASCII and spaces: it travels through the CSV, the token and the S3 request. */
const UNICODE_KEY = 'products/Ünïcödé Äddon 日本.zip';
const UNICODE_BODY = randomBytes(10_000);

let cli: string;
let removeBuild: (() => void) | undefined;
let ceph: CephEnv;
let s3: S3Client;
let bucket: string;
let verifier: RunningVerifier | null = null;

type Run = CliRun;

function run(args: string[], opts: { stdin?: string } = {}): Promise<Run> {
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

/** Exports the config through the CLI and (re)starts the verifier on it; points the settings at it. */
async function exportAndRestart(): Promise<{ keys: Record<string, string> }> {
  const exported = await ok<{ file: string; kids: string[]; stores: string[] }>([
    'verifier-config',
    '--out',
    configPath,
    '--listen',
    '127.0.0.1:0',
  ]);
  expect(exported.file).toBe(configPath);
  await verifier?.close();
  verifier = await startVerifier(loadConfigFile(configPath), { logger: createLogger('silent') });
  expect((await run(['settings', 'set', 'verifier-url', verifier.url])).code).toBe(0);
  return JSON.parse(readFileSync(configPath, 'utf8')) as { keys: Record<string, string> };
}

beforeAll(async () => {
  const built = await buildCli('links');
  cli = built.cli;
  removeBuild = built.remove;
  ceph = await ensureCeph();
  s3 = s3ClientFor(ceph);
  bucket = await createTestBucket(s3, 'cli-links');
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'products/My Plugin.zip', Body: BODY }));
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: UNICODE_KEY, Body: UNICODE_BODY }));
  await s3.send(
    new PutObjectCommand({ Bucket: bucket, Key: 'free/sampler.zip', Body: 'free', ACL: 'public-read' }),
  );
  const added = await run(cephAccountAddArgs(ceph, 'cli shop', bucket), {
    stdin: ceph.secretAccessKey,
  });
  expect(added.code, added.stderr).toBe(0);
  expect((await run(['sync', 'cli shop'])).code).toBe(0);
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

describe('signet keys, verifier-config, link and links', { timeout: 120_000 }, () => {
  let keys: Record<string, string>;
  let firstKid: string;

  /**
   * The active signing key's kid; when there is none yet (a test run on its own), one is made here and is the
   * first key. Every test that needs a key or the verifier starts with this or with `verifierReady`.
   */
  async function activeKid(): Promise<string> {
    const listed = jsonLines<{ kid: string; active: boolean }>(
      (await run(['keys', 'list', '--json'])).stdout,
    );
    const kid = listed.find((k) => k.active)?.kid ?? (await ok<{ kid: string }>(['keys', 'new'])).kid;
    firstKid ??= kid;
    return kid;
  }

  /** A signing key, and the verifier running on an exported config with the settings pointing at it. */
  async function verifierReady(): Promise<void> {
    await activeKid();
    if (verifier === null) keys = (await exportAndRestart()).keys;
  }

  it('refuses bad usage with exit status 2 and one line naming the flag', async () => {
    expectUsageError(await run(['verifier-config']), /--out FILE is required/);
    expectUsageError(await run(['verifier-config', '--out', configPath, '--listen', 'nowhere']), /--listen/);
    expectUsageError(
      await run(['verifier-config', '--out', configPath, '--admin-listen', '0.0.0.0']),
      /--admin-listen/,
    );
    expectUsageError(
      await run(['link', 'cli shop', 'products/My Plugin.zip', '--direct', '--max', '2']),
      /--max cannot go with --direct/,
    );
    expectUsageError(
      await run(['link', 'cli shop', 'products/My Plugin.zip', '--expires', 'soon']),
      /--expires/,
    );
    expectUsageError(await run(['link', 'cli shop', 'x', '--slug', 'Bad Slug']), /--slug/);
    expectUsageError(await run(['link', 'no-such-account', 'x']), /no storage account/);
    expectUsageError(await run(['links', 'batch', '--out', 'x.csv']), /--csv IN is required/);
    expectUsageError(await run(['links', 'revoke', 'AAAAAAAAAAAAAAAAAAAAAA']), /no link/);
    expectUsageError(await run(['keys', 'retire', 'nope']), /no signing key/);
  });

  it('keys new and keys list print the contract fields; the secret stays in the keychain', async () => {
    const key = await ok<{ kid: string; createdAt: string; active: boolean }>(['keys', 'new']);
    expect(key).toEqual({
      kid: expect.any(String),
      createdAt: expect.any(String),
      active: true,
      retiredAt: null,
      exportedAt: null,
    });
    firstKid = key.kid;
    const listed = await run(['keys', 'list', '--json']);
    expect(jsonLines(listed.stdout)).toEqual([
      { kid: key.kid, createdAt: key.createdAt, active: true, retiredAt: null, exportedAt: null },
    ]);
    expect(await keytar.getPassword(service, `signing-key:${key.kid}`)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('verifier-config writes a 0600 file the verifier starts with', async () => {
    await activeKid();
    keys = (await exportAndRestart()).keys;
    expect(statSync(configPath).mode & 0o777).toBe(0o600);
    expect(Object.keys(keys)).toEqual([firstKid]);
    const raw = JSON.parse(readFileSync(configPath, 'utf8')) as {
      stores: Record<string, unknown>;
      adminToken: string;
    };
    expect(Object.keys(raw.stores)).toEqual(['cli-shop']);
    expect(await keytar.getPassword(service, 'verifier:admin-token')).toBe(raw.adminToken);
    // The export stamped the key it wrote.
    const [listed] = jsonLines<{ kid: string; exportedAt: string | null }>(
      (await run(['keys', 'list', '--json'])).stdout,
    );
    expect(listed?.kid).toBe(firstKid);
    expect(Date.parse(listed?.exportedAt ?? '')).not.toBeNaN();
  });

  it('verifier-config --admin-listen puts the admin API and /metrics on their own address; settings set verifier-admin-url reaches it', async () => {
    await verifierReady();
    const file = join(dataDir, 'verifier-admin-apart.json');
    const exported = await ok<{ file: string }>([
      'verifier-config',
      '--out',
      file,
      '--listen',
      '127.0.0.1:0',
      '--admin-listen',
      '127.0.0.1:0',
    ]);
    expect(exported.file).toBe(file);
    const config = loadConfigFile(file);
    expect(config.adminListen).toEqual({ host: '127.0.0.1', port: 0 });
    const apart = await startVerifier(config, { logger: createLogger('silent') });
    try {
      expect(apart.adminUrl).toBeDefined();
      expect((await fetch(`${apart.url}/metrics`)).status).toBe(404);
      expect((await fetch(`${apart.adminUrl!}/metrics`)).status).toBe(200);

      expect((await run(['settings', 'set', 'verifier-url', apart.url])).code).toBe(0);
      const link = await ok<{ url: string; jti: string }>(['link', 'cli shop', 'products/My Plugin.zip']);
      expect(link.url.startsWith(`${apart.url}/downloads/`)).toBe(true);

      // At the links' address the admin API is not there: exit 1, plain words, nothing marked.
      const wrong = await run(['links', 'revoke', link.jti]);
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toMatch(/does not answer revocations.*Admin API address/);
      expect((await fetch(link.url, { redirect: 'manual' })).status).toBe(302);

      const set = await run(['settings', 'set', 'verifier-admin-url', apart.adminUrl!]);
      expect(set.code, set.stderr).toBe(0);
      expect(set.stdout).toContain(`verifier-admin-url = ${apart.adminUrl!}`);
      const got = await ok<Record<string, unknown>>(['settings', 'get']);
      expect(got).toMatchObject({ verifierBaseUrl: apart.url, verifierAdminUrl: apart.adminUrl });

      const revoked = await ok<{ jti: string; status: string }>(['links', 'revoke', link.jti]);
      expect(revoked).toMatchObject({ jti: link.jti, status: 'revoked' });
      expect((await fetch(link.url, { redirect: 'manual' })).status).toBe(403);
    } finally {
      await apart.close();
      // Back to the one-address verifier the other tests use; "" clears the admin address.
      expect((await run(['settings', 'set', 'verifier-url', verifier!.url])).code).toBe(0);
      expect((await run(['settings', 'set', 'verifier-admin-url', ''])).code).toBe(0);
    }
    expect(await ok<Record<string, unknown>>(['settings', 'get'])).toMatchObject({ verifierAdminUrl: '' });
  });

  it('link makes a verifier link: exact bytes, max honoured, token per the spec', async () => {
    await verifierReady();
    const link = await ok<{ url: string; kind: string; jti: string; expiresAt: string }>([
      'link',
      'cli shop',
      'products/My Plugin.zip',
      '--order',
      '9001',
      '--email',
      'cli@example.com',
      '--max',
      '1',
      '--expires',
      '2h',
    ]);
    expect(Object.keys(link).sort()).toEqual(['expiresAt', 'jti', 'kind', 'url']);
    expect(link.kind).toBe('verifier');
    expect(link.url.startsWith(`${verifier!.url}/downloads/my-plugin?token=`)).toBe(true);
    const r = readTokenPerSpec(new URL(link.url).searchParams.get('token')!, keys);
    if (!r.ok) throw new Error(r.reason);
    expect(r.payload).toMatchObject({
      product_slug: 'my-plugin',
      jti: link.jti,
      src: { type: 's3', store: 'cli-shop', bucket, key: 'products/My Plugin.zip' },
      license_id: '9001',
      max: 1,
      filename: 'My Plugin.zip',
    });
    expect(r.payload['expires']).toBe(new Date(link.expiresAt).getTime() / 1000);
    expect(r.payloadJson).not.toContain('cli@example.com');

    const first = await fetch(link.url);
    expect(first.status).toBe(200);
    expect(Buffer.from(await first.arrayBuffer()).equals(BODY)).toBe(true);
    const second = await fetch(link.url);
    await second.arrayBuffer();
    expect(second.status).toBe(410);

    const listed = jsonLines((await run(['links', 'list', '--json'])).stdout);
    expect(listed.find((l) => l['jti'] === link.jti)).toEqual({
      jti: link.jti,
      kind: 'verifier',
      account: 'cli shop',
      bucket,
      key: 'products/My Plugin.zip',
      order: '9001',
      email: 'cli@example.com',
      expiresAt: link.expiresAt,
      max: 1,
      status: 'active',
      downloads: 1,
      // The verifier's share guard is on by default (3 networks): one network so far, not shared.
      networks: 1,
      shared: false,
      replaces: null,
      replacedBy: null,
      sharedAt: null,
    });
  });

  it('link and links batch refuse bad values with exit status 2 and one line naming the flag; no ledger row', async () => {
    const ledger = async () => {
      const r = await run(['links', 'list', '--json']);
      expect(r.code, r.stderr).toBe(0);
      return jsonLines(r.stdout).map((l) => l['jti']);
    };
    const file = 'products/My Plugin.zip';
    // A row of its own (a direct link needs no key or verifier), so "no row added" compares a ledger with rows.
    const own = await ok<{ jti: string }>(['link', 'cli shop', file, '--direct', '--order', 'refuse-setup']);
    const before = await ledger();
    expect(before.length).toBeGreaterThan(0);
    expect(before).toContain(own.jti);
    const cases: [string[], RegExp][] = [
      [['--filename', 'a/b.zip'], /^signet link: --filename: .*"\/"/],
      [
        ['--filename', 'f'.repeat(256)],
        /^signet link: --filename: At most 255 characters \(got 256 characters\)\n$/,
      ],
      [['--note', 'n'.repeat(2001)], /^signet link: --note: .*2000.*\(got 2001 characters\)\n$/],
      [
        ['--max', '1000001'],
        /^signet link: --max: a number of downloads from 1 to 1000000, or none \(got “1000001”\)\n$/,
      ],
      [['--max', '0'], /^signet link: --max: /],
      [['--max', '1e3'], /^signet link: --max: /],
      [['--email', 'not-an-email'], /^signet link: --email: Enter an email address/],
      [['--email', `a@${'e'.repeat(330)}.com`], /^signet link: --email: /],
      [['--order', 'o'.repeat(129)], /^signet link: --order: At most 128 characters/],
    ];
    for (const [flags, pattern] of cases) {
      expectUsageError(await run(['link', 'cli shop', file, ...flags]), pattern);
    }
    // Past every flag check: the service's own schema refuses the key, and the message still names it.
    expectUsageError(
      await run(['link', 'cli shop', `products/${'k'.repeat(1030)}`]),
      /^signet link: KEY: Too big: expected string to have <=1024 characters\n$/,
    );
    const badCsv = join(dataDir, 'no-columns.csv');
    writeFileSync(badCsv, 'order,email\n1,a@example.com\n');
    expectUsageError(
      await run(['links', 'batch', '--csv', badCsv, '--out', join(dataDir, 'no-columns-out.csv')]),
      /^signet links batch: .*lacks the column\(s\) product, max, expires/,
    );
    expect(await ledger()).toEqual(before);
  });

  it('link prints the service’s warning for a public file on stderr; stdout stays one JSON object', async () => {
    await verifierReady();
    const r = await run(['link', 'cli shop', 'free/sampler.zip', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(Object.keys(JSON.parse(r.stdout) as object).sort()).toEqual(['expiresAt', 'jti', 'kind', 'url']);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Warning: This file is public: anyone can download it without/);
    const human = await run(['link', 'cli shop', 'free/sampler.zip']);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stderr).toMatch(/^Warning: This file is public/);
    expect(human.stdout).toMatch(/^http:\/\/.*\/downloads\/sampler\?token=v1\./);
  });

  it('link --direct makes a pre-signed URL that downloads the file', async () => {
    const link = await ok<{ url: string; kind: string }>([
      'link',
      'cli shop',
      'products/My Plugin.zip',
      '--direct',
      '--expires',
      '15m',
    ]);
    expect(link.kind).toBe('direct');
    const res = await fetch(link.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain('filename="My Plugin.zip"');
    expect(Buffer.from(await res.arrayBuffer()).equals(BODY)).toBe(true);
  });

  it('links batch writes the CSV with links and errors; every token reads back per the spec', async () => {
    await verifierReady();
    const input = join(dataDir, 'orders.csv');
    const output = join(dataDir, 'links.csv');
    // A 128-character order id (the most a token's license_id holds), with letters outside ASCII.
    const longOrder = `Bestellung-Ä-${'9'.repeat(115)}`;
    expect(longOrder).toHaveLength(128);
    const at = new Date(Math.floor(Date.now() / 1000) * 1000 + 3 * 86_400_000).toISOString();
    writeFileSync(
      input,
      [
        'order,email,product,max,expires',
        '7001,x@example.com,my-plugin,2,1d',
        '7002,y@example.com,unknown-thing,1,1h',
        `${longOrder},z@example.com,${UNICODE_KEY},none,${at}`,
        ',w@example.com,my-plugin,,',
      ].join('\n') + '\n',
    );
    const r = await run(['links', 'batch', '--csv', input, '--out', output, '--json']);
    expect(r.code, r.stderr).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ issued: 3, failed: 1 });
    const text = readFileSync(output, 'utf8');
    expect(text.split('\n')[0]).toBe('order,email,product,max,expires,url,jti,expires_at,error');
    const rows = parseCsv(text, { columns: true }) as Record<string, string>[];
    expect(rows.map((row) => [row['order'], row['error']])).toEqual([
      ['7001', ''],
      ['7002', expect.stringMatching(/^product: .*unknown-thing/)],
      [longOrder, ''],
      ['', ''],
    ]);
    expect(rows[1]).toMatchObject({ url: '', jti: '', expires_at: '' });

    const ledger = new Map(
      jsonLines((await run(['links', 'list', '--json'])).stdout).map((l) => [l['jti'] as string, l]),
    );
    const issued = rows.filter((row) => row['error'] === '');
    expect(issued).toHaveLength(3);
    for (const row of issued) {
      const url = new URL(row['url']!);
      const reading = readTokenPerSpec(url.searchParams.get('token')!, keys);
      if (!reading.ok) throw new Error(`order ${row['order']}: ${reading.reason}`);
      const entry = ledger.get(row['jti']!);
      expect(entry, row['order']).toMatchObject({ order: row['order'], expiresAt: row['expires_at'] });
      const max = row['max'] === 'none' ? null : row['max'] === '' ? entry!['max'] : Number(row['max']);
      const key = row['product'] === 'my-plugin' ? 'products/My Plugin.zip' : row['product'];
      expect(reading.payload, row['order']).toEqual({
        product_slug: decodeURIComponent(url.pathname.split('/').pop()!),
        expires: Date.parse(row['expires_at']!) / 1000,
        jti: row['jti'],
        src: { type: 's3', store: 'cli-shop', bucket, key },
        ...(row['order'] !== '' ? { license_id: row['order'] } : {}),
        ...(max !== null ? { max } : {}),
        filename: key!.split('/').pop(),
        iat: expect.any(Number),
      });
      expect(reading.unknownFields).toEqual([]);
    }
    expect(issued[2]!['max']).toBe('');
    expect(ledger.get(issued[2]!['jti']!)?.['max']).toBe(5); // the settings' default limit
    expect(Date.parse(issued[1]!['expires_at']!)).toBe(Date.parse(at));

    const res = await fetch(issued[0]!['url']!);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(BODY)).toBe(true);
    const unicode = await fetch(issued[1]!['url']!);
    expect(unicode.status).toBe(200);
    expect(Buffer.from(await unicode.arrayBuffer()).equals(UNICODE_BODY)).toBe(true);
  });

  it('links revoke: 403 at once; exit 1 and nothing marked when the verifier is down', async () => {
    await verifierReady();
    const link = await ok<{ url: string; jti: string }>(['link', 'cli shop', 'products/My Plugin.zip']);
    expect((await fetch(link.url, { redirect: 'manual' })).status).toBe(302);

    const base = verifier!.url;
    await verifier!.close();
    verifier = null;
    const down = await run(['links', 'revoke', link.jti]);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/could not be reached/);
    const still = jsonLines((await run(['links', 'list', '--json'])).stdout).find(
      (l) => l['jti'] === link.jti,
    )!;
    expect(still).toMatchObject({ status: 'active', downloads: null });

    keys = (await exportAndRestart()).keys;
    expect(verifier!.url).not.toBe(base);
    const revoked = await ok<{ jti: string; status: string }>(['links', 'revoke', link.jti]);
    expect(revoked).toMatchObject({ jti: link.jti, status: 'revoked' });
    const url = link.url.replace(/^http:\/\/[^/]+/, verifier!.url);
    expect((await fetch(url, { redirect: 'manual' })).status).toBe(403);
  });

  it('keys retire: links signed with the retired key stop working after the next export', async () => {
    await verifierReady();
    const old = await ok<{ url: string }>(['link', 'cli shop', 'products/My Plugin.zip']);
    const fresh = await ok<{ kid: string }>(['keys', 'new']);
    keys = (await exportAndRestart()).keys;
    const oldUrl = () => old.url.replace(/^http:\/\/[^/]+/, verifier!.url);
    expect((await fetch(oldUrl(), { redirect: 'manual' })).status).toBe(302);
    const retired = await ok<{ kid: string; retiredAt: string | null }>(['keys', 'retire', firstKid]);
    expect(retired.retiredAt).not.toBeNull();
    keys = (await exportAndRestart()).keys;
    expect(Object.keys(keys)).toEqual([fresh.kid]);
    expect((await fetch(oldUrl(), { redirect: 'manual' })).status).toBe(403);
    expect(await keytar.getPassword(service, `signing-key:${firstKid}`)).toBeNull();
  });
});
