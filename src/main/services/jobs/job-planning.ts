/**
 * What a job will do, before it exists: an upload's plan (keys, collisions, where the files go) and a
 * make-private / make-public's preview, and the items each job is written with. Nothing here changes the
 * storage or the jobs table.
 */
import { statSync } from 'node:fs';
import { basename } from 'node:path';
import {
  AccessChangeSchema,
  UploadPlanInputSchema,
  UploadStartSchema,
  type AccessChange,
  type AccessPreview,
  type UploadPlan,
  type UploadPlanInput,
  type UploadStart,
} from '@shared/jobs/schemas';
import { sentence, uploadKey, uploadNameProblem } from '@shared/library/object-key';
import type { ObjectQuery, Selection, Sort } from '@shared/library/schemas';
import type { AccountRepository } from '../../repositories/account-repository';
import type { BucketRecord, BucketRepository } from '../../repositories/bucket-repository';
import type { CatalogRepository, ObjectRecord } from '../../repositories/catalog-repository';
import type { Cursor } from '../../repositories/catalog-search-sql';
import type { JobRecord, NewItem } from '../../repositories/job-repository';
import type { AccountService } from '../accounts/account-service';
import { UserFacingError } from '../errors';
import type { StorageGateways } from '../storage/storage-gateways';
import { storageError } from '../storage/storage-errors';
import { planAccess, type AccessPlan } from './access-plan';
import { existingKeys } from './existing-keys';
import {
  accessPlanSentence,
  accessTitle,
  alreadyExists,
  BUCKET_GONE,
  NO_FILE_CHOSEN,
  NO_FILE_SELECTED,
  NOT_A_FILE,
  sameName,
  unreadable,
  uploadDestination,
  uploadTitle,
} from './job-sentences';
import { nextTurn } from '../../lib/next-turn';

/**
 * A selection is read by name, this many files per turn of the event loop: 11-22 ms a turn at 2,000 files, which with
 * a garbage collection in the same turn held the main thread up to 47 ms while 100,000 files were planned
 * (`npm run bench:jobs -- --parts 3`); 1,000 a turn brought the longest hold to 34 ms, in the same total time.
 */
const READ_PAGE = 1000;
const BY_NAME: Sort = { column: 'name', direction: 'asc' };

export interface PlanningDeps {
  buckets: BucketRepository;
  catalog: CatalogRepository;
  accountRepo: AccountRepository;
  accounts: AccountService;
  gateways: StorageGateways;
}

/** A job ready to be written: the bucket it works on, its title and options, and every item. */
export interface PlannedJob {
  kind: JobRecord['kind'];
  bucket: BucketRecord;
  title: string;
  options: object;
  items: NewItem[];
}

export class JobPlanner {
  constructor(private readonly deps: PlanningDeps) {}

  /** What an upload would do: keys, existing keys (collisions), where the files go and how they are kept. */
  async planUpload(raw: UploadPlanInput): Promise<UploadPlan> {
    return (await this.plannedUpload(raw)).plan;
  }

  /** An upload job; without `overwrite`, a key that already exists fails its item and is not touched. */
  async upload(raw: UploadStart): Promise<PlannedJob> {
    const input = UploadStartSchema.parse(raw);
    const { plan, mtimes } = await this.plannedUpload(input);
    const bucket = this.bucket(input.bucketId);
    const access = this.uploadPlan(bucket, input.public);
    if (access.method === 'refuse') throw new UserFacingError('invalid-input', access.reason);
    if (plan.files.length === 0) {
      throw new UserFacingError('invalid-input', plan.problems[0]?.reason ?? NO_FILE_CHOSEN);
    }
    const target = access.method === 'move' ? access.to : bucket;
    const agreed = new Set(input.overwrite);
    const collisions = new Set(plan.collisions);
    const items: NewItem[] = plan.files.map((f) => {
      const replace = input.overwriteAll || agreed.has(f.key);
      const existing = collisions.has(f.key) && !replace;
      return {
        source: f.path,
        key: f.key,
        size: f.size,
        mtimeMs: mtimes.get(f.path) ?? null,
        method: 'upload',
        targetBucketId: target.id,
        acl: access.acl,
        // What the owner agreed to, kept with the item: only these may replace an object, also on a resume (a
        // key that exists and was not agreed to fails, and a resume's retry fails it again, untouched). The
        // others are written create-only, so a key taken after the plan is refused too.
        overwrite: input.overwriteAll || (collisions.has(f.key) && agreed.has(f.key)),
        ...(existing ? { error: alreadyExists(f.key, target.name) } : {}),
      };
    });
    const title = uploadTitle(items.length, target.name, input.folder, input.public);
    return { kind: 'upload', bucket, title, options: { public: input.public }, items };
  }

  /** What a make-private / make-public would do, without doing it (for the confirmation). */
  async previewAccess(raw: AccessChange): Promise<AccessPreview> {
    const input = AccessChangeSchema.parse(raw);
    const { bucket, objects } = await this.selected(input.selection);
    const plan = planAccess(bucket, input.access, this.accountBuckets(bucket));
    const preview: AccessPreview = {
      total: 0,
      acl: 0,
      move: 0,
      already: 0,
      refused: [],
      refusedTotal: 0,
      plan: '',
    };
    for (const o of objects) {
      preview.total++;
      if (plan.method === 'refuse') {
        preview.refusedTotal++;
        if (preview.refused.length < 50) preview.refused.push({ key: o.key, reason: plan.reason });
      } else if (plan.method === 'move') preview.move++;
      else if (plan.acl === null) preview.already++;
      else preview.acl++;
    }
    preview.plan = accessPlanSentence(bucket, plan, input.access, preview.total);
    return preview;
  }

