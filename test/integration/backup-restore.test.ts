/**
 * `signet backup` and `signet restore` as a shop owner moving to a new computer would run them: the CLI built
 * from source, run as a child process on two data folders with two keychain service names of their own (the old
 * computer and the new one, both in the private test keyring), the real Ceph gateway, and the real verifier in this
 * process. A link sold before the backup must download through a verifier whose config is exported after the
 * restore; a wrong passphrase or a damaged file must change nothing.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import Database from 'better-sqlite3';
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
import { requirePrivateTestKeyring, startSecondKeyring, type SecondKeyring } from '../support/test-keyring';

requirePrivateTestKeyring();

const keytar = createRequire(import.meta.url)('keytar') as KeytarLike;
const work = mkdtempSync(join(tmpdir(), 'signet-backup-'));
/**
 * The old computer and the new one: a data folder and a keychain service name each, and the new one's keychain
 * is another keyring altogether (a second private D-Bus session with its own GNOME Keyring).
 */
const OLD = { dir: join(work, 'old'), service: `signet-backup-old-${randomUUID()}` };
const NEW = { dir: join(work, 'new'), service: `signet-backup-new-${randomUUID()}` };
type Computer = typeof OLD;
const backupFile = join(work, 'shop.signetbackup');
const PASS = 'plum tractor sunrise 42';
const KEY = 'products/plugin.zip';
const BODY = randomBytes(30_000);
const EMAIL = 'buyer@example.com';

let cli: string;
let removeBuild: (() => void) | undefined;
let ceph: CephEnv;
let s3: S3Client;
let bucket: string;
const verifiers: RunningVerifier[] = [];
/** The verifier link sold before the backup, and the signing keys as the old computer has them. */
let sold: { url: string; jti: string };
let kids: { retired: string; verifying: string; active: string };

let newKeyring: SecondKeyring;

function run(on: Computer, args: string[], stdin?: string): Promise<CliRun> {
  return runCli(cli, [...args, '--data-dir', on.dir], {
    ...(stdin !== undefined ? { stdin } : {}),
    env: {
      SIGNET_KEYCHAIN_SERVICE: on.service,
      SIGNET_DATA_DIR: '',
      ...(on === NEW ? newKeyring.env : {}),
    },
  });
}

async function ok<T = Record<string, unknown>>(on: Computer, args: string[], stdin?: string): Promise<T> {
  const r = await run(on, [...args, '--json'], stdin);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout.trimEnd().split('\n')).toHaveLength(1);
  return JSON.parse(r.stdout) as T;
}

async function listed(on: Computer, args: string[]): Promise<Record<string, unknown>[]> {
  const r = await run(on, [...args, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return jsonLines(r.stdout);
}

/** Exports a verifier config from `on` into a folder of its own (its own state file) and starts the verifier. */
async function verifierFrom(
  on: Computer,
  name: string,
): Promise<{ verifier: RunningVerifier; file: string }> {
  const folder = join(work, name);
  mkdirSync(folder, { recursive: true });
  const file = join(folder, 'verifier.json');
  const exported = await ok<{ file: string }>(on, [
    'verifier-config',
    '--out',
    file,
    '--listen',
    '127.0.0.1:0',
  ]);
  expect(exported.file).toBe(file);
  const verifier = await startVerifier(loadConfigFile(file), { logger: createLogger('silent') });
  verifiers.push(verifier);
  return { verifier, file };
}

/** The rows a backup carries, read from a data folder's database (the backup's own bookkeeping row left out). */
function tables(on: Computer): Record<string, unknown[]> {
  const db = new Database(join(on.dir, 'signet.db'));
  try {
    const all = (sql: string) => db.prepare(sql).all();
    return {
      accounts: all('SELECT * FROM accounts ORDER BY id'),
      buckets: all(
        'SELECT id, account_id, name, role, configured, position, model, exposure, checked_at FROM buckets ORDER BY id',
      ),
      signing_keys: all('SELECT * FROM signing_keys ORDER BY kid'),
      settings: all("SELECT * FROM settings WHERE key <> 'lastBackupAt' ORDER BY key"),
      links: all('SELECT * FROM links ORDER BY jti'),
    };
  } finally {
    db.close();
  }
}

/** Every row of every table, for "nothing changed". */
function everything(on: Computer): Record<string, string[]> {
  const db = new Database(join(on.dir, 'signet.db'));
  try {
    const names = db
      .prepare<[], { name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'objects_search%'",
      )
      .all();
    return Object.fromEntries(
      names.map(({ name }) => [
        name,
        db
          .prepare(`SELECT * FROM "${name}"`)
          .all()
          .map((r) => JSON.stringify(r))
          .sort(),
      ]),
    );
  } finally {
    db.close();
  }
}

/** Every entry of the computer's keychain service and of its list of names, with values. */
async function keychain(on: Computer): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const service of [on.service, `${on.service}:names`]) {
    const entries =
      on === NEW
        ? Object.entries(newKeyring.entries(service)).map(([account, password]) => ({ account, password }))
        : await keytar.findCredentials(service);
    for (const c of entries) out[`${service === on.service ? '' : 'names/'}${c.account}`] = c.password;
  }
  return out;
}

