import type { Migration } from './index';

/**
 * The ledger learns two things (issue 21):
 * - Reissue: `replaces` names the link a row was reissued for, `replaced_by` the link reissued in its place. Plain
 *   jtis, not foreign keys: a backup restores rows oldest first, and an older row names a newer one.
 * - Share guard: `last_networks` and `last_shared` are the verifier's answer at the last usage check (beside
 *   `last_downloads`); `shared_at` is when Signet first saw the link shared, and `shared_notified_at` when the
 *   desktop app told the owner (once per link: the command line marks `shared_at` but notifies nobody).
 * Only links seen shared are in the partial index, so issuing links (10,000 per batch) does not pay for it.
 */
export const m012LinkShareReplace: Migration = {
  name: 'link-share-replace',
  up(db) {
    db.exec(`
      ALTER TABLE links ADD COLUMN replaces TEXT CHECK (replaces IS NULL OR length(replaces) BETWEEN 16 AND 64);
      ALTER TABLE links ADD COLUMN replaced_by TEXT
        CHECK (replaced_by IS NULL OR length(replaced_by) BETWEEN 16 AND 64);
      ALTER TABLE links ADD COLUMN last_networks INTEGER CHECK (last_networks IS NULL OR last_networks >= 0);
      ALTER TABLE links ADD COLUMN last_shared INTEGER CHECK (last_shared IS NULL OR last_shared IN (0, 1));
      ALTER TABLE links ADD COLUMN shared_at TEXT;
      ALTER TABLE links ADD COLUMN shared_notified_at TEXT;
      CREATE INDEX links_shared ON links (created_at DESC, jti DESC) WHERE shared_at IS NOT NULL;
    `);
  },
};
