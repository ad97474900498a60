import type { Migration } from './index';

/**
 * Durable jobs (uploads, make private / public): a job row and one row per item, written before any work
 * starts, so a process killed mid-job leaves enough to resume: which items are done, which move copied but did
 * not yet delete its source. `owner` and `lease_until` let one process at a time run a job.
 */
export const m006Jobs: Migration = {
  name: 'jobs',
  up(db) {
    db.exec(`
      CREATE TABLE jobs (
        id           INTEGER PRIMARY KEY,
        kind         TEXT NOT NULL CHECK (kind IN ('upload', 'private', 'public')),
        state        TEXT NOT NULL CHECK (state IN ('queued', 'running', 'paused', 'done', 'failed', 'cancelled')),
        account_id   TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
        bucket_id    INTEGER NOT NULL REFERENCES buckets (id) ON DELETE CASCADE,
        title        TEXT NOT NULL,
        options      TEXT NOT NULL DEFAULT '{}',      -- JSON: { verify, public }
        retries      INTEGER NOT NULL DEFAULT 0,
        still_public INTEGER NOT NULL DEFAULT 0,
        links_broken INTEGER NOT NULL DEFAULT 0,
        owner        TEXT,                            -- 'host:pid' of the process running it
        lease_until  INTEGER,                         -- ms since epoch; past it, another process may take over
        was_running  INTEGER NOT NULL DEFAULT 0 CHECK (was_running IN (0, 1)),
        created_at   TEXT NOT NULL,
        started_at   TEXT,
        ended_at     TEXT
      ) STRICT;
      CREATE INDEX jobs_created ON jobs (created_at DESC, id DESC);
      CREATE INDEX jobs_open ON jobs (state) WHERE state IN ('queued', 'running');

      CREATE TABLE job_items (
        id             INTEGER PRIMARY KEY,
        job_id         INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        source         TEXT NOT NULL,                 -- a local path (upload) or the object's key (access change)
        key            TEXT NOT NULL,                 -- the key written
        size           INTEGER NOT NULL DEFAULT 0,
        method         TEXT NOT NULL CHECK (method IN ('upload', 'acl', 'move')),
        target_bucket  INTEGER REFERENCES buckets (id) ON DELETE SET NULL,
        acl            TEXT CHECK (acl IN ('private', 'public-read')),
        overwrite      INTEGER NOT NULL DEFAULT 0 CHECK (overwrite IN (0, 1)),
        state          TEXT NOT NULL DEFAULT 'pending'
                       CHECK (state IN ('pending', 'copied', 'done', 'failed', 'cancelled')),
        attempts       INTEGER NOT NULL DEFAULT 0,
        bytes_done     INTEGER NOT NULL DEFAULT 0,
        etag           TEXT,                          -- of the source before a move, or of the upload
        access         TEXT,                          -- what the proof read after the change
        error          TEXT
      ) STRICT;
      CREATE INDEX job_items_state ON job_items (job_id, state, id);
    `);
  },
};
