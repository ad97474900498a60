import type { Migration } from './index';

/**
 * Download links: the token signing keys (ids and dates only: each secret is in the OS keychain under
 * `signing-key:<kid>`) and the link ledger. The ledger keeps the link URL (a bearer link, as in the order
 * email, so "copy again" works) but never a signing key or a storage secret.
 *
 * A link keeps its account and bucket names: removing an account sets `bucket_id` to NULL and leaves its
 * ledger rows readable.
 */
export const m005Links: Migration = {
  name: 'links',
  up(db) {
    db.exec(`
      CREATE TABLE signing_keys (
        kid        TEXT PRIMARY KEY CHECK (length(kid) BETWEEN 1 AND 32),
        created_at TEXT NOT NULL,
        retired_at TEXT,
        active     INTEGER NOT NULL DEFAULT 0 CHECK (active IN (0, 1)),
        CHECK (NOT (active = 1 AND retired_at IS NOT NULL))
      ) STRICT;
      -- At most one active key: new links are signed with it.
      CREATE UNIQUE INDEX signing_keys_one_active ON signing_keys (active) WHERE active = 1;

      CREATE TABLE links (
        jti              TEXT PRIMARY KEY,
        kind             TEXT NOT NULL CHECK (kind IN ('verifier', 'direct')),
        bucket_id        INTEGER REFERENCES buckets (id) ON DELETE SET NULL,
        account_id       TEXT NOT NULL,
        account_name     TEXT NOT NULL,
        bucket           TEXT NOT NULL,
        key              TEXT NOT NULL,
        kid              TEXT,                      -- the signing key (verifier links)
        product_slug     TEXT NOT NULL,
        order_id         TEXT NOT NULL DEFAULT '',
        email            TEXT NOT NULL DEFAULT '',
        note             TEXT NOT NULL DEFAULT '',
        max_downloads    INTEGER CHECK (max_downloads IS NULL OR max_downloads >= 1),
        filename         TEXT NOT NULL DEFAULT '',
        created_at       TEXT NOT NULL,
        expires_at       TEXT NOT NULL,
        revoked_at       TEXT,
        url              TEXT NOT NULL,
        last_downloads   INTEGER,
        usage_checked_at TEXT
      ) STRICT;
      CREATE INDEX links_created ON links (created_at DESC, jti DESC);
      CREATE INDEX links_order ON links (order_id) WHERE order_id <> '';
    `);
  },
};
