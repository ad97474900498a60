import type { Db } from '../db/database';
import type { PrivacyModel } from '@shared/accounts/schemas';
import type { ProviderId } from '@shared/accounts/providers';
import type { BucketRole } from '@shared/library/schemas';

/** A bucket row: which account it belongs to, its role, the privacy last detected and the last sync. */
export interface BucketRecord {
  id: number;
  accountId: string;
  accountName: string;
  /** The account's provider (absent only in records tests build by hand). */
  provider?: ProviderId;
  name: string;
  role: BucketRole;
  configured: boolean;
  model: PrivacyModel | null;
  exposure: 'private' | 'public' | 'unknown';
  checkedAt: string | null;
  lastSyncAt: string | null;
  lastSyncError: string | null;
}

interface Row {
  id: number;
  account_id: string;
  account_name: string;
  provider: ProviderId;
  name: string;
  role: BucketRole;
  configured: number;
  model: PrivacyModel | null;
  exposure: BucketRecord['exposure'];
  checked_at: string | null;
  last_sync_at: string | null;
  last_sync_error: string | null;
}

const SELECT = `SELECT b.id, b.account_id, a.name AS account_name, a.provider, b.name, b.role, b.configured, b.model, b.exposure,
  b.checked_at, b.last_sync_at, b.last_sync_error FROM buckets b JOIN accounts a ON a.id = b.account_id`;

/**
 * Buckets as the library sees them. Which buckets an account is configured with is the account repository's
 * business (it writes them with the account's settings); this one reads them for the library, adds a row for a
 * bucket synced without being configured, and records sync outcomes.
 */
export class BucketRepository {
  private readonly selectAll;
  private readonly selectOne;
  private readonly selectByName;
  private readonly insertRow;
  private readonly syncRow;

  constructor(db: Db) {
    // Unconfigured buckets show only once they hold something (a sync put them there).
    this.selectAll = db.prepare<[], Row>(
      `${SELECT} WHERE b.configured = 1 OR EXISTS (SELECT 1 FROM objects o WHERE o.bucket_id = b.id)
       ORDER BY a.name COLLATE NOCASE, a.id, b.configured DESC, b.role, b.position, b.name`,
    );
    this.selectOne = db.prepare<[number], Row>(`${SELECT} WHERE b.id = ?`);
    this.selectByName = db.prepare<[string, string], Row>(`${SELECT} WHERE b.account_id = ? AND b.name = ?`);
    this.insertRow = db.prepare(
      `INSERT INTO buckets (account_id, name, role, configured, position) VALUES (?, ?, 'files', 0, 3000000)
       ON CONFLICT (account_id, name) DO NOTHING`,
    );
    this.syncRow = db.prepare(
      'UPDATE buckets SET last_sync_at = @at, last_sync_error = @error WHERE id = @id',
    );
  }

  list(): BucketRecord[] {
    return this.selectAll.all().map(fromRow);
  }

  get(id: number): BucketRecord | null {
    const row = this.selectOne.get(id);
    return row ? fromRow(row) : null;
  }

  byName(accountId: string, name: string): BucketRecord | null {
    const row = this.selectByName.get(accountId, name);
    return row ? fromRow(row) : null;
  }

  /** The row of a bucket, adding an unconfigured one for a bucket the account reaches but does not list. */
  ensure(accountId: string, name: string): BucketRecord {
    this.insertRow.run(accountId, name);
    return this.byName(accountId, name)!;
  }

  recordSync(id: number, at: string, error: string | null): void {
    this.syncRow.run({ id, at, error });
  }
}

function fromRow(r: Row): BucketRecord {
  return {
    id: r.id,
    accountId: r.account_id,
    accountName: r.account_name,
    provider: r.provider,
    name: r.name,
    role: r.role,
    configured: r.configured === 1,
    model: r.model,
    exposure: r.exposure,
    checkedAt: r.checked_at,
    lastSyncAt: r.last_sync_at,
    lastSyncError: r.last_sync_error,
  };
}
