/**
 * The verifier's SQLite schema: its numbered migrations, and the step that runs them (with the state's network
 * secret) when a state file is opened. The store that uses the tables is sqlite.ts.
 */
import type Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';

import { NETWORK_SECRET_BYTES } from './networks';

/** Each entry moves the schema one version up; PRAGMA user_version records how many ran. */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE links (
    jti               TEXT PRIMARY KEY,
    downloads         INTEGER NOT NULL CHECK (downloads >= 0),
    license_id        TEXT,
    expires           INTEGER NOT NULL,
    first_download_at INTEGER NOT NULL,
    last_download_at  INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX links_by_expiry ON links (expires);
  CREATE TABLE revoked_jtis (
    jti        TEXT PRIMARY KEY,
    revoked_at INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID;
  CREATE TABLE revoked_licenses (
    license_id TEXT PRIMARY KEY,
    revoked_at INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID;
  `,
  // Resumes (a Range starting after byte 0) are counted: see REDIRECT_RESUMES_PER_DOWNLOAD.
  `ALTER TABLE links ADD COLUMN resumes INTEGER NOT NULL DEFAULT 0 CHECK (resumes >= 0);`,
  // Bytes charged to a link (file sources): see byteBudget in types.ts.
  `ALTER TABLE links ADD COLUMN bytes_sent INTEGER NOT NULL DEFAULT 0 CHECK (bytes_sent >= 0);`,
  // Share guard: a link's networks as keyed hashes (never addresses), in the order first seen, and the
  // state's own secrets (the hash key: generated in migrate(), never in the config).
  `
  CREATE TABLE link_networks (
    jti     TEXT NOT NULL,
    net     BLOB NOT NULL,
    seq     INTEGER NOT NULL CHECK (seq >= 1),
    expires INTEGER NOT NULL,
    PRIMARY KEY (jti, net)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX link_networks_by_expiry ON link_networks (expires);
  CREATE TABLE state_secrets (
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL
  ) STRICT, WITHOUT ROWID;
  `,
];
export const SQLITE_SCHEMA_VERSION = MIGRATIONS.length;

/** Brings the schema up to date and returns the state's network secret (created on first use). */
export function migrate(db: Database.Database): Buffer {
  return db
    .transaction(() => {
      const version = db.pragma('user_version', { simple: true }) as number;
      if (version > MIGRATIONS.length) {
        throw new Error(
          `verifier database schema version ${version} is newer than this verifier knows (${MIGRATIONS.length}); ` +
            'upgrade the verifier',
        );
      }
      for (let v = version; v < MIGRATIONS.length; v++) db.exec(MIGRATIONS[v] as string);
      if (version !== MIGRATIONS.length) db.pragma(`user_version = ${MIGRATIONS.length}`);
      // Inside the IMMEDIATE transaction: of several processes opening a new file at once, the first
      // writes the secret and the others read that one.
      db.prepare("INSERT OR IGNORE INTO state_secrets (name, value) VALUES ('network', ?)").run(
        randomBytes(NETWORK_SECRET_BYTES),
      );
      return db.prepare("SELECT value FROM state_secrets WHERE name = 'network'").pluck().get() as Buffer;
    })
    .immediate();
}
