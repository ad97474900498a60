import type { AccessType } from '@shared/library/schemas';
import type { CatalogRepository, ListedObject, StoredGrant } from '../../repositories/catalog-repository';
import type { ItemRecord, JobRepository } from '../../repositories/job-repository';

/**
 * How long a new item state (or, for the catalog, an uploaded object or a proved access type) may wait before
 * it is written. A killed
 * process loses at most this much of what it did, and the resume does those items again: setting an ACL again,
 * uploading the same file to the same key again, or reading an access again changes nothing. A move's checked
 * copy, the one step whose record a retry must see, is never held back (`now`).
 */
export const RUN_WRITE_MS = 50;
/** Writes held at most, so a burst of fast items is written in groups of this size. */
export const RUN_WRITE_BATCH = 512;

interface HeldAccess {
  bucketId: number;
  key: string;
  access: AccessType;
  grants: StoredGrant[] | null;
  /** The status of the stranger's request that proved the access, where one did. */
  verified?: number;
  at: string;
}

/**
 * A job run's writes, in groups (one transaction each) instead of one commit per item. Measured with a CPU
 * profile of a make-private job of 10,000 objects on the jobs bench's Ceph: the per-item commits were the job's
 * largest cost of its own, on a machine where the storage server competes for the same two cores.
 */
export class RunWrites {
  private readonly items = new Map<number, ItemRecord>();
  private readonly objects = new Map<number, Map<string, ListedObject>>();
  private readonly access = new Map<string, HeldAccess>();
  private heldObjects = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly jobs: Pick<JobRepository, 'updateItem' | 'updateItems' | 'transaction'>,
    private readonly catalog: Pick<CatalogRepository, 'setAccess' | 'upsertPage'>,
    private readonly waitMs = RUN_WRITE_MS,
    private readonly batch = RUN_WRITE_BATCH,
  ) {}

  /** Writes the item's state within `waitMs` (a copy: the caller may go on changing the item). */
  later(item: ItemRecord): void {
    this.items.set(item.id, { ...item });
    this.held();
  }

  /** Adds an uploaded object to the catalog within `waitMs` (before any access type held for it). */
  laterObject(bucketId: number, object: ListedObject): void {
    let held = this.objects.get(bucketId);
    if (held === undefined) {
      held = new Map();
      this.objects.set(bucketId, held);
    }
    if (!held.has(object.key)) this.heldObjects++;
    held.set(object.key, object);
    this.held();
  }

  /** Records a proved access type in the catalog within `waitMs`. */
  laterAccess(access: HeldAccess): void {
    this.access.set(`${access.bucketId}\n${access.key}`, access);
    this.held();
  }

  /** Writes the item's state at once, after everything held (so no older state lands on top of it). */
  now(item: ItemRecord): void {
    this.flush();
    this.jobs.updateItem(item);
  }

  /**
   * Writes everything held, in one transaction. On an error (the database busy past its timeout, or closed)
   * everything stays held and the error goes to the caller; see `held` for the timer's flush.
   */
  flush(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.pending === 0) return;
    const items = [...this.items.values()];
    const objects = [...this.objects].map(([bucketId, held]) => ({ bucketId, list: [...held.values()] }));
    const access = [...this.access.values()];
    this.jobs.transaction(() => {
      if (items.length > 0) this.jobs.updateItems(items);
      for (const o of objects) this.catalog.upsertPage(o.bucketId, o.list, 0, new Set());
      for (const a of access) this.catalog.setAccess(a.bucketId, [a], a.at);
    });
    this.items.clear();
    this.objects.clear();
    this.heldObjects = 0;
    this.access.clear();
  }

  get pending(): number {
    return this.items.size + this.heldObjects + this.access.size;
  }

  private held(): void {
    if (this.pending >= this.batch) {
      this.flush();
    } else if (this.timer === null) {
      this.timer = setTimeout(() => {
        this.timer = null;
        try {
          this.flush();
        } catch {
          // Kept, not lost: a timer has nobody to tell, so the next flush (the next timer, a full batch, the end
          // of the phase or the run's `finally`) writes them, or hands the error to the run, which fails the job.
        }
      }, this.waitMs);
      this.timer.unref?.();
    }
  }
}
