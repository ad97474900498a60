import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/database';
import type { ItemMethod, ItemState, JobKind, JobState } from '@shared/jobs/schemas';

export interface JobRecord {
  id: number;
  kind: JobKind;
  state: JobState;
  accountId: string;
  accountName: string;
  bucketId: number;
  bucket: string;
  title: string;
  options: { verify?: boolean; public?: boolean };
  retries: number;
  stillPublic: number;
  linksBroken: number;
  owner: string | null;
  leaseUntil: number | null;
  wasRunning: boolean;
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
}

export interface ItemRecord {
  id: number;
  jobId: number;
  source: string;
  key: string;
  size: number;
  method: ItemMethod;
  targetBucketId: number | null;
  acl: 'private' | 'public-read' | null;
  overwrite: boolean;
  /** An upload's file modification time when it was planned (null before Signet recorded it, and for changes). */
  mtimeMs: number | null;
  state: ItemState;
  attempts: number;
  bytesDone: number;
  etag: string | null;
  access: string | null;
  error: string | null;
}

export type NewItem = Pick<ItemRecord, 'source' | 'key' | 'size' | 'method' | 'targetBucketId' | 'acl'> & {
  overwrite?: boolean;
  mtimeMs?: number | null;
  /** An item refused while planning starts failed, with the reason. */
  error?: string;
};

export interface ItemCounts {
  total: number;
  done: number;
  failed: number;
  cancelled: number;
  bytesTotal: number;
  bytesDone: number;
}

interface JobRow {
  id: number;
  kind: JobKind;
  state: JobState;
  account_id: string;
  account_name: string;
  bucket_id: number;
  bucket: string;
  title: string;
  options: string;
  retries: number;
  still_public: number;
  links_broken: number;
  owner: string | null;
  lease_until: number | null;
  was_running: number;
  created_at: string;
  started_at: string | null;
  ended_at: string | null;
}

interface ItemRow {
  id: number;
  job_id: number;
  source: string;
  key: string;
  size: number;
  method: ItemMethod;
  target_bucket: number | null;
  acl: 'private' | 'public-read' | null;
  overwrite: number;
  mtime_ms: number | null;
  state: ItemState;
  attempts: number;
  bytes_done: number;
  etag: string | null;
  access: string | null;
  error: string | null;
}

const JOB_SELECT = `SELECT j.*, a.name AS account_name, b.name AS bucket FROM jobs j
  JOIN accounts a ON a.id = j.account_id JOIN buckets b ON b.id = j.bucket_id`;

/** A job as written, before its items. */
export interface NewJob {
  kind: JobKind;
  accountId: string;
  bucketId: number;
  title: string;
  options: object;
  at: string;
  owner?: string;
  lease?: number;
}

/**
 * Jobs and their items. Every state change is its own small write (WAL, synchronous=NORMAL), so what a killed
 * process leaves behind is exact to the item; claiming a job is one conditional UPDATE, so two processes on one
 * data folder never both run it.
 */
export class JobRepository {
  private readonly insertJob: Statement;
  private readonly insertItem: Statement;
  private readonly selectJob: Statement<[number], JobRow>;
  private readonly selectRecent: Statement<[number], JobRow>;
  private readonly selectOpen: Statement<[], JobRow>;
  private readonly claimRow: Statement;
  private readonly renewRow: Statement;
  private readonly releaseRow: Statement;
  private readonly setStateRow: Statement;
  private readonly countRows: Statement<
    [number],
    { state: ItemState; n: number; bytes: number; done_bytes: number }
  >;
  private readonly nextItems: Statement<[number, number, number], ItemRow>;
  private readonly itemsUpToRow: Statement<[number, number], number>;
  private readonly updateItemRow: Statement;
  private readonly addRetriesRow: Statement;

