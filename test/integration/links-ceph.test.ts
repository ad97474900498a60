/**
 * Download links end to end on real parts, driven through the IPC router as the window drives it: the Ceph
 * gateway, the test keyring, a SQLite file, and the real verifier started from the config the app exports.
 * Tokens are cross-checked with an independent reading of the spec (test/support/token-spec-reader.ts).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/main/services/clock';
import { KEY_NOT_EXPORTED_WARNING } from '../../src/main/services/links/link-service';
import {
  verifierStoreName,
  type LinkCreateInput,
  type LinksPage,
  type LinkView,
} from '../../src/shared/links/schemas';
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
import { cephAccount, startHarness, type Harness } from '../support/main-harness';
import { readTokenPerSpec, SPEC_EXAMPLE } from '../support/token-spec-reader';
import { requirePrivateTestKeyring } from '../support/test-keyring';

requirePrivateTestKeyring();

let env: CephEnv;
let admin: S3Client;
let h: Harness;
let bucket: string;
let accountId: string;
let verifier: RunningVerifier | null = null;
const ACCOUNT_NAME = 'Shop Main';
const BODY = randomBytes(200_000);
const GUIDE = Buffer.from('the guide');
let shiftMs = 0;
/** When set, the app's clock stands still at this instant (links made then share one createdAt). */
let frozenAt: number | null = null;
const clock: Clock = { now: () => new Date((frozenAt ?? Date.now()) + shiftMs) };
const ids: Record<string, number> = {};

/**
 * Where the Settings page's save dialog puts the verifier config: a folder of the owner's choosing, not the app's
 * data folder (the file holds the keys by design; the data folder must not).
 */
const exportDir = mkdtempSync(join(tmpdir(), 'signet-links-export-'));
const configFile = () => join(exportDir, 'verifier.json');

/** Exports the config (through the contract, as the Settings page does) and (re)starts the verifier on it. */
async function exportAndRestart(): Promise<{ keys: Record<string, string>; adminToken: string }> {
  const exported = await h.ok('verifier:export-config', {
    listen: '127.0.0.1:0',
    stateSqlite: 'state.sqlite',
  });
  expect(exported.file).toBe(configFile());
  await verifier?.close();
  verifier = await startVerifier(loadConfigFile(configFile()), { logger: createLogger('silent') });
  await h.ok('settings:update', { verifierBaseUrl: verifier.url });
  return JSON.parse(readFileSync(configFile(), 'utf8')) as {
    keys: Record<string, string>;
    adminToken: string;
  };
}

function linkInput(key: string, over: Partial<LinkCreateInput> = {}): LinkCreateInput {
  return {
    objectId: ids[key]!,
    kind: 'verifier',
    productSlug: 'my-plugin',
    orderId: 'A-1001',
    email: 'buyer@example.com',
    note: 'first order',
    maxDownloads: null,
    filename: '',
    expiry: { type: 'preset', preset: '24h' },
    ...over,
  };
}

async function download(url: string): Promise<{ status: number; body: Buffer; headers: Headers }> {
  const res = await fetch(url);
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()), headers: res.headers };
}

beforeAll(async () => {
  env = await ensureCeph();
  admin = s3ClientFor(env);
  bucket = await createTestBucket(admin, 'links');
  await admin.send(new PutObjectCommand({ Bucket: bucket, Key: 'products/my-plugin.zip', Body: BODY }));
  await admin.send(new PutObjectCommand({ Bucket: bucket, Key: 'docs/Ünïcode Guide.pdf', Body: GUIDE }));
  await admin.send(
    new PutObjectCommand({ Bucket: bucket, Key: 'free/sampler.zip', Body: 'free', ACL: 'public-read' }),
  );
  h = startHarness({ prefix: 'links', clock, saveFile: async () => configFile() });
  accountId = (await h.ok('accounts:add', cephAccount(env, ACCOUNT_NAME, { buckets: [bucket] }))).id;
  await h.ok('library:sync', { accountId, bucket });
  const b = (await h.ok('library:buckets', undefined)).find((x) => x.name === bucket)!;
  const page = await h.ok('library:page', { bucketId: b.id, recursive: true });
  for (const row of page.rows) ids[row.key] = row.id;
});

