import type { Migration } from './index';

/**
 * The Links page's status filters at a million links (issue 19): "Revoked" and "Replaced" walked the whole ledger
 * newest first for a page of their few rows. Each gets the page's order (newest first) over only its rows, as
 * "Shared" has (migration 012), so a page reads its rows and no others. Partial indexes: a link is issued neither
 * revoked nor replaced, so issuing links (10,000 per batch) does not pay for them. No data changes.
 */
export const m013LinkStatusIndexes: Migration = {
  name: 'link-status-indexes',
  up(db) {
    db.exec(`
      CREATE INDEX links_revoked ON links (created_at DESC, jti DESC) WHERE revoked_at IS NOT NULL;
      CREATE INDEX links_replaced ON links (created_at DESC, jti DESC) WHERE replaced_by IS NOT NULL;
    `);
  },
};