  constructor(private readonly db: Db) {
    this.insertJob = db.prepare(
      `INSERT INTO jobs (kind, state, account_id, bucket_id, title, options, created_at, owner, lease_until,
         was_running, started_at, planned)
       VALUES (@kind, CASE WHEN @owner IS NULL THEN 'queued' ELSE 'running' END, @account_id, @bucket_id, @title,
         @options, @created_at, @owner, @lease, CASE WHEN @owner IS NULL THEN 0 ELSE 1 END,
         CASE WHEN @owner IS NULL THEN NULL ELSE @created_at END, @planned)`,
    );
    this.insertItem = db.prepare(
      `INSERT INTO job_items (job_id, source, key, size, method, target_bucket, acl, overwrite, mtime_ms, state,
         error)
       VALUES (@job_id, @source, @key, @size, @method, @target_bucket, @acl, @overwrite, @mtime_ms, @state,
         @error)`,
    );
    this.selectJob = db.prepare(`${JOB_SELECT} WHERE j.id = ?`);
    // A job still being written (planned = 0) is listed, run and resumed by nobody (createUnplanned).
    this.selectRecent = db.prepare(`${JOB_SELECT} WHERE j.planned = 1 ORDER BY j.id DESC LIMIT ?`);
    this.selectOpen = db.prepare(
      `${JOB_SELECT} WHERE j.state IN ('queued', 'running') AND j.planned = 1 ORDER BY j.id`,
    );
    // Taken when nobody holds it, its holder's lease ran out, or its holder is known dead (`force`).
    this.claimRow = db.prepare(
      `UPDATE jobs SET owner = @owner, lease_until = @lease, state = 'running', was_running = 1,
         started_at = COALESCE(started_at, @at)
       WHERE id = @id AND state IN ('queued', 'running')
         AND (owner IS NULL OR owner = @owner OR lease_until < @now OR owner = @dead)`,
    );
    this.renewRow = db.prepare('UPDATE jobs SET lease_until = ? WHERE id = ? AND owner = ?');
    this.releaseRow = db.prepare(
      `UPDATE jobs SET owner = NULL, lease_until = NULL, state = @state, ended_at = @ended_at,
         -- handed back 'queued' (the process is quitting): it was running, so it shows as interrupted
         was_running = CASE WHEN @state IN ('running', 'queued') THEN 1 ELSE 0 END
       WHERE id = @id AND owner = @owner`,
    );
    this.setStateRow = db.prepare('UPDATE jobs SET state = ?, ended_at = ? WHERE id = ?');
    this.countRows = db.prepare(
      `SELECT state, count(*) AS n, total(size) AS bytes, total(bytes_done) AS done_bytes
       FROM job_items WHERE job_id = ? GROUP BY state`,
    );
    this.itemsUpToRow = db
      .prepare<[number, number], number>(
        'SELECT count(*) FROM (SELECT 1 FROM job_items WHERE job_id = ? LIMIT ?)',
      )
      .pluck() as Statement<[number, number], number>;
    this.nextItems = db.prepare(
      `SELECT * FROM job_items WHERE job_id = ? AND state IN ('pending', 'copied') AND id > ?
       ORDER BY id LIMIT ?`,
    );
    this.updateItemRow = db.prepare(
      `UPDATE job_items SET state = @state, attempts = @attempts, bytes_done = @bytes_done, etag = @etag,
         access = @access, error = @error WHERE id = @id`,
    );
    this.addRetriesRow = db.prepare('UPDATE jobs SET retries = retries + ? WHERE id = ?');
  }

  /**
   * Writes a job and all its items in one transaction. With `owner`, the job is created already claimed by
   * that process, so no other process resuming interrupted jobs can take it before its creator starts it.
   */
  create(job: NewJob, items: readonly NewItem[]): number {
    return this.db.transaction(() => {
      const id = this.insertJobRow(job, 1);
      this.insertItems(id, items);
      return id;
    })();
  }

  /**
   * A job too big to write in one go without holding the main thread: the job now, not planned (nothing lists,
   * runs or resumes it), its items by `addItems`, a chunk per call, then `markPlanned`.
   */
  createUnplanned(job: NewJob): number {
    return this.insertJobRow(job, 0);
  }

  /** A chunk of an unplanned job's items, in one transaction. */
  addItems(id: number, items: readonly NewItem[]): void {
    this.db.transaction(() => this.insertItems(id, items))();
  }

  markPlanned(id: number): void {
    this.db.prepare('UPDATE jobs SET planned = 1 WHERE id = ?').run(id);
  }