afterAll(async () => {
  await verifier?.close();
  await h?.close();
  if (bucket) await emptyAndDeleteBucket(admin, bucket);
  admin?.destroy();
  rmSync(exportDir, { recursive: true, force: true });
});

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

describe('direct links (pre-signed through the storage gateway)', () => {
  it('downloads before expiry with the right Content-Disposition, and is 403 after', async () => {
    // The app's clock runs 55 s behind, and the account has not measured it: the 60-second link is signed
    // 55 s in the past, so it expires 5 s from now.
    shiftMs = -55_000;
    const link = await h.ok(
      'links:create',
      linkInput('docs/Ünïcode Guide.pdf', {
        kind: 'direct',
        productSlug: 'guide',
        expiry: { type: 'seconds', seconds: 60 },
      }),
    );
    shiftMs = 0;
    expect(link.kind).toBe('direct');
    expect(link.url).toContain('X-Amz-Signature=');
    const ok = await download(link.url);
    expect(ok.status).toBe(200);
    expect(ok.body.equals(GUIDE)).toBe(true);
    const disposition = ok.headers.get('content-disposition')!;
    expect(disposition).toMatch(/^attachment;/);
    expect(disposition).toContain(`filename*=UTF-8''${encodeURIComponent('Ünïcode Guide.pdf')}`);
    expect(disposition).toContain('filename="Unicode Guide.pdf"');

    await new Promise((r) => setTimeout(r, 7_000));
    expect((await download(link.url)).status).toBe(403);
    const listed = await h.ok('links:list', { search: link.jti });
    expect(listed.rows.map((r) => r.status)).toEqual(['expired']);
  });

  it('applies the measured clock offset: a wrong local clock still gives a working link', async () => {
    shiftMs = -10 * 60_000;
    const tested = await h.ok('accounts:test', { id: accountId });
    expect(tested.clockOffsetMs).toBeGreaterThan(9 * 60_000);
    const link = await h.ok(
      'links:create',
      linkInput('products/my-plugin.zip', { kind: 'direct', expiry: { type: 'seconds', seconds: 120 } }),
    );
    shiftMs = 0;
    const res = await download(link.url);
    expect(res.status).toBe(200);
    expect(res.body.equals(BODY)).toBe(true);
    // Put the account's offset back for the tests that follow.
    await h.ok('accounts:test', { id: accountId });
  });

  it('refuses more than 7 days and a download limit, in plain words', async () => {
    const long = await h.call(
      'links:create',
      linkInput('products/my-plugin.zip', { kind: 'direct', expiry: { type: 'preset', preset: '30d' } }),
    );
    expect(long.ok).toBe(false);
    expect(!long.ok && long.error.message).toMatch(/at most 7 days/);
    const limited = await h.call(
      'links:create',
      linkInput('products/my-plugin.zip', { kind: 'direct', maxDownloads: 3 }),
    );
    expect(!limited.ok && limited.error.code).toBe('invalid-input');
  });
});

