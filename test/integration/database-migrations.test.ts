import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, openDatabase, registerFunctions } from '../../src/main/db/database';
import { migrations, type Migration } from '../../src/main/db/migrations';
import { AccountRepository } from '../../src/main/repositories/account-repository';
import { CatalogRepository, searchMatch } from '../../src/main/repositories/catalog-repository';
import { LinkRepository } from '../../src/main/repositories/link-repository';
import { LinksPageInputSchema } from '../../src/shared/links/schemas';
import { ObjectQuerySchema } from '../../src/shared/library/schemas';

const dirs: string[] = [];
function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'signet-db-'));
  dirs.push(dir);
  return join(dir, 'signet.db');
}
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Account 'a1' ("Shop") with its files bucket 'b', as schema version 4 and later store them. */
/** A database file at the version just before the migration `name`, as an older Signet left it. */
function databaseBefore(name: string): { file: string; old: Database.Database } {
  const file = tempFile();
  const old = new Database(file);
  registerFunctions(old);
  migrate(
    old,
    migrations.slice(
      0,
      migrations.findIndex((m) => m.name === name),
    ),
  );
  return { file, old };
}

function addShopWithBucket(db: Database.Database): void {
  db.prepare(
    `INSERT INTO accounts (id, name, provider, endpoint, region, force_path_style, created_at, updated_at)
     VALUES ('a1', 'Shop', 'custom', 'http://127.0.0.1:7480', 'us-east-1', 1, 't', 't')`,
  ).run();
  db.prepare(
    `INSERT INTO buckets (account_id, name, role, configured, position) VALUES ('a1', 'b', 'files', 1, 0)`,
  ).run();
}

