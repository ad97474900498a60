import type { Migration } from './index';

/**
 * The library's other orders at a million files (issue 19): a page by size, date, access or type sorted every file
 * in scope for its first 200 (100–300 ms at a million, on the main process). Each order gets an index over the
 * bucket's files in that order, so a page walks it and stops after its rows. Access and type hold the key too (the
 * page's tie-break: a bucket's files share a handful of their values). Size and date do not: their ties are few
 * (SQLite sorts them as it walks), and while a listing's keys come in key order, its sizes and dates do not, so
 * each file written lands on a page of its own in these two; without the key a page holds four times the files
 * and a sync writes fewer pages (upsertPage of 20,000 keys: 0.49 s before this migration, 0.59–0.66 s with the key
 * in all four indexes, 0.52 s as they are).
 *
 * The repository names these indexes itself (INDEXED BY) where it walks one, and keeps the planner from picking
 * them anywhere else (catalog-search-sql.ts): a folder of 90 files read through the size index would read the
 * whole bucket. Building them reads the catalog once: a few seconds at a million files, at the first start after
 * an update.
 */
export const m016ObjectSortIndexes: Migration = {
  name: 'object-sort-indexes',
  up(db) {
    db.exec(`
      CREATE INDEX objects_size ON objects (bucket_id, size);
      CREATE INDEX objects_modified ON objects (bucket_id, last_modified);
      CREATE INDEX objects_access ON objects (bucket_id, access, key);
      CREATE INDEX objects_type ON objects (bucket_id, content_type, key);
    `);
  },
};
