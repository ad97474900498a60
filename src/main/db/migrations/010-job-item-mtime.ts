import type { Migration } from './index';

/**
 * An upload item keeps its file's modification time as planned, beside its size: at upload time a file whose size
 * or modification time changed since is not read (it fails with the reason). Older items have none (NULL): their
 * size is the only check.
 */
export const m010JobItemMtime: Migration = {
  name: 'job-item-mtime',
  up(db) {
    db.exec('ALTER TABLE job_items ADD COLUMN mtime_ms REAL;');
  },
};
