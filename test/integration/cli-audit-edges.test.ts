/**
 * The edges an audit found (issue 18), through `signet` as scripts run it: the CLI built from source, a child
 * process against the real Ceph gateway, the test keyring (a service name of its own) and temp data folders.
 *  - `links batch`: formula cells of the output get a leading `'` (echoed input included), the rows are still
 *    issued, the output is mode 0600; a CSV too large, or of a million rows, is refused at once (exit 2).
 *  - Keys and names: upload keys are NFC, so a decomposed twin already in the bucket is an existing key; bad
 *    `--prefix` values and file names are exit 2 naming them; `--filename` refuses bidi controls.
 *  - `settings set verifier-url|verifier-admin-url`: https://, or http:// only to a loopback host.
 *  - The data folder is 0700 and its database with -wal and -shm 0600, also when an older Signet made them wider.
 */
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import Database from 'better-sqlite3';
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/main/db/database';
import { preparePrivateFolder } from '../../src/main/lib/private-files';
import type { KeytarLike } from '../../src/main/services/keytar-secret-store';
import {
  createTestBucket,
  emptyAndDeleteBucket,
  ensureCeph,
  s3ClientFor,
  type CephEnv,
} from '../support/ceph';
import { buildCli, cephAccountAddArgs, expectUsageError, runCli, type CliRun } from '../support/cli-runner';
import { requirePrivateTestKeyring } from '../support/test-keyring';

requirePrivateTestKeyring();

const keytar = createRequire(import.meta.url)('keytar') as KeytarLike;
const service = `signet-cli-audit-test-${randomUUID()}`;
const work = mkdtempSync(join(tmpdir(), 'signet-cli-audit-'));
const dataDir = join(work, 'data');
const filesDir = join(work, 'files');
const env = { SIGNET_KEYCHAIN_SERVICE: service, SIGNET_DATA_DIR: '' };
const NFC_NAME = 'caf\u00e9.zip';
const NFD_NAME = 'cafe\u0301.zip';
const FORMULA_START = /^[=+\-@\t\r]/;

let cli: string;
let removeBuild: (() => void) | undefined;
let ceph: CephEnv;
let s3: S3Client;
let bucket: string;

function run(args: string[], opts: { stdin?: string; dataDir?: string } = {}): Promise<CliRun> {
  return runCli(cli, [...args, '--data-dir', opts.dataDir ?? dataDir], { ...opts, env });
}

async function json(args: string[], code: number): Promise<Record<string, unknown>> {
  const r = await run([...args, '--json']);
  expect(r.code, r.stderr).toBe(code);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

function file(name: string, text: string): string {
  const path = join(filesDir, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return path;
}

const mode = (path: string): string => (statSync(path).mode & 0o777).toString(8);

async function keysUnder(prefix: string): Promise<string[]> {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (listed.Contents ?? []).map((o) => o.Key!).sort();
}

beforeAll(async () => {
  const built = await buildCli('audit');
  cli = built.cli;
  removeBuild = built.remove;
  ceph = await ensureCeph();
  s3 = s3ClientFor(ceph);
  bucket = await createTestBucket(s3, 'cli-audit');
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'products/plugin.zip', Body: 'plugin' }));
  // A key written decomposed (macOS names, another tool or an older Signet): it looks like café.zip.
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `nfc/${NFD_NAME}`, Body: 'old bytes' }));
  const added = await run(cephAccountAddArgs(ceph, 'shop', bucket), { stdin: ceph.secretAccessKey });
  expect(added.code, added.stderr).toBe(0);
  expect((await run(['sync', 'shop'])).code).toBe(0);
  expect((await run(['settings', 'set', 'verifier-url', 'https://shop.example.com'])).code).toBe(0);
}, 180_000);

afterAll(async () => {
  for (const c of await keytar.findCredentials(service).catch(() => []))
    await keytar.deletePassword(service, c.account);
  if (bucket) await emptyAndDeleteBucket(s3, bucket);
  s3?.destroy();
  rmSync(work, { recursive: true, force: true });
  removeBuild?.();
});