/** A restore that must fail with exit status 1 and change nothing. */
async function expectRestoreFails(
  on: Computer,
  file: string,
  pass: string,
  message: RegExp,
  extra: string[] = [],
) {
  const r = await run(on, ['restore', file, '--passphrase-stdin', '--json', ...extra], pass);
  expect(r.code, r.stderr).toBe(1);
  expect(r.stdout).toBe('');
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(message);
}

beforeAll(async () => {
  newKeyring = await startSecondKeyring();
  const built = await buildCli('backup');
  cli = built.cli;
  removeBuild = built.remove;
  ceph = await ensureCeph();
  s3 = s3ClientFor(ceph);
  bucket = await createTestBucket(s3, 'backup');
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: KEY, Body: BODY }));

  const added = await run(OLD, cephAccountAddArgs(ceph, 'Backup shop', bucket), ceph.secretAccessKey);
  expect(added.code, added.stderr).toBe(0);
  expect((await run(OLD, ['sync', 'Backup shop'])).code).toBe(0);
  // Three keys: one retired, one that still verifies (the sold link is signed with it), the active one.
  const retired = await ok<{ kid: string }>(OLD, ['keys', 'new']);
  const verifying = await ok<{ kid: string }>(OLD, ['keys', 'new']);
  expect((await run(OLD, ['keys', 'retire', retired.kid])).code).toBe(0);
  for (const [key, value] of [
    ['link-expiry', '48h'],
    ['max-downloads', '4'],
  ] as const) {
    expect((await run(OLD, ['settings', 'set', key, value])).code).toBe(0);
  }
  // The old computer's verifier: its config makes the admin token; links point at it.
  const { verifier } = await verifierFrom(OLD, 'verifier-old');
  expect((await run(OLD, ['settings', 'set', 'verifier-url', verifier.url])).code).toBe(0);
  sold = await ok<{ url: string; jti: string }>(OLD, [
    'link',
    'Backup shop',
    KEY,
    '--order',
    '42',
    '--email',
    EMAIL,
  ]);
  const first = await fetch(sold.url);
  expect(first.status).toBe(200);
  expect(Buffer.from(await first.arrayBuffer()).equals(BODY)).toBe(true);
  await ok(OLD, ['link', 'Backup shop', KEY, '--direct', '--order', '43']);
  const active = await ok<{ kid: string }>(OLD, ['keys', 'new']);
  kids = { retired: retired.kid, verifying: verifying.kid, active: active.kid };
}, 240_000);

afterAll(async () => {
  newKeyring?.stop();
  for (const v of verifiers) await v.close();
  for (const { service } of [OLD, NEW]) {
    for (const s of [service, `${service}:names`]) {
      for (const c of await keytar.findCredentials(s).catch(() => []))
        await keytar.deletePassword(s, c.account);
    }
  }
  if (bucket) await emptyAndDeleteBucket(s3, bucket);
  s3?.destroy();
  rmSync(work, { recursive: true, force: true });
  removeBuild?.();
});

