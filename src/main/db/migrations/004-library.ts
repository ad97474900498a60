import type { Migration } from './index';

/**
 * Buckets become rows (objects, jobs and links reference them), replacing the accounts' JSON list, their
 * private-bucket column and the name-keyed privacy rows; and the catalog of objects arrives, with a trigram
 * index so a search for any part of a key is an index lookup instead of a scan of every row.
 *
 * Data kept: every configured bucket keeps its position, the private bucket its role, and each bucket the
 * privacy the last connection test found.
 */
export const m004Library: Migration = {
  name: 'library',
  up(db) {
    db.exec(`
      CREATE TABLE buckets (
        id              INTEGER PRIMARY KEY,
        account_id      TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
        name            TEXT NOT NULL,
        role            TEXT NOT NULL CHECK (role IN ('files', 'private')),
        -- 0: no longer in the account's settings (synced once; its catalog is kept, not thrown away)
        configured      INTEGER NOT NULL CHECK (configured IN (0, 1)),
        position        INTEGER NOT NULL,
        model           TEXT CHECK (model IN ('object-acl', 'acl-disabled', 'no-object-acl', 'unknown')),
        exposure        TEXT NOT NULL DEFAULT 'unknown' CHECK (exposure IN ('private', 'public', 'unknown')),
        checked_at      TEXT,
        last_sync_at    TEXT,
        last_sync_error TEXT,
        UNIQUE (account_id, name)
      ) STRICT;

      INSERT INTO buckets (account_id, name, role, configured, position)
        SELECT a.id, j.value, 'files', 1, j.key
        FROM accounts a, json_each(a.buckets) j
        WHERE j.type = 'text';
      INSERT INTO buckets (account_id, name, role, configured, position)
        SELECT id, private_bucket, 'private', 1, 1000000 FROM accounts WHERE private_bucket IS NOT NULL
        ON CONFLICT (account_id, name) DO UPDATE SET role = 'private';
      -- Privacy found for a bucket that is not configured (an account listing every bucket) is kept too.
      INSERT INTO buckets (account_id, name, role, configured, position)
        SELECT account_id, bucket, 'files', 0, 2000000 FROM bucket_privacy WHERE true
        ON CONFLICT (account_id, name) DO NOTHING;
      UPDATE buckets SET model = p.model, exposure = p.exposure, checked_at = p.checked_at
        FROM bucket_privacy p
        WHERE p.account_id = buckets.account_id AND p.bucket = buckets.name;

      DROP TABLE bucket_privacy;
      ALTER TABLE accounts DROP COLUMN buckets;
      ALTER TABLE accounts DROP COLUMN private_bucket;

      CREATE TABLE objects (
        id                INTEGER PRIMARY KEY,
        bucket_id         INTEGER NOT NULL REFERENCES buckets (id) ON DELETE CASCADE,
        key               TEXT NOT NULL,
        folder            TEXT NOT NULL,             -- key up to and including its last '/'
        name              TEXT NOT NULL,             -- key after its last '/'
        size              INTEGER NOT NULL,
        last_modified     TEXT NOT NULL,
        etag              TEXT NOT NULL,
        storage_class     TEXT,
        content_type      TEXT NOT NULL,             -- from the file name's extension ('' when unknown): listings carry none
        access            TEXT NOT NULL DEFAULT 'unknown'
                          CHECK (access IN ('public', 'authenticated', 'public-bucket', 'private', 'unknown')),
        access_checked_at TEXT,
        grants            TEXT,                      -- JSON [{grantee, permission}] of the last ACL read
        verified_status   INTEGER,
        verified_at       TEXT,
        sync_mark         INTEGER NOT NULL DEFAULT 0, -- the sync that last saw it; older ones under a synced prefix are gone
        UNIQUE (bucket_id, key)
      ) STRICT;
      CREATE INDEX objects_folder ON objects (bucket_id, folder, key);

      CREATE TABLE folders (
        bucket_id INTEGER NOT NULL REFERENCES buckets (id) ON DELETE CASCADE,
        path      TEXT NOT NULL,                     -- ends with '/'
        parent    TEXT NOT NULL,                     -- '' at the top
        PRIMARY KEY (bucket_id, path)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX folders_parent ON folders (bucket_id, parent, path);

      CREATE TABLE verifications (
        id        INTEGER PRIMARY KEY,
        object_id INTEGER NOT NULL REFERENCES objects (id) ON DELETE CASCADE,
        status    INTEGER NOT NULL,                  -- HTTP status of an anonymous GET; 0 = no answer
        at        TEXT NOT NULL,
        leak      INTEGER NOT NULL CHECK (leak IN (0, 1))
      ) STRICT;
      CREATE INDEX verifications_object ON verifications (object_id, at DESC);

      -- External-content FTS5 table over objects.key: trigrams make "any part of the key" an index lookup.
      CREATE VIRTUAL TABLE objects_search USING fts5 (
        key, content = 'objects', content_rowid = 'id', tokenize = 'trigram case_sensitive 0'
      );
      CREATE TRIGGER objects_search_insert AFTER INSERT ON objects BEGIN
        INSERT INTO objects_search (rowid, key) VALUES (new.id, new.key);
      END;
      CREATE TRIGGER objects_search_delete AFTER DELETE ON objects BEGIN
        INSERT INTO objects_search (objects_search, rowid, key) VALUES ('delete', old.id, old.key);
      END;
      CREATE TRIGGER objects_search_update AFTER UPDATE OF key ON objects BEGIN
        INSERT INTO objects_search (objects_search, rowid, key) VALUES ('delete', old.id, old.key);
        INSERT INTO objects_search (rowid, key) VALUES (new.id, new.key);
      END;
    `);
  },
};
