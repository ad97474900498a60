import type { Migration } from './index';

/** Adds the activity log, and records when each setting last changed. */
export const m002Activity: Migration = {
  name: 'activity',
  up(db) {
    db.exec(`
      ALTER TABLE settings ADD COLUMN updated_at TEXT NOT NULL DEFAULT '1970-01-01T00:00:00.000Z';
      CREATE TABLE activity (
        id      INTEGER PRIMARY KEY,
        at      TEXT NOT NULL,
        kind    TEXT NOT NULL,
        message TEXT NOT NULL
      ) STRICT;
      CREATE INDEX activity_at ON activity (at DESC);
    `);
  },
};
