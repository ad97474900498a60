import type { Migration } from './index';

/**
 * A job written in steps (issue 19): a make-private of 100,000 files wrote its items in one transaction and held
 * the main thread for most of a second. Its items now go in by chunks, the event loop free between two; until the
 * last one is in, the job is not `planned` and nothing lists, runs or resumes it. A job a stopped process left
 * unplanned changed nothing and is removed at the next start. Existing jobs were written whole: planned.
 */
export const m015JobPlanned: Migration = {
  name: 'job-planned',
  up(db) {
    db.exec(`ALTER TABLE jobs ADD COLUMN planned INTEGER NOT NULL DEFAULT 1 CHECK (planned IN (0, 1));`);
  },
};
