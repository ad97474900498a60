import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, openDatabase } from '../../src/main/db/database';
import { migrations, type Migration } from '../../src/main/db/migrations';
import { AccountRepository } from '../../src/main/repositories/account-repository';

const dirs: string[] = [];
function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'signet-db-'));
  dirs.push(dir);
  return join(dir, 'signet.db');
}
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('database', () => {
  it('creates a fresh database at the latest version, in WAL mode, with STRICT tables', () => {
    const db = openDatabase(tempFile());
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    // FTS5's own shadow tables (objects_search_*) are SQLite's, not ours: they cannot be STRICT.
    const tables = db
      .prepare(
        "SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'objects_search%'",
      )
      .all() as { name: string; sql: string }[];
    expect(tables.map((t) => t.name).sort()).toEqual([
      'accounts',
      'activity',
      'buckets',
      'folders',
      'job_items',
      'jobs',
      'links',
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
    old
      .prepare(
        `INSERT INTO accounts (id, name, provider, endpoint, region, force_path_style, created_at, updated_at)
         VALUES ('a1', 'Shop', 'custom', 'http://127.0.0.1:7480', 'us-east-1', 1, 't', 't')`,
      )
      .run();
    old
      .prepare(
        `INSERT INTO buckets (account_id, name, role, configured, position) VALUES ('a1', 'b', 'files', 1, 0)`,
      )
      .run();
    old.close();

    const db = openDatabase(file);
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
    const keyColumns = (db.prepare('PRAGMA table_info(signing_keys)').all() as { name: string }[]).map(
      (c) => c.name,
    );
    expect(keyColumns).toEqual(['kid', 'created_at', 'retired_at', 'active']);
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
