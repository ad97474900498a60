import { isLeak, type AccessType, type Selection, type VerifySummary } from '@shared/library/schemas';
import type { BucketRepository } from '../../repositories/bucket-repository';
import type { CatalogRepository, ObjectRecord } from '../../repositories/catalog-repository';
import type { ActivityService } from '../activity-service';
import type { Clock } from '../clock';
import { UserFacingError } from '../errors';
import type { StorageGateways } from '../storage/storage-gateways';
import type { TaskProgress } from '../tasks';
import { forEachConcurrent } from '../../lib/async-queue';

/** Anonymous GETs in flight: each reads only a status line, so this is about the storage's request rate. */
const VERIFY_CONCURRENCY = 16;
const FLUSH_ROWS = 200;

export interface VerifyResult {
  key: string;
  access: AccessType;
  status: number;
  leak: boolean;
}

export interface VerifyOptions {
  signal?: AbortSignal;
  onProgress?: (p: TaskProgress) => void;
  onResult?: (r: VerifyResult) => void;
  /**
   * How the stranger asks: a GET of the plain URL (default, what `signet verify` promises), or a HEAD, which S3
   * answers with the same status and no body (the leak watch, which asks for thousands of files on a timer).
   */
  method?: 'GET' | 'HEAD';
  /** Requests in flight (default VERIFY_CONCURRENCY). */
  concurrency?: number;
  /** The progress label (default "Verifying BUCKET"). */
  label?: string;
}

/**
 * Checks what a stranger gets: an unsigned GET of each selected object's plain URL. The answer is recorded per
 * object (status and time) with a leak flag when the catalog holds the object as not public yet it answered 200.
 */
export class VerifyService {
  constructor(
    private readonly deps: {
      buckets: BucketRepository;
      catalog: CatalogRepository;
      gateways: StorageGateways;
      activity: ActivityService;
      clock: Clock;
    },
  ) {}

  async verify(selection: Selection, options: VerifyOptions = {}): Promise<VerifySummary> {
    const started = performance.now();
    const bucketId = selection.kind === 'ids' ? selection.bucketId : selection.query.bucketId;
    const bucket = this.deps.buckets.get(bucketId);
    if (!bucket)
      throw new UserFacingError('not-found', 'This bucket is no longer in Signet’s catalog. Sync it again.');
    const gateway = await this.deps.gateways.for(bucket.accountId);
    const { catalog } = this.deps;
    const objects: Iterable<ObjectRecord> =
      selection.kind === 'ids' ? catalog.byIds(bucketId, selection.ids) : catalog.iterate(selection.query);
    const total = selection.kind === 'ids' ? selection.ids.length : catalog.count(selection.query);

    const summary: VerifySummary = { checked: 0, readable: 0, refused: 0, failed: 0, leaks: [], seconds: 0 };
    let batch: { id: number; access: AccessType; status: number }[] = [];
    const flush = () => {
      if (batch.length) catalog.recordVerifications(batch, this.deps.clock.now().toISOString());
      batch = [];
    };
    // Rows come from a live SQLite iterator, which must not be interleaved with writes on the same connection:
    // take a snapshot of what to check first (ids and keys only).
    const todo = Array.from(objects, (o) => ({ id: o.id, key: o.key, access: o.access }));
    try {
      await forEachConcurrent(
        todo,
        options.concurrency ?? VERIFY_CONCURRENCY,
        async (o) => {
          const { status } =
            options.method === 'HEAD'
              ? await gateway.anonymousHead(bucket.name, o.key, options.signal)
              : await gateway.anonymousGet(bucket.name, o.key, options.signal);
          const leak = isLeak(o.access, status);
          summary.checked++;
          if (status === 200) summary.readable++;
          else if (status === 0) summary.failed++;
          else summary.refused++;
          if (leak) summary.leaks.push({ key: o.key, access: o.access, status });
          batch.push({ id: o.id, access: o.access, status });
          if (batch.length >= FLUSH_ROWS) flush();
          options.onResult?.({ key: o.key, access: o.access, status, leak });
          const seconds = (performance.now() - started) / 1000;
          options.onProgress?.({
            label: options.label ?? `Verifying ${bucket.name}`,
            done: summary.checked,
            total,
            rate: seconds > 0 ? summary.checked / seconds : null,
            message: `${summary.checked} of ${total} checked, ${summary.leaks.length} leak(s)`,
          });
        },
        options.signal,
      );
    } finally {
      flush();
    }
    summary.seconds = Math.round(performance.now() - started) / 1000;
    this.deps.activity.record(
      'library',
      `Verified ${summary.checked} file(s) in “${bucket.name}” anonymously: ${summary.readable} readable, ` +
        `${summary.refused} refused${summary.leaks.length ? `, ${summary.leaks.length} LEAK(S)` : ''}.`,
    );
    return summary;
  }
}