describe('signet links batch', { timeout: 60_000 }, () => {
  it('guards formula cells with a quote, still issues the rows, and writes the output for its owner only', async () => {
    const csv = join(work, 'orders.csv');
    writeFileSync(
      csv,
      [
        'order,email,product,max,expires',
        '"=HYPERLINK(""http://evil.example"",""Click"")",a@example.com,products/plugin.zip,2,7d',
        '@SUM(A1),-b@example.com,products/plugin.zip,,7d',
        '+1,c@example.com,products/plugin.zip,-1,7d',
      ].join('\n'),
    );
    const out = join(work, 'orders-links.csv');
    writeFileSync(out, 'an older result, readable by all\n', { mode: 0o644 });
    chmodSync(out, 0o644);

    // Exit status 1: one row failed (max -1); the other two are issued all the same.
    expect(await json(['links', 'batch', '--csv', csv, '--out', out], 1)).toEqual({
      out,
      issued: 2,
      failed: 1,
    });
    expect(mode(out)).toBe('600');
    const rows = parseCsv(readFileSync(out, 'utf8')) as string[][];
    expect(rows.slice(1).map((r) => r.slice(0, 5))).toEqual([
      ['\'=HYPERLINK("http://evil.example","Click")', 'a@example.com', 'products/plugin.zip', '2', '7d'],
      ["'@SUM(A1)", "'-b@example.com", 'products/plugin.zip', '', '7d'],
      ["'+1", 'c@example.com', 'products/plugin.zip', "'-1", '7d'],
    ]);
    expect(rows.slice(1).map((r) => r[5]!.startsWith('https://shop.example.com/downloads/'))).toEqual([
      true,
      true,
      false,
    ]);
    expect(rows.flat().filter((cell) => FORMULA_START.test(cell))).toEqual([]);
  });

  it('refuses a 1,000,000-row CSV at once: exit 2, one plain line naming --csv, nothing written', async () => {
    const csv = join(work, 'million.csv');
    writeFileSync(csv, `order,email,product,max,expires\n${'1,,p,,\n'.repeat(1_000_000)}`);
    const out = join(work, 'million-links.csv');
    const started = performance.now();
    const r = await run(['links', 'batch', '--csv', csv, '--out', out]);
    const ms = performance.now() - started;
    expectUsageError(
      r,
      /^signet links batch: --csv: .*million\.csv: The CSV has more than 100,000 rows, the most Signet takes in one file; nothing was issued\. Split it into smaller files and issue them one at a time\.\n$/,
    );
    console.log(
      `signet links batch of 1,000,000 rows refused in ${ms.toFixed(0)} ms (process start included)`,
    );
    // Generous: the process's own start and the services' opening are in it.
    expect(ms).toBeLessThan(15_000);
    expect(() => statSync(out)).toThrow(/ENOENT/);
  });

  it('refuses a CSV over 20 MB by its size, before reading it', async () => {
    const csv = join(work, 'huge.csv');
    writeFileSync(csv, Buffer.alloc(21_000_000, 'a'));
    expectUsageError(
      await run(['links', 'batch', '--csv', csv, '--out', join(work, 'huge-links.csv')]),
      /--csv: .*huge\.csv: The CSV is too large \(21 MB; Signet takes at most 20 MB\); nothing was issued\. Split it into smaller files\.\n$/,
    );
  });
});

describe('keys and names', { timeout: 60_000 }, () => {
  it('refuses upload prefixes with . or .. parts, a leading /, // or control characters (exit 2)', async () => {
    const real = file('real.zip', 'bytes');
    const cases: [string, RegExp][] = [
      ['../', /--prefix: a folder cannot have a \. or \.\. part \(got “\.\.\/”\)\n$/],
      ['products/../../etc/', /--prefix: a folder cannot have a \. or \.\. part/],
      ['./products/', /--prefix: a folder cannot have a \. or \.\. part/],
      ['/products/', /--prefix: a folder cannot start with \/ \(got “\/products\/”\)\n$/],
      ['products//x/', /--prefix: a folder cannot have an empty part \(\/\/\)/],
      [
        'pro\u0007ducts/',
        /--prefix: a folder cannot contain control characters \(it has U\+0007\) \(got “proU\+0007ducts\/”\)\n$/,
      ],
      ['\u202eproducts/', /--prefix: a folder cannot contain control characters \(it has U\+202E\)/],
    ];
    for (const [prefix, message] of cases) {
      expectUsageError(await run(['upload', 'shop', real, '--prefix', prefix]), message);
    }
    expect(await keysUnder('')).toEqual(['nfc/cafe\u0301.zip', 'products/plugin.zip']);
  });

  it('refuses a file whose name has a control character, naming the file on one line', async () => {
    const bad = file('line\nbreak.zip', 'bytes');
    expectUsageError(
      await run(['upload', 'shop', bad]),
      /FILE “.*lineU\+000Abreak\.zip”: a file name cannot contain control characters \(it has U\+000A\): rename the file\n$/,
    );
  });

  it('writes keys in NFC, and counts a decomposed twin in the bucket as an existing key', async () => {
    // The bucket holds the decomposed form; the file here has the composed one. They look the same.
    const twin = file(`nfc-file/${NFC_NAME}`, 'new bytes');
    expect(await json(['upload', 'shop', twin, '--prefix', 'nfc/'], 1)).toMatchObject({
      state: 'failed',
      total: 1,
      done: 0,
      failed: 1,
    });
    expect(await keysUnder('nfc/')).toEqual([`nfc/${NFD_NAME}`]);

    // A file with the decomposed name macOS hands out becomes a composed key.
    const fresh = file(`fresh/${NFD_NAME}`, 'fresh bytes');
    expect(await json(['upload', 'shop', fresh, '--prefix', 'fresh/'], 0)).toMatchObject({
      state: 'done',
      done: 1,
    });
    expect(await keysUnder('fresh/')).toEqual([`fresh/${NFC_NAME}`]);
  });

  it('refuses a link --filename with a bidi control, naming the flag and the character', async () => {
    for (const c of ['\u202e', '\u2066']) {
      expectUsageError(
        await run(['link', 'shop', 'products/plugin.zip', '--filename', `invoice${c}fdp.exe`]),
        /--filename: No control characters \(text-direction controls included\), "\/" or "\\" \(got “invoiceU\+20(2E|66)fdp\.exe”\)\n$/,
      );
    }
  });
});

