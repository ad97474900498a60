import type { Migration } from './index';

/**
 * The bucket list's totals kept as files change (issue 19): counting them on each ask read every file of a bucket
 * on the main process, 305 ms at a million files. `bucket_totals` holds, per bucket and access type, the files,
 * their bytes and how many a stranger's request read (HTTP 200; a leak where the type is private or authenticated).
 *
 * Triggers keep it for changes to a file's access, size or verified status and for files deleted (a sync's sweep,
 * a move, a bucket removed: its own rows go with it, the files' updates then find no row). New files are added per
 * listing page by `CatalogWrites.upsertPage`, one statement per page, not by a trigger: a trigger per inserted row
 * made writing a 20,000-key listing 0.49 → 0.62 s, and the listing then took longer than rclone's (migration 009
 * leaves the search index out of triggers for the same reason). upsertPage is the only statement that inserts
 * files; the catalog's unit test compares these totals with the files counted after every kind of write.
 */
export const m017BucketTotals: Migration = {
  name: 'bucket-totals',
  up(db) {
    db.exec(`
      CREATE TABLE bucket_totals (
        bucket_id INTEGER NOT NULL REFERENCES buckets (id) ON DELETE CASCADE,
        access    TEXT NOT NULL,
        objects   INTEGER NOT NULL,
        bytes     INTEGER NOT NULL,
        read_ok   INTEGER NOT NULL,             -- files whose last stranger's request got HTTP 200
        PRIMARY KEY (bucket_id, access)
      ) STRICT, WITHOUT ROWID;

      CREATE TRIGGER objects_totals_update AFTER UPDATE OF access, size, verified_status ON objects
      WHEN OLD.access IS NOT NEW.access OR OLD.size IS NOT NEW.size
        OR (OLD.verified_status IS 200) IS NOT (NEW.verified_status IS 200)
      BEGIN
        UPDATE bucket_totals SET objects = objects - 1, bytes = bytes - OLD.size,
          read_ok = read_ok - (OLD.verified_status IS 200)
        WHERE bucket_id = OLD.bucket_id AND access = OLD.access;
        INSERT INTO bucket_totals (bucket_id, access, objects, bytes, read_ok)
        VALUES (NEW.bucket_id, NEW.access, 1, NEW.size, NEW.verified_status IS 200)
        ON CONFLICT (bucket_id, access) DO UPDATE SET objects = objects + 1, bytes = bytes + excluded.bytes,
          read_ok = read_ok + excluded.read_ok;
      END;

      CREATE TRIGGER objects_totals_delete AFTER DELETE ON objects
      BEGIN
        UPDATE bucket_totals SET objects = objects - 1, bytes = bytes - OLD.size,
          read_ok = read_ok - (OLD.verified_status IS 200)
        WHERE bucket_id = OLD.bucket_id AND access = OLD.access;
      END;

      INSERT INTO bucket_totals (bucket_id, access, objects, bytes, read_ok)
      SELECT bucket_id, access, count(*), sum(size), sum(verified_status IS 200) FROM objects
      GROUP BY bucket_id, access;
    `);
  },
};
