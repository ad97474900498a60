import type { Migration } from './index';

/**
 * The library's other orders at a million files (issue 19): a page by size, date, access or type sorted every file
 * in scope for its first 200 (100–250 ms at a million, on the main process). Each order gets an index over the
 * bucket's files in that order, key last (the page's tie-break), so a page walks it and stops after its rows. The
 * repository names these indexes itself (INDEXED BY) where it walks one, and keeps the planner from picking them
 * anywhere else (catalog-search-sql.ts): a folder of 90 files read through the size index would read the bucket.
 *
 * Building them reads the catalog once: about 5 s at a million files, once, at the first start after an update.
 */
export const m016ObjectSortIndexes: Migration = {
  name: 'object-sort-indexes',
  up(db) {
    db.exec(`
      CREATE INDEX objects_size ON objects (bucket_id, size, key);
      CREATE INDEX objects_modified ON objects (bucket_id, last_modified, key);
      CREATE INDEX objects_access ON objects (bucket_id, access, key);
      CREATE INDEX objects_type ON objects (bucket_id, content_type, key);
    `);
  },
};
