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
import {
  REDIRECT_RESUME_WINDOW_SECONDS,
  REDIRECT_RESUMES_PER_DOWNLOAD,
} from '../../src/verifier/state/types';
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

  it('runs consumes of one event-loop turn in one transaction, with the outcomes of running them in order', async () => {
    const path = newDbPath();
    const s = SqliteState.open(path, { checkpointer: false });
    try {
      const jti = newJti();
      const expires = inAnHour();
      // PRAGMA data_version changes on a connection each time another connection commits.
      const watcher = new Database(path, { readonly: true });
      const versionBefore = watcher.pragma('data_version', { simple: true }) as number;
      const outcomes = await Promise.all(
        Array.from({ length: 10 }, () => s.consume({ jti, max: 3, expires })),
      );
      expect(outcomes).toEqual([
        { outcome: 'ok', downloads: 1 },
        { outcome: 'ok', downloads: 2 },
        { outcome: 'ok', downloads: 3 },
        ...Array.from({ length: 7 }, () => ({ outcome: 'exhausted', downloads: 3 })),
      ]);
      // One commit for the ten.
      expect(watcher.pragma('data_version', { simple: true })).toBe(versionBefore + 1);
      watcher.close();
    } finally {
      await s.close();
    }
  });

  it('bounds file resumes by bytes (downloads × size × 1.25), gives back refunds; a first resume counts', async () => {
    const s = SqliteState.open(newDbPath());
    try {
      const jti = newJti();
      const expires = inAnHour();
      const file = (bytes: number) => ({ jti, max: 1, expires, bytes, fileSize: 1000 });
      // A resume of a link never downloaded counts as its first download (and charges its bytes).
      expect(await s.resume(file(999))).toEqual({ outcome: 'ok', downloads: 1 });
      expect(await s.resume(file(251))).toEqual({ outcome: 'ok', downloads: 1 }); // 1250 of 1250
      expect(await s.resume(file(1))).toEqual({ outcome: 'exhausted', downloads: 1 });
      // A broken transfer gives back what it did not send: the download can go on.
      await s.refund(jti, 500);
      expect(await s.resume(file(500))).toEqual({ outcome: 'ok', downloads: 1 });
      expect(await s.resume(file(1))).toEqual({ outcome: 'exhausted', downloads: 1 });
      expect(await s.downloads(jti)).toBe(1);
      await s.revoke({ jti });
      expect(await s.resume(file(1))).toEqual({ outcome: 'revoked' });
    } finally {
      await s.close();
    }
  });

  it('bounds redirect resumes by time after the last counted download and by count', async () => {
    let now = 1_800_000_000;
    const s = SqliteState.open(newDbPath(), { now: () => now });
    try {
      const expires = now + 3600;
      const jti = newJti();
      expect(await s.consume({ jti, max: 1, expires })).toEqual({ outcome: 'ok', downloads: 1 });
      for (let i = 0; i < REDIRECT_RESUMES_PER_DOWNLOAD; i++)
        expect(await s.resume({ jti, max: 1, expires })).toEqual({ outcome: 'ok', downloads: 1 });
      expect(await s.resume({ jti, max: 1, expires })).toEqual({ outcome: 'exhausted', downloads: 1 });

      const late = newJti();
      expect(await s.consume({ jti: late, expires })).toEqual({ outcome: 'ok', downloads: 1 });
      now += REDIRECT_RESUME_WINDOW_SECONDS;
      expect(await s.resume({ jti: late, expires })).toEqual({ outcome: 'ok', downloads: 1 });
      now += 1;
      expect(await s.resume({ jti: late, expires })).toEqual({ outcome: 'exhausted', downloads: 1 });
      // A new counted download opens a new window.
      expect(await s.consume({ jti: late, expires })).toEqual({ outcome: 'ok', downloads: 2 });
      expect(await s.resume({ jti: late, expires })).toEqual({ outcome: 'ok', downloads: 2 });
    } finally {
      await s.close();
    }
  });

  it('migrates a version-1 database (before resumes were bounded), keeping its counts', async () => {
    const path = newDbPath();
    const old = new Database(path);
    old.exec(`CREATE TABLE links (jti TEXT PRIMARY KEY, downloads INTEGER NOT NULL CHECK (downloads >= 0),
                license_id TEXT, expires INTEGER NOT NULL, first_download_at INTEGER NOT NULL,
                last_download_at INTEGER NOT NULL) STRICT, WITHOUT ROWID;
              CREATE INDEX links_by_expiry ON links (expires);
              CREATE TABLE revoked_jtis (jti TEXT PRIMARY KEY, revoked_at INTEGER NOT NULL) STRICT, WITHOUT ROWID;
              CREATE TABLE revoked_licenses (license_id TEXT PRIMARY KEY, revoked_at INTEGER NOT NULL) STRICT, WITHOUT ROWID;
              PRAGMA user_version = 1;`);
    const jti = newJti();
    old.prepare('INSERT INTO links VALUES (?, 2, NULL, ?, 0, 0)').run(jti, inAnHour());
    old.close();
    const s = SqliteState.open(path);
    try {
      expect(await s.consume({ jti, max: 3, expires: inAnHour() })).toEqual({ outcome: 'ok', downloads: 3 });
      expect(await s.resume({ jti, max: 3, expires: inAnHour() })).toEqual({ outcome: 'ok', downloads: 3 });
    } finally {
      await s.close();
    }
    const db = new Database(path, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(SQLITE_SCHEMA_VERSION);
    db.close();
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
      expect(await s.linkStatus(jti)).toEqual({ downloads: 1, revoked: true, revokedBy: 'jti', networks: 0 });
      await s.unrevoke({ jti });
      expect(await s.linkStatus(jti)).toEqual({ downloads: 1, revoked: false, revokedBy: null, networks: 0 });

      await s.revoke({ licenseId: '42' });
      expect(await s.consume({ jti: other, licenseId: 42, expires })).toEqual({ outcome: 'revoked' });
      expect(await s.isRevoked(other, 42)).toBe(true);
      expect(await s.isRevoked(other)).toBe(false);
      // A link already counted, revoked through its licence: refused, and not counted again.
      expect(await s.consume({ jti, licenseId: 42, expires })).toEqual({ outcome: 'revoked' });
      // A link's licence is known once it was downloaded: `other` never was, `jti` was (licence 42).
      expect(await s.linkStatus(other)).toEqual({
        downloads: 0,
        revoked: false,
        revokedBy: null,
        networks: 0,
      });
      expect(await s.linkStatus(jti)).toEqual({
        downloads: 1,
        revoked: true,
        revokedBy: 'license',
        networks: 0,
      });
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
      expect(await again.linkStatus(jti)).toEqual({
        downloads: 2,
        revoked: false,
        revokedBy: null,
        networks: 0,
      });
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
        { name: 'link_networks', strict: 1 },
        { name: 'links', strict: 1 },
        { name: 'revoked_jtis', strict: 1 },
        { name: 'revoked_licenses', strict: 1 },
        { name: 'state_secrets', strict: 1 },
      ]);
      // The share guard's hash key: generated once, in the state, 32 bytes.
      const secret = db.prepare("SELECT value FROM state_secrets WHERE name = 'network'").pluck().get();
      expect(secret).toBeInstanceOf(Buffer);
      expect(secret).toHaveLength(32);
    } finally {
      db.close();
    }
    // Opening again does not migrate twice, and keeps the secret.
    const secretOf = (): unknown => {
      const again = new Database(path, { readonly: true });
      try {
        return again.prepare("SELECT value FROM state_secrets WHERE name = 'network'").pluck().get();
      } finally {
        again.close();
      }
    };
    const before = secretOf();
    await SqliteState.open(path).close();
    expect(secretOf()).toEqual(before);
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
      // Listen for the exit from the start: the holder may be gone by the time consume returns.
      const exited = new Promise((r) => holder.once('exit', r));
      await new Promise<void>((resolve) => holder.stdout?.once('data', () => resolve()));

      let ticks = 0;
      const ticker = setInterval(() => ticks++, 10);
      const started = Date.now();
      const result = await s.consume({ jti: newJti(), max: 1, expires: inAnHour() });
      const waited = Date.now() - started;
      clearInterval(ticker);
      await exited;

      expect(result).toEqual({ outcome: 'ok', downloads: 1 });
      expect(waited).toBeGreaterThanOrEqual(250);
      // Timers kept firing while consume waited: the loop was free.
      expect(ticks).toBeGreaterThanOrEqual(10);
    } finally {
      await s.close();
    }
  });
});