  /** Jobs still being written, or left half-written by a process that stopped meanwhile. */
  unplanned(): JobRecord[] {
    return this.db
      .prepare<[], JobRow>(`${JOB_SELECT} WHERE j.planned = 0 ORDER BY j.id`)
      .all()
      .map(fromJobRow);
  }

  /** Removes a job that was never planned whole (its items go with it): it changed nothing. */
  removeUnplanned(id: number): void {
    this.db.prepare('DELETE FROM jobs WHERE id = ? AND planned = 0').run(id);
  }

  private insertJobRow(job: NewJob, planned: 0 | 1): number {
    return Number(
      this.insertJob.run({
        kind: job.kind,
        account_id: job.accountId,
        bucket_id: job.bucketId,
        title: job.title,
        options: JSON.stringify(job.options),
        created_at: job.at,
        owner: job.owner ?? null,
        lease: job.lease ?? null,
        planned,
      }).lastInsertRowid,
    );
  }

  private insertItems(id: number, items: readonly NewItem[]): void {
    for (const item of items) {
      this.insertItem.run({
        job_id: id,
        source: item.source,
        key: item.key,
        size: item.size,
        method: item.method,
        target_bucket: item.targetBucketId,
        acl: item.acl,
        overwrite: item.overwrite ? 1 : 0,
        mtime_ms: item.mtimeMs ?? null,
        state: item.error ? 'failed' : 'pending',
        error: item.error ?? null,
      });
    }
  }

  get(id: number): JobRecord | null {
    const row = this.selectJob.get(id);
    return row ? fromJobRow(row) : null;
  }

  recent(limit: number): JobRecord[] {
    return this.selectRecent.all(limit).map(fromJobRow);
  }

  /** Jobs waiting for a runner or held by one (perhaps a dead one). */
  open(): JobRecord[] {
    return this.selectOpen.all().map(fromJobRow);
  }

  /** Takes the job for `owner` until `lease`; answers whether it got it. */
  claim(
    id: number,
    owner: string,
    lease: number,
    now: number,
    deadOwner: string | null,
    at: string,
  ): boolean {
    return this.claimRow.run({ id, owner, lease, now, dead: deadOwner ?? '', at }).changes === 1;
  }

  renew(id: number, owner: string, lease: number): boolean {
    return this.renewRow.run(lease, id, owner).changes === 1;
  }

  /** Gives the job up with its new state; `endedAt` for a job that ended. */
  release(id: number, owner: string, state: JobState, endedAt: string | null): void {
    this.releaseRow.run({ id, owner, state, ended_at: endedAt });
  }

  /** Changes the state of a job nobody runs (or tells its runner, which reads the state, to stop). */
  setState(id: number, state: JobState, endedAt: string | null): void {
    this.setStateRow.run(state, endedAt, id);
  }

  /** How many items a job has, counted up to `limit` (reads no more index entries than that). */
  itemsUpTo(id: number, limit: number): number {
    return this.itemsUpToRow.get(id, limit) ?? 0;
  }

  counts(id: number): ItemCounts {
    const c: ItemCounts = { total: 0, done: 0, failed: 0, cancelled: 0, bytesTotal: 0, bytesDone: 0 };
    for (const r of this.countRows.all(id)) {
      c.total += r.n;
      c.bytesTotal += r.bytes;
      if (r.state === 'done') {
        c.done += r.n;
        c.bytesDone += r.bytes;
      } else {
        c.bytesDone += r.done_bytes;
        if (r.state === 'failed') c.failed += r.n;
        if (r.state === 'cancelled') c.cancelled += r.n;
      }
    }
    return c;
  }

  /** Items still to do (pending, or a move's verified copy whose source is not deleted yet), by id. */
  next(jobId: number, afterId: number, limit: number): ItemRecord[] {
    return this.nextItems.all(jobId, afterId, limit).map(fromItemRow);
  }

  items(jobId: number, limit: number, states?: readonly ItemState[]): ItemRecord[] {
    const where = states?.length ? ` AND state IN (${states.map(() => '?').join(',')})` : '';
    return this.db
      .prepare<unknown[], ItemRow>(
        `SELECT * FROM job_items WHERE job_id = ?${where}
         ORDER BY CASE state WHEN 'failed' THEN 0 ELSE 1 END, id LIMIT ?`,
      )
      .all(jobId, ...(states ?? []), limit)
      .map(fromItemRow);
  }

