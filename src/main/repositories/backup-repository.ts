import type { Db } from '../db/database';
import type { ProviderId } from '@shared/accounts/providers';
import { verifierStoreName } from '@shared/links/schemas';
import { RESET_LINK_SEARCH_SQL } from './link-search-index';

/**
 * The rows a backup carries, as the tables hold them (secrets are not in any table: the backup service reads them
 * from the keychain). Accounts keep their ids and fixed verifier store names, buckets their ids (the ledger points
 * at them), so links sent before the backup name the same stores and rows after a restore.
 */
export interface AccountRowData {
  id: string;
  name: string;
  provider: ProviderId;
  endpoint: string;
  region: string;
  forcePathStyle: boolean;
  clockOffsetMs: number;
  verifierStore: string;
  lastTest: string | null;
  lastTestedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface BucketRowData {
  id: number;
  accountId: string;
  name: string;
  role: 'files' | 'private';
  configured: boolean;
  position: number;
  model: 'object-acl' | 'acl-disabled' | 'no-object-acl' | 'unknown' | null;
  exposure: 'private' | 'public' | 'unknown';
  checkedAt: string | null;
}

export interface SigningKeyRowData {
  kid: string;
  createdAt: string;
  retiredAt: string | null;
  active: boolean;
  exportedAt: string | null;
}

export interface SettingRowData {
  key: string;
  /** JSON text, as stored. */
  value: string;
  updatedAt: string;
}

export interface LinkRowData {
  jti: string;
  kind: 'verifier' | 'direct';
  bucketId: number | null;
  accountId: string;
  accountName: string;
  bucket: string;
  key: string;
  kid: string | null;
  productSlug: string;
  orderId: string;
  email: string;
  note: string;
  maxDownloads: number | null;
  filename: string;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
  url: string;
  lastDownloads: number | null;
  usageCheckedAt: string | null;
  /** Reissue: the link this one was made in place of, and the one made in its place (null in older backups). */
  replaces: string | null;
  replacedBy: string | null;
}

/** Everything but the ledger, read in the same transaction as the ledger rows. */
export interface SnapshotHead {
  schemaVersion: number;
  accounts: AccountRowData[];
  buckets: BucketRowData[];
  signingKeys: SigningKeyRowData[];
  settings: SettingRowData[];
}

export interface RestoreRows extends Omit<SnapshotHead, 'schemaVersion'> {
  links: readonly LinkRowData[];
}

/** What a data folder already holds that a restore would replace. */
export interface ExistingData {
  accountIds: string[];
  kids: string[];
  links: number;
  /** Jobs a process is running right now (a live lease). */
  runningJobs: number;
}

/**
 * The settings row where the time of the last backup is kept. It is not one of the owner's preferences
 * (SettingsService reads only SETTING_KEYS), and a backup never carries it.
 */
export const LAST_BACKUP_SETTING = 'lastBackupAt';

/**
 * Which columns of each table a backup carries, and which it leaves out on purpose. A unit test compares them
 * with the tables, so a migration that adds a column must say here whether backups keep it.
 */
export const BACKUP_COLUMNS = {
  accounts: {
    kept: [
      'id',
      'name',
      'provider',
      'endpoint',
      'region',
      'force_path_style',
      'clock_offset_ms',
      'verifier_store',
      'last_test',
      'last_tested_at',
      'created_at',
      'updated_at',
    ],
    left: [],
  },
  buckets: {
    kept: ['id', 'account_id', 'name', 'role', 'configured', 'position', 'model', 'exposure', 'checked_at'],
    // About the catalog, which a backup does not hold: the first sync after a restore fills them.
    left: ['last_sync_at', 'last_sync_error'],
  },
  signing_keys: { kept: ['kid', 'created_at', 'retired_at', 'active', 'exported_at'], left: [] },
  settings: { kept: ['key', 'value', 'updated_at'], left: [] },
  links: {
    kept: [
      'jti',
      'kind',
      'bucket_id',
      'account_id',
      'account_name',
      'bucket',
      'key',
      'kid',
      'product_slug',
      'order_id',
      'email',
      'note',
      'max_downloads',
      'filename',
      'created_at',
      'expires_at',
      'revoked_at',
      'url',
      'last_downloads',
      'usage_checked_at',
      'replaces',
      'replaced_by',
    ],
    // Migration 012's share answers are the verifier's to give: they come back at the next usage check.
    left: ['last_networks', 'last_shared', 'shared_at', 'shared_notified_at'],
  },
} as const satisfies Record<string, { kept: readonly string[]; left: readonly string[] }>;

const columns = (table: keyof typeof BACKUP_COLUMNS) => BACKUP_COLUMNS[table].kept.join(', ');

interface AccountRow {
  id: string;
  name: string;
  provider: string;
  endpoint: string;
  region: string;
  force_path_style: number;
  clock_offset_ms: number;
  verifier_store: string | null;
  last_test: string | null;
  last_tested_at: string | null;
  created_at: string;
  updated_at: string;
}

interface BucketRow {
  id: number;
  account_id: string;
  name: string;
  role: BucketRowData['role'];
  configured: number;
  position: number;
  model: BucketRowData['model'];
  exposure: BucketRowData['exposure'];
  checked_at: string | null;
}

interface KeyRow {
  kid: string;
  created_at: string;
  retired_at: string | null;
  active: number;
  exported_at: string | null;
}

interface LinkRow {
  jti: string;
  kind: LinkRowData['kind'];
  bucket_id: number | null;
  account_id: string;
  account_name: string;
  bucket: string;
  key: string;
  kid: string | null;
  product_slug: string;
  order_id: string;
  email: string;
  note: string;
  max_downloads: number | null;
  filename: string;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
  url: string;
  last_downloads: number | null;
  usage_checked_at: string | null;
  replaces: string | null;
  replaced_by: string | null;
}

/**
 * A backup's rows: read in one transaction (a consistent snapshot while the app or the command line writes), and
 * written back in one transaction that replaces accounts, buckets, signing keys, settings and the ledger at once.
 * It spans several tables because a backup and a restore are one unit each; every other write to these tables goes
 * through their own repositories.
 */
export class BackupRepository {
  constructor(private readonly db: Db) {}

