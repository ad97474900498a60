import type { Db } from '../db/database';
import type { ProviderId } from '@shared/accounts/providers';
import {
  TestResultSchema,
  type BucketReport,
  type PrivacyModel,
  type TestResult,
} from '@shared/accounts/schemas';
import { verifierStoreName } from '@shared/links/schemas';

/** An account row: settings only. Credentials are never in this table (they live in the OS keychain). */
export interface AccountRecord {
  id: string;
  name: string;
  provider: ProviderId;
  endpoint: string;
  region: string;
  forcePathStyle: boolean;
  buckets: string[];
  privateBucket: string | null;
  clockOffsetMs: number;
  /**
   * The account's store in the verifier (`src.store` in its tokens, its `stores` key in the exported config).
   * Chosen once when the account is made and never changed: a rename must not break links already sent.
   */
  verifierStore: string;
  lastTest: TestResult | null;
  lastTestedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export type AccountSettingsRecord = Pick<
  AccountRecord,
  'name' | 'provider' | 'endpoint' | 'region' | 'forcePathStyle' | 'buckets' | 'privateBucket'
>;

export interface BucketPrivacyRecord {
  bucket: string;
  model: PrivacyModel;
  exposure: 'private' | 'public' | 'unknown';
  checkedAt: string;
}

interface Row {
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
  account_id: string;
  name: string;
  role: 'files' | 'private';
  position: number;
}

/**
 * Position of a private bucket that is not also in the account's bucket list (the migration uses the same
 * number). A bucket can be both: listed (position below this) and the private bucket (role `private`).
 */
const PRIVATE_ONLY_POSITION = 1_000_000;

const COLUMNS =
  'id, name, provider, endpoint, region, force_path_style, clock_offset_ms, verifier_store, last_test, last_tested_at, created_at, updated_at';

/**
 * The first of `verifierStoreName(accountName)`, then `…-2`, `…-3` (cut to stay within 64 characters) that
 * `taken` says is free. Migration 008 fills existing accounts with it, AccountRepository.insert new ones.
 */
export function uniqueVerifierStore(accountName: string, taken: (store: string) => boolean): string {
  const base = verifierStoreName(accountName);
  let store = base;
  for (let n = 2; taken(store); n++) store = `${base.slice(0, 64 - String(n).length - 1)}-${n}`;
  return store;
}

/**
 * Accounts and their configured buckets. The buckets are rows of the `buckets` table (the catalog, jobs and links
 * reference them); this repository owns which of them are configured and in what order, and the privacy the
 * connection test found. A bucket taken out of the settings is marked unconfigured, not deleted, so its catalog
 * survives a slip of the keyboard.
 */
export class AccountRepository {
  private readonly selectAll;
  private readonly selectOne;
  private readonly selectBuckets;
  private readonly selectAllBuckets;
  private readonly insertRow;
  private readonly updateRow;
  private readonly deleteRow;
  private readonly saveTestRow;
  private readonly unconfigure;
  private readonly upsertBucket;
  private readonly clearPrivacy;
  private readonly setPrivacy;
  private readonly selectPrivacy;
  private readonly selectStore;
  private readonly storeTaken;

