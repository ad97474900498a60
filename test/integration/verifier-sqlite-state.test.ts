/**
 * SqliteState on a real database file: the consume transaction, revocations, the schema migration,
 * persistence across reopening, and waiting for a write lock held by another process without freezing
 * the event loop.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';

import { LINK_GRACE_SECONDS, SQLITE_SCHEMA_VERSION, SqliteState } from '../../src/verifier/state/sqlite';
import { tempDir } from '../support/verifier';

const require = createRequire(import.meta.url);
const tmp = tempDir('signet-sqlite-state-');
afterAll(() => tmp.cleanup());

let seq = 0;
const newJti = (): string => `jti_${process.pid}_${++seq}`.padEnd(22, 'A');
const inAnHour = (): number => Math.floor(Date.now() / 1000) + 3600;
let dbSeq = 0;
const newDbPath = (): string => join(tmp.dir, `state-${++dbSeq}.db`);

describe('SqliteState', () => {
  it('counts downloads, enforces max without counting past it', async () => {
    const s = SqliteState.open(newDbPath());
    try {
      const jti = newJti();
      const expires = inAnHour();
      expect(await s.consume({ jti, max: 2, expires })).toEqual({ outcome: 'ok', downloads: 1 });
      expect(await s.consume({ jti, max: 2, expires })).toEqual({ outcome: 'ok', downloads: 2 });
      expect(await s.consume({ jti, max: 2, expires })).toEqual({ outcome: 'exhausted', downloads: 2 });
      expect(await s.downloads(jti)).toBe(2);
      const unlimited = newJti();
      for (let i = 1; i <= 3; i++)
        expect(await s.consume({ jti: unlimited, expires })).toEqual({ outcome: 'ok', downloads: i });
    } finally {
      await s.close();
    }
  });

  it('revokes by jti and by licence (42 and "42" are one), and undoes both', async () => {
    const s = SqliteState.open(newDbPath());
    try {
      const jti = newJti();
      const other = newJti();
      const expires = inAnHour();
      await s.consume({ jti, licenseId: 42, expires });
      await s.revoke({ jti });
      expect(await s.consume({ jti, licenseId: 42, expires })).toEqual({ outcome: 'revoked' });
      expect(await s.linkStatus(jti)).toEqual({ downloads: 1, revoked: true });
      await s.unrevoke({ jti });
      expect(await s.linkStatus(jti)).toEqual({ downloads: 1, revoked: false });

      await s.revoke({ licenseId: '42' });
      expect(await s.consume({ jti: other, licenseId: 42, expires })).toEqual({ outcome: 'revoked' });
      expect(await s.isRevoked(other, 42)).toBe(true);
      expect(await s.isRevoked(other)).toBe(false);
      // As in the Redis state: linkStatus is about the jti itself.
      expect(await s.linkStatus(other)).toEqual({ downloads: 0, revoked: false });
      // Revoking twice is fine; one undo restores.
      await s.revoke({ licenseId: 42 });
      await s.unrevoke({ licenseId: 42 });
      expect(await s.consume({ jti: other, licenseId: '42', expires })).toEqual({
        outcome: 'ok',
        downloads: 1,
      });
    } finally {
      await s.close();
    }
  });

  it('keeps counts and revocations across a reopen (a restart)', async () => {
    const path = newDbPath();
    const jti = newJti();
    const revoked = newJti();
    const expires = inAnHour();
    const first = SqliteState.open(path);
    await first.consume({ jti, max: 3, expires });
    await first.consume({ jti, max: 3, expires });
    await first.revoke({ jti: revoked });
    await first.revoke({ licenseId: 'order:7/line 1' });
    await first.close();

    const again = SqliteState.open(path);
    try {
      expect(await again.linkStatus(jti)).toEqual({ downloads: 2, revoked: false });
      expect(await again.consume({ jti, max: 3, expires })).toEqual({ outcome: 'ok', downloads: 3 });
      expect(await again.consume({ jti, max: 3, expires })).toEqual({ outcome: 'exhausted', downloads: 3 });
      expect(await again.isRevoked(revoked)).toBe(true);
      expect(await again.isRevoked(newJti(), 'order:7/line 1')).toBe(true);
    } finally {
      await again.close();
    }
  });

  it('creates STRICT tables in WAL mode and records the schema version', async () => {
    const path = newDbPath();
    await SqliteState.open(path).close();
    const db = new Database(path, { readonly: true });
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(SQLITE_SCHEMA_VERSION);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      const tables = db
        .prepare(
          "SELECT name, strict FROM pragma_table_list WHERE schema = 'main' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )
        .all();
      expect(tables).toEqual([
        { name: 'links', strict: 1 },
        { name: 'revoked_jtis', strict: 1 },
        { name: 'revoked_licenses', strict: 1 },
      ]);
    } finally {
      db.close();
    }
    // Opening again does not migrate twice.
    await SqliteState.open(path).close();
  });

  it('refuses a database written by a newer verifier', () => {
    const path = newDbPath();
    const db = new Database(path);
    db.pragma('user_version = 99');
    db.close();
    expect(() => SqliteState.open(path)).toThrow(/schema version 99 is newer than this verifier knows/);
  });

  it('prunes counters of links expired longer than the grace period', async () => {
    let now = Math.floor(Date.now() / 1000);
    const s = SqliteState.open(newDbPath(), { now: () => now });
    try {
      const old = newJti();
      const fresh = newJti();
      await s.consume({ jti: old, expires: now - 10 });
      await s.consume({ jti: fresh, expires: now + 3600 });
      now += LINK_GRACE_SECONDS + 60;
      expect(await s.prune()).toBe(1);
      expect(await s.downloads(old)).toBe(0);
      expect(await s.downloads(fresh)).toBe(1);
    } finally {
      await s.close();
    }
  });

  it('waits for a write lock held by another process without freezing the event loop', async () => {
    const path = newDbPath();
    const s = SqliteState.open(path);
    try {
      // Another process takes the write lock for 400 ms.
      const holder = spawn(
        process.execPath,
        [
          '-e',
          `const D = require(${JSON.stringify(require.resolve('better-sqlite3'))});
           const db = new D(${JSON.stringify(path)});
           db.exec('BEGIN IMMEDIATE'); console.log('locked');
           setTimeout(() => { db.exec('COMMIT'); db.close(); }, 400);`,
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      await new Promise<void>((resolve) => holder.stdout?.once('data', () => resolve()));

      let ticks = 0;
      const ticker = setInterval(() => ticks++, 10);
      const started = Date.now();
      const result = await s.consume({ jti: newJti(), max: 1, expires: inAnHour() });
      const waited = Date.now() - started;
      clearInterval(ticker);
      await new Promise((r) => holder.once('exit', r));

      expect(result).toEqual({ outcome: 'ok', downloads: 1 });
      expect(waited).toBeGreaterThanOrEqual(250);
      // Timers kept firing while consume waited: the loop was free.
      expect(ticks).toBeGreaterThanOrEqual(10);
    } finally {
      await s.close();
    }
  });
});