  /** Reads everything a backup holds; `onLink` gets the ledger rows one by one (a ledger can be large). */
  snapshot(onLink: (link: LinkRowData) => void): SnapshotHead {
    return this.db.transaction(() => {
      const head: SnapshotHead = {
        schemaVersion: this.db.pragma('user_version', { simple: true }) as number,
        accounts: this.db
          .prepare<[], AccountRow>(`SELECT ${columns('accounts')} FROM accounts ORDER BY created_at, id`)
          .all()
          .map(fromAccountRow),
        buckets: this.db
          .prepare<[], BucketRow>(`SELECT ${columns('buckets')} FROM buckets ORDER BY id`)
          .all()
          .map((r) => ({
            id: r.id,
            accountId: r.account_id,
            name: r.name,
            role: r.role,
            configured: r.configured === 1,
            position: r.position,
            model: r.model,
            exposure: r.exposure,
            checkedAt: r.checked_at,
          })),
        signingKeys: this.db
          .prepare<[], KeyRow>(`SELECT ${columns('signing_keys')} FROM signing_keys ORDER BY created_at, kid`)
          .all()
          .map((r) => ({
            kid: r.kid,
            createdAt: r.created_at,
            retiredAt: r.retired_at,
            active: r.active === 1,
            exportedAt: r.exported_at,
          })),
        settings: this.db
          .prepare<[string], { key: string; value: string; updated_at: string }>(
            `SELECT ${columns('settings')} FROM settings WHERE key <> ? ORDER BY key`,
          )
          .all(LAST_BACKUP_SETTING)
          .map((r) => ({ key: r.key, value: r.value, updatedAt: r.updated_at })),
      };
      const links = this.db.prepare<[], LinkRow>(
        `SELECT ${columns('links')} FROM links ORDER BY created_at, jti`,
      );
      for (const r of links.iterate()) onLink(fromLinkRow(r));
      return head;
    })();
  }

  existing(nowMs: number): ExistingData {
    return {
      accountIds: this.db
        .prepare<[], { id: string }>('SELECT id FROM accounts ORDER BY id')
        .all()
        .map((r) => r.id),
      kids: this.db
        .prepare<[], { kid: string }>('SELECT kid FROM signing_keys ORDER BY kid')
        .all()
        .map((r) => r.kid),
      links: this.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM links').get()!.n,
      runningJobs: this.db
        .prepare<[number], { n: number }>(
          "SELECT count(*) AS n FROM jobs WHERE state = 'running' AND lease_until > ?",
        )
        .get(nowMs)!.n,
    };
  }

