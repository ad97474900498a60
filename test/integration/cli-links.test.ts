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
    });
    firstKid = key.kid;
    const listed = await run(['keys', 'list', '--json']);
    expect(jsonLines(listed.stdout)).toEqual([
      { kid: key.kid, createdAt: key.createdAt, active: true, retiredAt: null },
    ]);
    expect(await keytar.getPassword(service, `signing-key:${key.kid}`)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('verifier-config writes a 0600 file the verifier starts with', async () => {
    keys = (await exportAndRestart()).keys;
    expect(statSync(configPath).mode & 0o777).toBe(0o600);
    expect(Object.keys(keys)).toEqual([firstKid]);
    const raw = JSON.parse(readFileSync(configPath, 'utf8')) as {
      stores: Record<string, unknown>;
      adminToken: string;
    };
    expect(Object.keys(raw.stores)).toEqual(['cli-shop']);
    expect(await keytar.getPassword(service, 'verifier:admin-token')).toBe(raw.adminToken);
  });

  it('verifier-config --admin-listen puts the admin API and /metrics on their own address', async () => {
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
    } finally {
      await apart.close();
    }
  });

  it('link makes a verifier link: exact bytes, max honoured, token per the spec', async () => {
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
    });
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

  it('links batch writes the CSV with links and errors; exit 1 when a row failed', async () => {
    const input = join(dataDir, 'orders.csv');
    const output = join(dataDir, 'links.csv');
    writeFileSync(
      input,
      'order,email,product,max,expires\n7001,x@example.com,my-plugin,2,1d\n7002,y@example.com,unknown-thing,1,1h\n',
    );
    const r = await run(['links', 'batch', '--csv', input, '--out', output, '--json']);
    expect(r.code, r.stderr).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ issued: 1, failed: 1 });
    const lines = readFileSync(output, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('order,email,product,max,expires,url,jti,expires_at,error');
    const [url, jti, , error] = lines[1]!.split(',').slice(5);
    expect(error).toBe('');
    expect(jti).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const res = await fetch(url!);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(BODY)).toBe(true);
    expect(lines[2]).toMatch(/,,,,product: .*unknown-thing/);
  });

  it('links revoke: 403 at once; exit 1 and nothing marked when the verifier is down', async () => {
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
