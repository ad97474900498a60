import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, openDatabase } from '../../src/main/db/database';
import { migrations } from '../../src/main/db/migrations';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('migration 003: storage accounts', () => {
  it('upgrades a version-2 database written by an older Signet, keeping its data', () => {
    const dir = mkdtempSync(join(tmpdir(), 'signet-db-accounts-'));
    dirs.push(dir);
    const file = join(dir, 'signet.db');
    const old = new Database(file);
    migrate(old, migrations.slice(0, 2));
    old.prepare('INSERT INTO settings (key, value) VALUES (?, ?)').run('theme', '"dark"');
    old.close();

    const db = openDatabase(file);
    expect(migrations[2]!.name).toBe('accounts');
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
    expect(db.prepare('SELECT value FROM settings WHERE key = ?').get('theme')).toEqual({ value: '"dark"' });
    const tables = db
      .prepare(
        "SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND name IN ('accounts', 'buckets', 'bucket_privacy')",
      )
      .all() as { name: string; sql: string }[];
    // Migration 004 turned the name-keyed privacy rows into bucket rows.
    expect(tables.map((t) => t.name).sort()).toEqual(['accounts', 'buckets']);
    for (const t of tables) expect(t.sql).toMatch(/\)\s*STRICT$/);
    // No column for a secret exists at all.
    const columns = (
      db.prepare("SELECT name FROM pragma_table_info('accounts')").all() as { name: string }[]
    ).map((c) => c.name);
    expect(columns.filter((c) => /secret|key|token|password/i.test(c))).toEqual([]);
    db.close();
  });

  it('enforces types, unique names (any case) and removes bucket rows with their account', () => {
    const db = openDatabase(':memory:');
    const insert = db.prepare(
      `INSERT INTO accounts (id, name, provider, endpoint, region, force_path_style, created_at, updated_at)
       VALUES (?, ?, 'custom', 'http://127.0.0.1:7480', 'us-east-1', ?, '2026-01-01', '2026-01-01')`,
    );
    insert.run('a1', 'Shop', 1);
    expect(() => insert.run('a2', 'SHOP', 0)).toThrow(/UNIQUE/);
    expect(() => insert.run('a3', 'Other', 'yes')).toThrow();
    db.prepare(
      `INSERT INTO buckets (account_id, name, role, configured, position, model, exposure, checked_at)
       VALUES ('a1', 'b', 'files', 1, 0, 'object-acl', 'private', '2026-01-01')`,
    ).run();
    expect(() =>
      db
        .prepare(
          `INSERT INTO buckets (account_id, name, role, configured, position, model, exposure)
           VALUES ('a1', 'c', 'files', 1, 1, 'public-ish', 'private')`,
        )
        .run(),
    ).toThrow(/CHECK/);
    expect(() =>
      db
        .prepare(
          `INSERT INTO buckets (account_id, name, role, configured, position) VALUES ('a1', 'b', 'files', 1, 2)`,
        )
        .run(),
    ).toThrow(/UNIQUE/);
    db.prepare('DELETE FROM accounts WHERE id = ?').run('a1');
    expect(db.prepare('SELECT count(*) AS n FROM buckets').get()).toEqual({ n: 0 });
    db.close();
  });
});
