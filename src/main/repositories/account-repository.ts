import type { Db } from '../db/database';
import type { ProviderId } from '../../shared/accounts/providers';
import { TestResultSchema, type PrivacyModel, type TestResult } from '../../shared/accounts/schemas';

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
  buckets: string;
  private_bucket: string | null;
  clock_offset_ms: number;
  last_test: string | null;
  last_tested_at: string | null;
  created_at: string;
  updated_at: string;
}

const COLUMNS =
  'id, name, provider, endpoint, region, force_path_style, buckets, private_bucket, clock_offset_ms, last_test, last_tested_at, created_at, updated_at';

export class AccountRepository {
  private readonly selectAll;
  private readonly selectOne;
  private readonly insertRow;
  private readonly updateRow;
  private readonly deleteRow;
  private readonly saveTestRow;
  private readonly clearPrivacy;
  private readonly insertPrivacy;
  private readonly selectPrivacy;

  constructor(private readonly db: Db) {
    this.selectAll = db.prepare<[], Row>(`SELECT ${COLUMNS} FROM accounts ORDER BY name COLLATE NOCASE, id`);
    this.selectOne = db.prepare<[string], Row>(`SELECT ${COLUMNS} FROM accounts WHERE id = ?`);
    this.insertRow = db.prepare(
      `INSERT INTO accounts (id, name, provider, endpoint, region, force_path_style, buckets, private_bucket, created_at, updated_at)
       VALUES (@id, @name, @provider, @endpoint, @region, @force_path_style, @buckets, @private_bucket, @at, @at)`,
    );
    // On the right of SET, columns still hold the old row: the offset survives only when the same server answers.
    this.updateRow = db.prepare(
      `UPDATE accounts SET name = @name, provider = @provider, endpoint = @endpoint, region = @region,
         force_path_style = @force_path_style, buckets = @buckets, private_bucket = @private_bucket, updated_at = @at,
         last_test = CASE WHEN @keep_test THEN last_test ELSE NULL END,
         last_tested_at = CASE WHEN @keep_test THEN last_tested_at ELSE NULL END,
         clock_offset_ms = CASE WHEN endpoint = @endpoint AND provider = @provider THEN clock_offset_ms ELSE 0 END
       WHERE id = @id`,
    );
    this.deleteRow = db.prepare<[string]>('DELETE FROM accounts WHERE id = ?');
    this.saveTestRow = db.prepare(
      'UPDATE accounts SET last_test = @last_test, last_tested_at = @at, clock_offset_ms = @offset WHERE id = @id',
    );
    this.clearPrivacy = db.prepare<[string]>('DELETE FROM bucket_privacy WHERE account_id = ?');
    this.insertPrivacy = db.prepare(
      `INSERT INTO bucket_privacy (account_id, bucket, model, exposure, checked_at) VALUES (@id, @bucket, @model, @exposure, @at)`,
    );
    this.selectPrivacy = db.prepare<
      [string],
      { bucket: string; model: PrivacyModel; exposure: BucketPrivacyRecord['exposure']; checked_at: string }
    >('SELECT bucket, model, exposure, checked_at FROM bucket_privacy WHERE account_id = ? ORDER BY bucket');
  }

  list(): AccountRecord[] {
    return this.selectAll.all().map(fromRow);
  }

  get(id: string): AccountRecord | null {
    const row = this.selectOne.get(id);
    return row ? fromRow(row) : null;
  }

  /** Throws SQLITE_CONSTRAINT_UNIQUE when the name is taken (the service turns that into plain words). */
  insert(id: string, settings: AccountSettingsRecord, at: string): void {
    this.insertRow.run({ id, ...toParams(settings), at });
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
      if (changed && !keepTest) this.clearPrivacy.run(id);
      return changed;
    })();
  }

  delete(id: string): boolean {
    return this.deleteRow.run(id).changes > 0;
  }

  /** Stores a test result, the clock offset to sign with, and each bucket's privacy, in one transaction. */
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
        this.insertPrivacy.run({
          id,
          bucket: b.name,
          model: b.privacy.model,
          exposure: b.exposure.level,
          at: result.testedAt,
        });
      }
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
}

function toParams(s: AccountSettingsRecord) {
  return {
    name: s.name,
    provider: s.provider,
    endpoint: s.endpoint,
    region: s.region,
    force_path_style: s.forcePathStyle ? 1 : 0,
    buckets: JSON.stringify(s.buckets),
    private_bucket: s.privateBucket,
  };
}

function fromRow(row: Row): AccountRecord {
  return {
    id: row.id,
    name: row.name,
    provider: row.provider as ProviderId,
    endpoint: row.endpoint,
    region: row.region,
    forcePathStyle: row.force_path_style === 1,
    buckets: parseBuckets(row.buckets),
    privateBucket: row.private_bucket,
    clockOffsetMs: row.clock_offset_ms,
    lastTest: parseTest(row.last_test),
    lastTestedAt: row.last_tested_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function parseBuckets(json: string): string[] {
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
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