  constructor(private readonly db: Db) {
    this.selectAll = db.prepare<[], Row>(`SELECT ${COLUMNS} FROM accounts ORDER BY name COLLATE NOCASE, id`);
    this.selectOne = db.prepare<[string], Row>(`SELECT ${COLUMNS} FROM accounts WHERE id = ?`);
    this.selectBuckets = db.prepare<[string], BucketRow>(
      'SELECT account_id, name, role, position FROM buckets WHERE account_id = ? AND configured = 1 ORDER BY position, id',
    );
    this.selectAllBuckets = db.prepare<[], BucketRow>(
      'SELECT account_id, name, role, position FROM buckets WHERE configured = 1 ORDER BY account_id, position, id',
    );
    this.insertRow = db.prepare(
      `INSERT INTO accounts (id, name, provider, endpoint, region, force_path_style, verifier_store, created_at, updated_at)
       VALUES (@id, @name, @provider, @endpoint, @region, @force_path_style, @verifier_store, @at, @at)`,
    );
    this.selectStore = db.prepare<[string], { name: string; verifier_store: string | null }>(
      'SELECT name, verifier_store FROM accounts WHERE id = ?',
    );
    // The same expression as the unique index accounts_verifier_store (migration 008), so it is an index lookup.
    this.storeTaken = db.prepare<[string], { one: number }>(
      `SELECT 1 AS one FROM accounts
       WHERE upper(replace(replace(verifier_store, '-', '_'), '.', '_')) = upper(replace(replace(?, '-', '_'), '.', '_'))`,
    );
    // On the right of SET, columns still hold the old row: the offset survives only when the same server answers.
    this.updateRow = db.prepare(
      `UPDATE accounts SET name = @name, provider = @provider, endpoint = @endpoint, region = @region,
         force_path_style = @force_path_style, updated_at = @at,
         last_test = CASE WHEN @keep_test THEN last_test ELSE NULL END,
         last_tested_at = CASE WHEN @keep_test THEN last_tested_at ELSE NULL END,
         clock_offset_ms = CASE WHEN endpoint = @endpoint AND provider = @provider THEN clock_offset_ms ELSE 0 END
       WHERE id = @id`,
    );
    this.deleteRow = db.prepare<[string]>('DELETE FROM accounts WHERE id = ?');
    this.saveTestRow = db.prepare(
      'UPDATE accounts SET last_test = @last_test, last_tested_at = @at, clock_offset_ms = @offset WHERE id = @id',
    );
    this.unconfigure = db.prepare<[string]>('UPDATE buckets SET configured = 0 WHERE account_id = ?');
    this.upsertBucket = db.prepare(
      `INSERT INTO buckets (account_id, name, role, configured, position)
       VALUES (@account_id, @name, @role, @configured, @position)
       ON CONFLICT (account_id, name) DO UPDATE SET
         role = CASE WHEN @configured THEN excluded.role ELSE role END,
         configured = MAX(configured, excluded.configured),
         position = CASE WHEN @configured THEN excluded.position ELSE position END`,
    );
    this.clearPrivacy = db.prepare<[string]>(
      "UPDATE buckets SET model = NULL, exposure = 'unknown', checked_at = NULL WHERE account_id = ?",
    );
    this.setPrivacy = db.prepare(
      `UPDATE buckets SET model = @model, exposure = @exposure, checked_at = @at
       WHERE account_id = @id AND name = @bucket`,
    );
    this.selectPrivacy = db.prepare<
      [string],
      { bucket: string; model: PrivacyModel; exposure: BucketPrivacyRecord['exposure']; checked_at: string }
    >(
      `SELECT name AS bucket, model, exposure, checked_at FROM buckets
       WHERE account_id = ? AND model IS NOT NULL ORDER BY name`,
    );
  }

  list(): AccountRecord[] {
    const buckets = new Map<string, BucketRow[]>();
    for (const b of this.selectAllBuckets.all()) {
      const list = buckets.get(b.account_id) ?? [];
      list.push(b);
      buckets.set(b.account_id, list);
    }
    return this.selectAll.all().map((row) => fromRow(row, buckets.get(row.id) ?? []));
  }

  get(id: string): AccountRecord | null {
    const row = this.selectOne.get(id);
    return row ? fromRow(row, this.selectBuckets.all(id)) : null;
  }

  /**
   * Adds an account with a verifier store of its own (see uniqueVerifierStore), and answers that store.
   * Throws SQLITE_CONSTRAINT_UNIQUE when the name is taken (the service turns that into plain words). IMMEDIATE:
   * the free store is looked up and taken under one write lock, so the command line and the app, adding
   * accounts at once, cannot pick the same one.
   */
  insert(id: string, settings: AccountSettingsRecord, at: string): string {
    return this.db
      .transaction(() => {
        const store = uniqueVerifierStore(settings.name, (s) => this.storeTaken.get(s) !== undefined);
        this.insertRow.run({ id, ...toParams(settings), verifier_store: store, at });
        this.writeBuckets(id, settings);
        return store;
      })
      .immediate();
  }

  /** The account's verifier store, without its buckets (a batch of links asks for it per row). */
  verifierStore(id: string): string | null {
    const row = this.selectStore.get(id);
    return row ? storeOf(row) : null;
  }