describe('settings set verifier-url and verifier-admin-url', { timeout: 60_000 }, () => {
  it('take https://, or http:// only to a loopback host; anything else is exit 2 and changes nothing', async () => {
    for (const [key, value] of [
      ['verifier-url', 'http://shop.example.com'],
      ['verifier-admin-url', 'http://10.0.0.5:8788'],
      ['verifier-admin-url', 'http://localhost.example.com:8788'],
    ] as const) {
      expectUsageError(
        await run(['settings', 'set', key, value]),
        new RegExp(
          `^signet settings set: ${key}: Use https:// \\(http:// only for this computer: localhost, 127\\.0\\.0\\.1 or ::1\\) \\(got “${value.replace(/\./g, '\\.')}”\\)\\n$`,
        ),
      );
    }
    expect(await json(['settings', 'get'], 0)).toMatchObject({
      verifierBaseUrl: 'https://shop.example.com',
      verifierAdminUrl: '',
    });
    for (const value of ['http://127.0.0.1:8788', 'http://[::1]:8788', 'http://localhost:8788', '']) {
      expect(await json(['settings', 'set', 'verifier-admin-url', value], 0)).toMatchObject({
        verifierAdminUrl: value,
      });
    }
  });
});

describe('local files', { timeout: 60_000 }, () => {
  it('makes a new data folder 0700 and its database 0600', async () => {
    const fresh = join(work, 'fresh-data', 'Signet');
    expect((await run(['settings', 'get'], { dataDir: fresh })).code).toBe(0);
    expect(mode(fresh)).toBe('700');
    expect(mode(join(fresh, 'signet.db'))).toBe('600');
  });

  it('keeps -wal and -shm 0600 while the database is open (SQLite gives them the database file’s mode)', () => {
    const folder = join(work, 'open-data');
    preparePrivateFolder(folder);
    const db = openDatabase(join(folder, 'signet.db'));
    try {
      db.exec("INSERT INTO settings (key, value, updated_at) VALUES ('theme', '\"dark\"', 'now')");
      expect(['signet.db', 'signet.db-wal', 'signet.db-shm'].map((f) => mode(join(folder, f)))).toEqual([
        '600',
        '600',
        '600',
      ]);
    } finally {
      db.close();
    }
  });

  it('tightens a folder and database files an older Signet left readable by others', async () => {
    const older = join(work, 'older-data');
    mkdirSync(older, { mode: 0o755 });
    chmodSync(older, 0o755);
    // Open the way an older Signet did (better-sqlite3 with the process umask), keeping -wal and -shm.
    const db = new Database(join(older, 'signet.db'));
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE t (x)');
    for (const f of ['signet.db', 'signet.db-wal', 'signet.db-shm']) chmodSync(join(older, f), 0o644);
    try {
      expect((await run(['settings', 'get'], { dataDir: older })).code).toBe(0);
      expect(mode(older)).toBe('700');
      expect(['signet.db', 'signet.db-wal', 'signet.db-shm'].map((f) => mode(join(older, f)))).toEqual([
        '600',
        '600',
        '600',
      ]);
    } finally {
      db.close();
    }
  });
});