  *iterateItems(jobId: number, state: ItemState): IterableIterator<ItemRecord> {
    let after = 0;
    for (;;) {
      const rows = this.db
        .prepare<[number, string, number], ItemRow>(
          'SELECT * FROM job_items WHERE job_id = ? AND state = ? AND id > ? ORDER BY id LIMIT 1000',
        )
        .all(jobId, state, after);
      if (rows.length === 0) return;
      for (const r of rows) yield fromItemRow(r);
      after = rows[rows.length - 1]!.id;
    }
  }

  updateItem(item: ItemRecord): void {
    this.updateItemRow.run({
      id: item.id,
      state: item.state,
      attempts: item.attempts,
      bytes_done: item.bytesDone,
      etag: item.etag,
      access: item.access,
      error: item.error,
    });
  }

  /** Runs `fn` in one transaction (a job run's grouped writes, with the catalog's on the same connection). */
  transaction(fn: () => void): void {
    this.db.transaction(fn)();
  }

  /** Many item updates in one transaction (the proof re-reads thousands). */
  updateItems(items: readonly ItemRecord[]): void {
    this.db.transaction(() => {
      for (const i of items) this.updateItem(i);
    })();
  }

  addRetries(id: number, n: number): void {
    if (n > 0) this.addRetriesRow.run(n, id);
  }

  setResult(id: number, result: { stillPublic: number; linksBroken: number }): void {
    this.db
      .prepare('UPDATE jobs SET still_public = ?, links_broken = ? WHERE id = ?')
      .run(result.stillPublic, result.linksBroken, id);
  }

  /** Failed (or cancelled) items go back to pending, for "retry the failed ones". */
  requeueItems(id: number, states: readonly ItemState[]): number {
    return this.db
      .prepare(
        `UPDATE job_items SET state = 'pending', error = NULL, attempts = 0
         WHERE job_id = ? AND state IN (${states.map(() => '?').join(',')})`,
      )
      .run(id, ...states).changes;
  }

  /**
   * The bucket the newest finished move took `key` out of `bucketId` to (a make-private on a provider without
   * per-file access, or a make-public out of the private bucket); null when no job moved it from there.
   */
  movedTo(bucketId: number, key: string): number | null {
    const row = this.db
      .prepare<[number, string], { target: number | null }>(
        `SELECT target_bucket AS target FROM job_items
         WHERE job_id IN (SELECT id FROM jobs WHERE bucket_id = ?) AND source = ? AND method = 'move'
           AND state = 'done'
         ORDER BY id DESC LIMIT 1`,
      )
      .get(bucketId, key);
    return row?.target ?? null;
  }

  cancelPending(id: number): number {
    return this.db
      .prepare(
        `UPDATE job_items SET state = 'cancelled', error = 'Cancelled before it was done.'
         WHERE job_id = ? AND state = 'pending'`,
      )
      .run(id).changes;
  }
}

function fromJobRow(r: JobRow): JobRecord {
  return {
    id: r.id,
    kind: r.kind,
    state: r.state,
    accountId: r.account_id,
    accountName: r.account_name,
    bucketId: r.bucket_id,
    bucket: r.bucket,
    title: r.title,
    options: JSON.parse(r.options) as JobRecord['options'],
    retries: r.retries,
    stillPublic: r.still_public,
    linksBroken: r.links_broken,
    owner: r.owner,
    leaseUntil: r.lease_until,
    wasRunning: r.was_running === 1,
    createdAt: r.created_at,
    startedAt: r.started_at,
    endedAt: r.ended_at,
  };
}

function fromItemRow(r: ItemRow): ItemRecord {
  return {
    id: r.id,
    jobId: r.job_id,
    source: r.source,
    key: r.key,
    size: r.size,
    method: r.method,
    targetBucketId: r.target_bucket,
    acl: r.acl,
    overwrite: r.overwrite === 1,
    mtimeMs: r.mtime_ms,
    state: r.state,
    attempts: r.attempts,
    bytesDone: r.bytes_done,
    etag: r.etag,
    access: r.access,
    error: r.error,
  };
}
