import Database from 'better-sqlite3';
import { migrations, type Migration } from './migrations';
import { createPrivateDatabaseFile, restrictDatabaseSideFiles } from '../lib/private-files';

export type Db = Database.Database;

/**
 * Opens (creating if needed) the catalog database and brings its schema up to date.
 * WAL lets the UI read while a long task writes; foreign keys are off by default in SQLite.
 */
export function openDatabase(file: string, list: readonly Migration[] = migrations): Db {
  // Owner-only on Unix (it holds customer emails): the file before SQLite opens it, -wal/-shm once they exist.
  createPrivateDatabaseFile(file);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  restrictDatabaseSideFiles(file);
  // Safe with WAL (no corruption on power loss; at most the last commits roll back) and it spares an fsync per
  // transaction, which a sync writing a catalog page at a time feels.
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // A million-object catalog is some 340 MB. SQLite's default 2 MB page cache makes every search re-read its
  // candidate rows through read() calls; mapping the file lets those reads be memory reads (the pages are the OS
  // page cache's, shared, not the process's own), and a larger cache keeps the indexes' upper levels in memory.
  db.pragma('mmap_size = 1073741824');
  db.pragma('cache_size = -32768');
  registerFunctions(db);
  migrate(db, list);
  return db;
}

/**
 * `contains_folded(text, needle)`: 1 when `text` contains `needle` (already lower-cased) ignoring case, for every
 * script (SQLite's own lower() and LIKE fold ASCII only). The key search checks its index hits with it.
 */
export function registerFunctions(db: Db): void {
  db.function('contains_folded', { deterministic: true }, (text: unknown, needle: unknown) =>
    typeof text === 'string' && typeof needle === 'string' && text.toLowerCase().includes(needle) ? 1 : 0,
  );
}

/**
 * Applies every migration newer than `PRAGMA user_version`, each in its own transaction together with the
 * version bump, so a failure leaves the database at the last good version rather than half-migrated.
 */
export function migrate(db: Db, list: readonly Migration[] = migrations): { from: number; to: number } {
  const from = db.pragma('user_version', { simple: true }) as number;
  const latest = list.length;
  if (from > latest) {
    throw new Error(
      `This database was written by a newer version of Signet (schema ${from}, this version knows ${latest}). ` +
        'Update Signet to open it; nothing was changed.',
    );
  }
  list.forEach((migration, index) => {
    const version = index + 1;
    if (version <= from) return;
    db.transaction(() => {
      migration.up(db);
      db.pragma(`user_version = ${version}`);
    })();
  });
  return { from, to: latest };
}
