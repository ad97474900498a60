/**
 * The `signet` command line as scripts run it: the CLI built from source (in beforeAll, so it is never a stale
 * build), run as a child process against the real Ceph gateway, the real test keyring (a keychain service name
 * of its own per run, through SIGNET_KEYCHAIN_SERVICE) and a temporary data folder.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectAclCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NAMES_SUFFIX, type KeytarLike } from '../../src/main/services/keytar-secret-store';
import type { AccountView } from '../../src/shared/accounts/schemas';
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

// Before keytar is loaded or the CLI writes anything (the setup file checks too): outside the private test
// keyring this file fails instead of writing to the developer's own.
requirePrivateTestKeyring();

const keytar = createRequire(import.meta.url)('keytar') as KeytarLike;
const service = `signet-cli-test-${randomUUID()}`;
const dataDir = mkdtempSync(join(tmpdir(), 'signet-cli-'));
const ADMIN_TOKEN = `admin-${randomUUID()}-${randomUUID()}`;

let cli: string;
let removeBuild: (() => void) | undefined;
let ceph: CephEnv;
let s3: S3Client;
let bucket: string;
let account: AccountView;

type Run = CliRun;

function signet(args: string[], opts: { stdin?: string; env?: Record<string, string> } = {}): Promise<Run> {
  return runCli(cli, args, {
    ...opts,
    env: { SIGNET_KEYCHAIN_SERVICE: service, SIGNET_DATA_DIR: '', ...opts.env },
  });
}

/** `signet … --data-dir <the test's folder>`. */
const run = (args: string[], opts?: { stdin?: string; env?: Record<string, string> }) =>
  signet([...args, '--data-dir', dataDir], opts);

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

async function keychainEntries(): Promise<string[]> {
  return (await keytar.findCredentials(service)).map((c) => c.account).sort();
}

const addArgs = (name: string) => cephAccountAddArgs(ceph, name, bucket);

beforeAll(async () => {
  const built = await buildCli('cli');
  cli = built.cli;
  removeBuild = built.remove;
  ceph = await ensureCeph();
  s3 = s3ClientFor(ceph);
  bucket = await createTestBucket(s3, 'signet-cli');
  for (const key of ['products/Alpha.zip', 'products/beta.pdf', 'readme.txt']) {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: `contents of ${key}` }));
  }
  await s3.send(
    new PutObjectCommand({ Bucket: bucket, Key: 'public/logo.png', Body: 'png', ACL: 'public-read' }),
  );
}, 180_000);

afterAll(async () => {
  try {
    // The secrets and their name markers (keytar-secret-store.ts); a failing keychain fails this hook.
    for (const svc of [service, `${service}${NAMES_SUFFIX}`])
      for (const c of await keytar.findCredentials(svc)) await keytar.deletePassword(svc, c.account);
  } finally {
    if (bucket) await emptyAndDeleteBucket(s3, bucket);
    s3?.destroy();
    rmSync(dataDir, { recursive: true, force: true });
    removeBuild?.();
  }
});

