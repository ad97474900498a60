import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, openDatabase } from '../../src/main/db/database';
import { migrations, type Migration } from '../../src/main/db/migrations';

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
    const tables = db
      .prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
      .all() as { name: string; sql: string }[];
    expect(tables.map((t) => t.name).sort()).toEqual(['accounts', 'activity', 'bucket_privacy', 'settings']);
    for (const t of tables) expect(t.sql).toMatch(/\)\s*STRICT$/);
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