describe('verifier links through the real verifier', () => {
  let config: { keys: Record<string, string>; adminToken: string };

  beforeAll(async () => {
    const before = await h.ok('verifier:admin-token-status', undefined);
    expect(before.set).toBe(false);
    // No key yet: the first export makes one, and the admin token.
    config = await exportAndRestart();
    expect((await h.ok('verifier:admin-token-status', undefined)).set).toBe(true);
  });

  it('exports a 0600 config with the keys, one store per account and the admin token', async () => {
    expect(statSync(configFile()).mode & 0o777).toBe(0o600);
    const keys = await h.ok('keys:list', undefined);
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ active: true, retiredAt: null });
    expect(Object.keys(config.keys)).toEqual([keys[0]!.kid]);
    const raw = JSON.parse(readFileSync(configFile(), 'utf8')) as { stores: Record<string, unknown> };
    expect(Object.keys(raw.stores)).toEqual([verifierStoreName(ACCOUNT_NAME)]);
    expect(verifierStoreName(ACCOUNT_NAME)).toBe('Shop-Main');
    expect(config.adminToken.length).toBeGreaterThanOrEqual(43);
  });

  it('issues a link that gives the exact bytes, honours max downloads and shows usage', async () => {
    const link = await h.ok('links:create', linkInput('products/my-plugin.zip', { maxDownloads: 2 }));
    expect(link.url.startsWith(`${verifier!.url}/downloads/my-plugin?token=v1.`)).toBe(true);
    expect(link.warnings).toEqual([]);
    for (let i = 0; i < 2; i++) {
      const res = await download(link.url);
      expect(res.status).toBe(200);
      expect(res.body.equals(BODY)).toBe(true);
    }
    expect((await download(link.url)).status).toBe(410);
    const usage = await h.ok('links:usage', { jtis: [link.jti] });
    expect(usage.rows[0]).toMatchObject({ jti: link.jti, downloads: 2, maxDownloads: 2, status: 'active' });
    expect(usage.rows[0]!.usageCheckedAt).not.toBeNull();
  });

  it('issues tokens that an independent reading of the spec accepts, with the right fields', async () => {
    const reading = readTokenPerSpec(SPEC_EXAMPLE.token, SPEC_EXAMPLE.keys);
    expect(reading.ok && reading.payloadJson).toBe(SPEC_EXAMPLE.payload);

    const before = Math.floor(Date.now() / 1000);
    const link = await h.ok(
      'links:create',
      linkInput('products/my-plugin.zip', { maxDownloads: 5, filename: 'My Plugin.zip', orderId: '4711' }),
    );
    const token = new URL(link.url).searchParams.get('token')!;
    const r = readTokenPerSpec(token, config.keys);
    if (!r.ok) throw new Error(r.reason);
    expect(r.kid).toBe(Object.keys(config.keys)[0]);
    expect(r.payload).toEqual({
      product_slug: 'my-plugin',
      expires: expect.any(Number),
      jti: link.jti,
      src: { type: 's3', store: 'Shop-Main', bucket, key: 'products/my-plugin.zip' },
      license_id: '4711',
      max: 5,
      filename: 'My Plugin.zip',
      iat: expect.any(Number),
    });
    const expires = r.payload['expires'] as number;
    expect(Number.isInteger(expires)).toBe(true);
    expect(expires).toBeGreaterThanOrEqual(before + 24 * 3600);
    expect(expires).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 24 * 3600);
    expect(new Date(link.expiresAt).getTime()).toBe(expires * 1000);
    // Email and note stay in the ledger only.
    expect(r.payloadJson).not.toContain('buyer@example.com');
    expect(r.payloadJson).not.toContain('first order');
  });

  it('issues the edges: a Unicode key, a 128-character order id and a 255-character filename', async () => {
    const orderId = `Ordre-é-${'7'.repeat(120)}`;
    const filename = `Ünïcode Guide – ${'g'.repeat(235)}.pdf`;
    expect([orderId.length, filename.length]).toEqual([128, 255]);
    const link = await h.ok(
      'links:create',
      linkInput('docs/Ünïcode Guide.pdf', { productSlug: 'guide', orderId, filename, maxDownloads: 1 }),
    );
    const r = readTokenPerSpec(new URL(link.url).searchParams.get('token')!, config.keys);
    if (!r.ok) throw new Error(r.reason);
    expect(r.payload).toEqual({
      product_slug: 'guide',
      expires: new Date(link.expiresAt).getTime() / 1000,
      jti: link.jti,
      src: { type: 's3', store: 'Shop-Main', bucket, key: 'docs/Ünïcode Guide.pdf' },
      license_id: orderId,
      max: 1,
      filename,
      iat: expect.any(Number),
    });
    expect(r.unknownFields).toEqual([]);
    expect(link).toMatchObject({ orderId, filename, key: 'docs/Ünïcode Guide.pdf', maxDownloads: 1 });

    const res = await download(link.url);
    expect(res.status).toBe(200);
    expect(res.body.equals(GUIDE)).toBe(true);
    expect(res.headers.get('content-disposition')).toContain(
      `filename*=UTF-8''${encodeURIComponent(filename)}`,
    );
    expect((await download(link.url)).status).toBe(410);
  });

  it('revokes through the verifier: 403 at once; an unreachable verifier is an error and nothing is marked', async () => {
    const link = await h.ok('links:create', linkInput('products/my-plugin.zip'));
    expect((await download(link.url)).status).toBe(200);

    const base = verifier!.url;
    await h.ok('settings:update', { verifierBaseUrl: 'http://127.0.0.1:9' });
    const failed = await h.call('links:revoke', { jti: link.jti });
    expect(failed.ok).toBe(false);
    expect(!failed.ok && failed.error.code).toBe('verifier-error');
    expect(!failed.ok && failed.error.message).toMatch(/could not be reached/);
    expect((await h.ok('links:list', { search: link.jti })).rows[0]!.status).toBe('active');
    await h.ok('settings:update', { verifierBaseUrl: base });

    const revoked = await h.ok('links:revoke', { jti: link.jti });
    expect(revoked.status).toBe('revoked');
    expect(revoked.revokedAt).not.toBeNull();
    expect((await download(link.url)).status).toBe(403);
    const listed = await h.ok('links:list', { status: 'revoked' });
    expect(listed.rows.map((r) => r.jti)).toContain(link.jti);
  });

  it('warns when the file is public anyway', async () => {
    const link = await h.ok('links:create', linkInput('free/sampler.zip', { productSlug: 'sampler' }));
    expect(link.warnings.join(' ')).toMatch(/anyone can download it without a link/);
  });

  it('rotation: a link signed with the old key works until that key is retired, then 403', async () => {
    const oldKid = Object.keys(config.keys)[0]!;
    const old = await h.ok('links:create', linkInput('products/my-plugin.zip'));
    const fresh = await h.ok('keys:create', undefined);
    expect(fresh.active).toBe(true);
    expect((await h.ok('keys:list', undefined)).find((k) => k.kid === oldKid)).toMatchObject({
      active: false,
      exportedAt: expect.any(String),
    });
    expect(fresh.exportedAt).toBeNull();
    // Signed with a key the running verifier does not have yet: refused, and the app said so.
    const early = await h.ok('links:create', linkInput('products/my-plugin.zip'));
    expect(early.warnings).toEqual([KEY_NOT_EXPORTED_WARNING]);
    expect((await download(early.url)).status).toBe(403);
    config = await exportAndRestart();
    expect(Object.keys(config.keys).sort()).toEqual([oldKid, fresh.kid].sort());
    expect((await h.ok('keys:list', undefined)).find((k) => k.kid === fresh.kid)!.exportedAt).not.toBeNull();
    expect((await download(early.url.replace(/^http:\/\/[^/]+/, verifier!.url))).status).toBe(200);

    const newer = await h.ok('links:create', linkInput('products/my-plugin.zip'));
    expect(newer.warnings).toEqual([]);
    const newerToken = new URL(newer.url).searchParams.get('token')!;
    expect(newerToken.split('.')[1]).toBe(fresh.kid);
    expect((await download(old.url.replace(/^http:\/\/[^/]+/, verifier!.url))).status).toBe(200);
    expect((await download(newer.url)).status).toBe(200);

    const retired = await h.ok('keys:retire', { kid: oldKid });
    expect(retired.retiredAt).not.toBeNull();
    config = await exportAndRestart();
    expect(Object.keys(config.keys)).toEqual([fresh.kid]);
    expect((await download(old.url.replace(/^http:\/\/[^/]+/, verifier!.url))).status).toBe(403);
    expect((await download(newer.url.replace(/^http:\/\/[^/]+/, verifier!.url))).status).toBe(200);
  });

  it('renaming the account keeps its store: a link sent before works under the config exported after', async () => {
    const before = await h.ok('links:create', linkInput('products/my-plugin.zip'));
    const rename = (name: string) =>
      h.ok('accounts:update', {
        id: accountId,
        settings: cephAccount(env, name, { buckets: [bucket] }).settings,
        credentials: {},
      });
    await rename('Storefront EU');
    try {
      await exportAndRestart();
      const raw = JSON.parse(readFileSync(configFile(), 'utf8')) as { stores: Record<string, unknown> };
      expect(Object.keys(raw.stores)).toEqual(['Shop-Main']);
      const res = await download(before.url.replace(/^http:\/\/[^/]+/, verifier!.url));
      expect(res.status).toBe(200);
      expect(res.body.equals(BODY)).toBe(true);
      const after = await h.ok('links:create', linkInput('products/my-plugin.zip'));
      expect(after.accountName).toBe('Storefront EU');
      expect((await download(after.url)).status).toBe(200);
    } finally {
      // The batch test below reads the account by its first name.
      await rename(ACCOUNT_NAME);
    }
  });

  it('batch: preview with per-row errors, issue, and the links work', async () => {
    const csv = [
      'order,email,product,max,expires',
      '5001,a@example.com,my-plugin,3,7d',
      '5002,b@example.com,products/my-plugin.zip,,',
      '5003,not-an-email,my-plugin,1,1h',
      '5004,c@example.com,no-such-product,1,1h',
      '5005,d@example.com,my-plugin,0,1h',
    ].join('\n');
    const preview = await h.ok('links:batch-preview', { csv });
    expect(preview).toMatchObject({ accountName: ACCOUNT_NAME, valid: 2, invalid: 3 });
    expect(preview.rows.map((r) => [r.line, r.key, r.error === null])).toEqual([
      [2, 'products/my-plugin.zip', true],
      [3, 'products/my-plugin.zip', true],
      [4, null, false],
      [5, null, false],
      [6, null, false],
    ]);
    expect(preview.rows[2]!.error).toMatch(/^email:/);
    expect(preview.rows[3]!.error).toMatch(/^product:/);
    expect(preview.rows[4]!.error).toMatch(/^max:/);

    const issued = await h.ok('links:batch-issue', { csv });
    expect(issued).toMatchObject({ issued: 2, failed: 3 });
    const lines = issued.csv.trim().split('\n');
    expect(lines[0]).toBe('order,email,product,max,expires,url,jti,expires_at,error');
    // Every issued row's token, read per the spec, carries what its row says.
    const rows = (parseCsv(issued.csv, { columns: true }) as Record<string, string>[]).filter(
      (r) => r['url'],
    );
    expect(rows.map((r) => r['order'])).toEqual(['5001', '5002']);
    const defaultMax = (await h.ok('settings:get', undefined)).defaultMaxDownloads;
    for (const row of rows) {
      const r = readTokenPerSpec(new URL(row['url']!).searchParams.get('token')!, config.keys);
      if (!r.ok) throw new Error(`order ${row['order']}: ${r.reason}`);
      const max = row['max'] === '' ? defaultMax : Number(row['max']);
      expect(r.payload, row['order']).toEqual({
        product_slug: 'my-plugin',
        expires: Date.parse(row['expires_at']!) / 1000,
        jti: row['jti'],
        src: { type: 's3', store: 'Shop-Main', bucket, key: 'products/my-plugin.zip' },
        license_id: row['order'],
        ...(max !== null ? { max } : {}),
        filename: 'my-plugin.zip',
        iat: expect.any(Number),
      });
      expect(r.unknownFields).toEqual([]);
    }
    const url = lines[1]!.split(',')[5]!;
    const res = await download(url);
    expect(res.status).toBe(200);
    expect(res.body.equals(BODY)).toBe(true);
    const row: LinkView = (await h.ok('links:list', { search: '5001' })).rows[0]!;
    expect(row).toMatchObject({ orderId: '5001', email: 'a@example.com', maxDownloads: 3, kind: 'verifier' });
  });

  it('keeps no secret in SQLite, in any file of the data folder or in any answer to the window', async () => {
    // A link made now: its customer fields were written last, so they are still in the write-ahead log.
    const marker = `wal-${randomBytes(6).toString('hex')}@example.com`;
    await h.ok('links:create', linkInput('products/my-plugin.zip', { email: marker }));
    const secrets = [...Object.values(config.keys), config.adminToken, env.secretAccessKey];
    // Each secret as text, and the 32-byte ones (signing keys, admin token) also as raw bytes, as a BLOB holds them.
    const raw = [...Object.values(config.keys), config.adminToken].map((s) => Buffer.from(s, 'base64url'));
    expect(raw.map((b) => b.length)).toEqual(raw.map(() => 32));
    const forms = [...secrets.map((s) => Buffer.from(s)), ...raw];
    const db = h.services.db;
    const dump = JSON.stringify([
      db.prepare('SELECT * FROM signing_keys').all(),
      db.prepare('SELECT * FROM links').all(),
      db.prepare('SELECT * FROM settings').all(),
      db.prepare('SELECT * FROM activity').all(),
    ]);
    const answers = JSON.stringify(h.responses);
    for (const s of secrets) {
      expect(dump).not.toContain(s);
      expect(answers).not.toContain(s);
    }
    // Byte search of every file in the data folder while the database is open: the database, its WAL and
    // shared-memory file (recent writes are not merged yet) and anything else the app wrote there.
    const files = filesUnder(h.dir);
    expect(files.map((f) => f.slice(h.dir.length + 1))).toEqual(
      expect.arrayContaining(['signet.db', 'signet.db-wal']),
    );
    for (const file of files) {
      const bytes = readFileSync(file);
      for (const form of forms) {
        expect(bytes.includes(form), `${form.toString('hex').slice(0, 8)}… found in ${file}`).toBe(false);
      }
    }
    // The search finds what was written: the newest link's email is in the WAL.
    expect(readFileSync(join(h.dir, 'signet.db-wal')).includes(Buffer.from(marker))).toBe(true);
  });

  it('pages the ledger by cursor, newest first: every link once, none left out', async () => {
    // Seven links made in the same millisecond: pages must split ties without repeating or skipping one.
    frozenAt = Date.now();
    const made: LinkView[] = [];
    try {
      for (let i = 0; i < 7; i++) {
        made.push(await h.ok('links:create', linkInput('products/my-plugin.zip', { orderId: `page-${i}` })));
      }
    } finally {
      frozenAt = null;
    }
    expect(new Set(made.map((l) => l.createdAt)).size).toBe(1);
    const all: { jti: string; createdAt: string }[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: LinksPage = await h.ok('links:list', { limit: 2, cursor });
      expect(page.rows.length).toBeLessThanOrEqual(2);
      all.push(...page.rows.map((r) => ({ jti: r.jti, createdAt: r.createdAt })));
      cursor = page.next;
      pages++;
    } while (cursor !== null && pages < 1000);
    expect(cursor).toBeNull();
    const createdAts = all.map((r) => r.createdAt);
    expect(all.length).toBeGreaterThan(5);
    expect([...createdAts].sort().reverse()).toEqual(createdAts);
    // No duplicates, no gaps: exactly the ledger's rows, as many as it holds.
    const jtis = all.map((r) => r.jti);
    expect(new Set(jtis).size).toBe(jtis.length);
    const ledger = h.services.db.prepare<[], { jti: string }>('SELECT jti FROM links').all();
    expect([...jtis].sort()).toEqual(ledger.map((r) => r.jti).sort());
    expect(jtis).toEqual(expect.arrayContaining(made.map((l) => l.jti)));
  });
});
