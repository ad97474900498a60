import type { Migration } from './index';

/**
 * Storage accounts (non-secret settings only: credentials live in the OS keychain) and what Signet learned about
 * each bucket's privacy, which later features (uploads, "make private", links) read.
 */
export const m003Accounts: Migration = {
  name: 'accounts',
  up(db) {
    db.exec(`
      CREATE TABLE accounts (
        id               TEXT PRIMARY KEY,
        name             TEXT NOT NULL COLLATE NOCASE UNIQUE,
        provider         TEXT NOT NULL,
        endpoint         TEXT NOT NULL,               -- '' = the provider's standard endpoint (Amazon S3)
        region           TEXT NOT NULL,
        force_path_style INTEGER NOT NULL CHECK (force_path_style IN (0, 1)),
        buckets          TEXT NOT NULL DEFAULT '[]',  -- JSON array of bucket names
        private_bucket   TEXT,
        clock_offset_ms  INTEGER NOT NULL DEFAULT 0,  -- server time minus local time, applied when signing
        last_test        TEXT,                        -- JSON of the last connection test (holds no secret)
        last_tested_at   TEXT,
        created_at       TEXT NOT NULL,
        updated_at       TEXT NOT NULL
      ) STRICT;
      CREATE TABLE bucket_privacy (
        account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
        bucket     TEXT NOT NULL,
        model      TEXT NOT NULL CHECK (model IN ('object-acl', 'acl-disabled', 'no-object-acl', 'unknown')),
        exposure   TEXT NOT NULL CHECK (exposure IN ('private', 'public', 'unknown')),
        checked_at TEXT NOT NULL,
        PRIMARY KEY (account_id, bucket)
      ) STRICT;
    `);
  },
};