describe('signet backup and restore', { timeout: 120_000 }, () => {
  it('refuses bad usage with exit status 2 and one line, before reading a passphrase or writing anything', async () => {
    expectUsageError(await run(OLD, ['backup', '--passphrase-stdin'], PASS), /--out FILE is required/);
    expectUsageError(await run(OLD, ['backup', '--out', backupFile], PASS), /--passphrase-stdin is required/);
    expectUsageError(
      await run(OLD, ['backup', '--out', backupFile, '--passphrase-stdin'], 'short\n'),
      /the passphrase must be at least 8 characters \(got 5\)/,
    );
    expectUsageError(
      await run(OLD, ['backup', '--out', backupFile, '--passphrase-stdin'], ''),
      /standard input held no passphrase/,
    );
    expectUsageError(
      await run(OLD, ['backup', '--out', join(work, 'no-such-folder', 'b'), '--passphrase-stdin'], PASS),
      /--out: the folder .* does not exist/,
    );
    expectUsageError(
      await run(NEW, ['restore', join(work, 'missing.signetbackup'), '--passphrase-stdin'], PASS),
      /^signet restore: FILE: there is no file/,
    );
    expect(existsSync(backupFile)).toBe(false);
    expect(existsSync(NEW.dir)).toBe(false);
  });

  it('backup writes a 0600 file and prints the contract’s fields', async () => {
    const r = await run(OLD, ['backup', '--out', backupFile, '--passphrase-stdin', '--json'], `${PASS}\n`);
    expect(r.code, r.stderr).toBe(0);
    const made = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(made).sort()).toEqual(['accounts', 'createdAt', 'file', 'keys', 'links']);
    expect(made).toMatchObject({ file: backupFile, accounts: 1, keys: 3, links: 2 });
    expect(Date.parse(made['createdAt'] as string)).not.toBeNaN();
    expect(statSync(backupFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(backupFile).subarray(0, 8).toString('ascii')).toBe('SIGNETBK');
  });

  it('the backup file holds no secret in clear', async () => {
    const bytes = readFileSync(backupFile);
    const needles: [string, Buffer][] = [
      ['storage secret', Buffer.from(ceph.secretAccessKey)],
      ['customer email', Buffer.from(EMAIL)],
    ];
    const admin = await keytar.getPassword(OLD.service, 'verifier:admin-token');
    expect(admin).toMatch(/^\S{32,}$/);
    needles.push(['admin token', Buffer.from(admin!)]);
    for (const kid of [kids.verifying, kids.active]) {
      const stored = await keytar.getPassword(OLD.service, `signing-key:${kid}`);
      expect(stored).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const raw = Buffer.from(stored!, 'base64url');
      expect(raw).toHaveLength(32);
      // As the keychain stores it (base64url), and as raw bytes, hex and padded base64.
      needles.push(
        [`${kid} base64url`, Buffer.from(stored!)],
        [`${kid} raw`, raw],
        [`${kid} hex`, Buffer.from(raw.toString('hex'))],
        [`${kid} base64`, Buffer.from(raw.toString('base64'))],
      );
    }
    for (const [what, needle] of needles) {
      expect(bytes.includes(needle), what).toBe(false);
      // Any 12-byte piece of it, too.
      expect(bytes.includes(needle.subarray(0, 12)), `${what} (part)`).toBe(false);
    }
  });

  it('a wrong passphrase changes nothing: a new folder is not even made, an old one keeps every row and entry', async () => {
    await expectRestoreFails(
      NEW,
      backupFile,
      'plum tractor sunrise 43',
      /passphrase is wrong.*Nothing was changed/,
    );
    expect(existsSync(NEW.dir)).toBe(false);
    expect(await keychain(NEW)).toEqual({});

    const rows = everything(OLD);
    const entries = await keychain(OLD);
    expect(Object.keys(entries).length).toBeGreaterThan(4);
    await expectRestoreFails(OLD, backupFile, `${PASS} `, /passphrase is wrong/, ['--replace']);
    expect(everything(OLD)).toEqual(rows);
    expect(await keychain(OLD)).toEqual(entries);
  });

  it('a damaged, truncated or foreign file is exit status 1 and changes nothing', async () => {
    const bytes = readFileSync(backupFile);
    const damaged = Buffer.from(bytes);
    damaged[Math.floor(bytes.length / 2)]! ^= 0x01;
    const cases: [string, Buffer, RegExp][] = [
      ['damaged', damaged, /changed or damaged after it was written/],
      ['truncated', bytes.subarray(0, bytes.length - 100), /changed or damaged/],
      ['foreign', Buffer.from('{"listen":{}}'), /not a Signet backup/],
    ];
    for (const [name, content, message] of cases) {
      const file = join(work, `${name}.signetbackup`);
      writeFileSync(file, content);
      await expectRestoreFails(NEW, file, PASS, message);
    }
    expect(existsSync(NEW.dir)).toBe(false);
    expect(await keychain(NEW)).toEqual({});
  });

  it('a folder that has accounts or keys is refused without --replace: exit status 2, nothing changed', async () => {
    const rows = everything(OLD);
    const entries = await keychain(OLD);
    expectUsageError(
      await run(OLD, ['restore', backupFile, '--passphrase-stdin', '--json'], PASS),
      /^signet restore: this data folder already has 1 storage account and 3 signing keys: add --replace/,
    );
    expect(everything(OLD)).toEqual(rows);
    expect(await keychain(OLD)).toEqual(entries);
  });

  it('restores into a new folder and another keychain the same accounts, kids, admin token, settings and ledger', async () => {
    const restored = await ok(NEW, ['restore', backupFile, '--passphrase-stdin'], PASS);
    expect(restored).toEqual({ accounts: 1, keys: 3, links: 2 });

    expect(tables(NEW)).toEqual(tables(OLD));
    expect(await listed(NEW, ['accounts', 'list'])).toEqual(await listed(OLD, ['accounts', 'list']));
    const keys = await listed(NEW, ['keys', 'list']);
    expect(keys).toEqual(await listed(OLD, ['keys', 'list']));
    expect(keys.map((k) => k['kid']).sort()).toEqual(Object.values(kids).sort());
    expect(keys.find((k) => k['kid'] === kids.retired)?.['retiredAt']).toEqual(expect.any(String));
    const settings = await ok(NEW, ['settings', 'get']);
    expect(settings).toEqual(await ok(OLD, ['settings', 'get']));
    expect(settings).toMatchObject({
      defaultLinkExpiryHours: 48,
      defaultMaxDownloads: 4,
      verifierAdminToken: 'set',
    });
    // Every keychain entry, under the new computer's own service name, in the new computer's own keyring (the
    // old computer's keyring got none of them).
    const before = await keychain(OLD);
    const after = await keychain(NEW);
    expect(after).toEqual(before);
    expect(await keytar.findCredentials(NEW.service)).toEqual([]);
    expect(after['verifier:admin-token']).toBe(await keytar.getPassword(OLD.service, 'verifier:admin-token'));
    expect(Object.keys(after)).toContain(`signing-key:${kids.verifying}`);
  });

  it('a link sold before the backup downloads through a verifier whose config is exported after the restore', async () => {
    for (const v of verifiers.splice(0)) await v.close();
    const { verifier, file } = await verifierFrom(NEW, 'verifier-new');
    const config = JSON.parse(readFileSync(file, 'utf8')) as {
      keys: Record<string, string>;
      stores: Record<string, unknown>;
      adminToken: string;
    };
    expect(Object.keys(config.keys).sort()).toEqual([kids.verifying, kids.active].sort());
    expect(Object.keys(config.stores)).toEqual(['Backup-shop']);
    expect(config.adminToken).toBe(await keytar.getPassword(OLD.service, 'verifier:admin-token'));

    const url = new URL(sold.url);
    const moved = `${verifier.url}${url.pathname}${url.search}`;
    const res = await fetch(moved);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(BODY)).toBe(true);
    // Revoking it from the new computer reaches this verifier with the restored admin token.
    expect((await run(NEW, ['settings', 'set', 'verifier-url', verifier.url])).code).toBe(0);
    expect(await ok(NEW, ['links', 'revoke', sold.jti])).toMatchObject({ jti: sold.jti, status: 'revoked' });
    const revoked = await fetch(moved, { redirect: 'manual' });
    await revoked.arrayBuffer();
    expect(revoked.status).toBe(403);
  });

  it('restore --replace over a folder with data gives the backup’s state again', async () => {
    const restored = await ok(NEW, ['restore', backupFile, '--passphrase-stdin', '--replace'], PASS);
    expect(restored).toEqual({ accounts: 1, keys: 3, links: 2 });
    expect(tables(NEW)).toEqual(tables(OLD));
    expect(await keychain(NEW)).toEqual(await keychain(OLD));
  });
});