describe('database', () => {
  it('creates a fresh database at the latest version, in WAL mode, with STRICT tables', () => {
    const db = openDatabase(tempFile());
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    // FTS5's own shadow tables (objects_search_*) are SQLite's, not ours: they cannot be STRICT.
    const tables = db
      .prepare(
        `SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
           AND name NOT LIKE 'objects_search%' AND name NOT GLOB 'links_search_[cdi]*' AND name <> 'links_search'`,
      )
      .all() as { name: string; sql: string }[];
    expect(tables.map((t) => t.name).sort()).toEqual([
      'accounts',
      'activity',
      'bucket_totals',
      'buckets',
      'folders',
      'job_items',
      'jobs',
      'links',
      'links_search_state',
      'objects',
      'settings',
      'signing_keys',
      'verifications',
    ]);
    for (const t of tables) expect(t.sql).toMatch(/\)\s*STRICT(, WITHOUT ROWID)?$/);
    db.close();
  });

  it('migrates a version-1 database written by an older Signet, keeping its data', () => {
    const file = tempFile();
    const old = new Database(file);
    migrate(old, migrations.slice(0, 1));
    old.prepare('INSERT INTO settings (key, value) VALUES (?, ?)').run('theme', '"dark"');
    expect(old.pragma('user_version', { simple: true })).toBe(1);
    old.close();

    const db = openDatabase(file);
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
    expect(db.prepare('SELECT key, value, updated_at FROM settings').all()).toEqual([
      { key: 'theme', value: '"dark"', updated_at: '1970-01-01T00:00:00.000Z' },
    ]);
    db.prepare('INSERT INTO activity (at, kind, message) VALUES (?, ?, ?)').run('2026-01-01', 'test', 'ok');
    db.close();
  });

  it('migrates version-3 accounts to bucket rows, keeping order, the private bucket and detected privacy', () => {
    const file = tempFile();
    const old = new Database(file);
    old.pragma('foreign_keys = ON');
    migrate(old, migrations.slice(0, 3));
    const account = old.prepare(
      `INSERT INTO accounts (id, name, provider, endpoint, region, force_path_style, buckets, private_bucket,
         clock_offset_ms, created_at, updated_at)
       VALUES (?, ?, 'custom', 'http://127.0.0.1:7480', 'us-east-1', 1, ?, ?, 1500, '2026-01-01', '2026-01-01')`,
    );
    account.run('a1', 'Shop', JSON.stringify(['media', 'downloads']), 'vault');
    account.run('a2', 'Listing all', '[]', null);
    const privacy = old.prepare(
      `INSERT INTO bucket_privacy (account_id, bucket, model, exposure, checked_at) VALUES (?, ?, ?, ?, '2026-02-02')`,
    );
    privacy.run('a1', 'downloads', 'object-acl', 'private');
    privacy.run('a1', 'vault', 'no-object-acl', 'private');
    privacy.run('a2', 'seen-by-test', 'acl-disabled', 'public');
    old.close();

    const db = openDatabase(file);
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
    expect(
      db
        .prepare(
          'SELECT account_id, name, role, configured, model, exposure, checked_at FROM buckets ORDER BY account_id, position',
        )
        .all(),
    ).toEqual([
      {
        account_id: 'a1',
        name: 'media',
        role: 'files',
        configured: 1,
        model: null,
        exposure: 'unknown',
        checked_at: null,
      },
      {
        account_id: 'a1',
        name: 'downloads',
        role: 'files',
        configured: 1,
        model: 'object-acl',
        exposure: 'private',
        checked_at: '2026-02-02',
      },
      {
        account_id: 'a1',
        name: 'vault',
        role: 'private',
        configured: 1,
        model: 'no-object-acl',
        exposure: 'private',
        checked_at: '2026-02-02',
      },
      {
        account_id: 'a2',
        name: 'seen-by-test',
        role: 'files',
        configured: 0,
        model: 'acl-disabled',
        exposure: 'public',
        checked_at: '2026-02-02',
      },
    ]);
    const accounts = new AccountRepository(db);
    expect(accounts.get('a1')).toMatchObject({
      buckets: ['media', 'downloads'],
      privateBucket: 'vault',
      clockOffsetMs: 1500,
    });
    expect(accounts.get('a2')).toMatchObject({ buckets: [], privateBucket: null });
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name = 'bucket_privacy'").get()).toEqual(
      {
        n: 0,
      },
    );
    db.close();
  });

  it('migrates a version-4 database to links: keys without secrets, a ledger that outlives its account', () => {
    const file = tempFile();
    const old = new Database(file);
    old.pragma('foreign_keys = ON');
    migrate(old, migrations.slice(0, 4));
    addShopWithBucket(old);
    old.close();

    const db = openDatabase(file);
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
    const keyColumns = (db.prepare('PRAGMA table_info(signing_keys)').all() as { name: string }[]).map(
      (c) => c.name,
    );
    expect(keyColumns).toEqual(['kid', 'created_at', 'retired_at', 'active', 'exported_at']);
    const addKey = db.prepare('INSERT INTO signing_keys (kid, created_at, active) VALUES (?, ?, ?)');
    addKey.run('k1', '2026-01-01T00:00:00.000Z', 1);
    expect(() => addKey.run('k2', '2026-01-02T00:00:00.000Z', 1)).toThrow(/UNIQUE/);
    expect(() =>
      db
        .prepare("INSERT INTO signing_keys (kid, created_at, retired_at, active) VALUES ('k3', 't', 't', 1)")
        .run(),
    ).toThrow(/CHECK/);

    const bucketId = (db.prepare("SELECT id FROM buckets WHERE name = 'b'").get() as { id: number }).id;
    db.prepare(
      `INSERT INTO links (jti, kind, bucket_id, account_id, account_name, bucket, key, product_slug, created_at, expires_at, url)
       VALUES ('AAAAAAAAAAAAAAAAAAAAAA', 'verifier', ?, 'a1', 'Shop', 'b', 'f.zip', 'f', 't', 't', 'https://v/downloads/f?token=x')`,
    ).run(bucketId);
    expect(() =>
      db
        .prepare(
          `INSERT INTO links (jti, kind, account_id, account_name, bucket, key, product_slug, created_at, expires_at, url)
           VALUES ('BBBBBBBBBBBBBBBBBBBBBB', 'other', 'a1', 'Shop', 'b', 'f.zip', 'f', 't', 't', 'u')`,
        )
        .run(),
    ).toThrow(/CHECK/);
    // Removing the account keeps the ledger row (its names stay; the bucket reference goes).
    db.prepare("DELETE FROM accounts WHERE id = 'a1'").run();
    expect(db.prepare('SELECT bucket_id, account_name, bucket FROM links').all()).toEqual([
      { bucket_id: null, account_name: 'Shop', bucket: 'b' },
    ]);
    db.close();
  });

  it('migrates a version-7 database to fixed verifier stores (unique, oldest account first) and key exports', () => {
    const file = tempFile();
    const old = new Database(file);
    old.pragma('foreign_keys = ON');
    migrate(old, migrations.slice(0, 7));
    const account = old.prepare(
      `INSERT INTO accounts (id, name, provider, endpoint, region, force_path_style, created_at, updated_at)
       VALUES (?, ?, 'custom', 'http://127.0.0.1:7480', 'us-east-1', 1, ?, ?)`,
    );
    // "Shop Main" and "Shop/Main" both derive "Shop-Main" (the export refused them); "Shop_Main" would share
    // its SIGNET_STORE_SHOP_MAIN_* variables. The oldest keeps the plain name, whatever its id.
    account.run('a3', 'Shop/Main', '2026-01-03', '2026-01-03');
    account.run('a1', 'Shop Main', '2026-01-01', '2026-01-05');
    account.run('a2', 'Shop_Main', '2026-01-02', '2026-01-02');
    account.run('a4', 'Café (prod)', '2026-01-04', '2026-01-04');
    old
      .prepare(
        `INSERT INTO buckets (account_id, name, role, configured, position) VALUES ('a1', 'media', 'files', 1, 0)`,
      )
      .run();
    old
      .prepare(
        "INSERT INTO signing_keys (kid, created_at, active) VALUES ('k1', '2026-01-01T00:00:00.000Z', 1)",
      )
      .run();
    old.close();

    const db = openDatabase(file);
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
    expect(migrations[7]!.name).toBe('verifier-store');
    expect(db.prepare('SELECT id, name, verifier_store FROM accounts ORDER BY id').all()).toEqual([
      { id: 'a1', name: 'Shop Main', verifier_store: 'Shop-Main' },
      { id: 'a2', name: 'Shop_Main', verifier_store: 'Shop_Main-2' },
      { id: 'a3', name: 'Shop/Main', verifier_store: 'Shop-Main-3' },
      { id: 'a4', name: 'Café (prod)', verifier_store: 'Cafe-prod' },
    ]);
    const accounts = new AccountRepository(db);
    expect(accounts.get('a1')).toMatchObject({ buckets: ['media'], verifierStore: 'Shop-Main' });
    expect(db.prepare('SELECT kid, active, exported_at FROM signing_keys').all()).toEqual([
      { kid: 'k1', active: 1, exported_at: null },
    ]);

    // The index refuses a second store that differs only in case or in "-" / "." / "_".
    const setStore = db.prepare('UPDATE accounts SET verifier_store = ? WHERE id = ?');
    expect(() => setStore.run('shop.main', 'a4')).toThrow(/UNIQUE/);
    expect(() => setStore.run('has space', 'a4')).toThrow(/CHECK/);
    // A rename keeps the store; a new account with the old name gets the next free one.
    accounts.update(
      'a1',
      { ...accounts.get('a1')!, name: 'Renamed', buckets: ['media'], privateBucket: null },
      '2026-02-01',
      true,
    );
    expect(accounts.get('a1')).toMatchObject({ name: 'Renamed', verifierStore: 'Shop-Main' });
    const store = accounts.insert(
      'a5',
      {
        name: 'Shop Main',
        provider: 'custom',
        endpoint: '',
        region: 'us-east-1',
        forcePathStyle: false,
        buckets: [],
        privateBucket: null,
      },
      '2026-02-02',
    );
    expect(store).toBe('Shop-Main-4');
    expect(accounts.verifierStore('a5')).toBe('Shop-Main-4');
    db.close();
  });

  it('migrates a version-8 catalog to indexing new keys per page: old keys stay findable, new ones are found', () => {
    const file = tempFile();
    const old = new Database(file);
    registerFunctions(old);
    migrate(old, migrations.slice(0, 8));
    addShopWithBucket(old);
    const bucketId = (old.prepare("SELECT id FROM buckets WHERE name = 'b'").get() as { id: number }).id;
    // Written as version 8 wrote it: the row, and its trigger indexes it.
    old
      .prepare(
        `INSERT INTO objects (bucket_id, key, folder, name, size, last_modified, etag, storage_class, content_type)
         VALUES (?, 'ebooks/Old Guide.pdf', 'ebooks/', 'Old Guide.pdf', 1, 't', 'e1', 'STANDARD', 'application/pdf')`,
      )
      .run(bucketId);
    old.close();

    const db = openDatabase(file);
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
    const triggers = (
      db.prepare("SELECT name FROM sqlite_schema WHERE type = 'trigger' ORDER BY name").all() as {
        name: string;
      }[]
    ).map((t) => t.name);
    expect(triggers).toEqual([
      'objects_search_delete',
      'objects_search_update',
      'objects_totals_delete',
      'objects_totals_update',
    ]);
    // A listing's new rows fire no trigger: the page adds them to the index (and to the totals, migration 017).
    expect(
      db
        .prepare("SELECT count(*) AS n FROM sqlite_schema WHERE type = 'trigger' AND sql LIKE '%INSERT ON%'")
        .get(),
    ).toEqual({ n: 0 });
    const catalog = new CatalogRepository(db);
    catalog.upsertPage(
      bucketId,
      [{ key: 'ebooks/New Guide.pdf', size: 2, lastModified: 't', etag: 'e2', storageClass: 'STANDARD' }],
      2,
      new Set(),
    );
    // The index alone (every trigram of the text), without the exact check a search adds: what 009 changed.
    const found = (text: string) =>
      (
        db
          .prepare(
            'SELECT o.key FROM objects o WHERE o.id IN (SELECT rowid FROM objects_search WHERE objects_search MATCH ?) ORDER BY o.key',
          )
          .all(searchMatch(text).match) as { key: string }[]
      ).map((r) => r.key);
    expect(found('guide')).toEqual(['ebooks/New Guide.pdf', 'ebooks/Old Guide.pdf']);
    expect(found('new gu')).toEqual(['ebooks/New Guide.pdf']);
    // Deletes still leave the index by their trigger.
    db.prepare("DELETE FROM objects WHERE key = 'ebooks/Old Guide.pdf'").run();
    expect(found('guide')).toEqual(['ebooks/New Guide.pdf']);
    // The index matches the table exactly (rank 1: checked against the content, not only internally).
    expect(() =>
      db.prepare("INSERT INTO objects_search (objects_search, rank) VALUES ('integrity-check', 1)").run(),
    ).not.toThrow();
    db.close();
  });

  it('migrates a ledger to its search index: links already there are found before and after it is filled', () => {
    const { file, old } = databaseBefore('link-search');
    old.exec(`INSERT INTO links (jti, kind, account_id, account_name, bucket, key, product_slug, order_id, email,
        created_at, expires_at, url)
      VALUES ('jti-0000000000000001', 'verifier', 'a1', 'Shop', 'b', 'f.zip', 'font', 'ORD-7731', 'Ann@Example.com',
        '2026-01-01T00:00:00.000Z', '2026-02-01T00:00:00.000Z', 'https://x')`);
    old.close();

    const db = openDatabase(file);
    const links = new LinkRepository(db);
    const found = (search: string) =>
      links
        .page(LinksPageInputSchema.parse({ search, limit: 10 }), '2026-01-02T00:00:00.000Z')
        .rows.map((r) => r.jti);
    expect(db.prepare('SELECT up_to FROM links_search_state').pluck().get()).toBe(0);
    expect(found('ord-7731')).toEqual(['jti-0000000000000001']);
    expect(links.fillSearchIndex()).toBe(1);
    expect(found('ann@example')).toEqual(['jti-0000000000000001']);
    expect(found('ord-7732')).toEqual([]);
    db.close();
  });

  it('migrates a catalog to its search terms: one or two characters find the keys already there through the index', () => {
    const { file, old } = databaseBefore('search-terms');
    addShopWithBucket(old);
    const bucketId = (old.prepare("SELECT id FROM buckets WHERE name = 'b'").get() as { id: number }).id;
    // Written as the version before wrote them: the rows, and the index of the page; no terms.
    const insert = old.prepare(
      `INSERT INTO objects (bucket_id, key, folder, name, size, last_modified, etag, storage_class, content_type)
       VALUES (?, ?, '', ?, 1, 't', 'e1', 'STANDARD', '')`,
    );
    for (const key of ['ebooks/Ωmega Guide.pdf', 'Ab']) insert.run(bucketId, key, key);
    old.exec('INSERT INTO objects_search (rowid, key) SELECT id, key FROM objects');
    old.close();

    const db = openDatabase(file);
    const catalog = new CatalogRepository(db);
    const found = (search: string) =>
      [...catalog.iterate(ObjectQuerySchema.parse({ bucketId, search }), { plan: 'index' })].map(
        (o) => o.key,
      );
    expect(found('ω')).toEqual(['ebooks/Ωmega Guide.pdf']);
    // A key shorter than three characters has no trigram: it is kept whole, and found by name.
    expect(found('a')).toEqual(['Ab', 'ebooks/Ωmega Guide.pdf']);
    expect(found('AB')).toEqual(['Ab']);
    // Another connection (a sync's worker) writes a key: this one sees its terms.
    const worker = openDatabase(file);
    new CatalogRepository(worker).upsertPage(
      bucketId,
      [{ key: 'new/Ψ.bin', size: 1, lastModified: 't', etag: 'e2', storageClass: null }],
      2,
      new Set(),
    );
    expect(found('ψ')).toEqual(['new/Ψ.bin']);
    worker.close();
    db.close();
  });

  it('migrates a catalog to the bucket list’s totals: the files already there counted once, new ones added', () => {
    const { file, old } = databaseBefore('bucket-totals');
    addShopWithBucket(old);
    const bucketId = (old.prepare("SELECT id FROM buckets WHERE name = 'b'").get() as { id: number }).id;
    const insert = old.prepare(
      `INSERT INTO objects (bucket_id, key, folder, name, size, last_modified, etag, storage_class, content_type,
         access, verified_status)
       VALUES (?, ?, '', ?, ?, 't', 'e1', 'STANDARD', '', ?, ?)`,
    );
    const files: [string, number, string, number | null][] = [
      ['a', 10, 'private', 200],
      ['b', 20, 'private', 403],
      ['c', 30, 'public', 200],
      ['d', 40, 'authenticated', 200],
      ['e', 50, 'unknown', null],
    ];
    for (const [key, size, access, status] of files) insert.run(bucketId, key, key, size, access, status);
    old.close();

    const db = openDatabase(file);
    const catalog = new CatalogRepository(db);
    expect(catalog.summary(bucketId)).toEqual({
      objects: 5,
      bytes: 150,
      access: { public: 1, authenticated: 1, 'public-bucket': 0, private: 2, unknown: 1 },
      leaks: 2,
    });
    catalog.upsertPage(
      bucketId,
      [{ key: 'f', size: 60, lastModified: 't', etag: 'e2', storageClass: null }],
      2,
      new Set(),
    );
    expect(catalog.summary(bucketId)).toMatchObject({ objects: 6, bytes: 210, access: { unknown: 2 } });
    db.close();
  });

  it('rolls a failing migration back whole and stays at the last good version', () => {
    const file = tempFile();
    const broken: Migration = {
      name: 'broken',
      up(db) {
        db.exec('CREATE TABLE half_done (x INTEGER) STRICT');
        db.exec('THIS IS NOT SQL');
      },
    };
    expect(() => openDatabase(file, [...migrations, broken])).toThrow();
    const db = new Database(file);
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name = 'half_done'").get()).toEqual({
      n: 0,
    });
    db.close();
  });

  it('refuses a database from a newer Signet instead of damaging it', () => {
    const file = tempFile();
    const db = new Database(file);
    db.pragma('user_version = 99');
    db.close();
    expect(() => openDatabase(file)).toThrow(/newer version of Signet/);
  });

  it('STRICT tables refuse values of the wrong type', () => {
    const db = openDatabase(tempFile());
    const insert = db.prepare('INSERT INTO activity (at, kind, message) VALUES (?, ?, ?)');
    expect(() => insert.run(Buffer.from('x'), 'k', 'm')).toThrow(/cannot store BLOB value in TEXT column/);
    db.close();
  });
});
