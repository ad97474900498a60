import { setMaxListeners } from 'node:events';
import type { ProviderId } from '@shared/accounts/providers';
import { JOB_PROGRESS_FILES, type JobKind } from '@shared/jobs/schemas';
import type { BucketRecord, BucketRepository } from '../../repositories/bucket-repository';
import type { CatalogRepository } from '../../repositories/catalog-repository';
import type { ItemRecord, JobRecord, JobRepository } from '../../repositories/job-repository';
import type { LinkRepository } from '../../repositories/link-repository';
import type { Clock } from '../clock';
import { AsyncQueue, forEachConcurrent } from '../../lib/async-queue';
import { StorageLost, type ObjectStorage } from '../storage/object-storage';
import { storageError } from '../storage/storage-errors';
import { errorFacts } from '../storage/provider-errors';
import {
  accessMatches,
  aclItem,
  ItemFailure,
  moveItem,
  readAccess,
  StillPublicFailure,
  uploadItem,
  type StepContext,
  type StepResult,
} from './item-steps';
import { RunWrites } from './run-writes';
import { backoffMs, isRetryable, sleep } from './retry';

/**
 * A file the catalog lists but the storage no longer has (deleted outside Signet): a sync fixes that, not the
 * account settings the general storage message points to.
 */
function gone(err: unknown, item: ItemRecord, bucket: BucketRecord): string | null {
  const { code, httpStatus } = errorFacts(err);
  if (item.method === 'upload' && (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR')) {
    return `Signet cannot read “${item.source}” on this computer any more (${code}): it was moved, deleted or locked after it was chosen. Put it back, or upload it again from where it is now.`;
  }
  if (code !== 'NoSuchKey' && !(httpStatus === 404 && code !== 'NoSuchBucket')) return null;
  return `“${item.key}” is no longer in “${bucket.name}” (the storage answered ${code ?? 'HTTP 404'}): it was probably deleted outside Signet. Sync the bucket to refresh the list; if the file should be there, upload it again, then retry.`;
}

/**
 * Items in flight at once: ACL calls are small; uploads move bytes, and each large one holds up to 4 parts of
 * 8 MiB in memory (lib-storage), so 8 uploads stay within 256 MiB. 16 measured no faster on the test Ceph.
 */
export const CONCURRENCY: Record<JobKind, number> = { upload: 8, private: 32, public: 32 };
/**
 * ACL reads proving uploads while the other files still upload. They used to run in the upload's own slot, which
 * then sat idle for the read: measured on the test Ceph with 200 × 1 MiB files (`npm run bench:jobs -- --parts 1`),
 * uploading took 4.05 s that way, 3.1-3.2 s with the reads beside (8 of them; 4 held the uploads back).
 */
export const PROOFS_BESIDE_UPLOADS = 8;
/** Tries per item step beyond the SDK's own retries (which already back off on throttling, 5xx and resets). */
export const ITEM_ATTEMPTS = 4;
/**
 * How long a run trusts the bucket records it read: they are read per item, and reading them from SQLite each
 * time cost about 3 % of a make-private job's CPU. A bucket removed from Signet mid-job still fails the items
 * that follow, within this time.
 */
const BUCKET_READ_MS = 1_000;

export interface RunProgress {
  done: number;
  failed: number;
  cancelled: number;
  total: number;
  bytesDone: number;
  bytesTotal: number;
  retries: number;
  phase: 'change' | 'proof';
  active: { key: string; loaded: number; total: number }[];
}

export interface RunDeps {
  jobs: JobRepository;
  buckets: BucketRepository;
  catalog: CatalogRepository;
  links: LinkRepository;
  clock: Clock;
  /** Test hook: called after each item is carried out (the crash test kills the process there). */
  afterItem?: (item: ItemRecord) => void;
}

/**
 * Runs one claimed job to its end, or until `signal` aborts (pause, cancel, shutdown): first every item still to
 * do, with bounded concurrency and retries with backoff and jitter; then the proof, which re-reads the access of
 * every item done and not yet proved. Every item's state is written within RUN_WRITE_MS of its change (a move's
 * checked copy at once), so a killed process leaves a record to resume from that misses at most the last few
 * items, which the resume does again without harm.
 */
export class JobRun {
  private readonly progress: RunProgress;
  private stillPublic: number;
  private linksBroken: number;
  private readonly inFlight = new Map<number, { key: string; loaded: number; total: number }>();
  private readonly writes: RunWrites;
  private readonly buckets = new Map<number, { record: BucketRecord | null; at: number }>();

  constructor(
    private readonly deps: RunDeps,
    private readonly job: JobRecord,
    private readonly gateway: ObjectStorage,
    private readonly account: { provider: ProviderId; endpoint: string; region: string },
    private readonly signal: AbortSignal,
    private readonly report: (p: RunProgress) => void,
  ) {
    setMaxListeners(512, signal);
    this.stillPublic = job.stillPublic;
    this.linksBroken = job.linksBroken;
    this.writes = new RunWrites(deps.jobs, deps.catalog);
    const c = deps.jobs.counts(job.id);
    this.progress = {
      done: c.done,
      failed: c.failed,
      cancelled: c.cancelled,
      total: c.total,
      bytesDone: c.bytesDone,
      bytesTotal: c.bytesTotal,
      retries: job.retries,
      phase: 'change',
      active: [],
    };
  }

  async run(): Promise<void> {
    try {
      // Again while items wait: one put back to pending behind the cursor (a resume from another window or
      // process retrying failed items) is done here rather than left pending in a job that reads as ended.
      do {
        await this.changeItems();
        this.writes.flush();
      } while (this.deps.jobs.next(this.job.id, 0, 1).length > 0);
      this.progress.phase = 'proof';
      await this.prove();
    } finally {
      // Also on a pause, a cancel or a failure: what was done is on record before the job is handed back.
      this.writes.flush();
    }
  }

  private bucket(id: number | null): BucketRecord {
    const bucketId = id ?? this.job.bucketId;
    const now = Date.now();
    const cached = this.buckets.get(bucketId);
    const read =
      cached !== undefined && now - cached.at <= BUCKET_READ_MS
        ? cached
        : { record: this.deps.buckets.get(bucketId), at: now };
    this.buckets.set(bucketId, read);
    if (!read.record) throw new ItemFailure('The bucket of this item is no longer in Signet.');
    return read.record;
  }

  private *pending(): Generator<ItemRecord> {
    let after = 0;
    for (;;) {
      const batch = this.deps.jobs.next(this.job.id, after, 256);
      if (batch.length === 0) return;
      for (const item of batch) yield item;
      after = batch[batch.length - 1]!.id;
    }
  }

  private async changeItems(): Promise<void> {
    const source = this.bucket(this.job.bucketId);
    // An upload is proved as soon as it lands, so the reads overlap the other files' transfers; each read has a slot
    // of its own, so an upload slot goes on to the next file at once. What is not proved here (a pause, a crash)
    // the proof phase proves.
    const landed = new AsyncQueue<ItemRecord>(Number.MAX_SAFE_INTEGER);
    const proving = forEachConcurrent(
      landed,
      PROOFS_BESIDE_UPLOADS,
      (item) => this.proveOne(item),
      this.signal,
    );
    proving.catch(() => undefined); // awaited below
    try {
      await this.changeEach(source, (item) => void landed.push(item));
    } catch (err) {
      landed.abort();
      await proving.catch(() => undefined);
      throw err;
    }
    landed.close();
    await proving;
  }

  private async changeEach(source: BucketRecord, uploaded: (item: ItemRecord) => void): Promise<void> {
    await forEachConcurrent(
      this.pending(),
      CONCURRENCY[this.job.kind],
      async (item) => {
        const target = this.bucket(item.targetBucketId);
        const ctx: StepContext = {
          gateway: this.gateway,
          source,
          target,
          signal: this.signal,
          onBytes: (loaded, total) => {
            this.inFlight.set(item.id, { key: item.key, loaded, total });
            this.tick();
          },
          save: (i) => this.writes.now(i),
        };
        const ok = await this.withRetries(item, () => this.step(item, ctx), source);
        this.inFlight.delete(item.id);
        if (!ok) return;
        item.state = 'done';
        item.bytesDone = item.size;
        item.access = null; // not proved yet
        item.error = null;
        this.writes.later(item);
        this.recordInCatalog(item, source, target);
        this.progress.done++;
        this.progress.bytesDone += item.size;
        this.deps.afterItem?.(item);
        if (item.method === 'upload') uploaded(item);
        this.tick();
      },
      this.signal,
    );
  }

  private step(item: ItemRecord, ctx: StepContext): Promise<StepResult> {
    if (item.method === 'upload') return uploadItem(item, ctx);
    if (item.method === 'acl') return aclItem(item, ctx);
    return moveItem(item, ctx);
  }

  /**
   * Runs a step with retries on what a later try may fix; answers false when the item failed for good (the
   * failure written on it). An abort (pause, cancel) leaves the item as it is, to be resumed.
   */
  private async withRetries(
    item: ItemRecord,
    step: () => Promise<StepResult>,
    bucket: BucketRecord,
  ): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      this.signal.throwIfAborted();
      item.attempts++;
      try {
        const r = await step();
        this.addRetries(r.retries);
        return true;
      } catch (err) {
        if (this.signal.aborted || err instanceof StorageLost) throw err;
        if (!(err instanceof ItemFailure) && isRetryable(err) && attempt + 1 < ITEM_ATTEMPTS) {
          this.addRetries(1);
          await sleep(backoffMs(attempt), this.signal);
          continue;
        }
        item.state = 'failed';
        item.error =
          err instanceof ItemFailure
            ? err.message
            : (gone(err, item, bucket) ?? storageError(err, this.account, bucket.name).message);
        this.writes.later(item);
        if (err instanceof StillPublicFailure) {
          // Its copy is safe, but the original still answers strangers: counted, never done.
          this.stillPublic++;
          this.deps.jobs.setResult(this.job.id, {
            stillPublic: this.stillPublic,
            linksBroken: this.linksBroken,
          });
        }
        this.progress.failed++;
        this.tick();
        return false;
      }
    }
  }

  private addRetries(n: number): void {
    if (n <= 0) return;
    this.progress.retries += n;
    this.deps.jobs.addRetries(this.job.id, n);
  }

  /** The catalog follows: an upload or a move adds the object where it now is; a move drops the old place. */
  private recordInCatalog(item: ItemRecord, source: BucketRecord, target: BucketRecord): void {
    const at = this.deps.clock.now().toISOString();
    const object = {
      key: item.key,
      size: item.size,
      lastModified: at,
      etag: item.etag ?? '',
      storageClass: null,
    };
    if (item.method === 'upload') this.writes.laterObject(target.id, object);
    if (item.method === 'move') {
      this.deps.catalog.upsertPage(target.id, [object], 0, new Set());
      this.deps.catalog.removeKey(source.id, item.source);
    }
  }

  /** Re-reads the access of every item done and not yet proved (all but uploads', which are proved as they land). */
  private async prove(): Promise<void> {
    const unproved = (function* (jobs: JobRepository, id: number) {
      for (const item of jobs.iterateItems(id, 'done')) if (item.access === null) yield item;
    })(this.deps.jobs, this.job.id);
    await forEachConcurrent(unproved, 32, (item) => this.proveOne(item), this.signal);
  }

  /**
   * Re-reads one item's access (and, on request, fetches it as a stranger): an item whose access is not what was
   * asked fails, with what the storage says; a file still public is never counted done.
   */
  private async proveOne(item: ItemRecord): Promise<void> {
    const wantPublic = this.job.kind === 'public' || this.job.options.public === true;
    const at = () => this.deps.clock.now().toISOString();
    const bucket = this.bucket(item.method === 'acl' ? this.job.bucketId : item.targetBucketId);
    let read: Awaited<ReturnType<typeof readAccess>>;
    try {
      read = await this.retrying(() => readAccess(this.gateway, bucket, item.key, this.signal));
    } catch (err) {
      if (this.signal.aborted || err instanceof StorageLost) throw err;
      read = { access: 'unknown', grants: null };
    }
    // Where the bucket's rule is unknown the read itself was a stranger's request; else one is made on request.
    let status: number | null = read.verified ?? null;
    if (status === null && this.job.options.verify) {
      status = (await this.gateway.anonymousGet(bucket.name, item.key, this.signal)).status;
    }
    item.access = read.access;
    const strangerReads = status === 200;
    let counted = false;
    if (!accessMatches(this.job.kind, wantPublic, read.access) || (!wantPublic && strangerReads)) {
      item.state = 'failed';
      this.progress.done--;
      this.progress.failed++;
      const nowPublic = strangerReads || ['public', 'public-bucket', 'authenticated'].includes(read.access);
      if (!wantPublic && nowPublic) {
        this.stillPublic++;
        counted = true;
      }
      item.error = wantPublic
        ? `After the change the storage still does not let strangers read it (access: ${read.access}).`
        : read.access === 'unknown'
          ? 'Signet could not read this file’s access after the change, so it is not counted as private. Retry, or verify it.'
          : `Still readable by ${strangerReads || read.access !== 'authenticated' ? 'anyone' : 'any signed-in cloud user'} after the change. Retry the item; if it stays public, check the bucket’s policy.`;
    }
    this.writes.later(item);
    this.writes.laterAccess({
      bucketId: bucket.id,
      key: item.key,
      access: read.access,
      grants: read.grants,
      ...(read.verified !== undefined ? { verified: read.verified } : {}),
      at: at(),
    });
    if (status !== null && read.verified === undefined) {
      this.writes.flush(); // an upload's catalog row may still be held
      const row = this.deps.catalog.getByKey(bucket.id, item.key);
      if (row) this.deps.catalog.recordVerifications([{ id: row.id, access: read.access, status }], at());
    }
    if (item.method === 'move' && item.state === 'done') {
      const live = this.deps.links.liveFor(this.job.bucketId, item.source, at());
      this.linksBroken += live;
      counted ||= live > 0;
    }
    // Written as they change, so a run killed after this item still reports them.
    if (counted) {
      this.deps.jobs.setResult(this.job.id, { stillPublic: this.stillPublic, linksBroken: this.linksBroken });
    }
    this.tick();
  }

  private async retrying<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (
          this.signal.aborted ||
          err instanceof StorageLost ||
          err instanceof ItemFailure ||
          !isRetryable(err) ||
          attempt + 1 >= ITEM_ATTEMPTS
        )
          throw err;
        this.addRetries(1);
        await sleep(backoffMs(attempt), this.signal);
      }
    }
  }

  private tick(): void {
    this.progress.active = [...this.inFlight.values()].slice(0, JOB_PROGRESS_FILES);
    this.report(this.progress);
  }

  snapshot(): RunProgress {
    return { ...this.progress, active: [...this.inFlight.values()].slice(0, JOB_PROGRESS_FILES) };
  }
}