  /**
   * Saves new settings. Unless `keepTest`, the last test result and the bucket privacy it found are dropped
   * together (they may no longer hold, and later features must not act on one without the other). A new endpoint
   * or provider also resets the clock offset: it was measured against another server's clock.
   */
  update(id: string, settings: AccountSettingsRecord, at: string, keepTest: boolean): boolean {
    return this.db.transaction(() => {
      const changed =
        this.updateRow.run({ id, ...toParams(settings), at, keep_test: keepTest ? 1 : 0 }).changes > 0;
      if (!changed) return false;
      this.writeBuckets(id, settings);
      if (!keepTest) this.clearPrivacy.run(id);
      return true;
    })();
  }

  delete(id: string): boolean {
    return this.deleteRow.run(id).changes > 0;
  }

  /**
   * Stores a test result, the clock offset to sign with, and each reachable bucket's privacy, in one transaction.
   * A bucket the test reached that is not configured (the account works with every bucket it can list) gets an
   * unconfigured row, so its privacy is known when it is synced.
   */
  saveTest(id: string, result: TestResult, clockOffsetMs: number): void {
    this.db.transaction(() => {
      this.saveTestRow.run({
        id,
        last_test: JSON.stringify(result),
        at: result.testedAt,
        offset: clockOffsetMs,
      });
      this.clearPrivacy.run(id);
      for (const b of result.buckets.filter((x) => x.reachable)) {
        this.upsertBucket.run({ account_id: id, name: b.name, role: 'files', configured: 0, position: 0 });
        this.setPrivacy.run({
          id,
          bucket: b.name,
          model: b.privacy.model,
          exposure: b.exposure.level,
          at: result.testedAt,
        });
      }
    })();
  }

  /** Stores one bucket's fresh privacy and the clock offset measured with it (a sync's check of its bucket). */
  saveBucketCheck(id: string, report: BucketReport, at: string, clockOffsetMs: number): void {
    this.db.transaction(() => {
      this.upsertBucket.run({ account_id: id, name: report.name, role: 'files', configured: 0, position: 0 });
      this.setPrivacy.run({
        id,
        bucket: report.name,
        model: report.privacy.model,
        exposure: report.exposure.level,
        at,
      });
      this.db.prepare('UPDATE accounts SET clock_offset_ms = ? WHERE id = ?').run(clockOffsetMs, id);
    })();
  }

  bucketPrivacy(id: string): BucketPrivacyRecord[] {
    return this.selectPrivacy.all(id).map((r) => ({
      bucket: r.bucket,
      model: r.model,
      exposure: r.exposure,
      checkedAt: r.checked_at,
    }));
  }

  private writeBuckets(id: string, settings: AccountSettingsRecord): void {
    this.unconfigure.run(id);
    const role = (name: string) => (name === settings.privateBucket ? 'private' : 'files');
    settings.buckets.forEach((name, position) =>
      this.upsertBucket.run({ account_id: id, name, role: role(name), configured: 1, position }),
    );
    if (settings.privateBucket !== null && !settings.buckets.includes(settings.privateBucket)) {
      this.upsertBucket.run({
        account_id: id,
        name: settings.privateBucket,
        role: 'private',
        configured: 1,
        position: PRIVATE_ONLY_POSITION,
      });
    }
  }
}

function toParams(s: AccountSettingsRecord) {
  return {
    name: s.name,
    provider: s.provider,
    endpoint: s.endpoint,
    region: s.region,
    force_path_style: s.forcePathStyle ? 1 : 0,
  };
}

function fromRow(row: Row, buckets: BucketRow[]): AccountRecord {
  return {
    id: row.id,
    name: row.name,
    provider: row.provider as ProviderId,
    endpoint: row.endpoint,
    region: row.region,
    forcePathStyle: row.force_path_style === 1,
    buckets: buckets.filter((b) => b.position < PRIVATE_ONLY_POSITION).map((b) => b.name),
    privateBucket: buckets.find((b) => b.role === 'private')?.name ?? null,
    clockOffsetMs: row.clock_offset_ms,
    verifierStore: storeOf(row),
    lastTest: parseTest(row.last_test),
    lastTestedAt: row.last_tested_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * Never null after migration 008 (it fills every row, and insert always sets one); the fallback is the name
 * such an account had before 008, for a row written around this repository.
 */
function storeOf(row: { name: string; verifier_store: string | null }): string {
  return row.verifier_store ?? verifierStoreName(row.name);
}

/** A stored result written by an older version that no longer fits the schema reads as "not tested". */
function parseTest(json: string | null): TestResult | null {
  if (!json) return null;
  try {
    const parsed = TestResultSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