// Each command is a Node process start; a busy machine (Ceph, two test workers) makes that slow.
describe('signet accounts and settings', { timeout: 120_000 }, () => {
  it('prints usage for --help and refuses unknown commands with exit status 2', async () => {
    const help = await signet(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: signet <command>/);
    const lsHelp = await signet(['ls', '--help']);
    expect(lsHelp.code).toBe(0);
    expect(lsHelp.stdout).toMatch(/^Usage: signet ls ACCOUNT/);
    expectUsageError(await signet(['frobnicate', 'shop']), /unknown command “frobnicate”/);
  });

  it('adds an account with the secret from standard input, which lands in the keychain only', async () => {
    const r = await run([...addArgs('Shop'), '--json'], { stdin: `${ceph.secretAccessKey}\n` });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(1);
    account = JSON.parse(r.stdout) as AccountView;
    expect(account).toMatchObject({
      name: 'Shop',
      provider: 'custom',
      endpoint: ceph.endpoint,
      forcePathStyle: true,
      buckets: [bucket],
      credentials: { hasCredentials: true, temporary: false },
    });
    expect(r.stdout + r.stderr).not.toContain(ceph.secretAccessKey);
    expect(await keytar.getPassword(service, `account:${account.id}:secret-access-key`)).toBe(
      ceph.secretAccessKey,
    );
    const files = filesUnder(dataDir);
    expect(files.some((f) => f.endsWith('signet.db'))).toBe(true);
    for (const f of files) expect(readFileSync(f).includes(ceph.secretAccessKey), f).toBe(false);
  });

  it('lists accounts as JSON Lines, and finds the same data folder through SIGNET_DATA_DIR', async () => {
    const r = await run(['accounts', 'list', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const rows = jsonLines<AccountView>(r.stdout);
    expect(rows.map((a) => [a.id, a.name])).toEqual([[account.id, 'Shop']]);
    const viaEnv = await signet(['accounts', 'list', '--json'], { env: { SIGNET_DATA_DIR: dataDir } });
    expect(jsonLines<AccountView>(viaEnv.stdout).map((a) => a.id)).toEqual([account.id]);
    const table = await run(['accounts', 'list']);
    expect(table.stdout).toMatch(/^NAME\s+PROVIDER/);
    expect(table.stdout).toContain(bucket);
  });

  it('refuses bad flags and values with exit status 2, one line naming the flag, and changes nothing', async () => {
    const before = await keychainEntries();
    const stdin = ceph.secretAccessKey;
    const without = (flag: string) => {
      const args = addArgs('Other');
      const i = args.indexOf(flag);
      args.splice(i, args[i + 1]?.startsWith('--') ? 1 : 2);
      return args;
    };
    const cases: [string[], RegExp][] = [
      [[...addArgs('Other'), '--bogus'], /unknown flag --bogus/],
      [[...addArgs('Other'), '--secret', 'abc'], /unknown flag --secret\b/],
      [addArgs('Other').map((a) => (a === 'custom' ? 'dropbox' : a)), /--provider must be one of/],
      [addArgs('Other').map((a) => (a === ceph.endpoint ? 'not-an-address' : a)), /--endpoint: /],
      [[...addArgs('Other'), '--bucket', 'Bad_Bucket!'], /--bucket “Bad_Bucket!”: /],
      [without('--secret-stdin'), /--secret-stdin or --secret-env NAME is required/],
      [without('--access-key-id'), /--access-key-id: /],
      [[...addArgs('Other'), '--region'], /--region needs a value/],
      [addArgs('shop'), /--name: there is already an account named “Shop”/],
      [['accounts', 'test'], /needs ACCOUNT/],
      [['accounts', 'remove', 'nobody'], /no storage account “nobody”/],
      [['settings', 'set', 'link-expiry', '90s'], /link-expiry .*whole number of hours/],
      [['settings', 'set', 'max-downloads', '0'], /max-downloads is a number from 1 to 1000/],
      [['settings', 'set', 'verifier-url', 'ftp://example.com'], /verifier-url: /],
      [
        ['settings', 'set', 'verifier-admin-url', '127.0.0.1:8788'],
        /verifier-admin-url: Enter a full address/,
      ],
      [
        ['settings', 'set', 'verifier-admin-token', 'on-the-command-line'],
        /never taken from the command line/,
      ],
      [['settings', 'set', 'colour', 'red'], /unknown setting “colour”/],
      [['ls', 'shop', '--access', 'secret'], /--access must be one of public, authenticated, public-bucket/],
      [['ls', 'shop', '--bucket', 'not-this-one'], /--bucket: “not-this-one” is not a bucket of “Shop”/],
      [['verify', 'shop', '--prefix', 'products/', 'readme.txt'], /--prefix and KEY… exclude each other/],
      [['sync', 'shop', '--json=1'], /--json takes no value/],
    ];
    // Four at a time: none of them may change anything, so they cannot disturb each other.
    for (let i = 0; i < cases.length; i += 4) {
      const batch = cases.slice(i, i + 4);
      const results = await Promise.all(batch.map(([args]) => run(args, { stdin })));
      results.forEach((r, j) => expectUsageError(r, batch[j]![1]));
    }

    expect(await keychainEntries()).toEqual(before);
    const list = jsonLines<AccountView>((await run(['accounts', 'list', '--json'])).stdout);
    expect(list.map((a) => a.name)).toEqual(['Shop']);
    const settings = JSON.parse((await run(['settings', 'get', '--json'])).stdout) as Record<string, unknown>;
    expect(settings).toMatchObject({
      defaultLinkExpiryHours: 72,
      defaultMaxDownloads: 5,
      verifierBaseUrl: '',
      verifierAdminUrl: '',
    });
  });

  it('tests the connection like the app: sign-in, clock, per bucket its privacy model and exposure', async () => {
    const r = await run(['accounts', 'test', 'shop', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const view = JSON.parse(r.stdout) as AccountView;
    expect(view.id).toBe(account.id);
    expect(view.lastTest).toMatchObject({ status: 'ok', problem: null });
    expect(view.lastTest?.clock).not.toBeNull();
    expect(view.lastTest?.buckets).toEqual([
      expect.objectContaining({
        name: bucket,
        reachable: true,
        privacy: expect.objectContaining({ model: 'object-acl' }),
        exposure: expect.objectContaining({ level: 'private' }),
      }),
    ]);
    const human = await run(['accounts', 'test', account.id]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^Shop: OK — Connected/);
    expect(human.stdout).toMatch(new RegExp(`${bucket}\\s+yes\\s+object-acl`));
  });

  it('sets and gets settings; the admin token goes to the keychain and is never printed', async () => {
    for (const [key, value] of [
      ['verifier-url', 'https://shop.example.com'],
      ['link-expiry', '7d'],
      ['max-downloads', 'none'],
    ]) {
      const r = await run(['settings', 'set', key!, value!]);
      expect(r.code, r.stderr).toBe(0);
    }
    let got = JSON.parse((await run(['settings', 'get', '--json'])).stdout) as Record<string, unknown>;
    expect(got).toMatchObject({
      verifierBaseUrl: 'https://shop.example.com',
      defaultLinkExpiryHours: 168,
      defaultMaxDownloads: null,
      verifierAdminToken: 'not set',
    });

    expectUsageError(
      await run(['settings', 'set', 'verifier-admin-token', '--secret-stdin'], { stdin: 'too-short' }),
      /verifier-admin-token: must be at least 32 characters/,
    );
    const viaStdin = await run(['settings', 'set', 'verifier-admin-token', '--secret-stdin', '--json'], {
      stdin: `${ADMIN_TOKEN}\n`,
    });
    expect(viaStdin.code, viaStdin.stderr).toBe(0);
    expect(await keytar.getPassword(service, 'verifier:admin-token')).toBe(ADMIN_TOKEN);
    const viaEnv = await run(['settings', 'set', 'verifier-admin-token', '--secret-env', 'SHOP_TOKEN'], {
      env: { SHOP_TOKEN: `${ADMIN_TOKEN}-2` },
    });
    expect(viaEnv.code, viaEnv.stderr).toBe(0);
    expect(await keytar.getPassword(service, 'verifier:admin-token')).toBe(`${ADMIN_TOKEN}-2`);

    const get = await run(['settings', 'get', '--json']);
    got = JSON.parse(get.stdout) as Record<string, unknown>;
    expect(got['verifierAdminToken']).toBe('set');
    const human = await run(['settings', 'get']);
    expect(human.stdout).toMatch(/link-expiry\s+7d/);
    expect(human.stdout).toMatch(/verifier-admin-token\s+set/);
    expect(human.stdout).toMatch(/verifier-admin-url\s+\(same as verifier-url\)/);
    for (const r of [viaStdin, viaEnv, get, human]) expect(r.stdout + r.stderr).not.toContain(ADMIN_TOKEN);
  });

  it('says plainly that the keychain cannot be reached, with exit status 1', async () => {
    const r = await run(['accounts', 'test', 'shop'], {
      env: { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus', DISPLAY: '' },
    });
    expect(r.code).toBe(1);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^Signet cannot reach your system keychain/);
  });
});

// Each command is a Node process start; a busy machine (Ceph, two test workers) makes that slow.
describe('signet library: sync, ls, verify', { timeout: 120_000 }, () => {
  it('syncs the bucket into the catalog and counts access types', async () => {
    const r = await run(['sync', 'shop', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(1);
    const summary = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(summary).sort()).toEqual(
      ['access', 'added', 'bucket', 'objects', 'removed', 'seconds', 'updated'].sort(),
    );
    expect(summary).toMatchObject({
      bucket,
      objects: 4,
      added: 4,
      removed: 0,
      access: expect.objectContaining({ public: 1, private: 3 }),
    });
    const human = await run(['sync', 'shop']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/4 objects \(0 new, 0 changed, 0 removed\)/);
    expect(human.stdout).toMatch(/Access: 1 public, 3 private\./);
  });

  it('lists from the catalog as JSON Lines, filtered by access, prefix and search', async () => {
    const all = await run(['ls', 'shop', '--json']);
    expect(all.code, all.stderr).toBe(0);
    const rows = jsonLines(all.stdout);
    expect(rows.map((r) => r['key'])).toEqual([
      'products/Alpha.zip',
      'products/beta.pdf',
      'public/logo.png',
      'readme.txt',
    ]);
    for (const row of rows) {
      expect(Object.keys(row).sort()).toEqual(
        ['access', 'bucket', 'etag', 'key', 'lastModified', 'size', 'verified'].sort(),
      );
      expect(row['bucket']).toBe(bucket);
      expect(row['verified']).toBeNull();
    }
    expect(rows[3]).toMatchObject({ size: 'contents of readme.txt'.length, access: 'private' });

    const pub = jsonLines((await run(['ls', '--json', 'shop', '--access', 'public'])).stdout);
    expect(pub.map((r) => [r['key'], r['access']])).toEqual([['public/logo.png', 'public']]);
    const priv = jsonLines(
      (await run(['ls', 'shop', '--access', 'private', '--prefix', 'products/', '--json'])).stdout,
    );
    expect(priv.map((r) => r['key'])).toEqual(['products/Alpha.zip', 'products/beta.pdf']);
    const found = jsonLines((await run(['ls', 'shop', '--search', 'ALPHA', '--json'])).stdout);
    expect(found.map((r) => r['key'])).toEqual(['products/Alpha.zip']);
    const shortSearch = jsonLines((await run(['ls', 'shop', '--search', 'Me', '--json'])).stdout);
    expect(shortSearch.map((r) => r['key'])).toEqual(['readme.txt']);

    const table = await run(['ls', 'shop', '--bucket', bucket]);
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^ACCESS\s+SIZE\s+MODIFIED\s+VERIFIED\s+KEY$/);
    expect(table.stdout).toMatch(/public\s+3 B\s+.*public\/logo\.png/);
  });

  it('verifies anonymously: no leak first, then exit status 1 for a leak planted behind the catalog’s back', async () => {
    const clean = await run(['verify', 'shop', '--json']);
    expect(clean.code, clean.stderr).toBe(0);
    const results = jsonLines(clean.stdout);
    expect(results.map((r) => [r['key'], r['access'], r['status'], r['leak']]).sort()).toEqual([
      ['products/Alpha.zip', 'private', 403, false],
      ['products/beta.pdf', 'private', 403, false],
      ['public/logo.png', 'public', 200, false],
      ['readme.txt', 'private', 403, false],
    ]);
    for (const r of results) expect(Object.keys(r).sort()).toEqual(['access', 'key', 'leak', 'status']);

    // Someone makes a product public in the storage console; the catalog still holds it as private.
    await s3.send(new PutObjectAclCommand({ Bucket: bucket, Key: 'products/beta.pdf', ACL: 'public-read' }));
    const leak = await run(['verify', 'shop', '--prefix', 'products/', '--json']);
    expect(leak.code, leak.stderr).toBe(1);
    expect(jsonLines(leak.stdout).find((r) => r['key'] === 'products/beta.pdf')).toEqual({
      key: 'products/beta.pdf',
      access: 'private',
      status: 200,
      leak: true,
    });

    const one = await run(['verify', 'shop', 'products/Alpha.zip', '--json']);
    expect(one.code).toBe(0);
    expect(jsonLines(one.stdout)).toEqual([
      { key: 'products/Alpha.zip', access: 'private', status: 403, leak: false },
    ]);
    expectUsageError(
      await run(['verify', 'shop', 'no/such/key.zip']),
      /KEY “no\/such\/key.zip” is not in the catalog/,
    );

    const human = await run(['verify', 'shop', 'products/beta.pdf']);
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/200\s+private\s+products\/beta\.pdf\s+<- LEAK/);
    expect(human.stdout).toMatch(/1 LEAK/);

    // ls shows the verification recorded in the catalog.
    const listed = jsonLines((await run(['ls', 'shop', '--search', 'beta', '--json'])).stdout);
    expect(listed[0]?.['verified']).toMatchObject({ status: 200, at: expect.any(String) });
  });

  it('removes the account and its keychain entries', async () => {
    const r = await run(['accounts', 'remove', 'SHOP', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ id: account.id, name: 'Shop', keychainEntriesRemoved: 2 });
    expect((await keychainEntries()).filter((e) => e.startsWith('account:'))).toEqual([]);
    expect((await run(['accounts', 'list', '--json'])).stdout).toBe('');
  });
});