  /**
   * Writes a backup's rows in one IMMEDIATE transaction. `check` sees what the folder holds under the write lock
   * and may throw (then nothing is written). With `replace`, the folder's ledger, accounts (and, by cascade, their
   * buckets, catalog and jobs) and signing keys go first; without it, ledger rows already present are kept.
   * The settings become the backup's, and the last backup time becomes `lastBackupAt`.
   */
  restore(
    rows: RestoreRows,
    opts: {
      replace: boolean;
      lastBackupAt: string;
      nowMs: number;
      check: (existing: ExistingData) => void;
    },
  ): { accounts: number; keys: number; links: number } {
    return this.db
      .transaction(() => {
        opts.check(this.existing(opts.nowMs));
        if (opts.replace) {
          this.db.exec('DELETE FROM links; DELETE FROM accounts; DELETE FROM signing_keys;');
          this.db.exec(RESET_LINK_SEARCH_SQL);
        }
        this.db.prepare('DELETE FROM settings WHERE key <> ?').run(LAST_BACKUP_SETTING);
        const setting = this.db.prepare<[string, string, string]>(
          'INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)',
        );
        for (const s of rows.settings) setting.run(s.key, s.value, s.updatedAt);
        this.saveLastBackupAt(opts.lastBackupAt);

        const account = this.db.prepare(
          `INSERT INTO accounts (${columns('accounts')}) VALUES (@id, @name, @provider, @endpoint, @region,
             @force_path_style, @clock_offset_ms, @verifier_store, @last_test, @last_tested_at, @created_at, @updated_at)`,
        );
        for (const a of rows.accounts) account.run(toAccountRow(a));
        const bucket = this.db.prepare(
          `INSERT INTO buckets (${columns('buckets')}) VALUES (@id, @account_id, @name, @role, @configured,
             @position, @model, @exposure, @checked_at)`,
        );
        for (const b of rows.buckets) {
          bucket.run({
            id: b.id,
            account_id: b.accountId,
            name: b.name,
            role: b.role,
            configured: b.configured ? 1 : 0,
            position: b.position,
            model: b.model,
            exposure: b.exposure,
            checked_at: b.checkedAt,
          });
        }
        const key = this.db.prepare(
          `INSERT INTO signing_keys (${columns('signing_keys')})
           VALUES (@kid, @created_at, @retired_at, @active, @exported_at)`,
        );
        for (const k of rows.signingKeys) {
          key.run({
            kid: k.kid,
            created_at: k.createdAt,
            retired_at: k.retiredAt,
            active: k.active ? 1 : 0,
            exported_at: k.exportedAt,
          });
        }
        const bucketIds = new Set(rows.buckets.map((b) => b.id));
        // Positional parameters: a ledger can hold a million rows.
        const link = this.db.prepare(
          `INSERT INTO links (${columns('links')})
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (jti) DO NOTHING`,
        );
        let links = 0;
        for (const l of rows.links) {
          links += link.run(
            l.jti,
            l.kind,
            l.bucketId !== null && bucketIds.has(l.bucketId) ? l.bucketId : null,
            l.accountId,
            l.accountName,
            l.bucket,
            l.key,
            l.kid,
            l.productSlug,
            l.orderId,
            l.email,
            l.note,
            l.maxDownloads,
            l.filename,
            l.createdAt,
            l.expiresAt,
            l.revokedAt,
            l.url,
            l.lastDownloads,
            l.usageCheckedAt,
            l.replaces,
            l.replacedBy,
          ).changes;
        }
        return { accounts: rows.accounts.length, keys: rows.signingKeys.length, links };
      })
      .immediate();
  }

  lastBackupAt(): string | null {
    const row = this.db
      .prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?')
      .get(LAST_BACKUP_SETTING);
    if (!row) return null;
    try {
      const value = JSON.parse(row.value) as unknown;
      return typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? value : null;
    } catch {
      return null;
    }
  }

  saveLastBackupAt(at: string): void {
    this.db
      .prepare<[string, string, string]>(
        `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      )
      .run(LAST_BACKUP_SETTING, JSON.stringify(at), at);
  }
}

function fromAccountRow(r: AccountRow): AccountRowData {
  return {
    id: r.id,
    name: r.name,
    provider: r.provider as ProviderId,
    endpoint: r.endpoint,
    region: r.region,
    forcePathStyle: r.force_path_style === 1,
    clockOffsetMs: r.clock_offset_ms,
    // Never null after migration 008; the fallback is AccountRepository's, for a row written around it.
    verifierStore: r.verifier_store ?? verifierStoreName(r.name),
    lastTest: r.last_test,
    lastTestedAt: r.last_tested_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function toAccountRow(a: AccountRowData): AccountRow {
  return {
    id: a.id,
    name: a.name,
    provider: a.provider,
    endpoint: a.endpoint,
    region: a.region,
    force_path_style: a.forcePathStyle ? 1 : 0,
    clock_offset_ms: a.clockOffsetMs,
    verifier_store: a.verifierStore,
    last_test: a.lastTest,
    last_tested_at: a.lastTestedAt,
    created_at: a.createdAt,
    updated_at: a.updatedAt,
  };
}

function fromLinkRow(r: LinkRow): LinkRowData {
  return {
    jti: r.jti,
    kind: r.kind,
    bucketId: r.bucket_id,
    accountId: r.account_id,
    accountName: r.account_name,
    bucket: r.bucket,
    key: r.key,
    kid: r.kid,
    productSlug: r.product_slug,
    orderId: r.order_id,
    email: r.email,
    note: r.note,
    maxDownloads: r.max_downloads,
    filename: r.filename,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    revokedAt: r.revoked_at,
    url: r.url,
    lastDownloads: r.last_downloads,
    usageCheckedAt: r.usage_checked_at,
    replaces: r.replaces,
    replacedBy: r.replaced_by,
  };
}