  /** A make-private / make-public job: one item per selected file, refused ones failed with the reason. */
  async access(raw: AccessChange): Promise<PlannedJob> {
    const input = AccessChangeSchema.parse(raw);
    const { bucket, objects } = await this.selected(input.selection);
    const plan = planAccess(bucket, input.access, this.accountBuckets(bucket));
    const items: NewItem[] = [];
    for (const o of objects) {
      items.push({
        source: o.key,
        key: o.key,
        size: o.size,
        method: plan.method === 'move' ? 'move' : 'acl',
        targetBucketId: plan.method === 'move' ? plan.to.id : bucket.id,
        acl: plan.method === 'refuse' ? null : plan.acl,
        ...(plan.method === 'refuse' ? { error: plan.reason } : {}),
      });
    }
    if (items.length === 0) throw new UserFacingError('invalid-input', NO_FILE_SELECTED);
    const title = accessTitle(items.length, bucket.name, input.access);
    return { kind: input.access, bucket, title, options: { verify: input.verify }, items };
  }

  /** A storage error as the owner reads it, naming the account and bucket. */
  plain(err: unknown, bucket: BucketRecord): Error {
    if (err instanceof UserFacingError) return err;
    const account = this.deps.accountRepo.get(bucket.accountId);
    return account ? storageError(err, account, bucket.name) : (err as Error);
  }

  /** The plan, and each planned file's modification time (which the job keeps to notice a change before upload). */
  private async plannedUpload(
    raw: UploadPlanInput,
  ): Promise<{ plan: UploadPlan; mtimes: Map<string, number> }> {
    const input = UploadPlanInputSchema.parse(raw);
    const mtimes = new Map<string, number>();
    const bucket = await this.checked(input.bucketId);
    const plan = this.uploadPlan(bucket, input.public);
    const files: UploadPlan['files'] = [];
    const problems: UploadPlan['problems'] = [];
    const seen = new Set<string>();
    for (const path of input.paths) {
      let size: number;
      let mtimeMs: number;
      try {
        const st = statSync(path);
        if (!st.isFile()) {
          problems.push({ path, reason: NOT_A_FILE });
          continue;
        }
        size = st.size;
        mtimeMs = st.mtimeMs;
      } catch (err) {
        problems.push({ path, reason: unreadable((err as NodeJS.ErrnoException).code) });
        continue;
      }
      const nameProblem = uploadNameProblem(basename(path));
      if (nameProblem !== null) {
        problems.push({ path, reason: sentence(nameProblem) });
        continue;
      }
      const key = uploadKey(input.folder, basename(path));
      if (seen.has(key)) {
        problems.push({ path, reason: sameName(basename(path)) });
        continue;
      }
      seen.add(key);
      files.push({ path, key, size });
      mtimes.set(path, mtimeMs);
    }
    const collisions: string[] = [];
    if (plan.method !== 'refuse' && files.length) {
      const target = plan.method === 'move' ? plan.to : bucket;
      const gateway = await this.deps.gateways.for(bucket.accountId);
      try {
        collisions.push(...(await existingKeys(gateway, target.name, input.folder, files)));
      } catch (err) {
        throw this.plain(err, bucket);
      }
    }
    return {
      plan: {
        files,
        collisions: collisions.sort(),
        destination: uploadDestination(bucket, plan, input.public),
        problems,
      },
      mtimes,
    };
  }

  private bucket(id: number): BucketRecord {
    const b = this.deps.buckets.get(id);
    if (!b) throw new UserFacingError('not-found', BUCKET_GONE);
    return b;
  }

  private accountBuckets(bucket: BucketRecord): BucketRecord[] {
    return this.deps.buckets.list().filter((b) => b.accountId === bucket.accountId);
  }

  private uploadPlan(bucket: BucketRecord, isPublic: boolean): AccessPlan {
    return planAccess(bucket, isPublic ? 'public' : 'private', this.accountBuckets(bucket));
  }

  private async selected(
    selection: Selection,
  ): Promise<{ bucket: BucketRecord; objects: Iterable<ObjectRecord> }> {
    if (selection.kind === 'ids') {
      const bucket = await this.checked(selection.bucketId);
      return { bucket, objects: this.deps.catalog.byIds(selection.bucketId, selection.ids) };
    }
    const bucket = await this.checked(selection.query.bucketId);
    return { bucket, objects: await this.queried(selection.query) };
  }

  /**
   * The files a query selects, by name, read a page at a time with the event loop free between two pages: read
   * in one go, 100,000 files held the main thread (and every call from the window) for a third of a second.
   */
  private async queried(query: ObjectQuery): Promise<ObjectRecord[]> {
    const out: ObjectRecord[] = [];
    let cursor: Cursor | null = null;
    for (;;) {
      const { rows, last } = this.deps.catalog.page(query, BY_NAME, cursor, READ_PAGE);
      for (const row of rows) out.push(row);
      if (rows.length < READ_PAGE || last === null) return out;
      cursor = last;
      await nextTurn();
    }
  }

  /**
   * The bucket, with the privacy of the account's buckets known: how files are kept private depends on it, so a
   * bucket never checked (an account added without a test) is checked first.
   */
  private async checked(bucketId: number): Promise<BucketRecord> {
    const bucket = this.bucket(bucketId);
    for (const b of this.accountBuckets(bucket)) {
      if (b.checkedAt !== null || !b.configured) continue;
      try {
        await this.deps.accounts.checkBucket(b.accountId, b.name);
      } catch (err) {
        throw this.plain(err, b);
      }
    }
    return this.bucket(bucketId);
  }
}
