import { statSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename } from 'node:path';
import {
  AccessChangeSchema,
  ENDED_STATES,
  UploadPlanInputSchema,
  UploadStartSchema,
  type AccessChange,
  type AccessPreview,
  type JobDetails,
  type JobProgress,
  type JobView,
  type UploadPlan,
  type UploadPlanInput,
  type UploadStart,
} from '../../../shared/jobs/schemas';
import type { EventPayload } from '../../../shared/ipc/contract';
import { sentence, uploadKey, uploadNameProblem } from '../../../shared/library/object-key';
import type { Selection } from '../../../shared/library/schemas';
import type { AccountRepository } from '../../repositories/account-repository';
import type { BucketRecord, BucketRepository } from '../../repositories/bucket-repository';
import type { CatalogRepository, ObjectRecord } from '../../repositories/catalog-repository';
import type {
  ItemCounts,
  ItemRecord,
  JobRecord,
  JobRepository,
  NewItem,
} from '../../repositories/job-repository';
import type { LinkRepository } from '../../repositories/link-repository';
import type { AccountService } from '../accounts/account-service';
import type { ActivityService } from '../activity-service';
import type { Clock } from '../clock';
import { UserFacingError } from '../errors';
import { forEachConcurrent } from '../../lib/async-queue';
import type { StorageGateway } from '../storage/storage-gateway';
import type { StorageGateways } from '../storage/storage-gateways';
import { storageError } from '../storage/storage-errors';
import { planAccess, type AccessPlan } from './access-plan';
import { JobRun, type RunProgress } from './job-runner';
import { jobSummary } from './job-summary';

/** A runner holds a job this long without renewing; past it, another process may take the job over. */
export const LEASE_MS = 20_000;
const RENEW_MS = 5_000;
/** How often a runner looks whether another process paused or cancelled its job. */
const STATE_POLL_MS = 1_000;
const PROGRESS_MS = 100;

export interface JobDeps {
  jobs: JobRepository;
  buckets: BucketRepository;
  catalog: CatalogRepository;
  links: LinkRepository;
  accountRepo: AccountRepository;
  accounts: AccountService;
  gateways: StorageGateways;
  activity: ActivityService;
  clock: Clock;
  emitTask: (payload: EventPayload<'task:progress'>) => void;
  emitJob: (payload: JobProgress) => void;
  /** This process, as written in a job it runs ('host:pid'). */
  owner?: string;
  /** Whether a process of this computer still runs (a job held by a dead one is taken over at once). */
  isAlive?: (pid: number) => boolean;
  /** Test hook, passed to each run: called after each item is carried out. */
  afterItem?: (item: ItemRecord) => void;
}

export interface RunOptions {
  onProgress?: (view: JobView, progress: RunProgress) => void;
}

type StopReason = 'pause' | 'cancel' | 'shutdown';

interface Active {
  controller: AbortController;
  done: Promise<JobView>;
  run: JobRun | null;
  /**
   * What the owner asked for after the run was told to pause, while it still finishes the requests it had sent
   * (a second or more on a slow storage): the run ends that way instead of paused.
   */
  next: 'resume' | 'cancel' | null;
}

/**
 * Uploads and access changes as durable jobs, for the window, the contract and the command line. A job is
 * written with all its items before any work starts; one process at a time runs it (a lease in the jobs table,
 * renewed while it runs); a process that dies leaves the job to be resumed by the next start.
 */
export class JobService {
  private readonly owner: string;
  private readonly active = new Map<number, Active>();
  private closing = false;

  constructor(private readonly deps: JobDeps) {
    this.owner = deps.owner ?? `${hostname()}:${process.pid}`;
  }

  // ---- planning and starting -------------------------------------------------------------------------

  /** What an upload would do: keys, existing keys (collisions), where the files go and how they are kept. */
  async planUpload(raw: UploadPlanInput): Promise<UploadPlan> {
    return (await this.plannedUpload(raw)).plan;
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
          problems.push({
            path,
            reason: 'This is not a file (folders are not uploaded as such: choose the files in it).',
          });
          continue;
        }
        size = st.size;
        mtimeMs = st.mtimeMs;
      } catch (err) {
        problems.push({
          path,
          reason: `Signet cannot read it (${(err as NodeJS.ErrnoException).code ?? 'error'}).`,
        });
        continue;
      }
      const nameProblem = uploadNameProblem(basename(path));
      if (nameProblem !== null) {
        problems.push({ path, reason: sentence(nameProblem) });
        continue;
      }
      const key = uploadKey(input.folder, basename(path));
      if (seen.has(key)) {
        problems.push({ path, reason: `Another chosen file is also named “${basename(path)}”.` });
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

  /** Starts an upload job; without `overwrite`, a key that already exists fails its item and is not touched. */
  async startUpload(
    raw: UploadStart,
    options: RunOptions = {},
  ): Promise<{ job: JobView; done: Promise<JobView> }> {
    const input = UploadStartSchema.parse(raw);
    const { plan, mtimes } = await this.plannedUpload(input);
    const bucket = this.bucket(input.bucketId);
    const access = this.uploadPlan(bucket, input.public);
    if (access.method === 'refuse') throw new UserFacingError('invalid-input', access.reason);
    if (plan.files.length === 0) {
      throw new UserFacingError(
        'invalid-input',
        plan.problems[0]?.reason ?? 'Choose at least one file to upload.',
      );
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
        ...(existing
          ? {
              error: `“${f.key}” already exists in “${target.name}”, so it was not uploaded. Choose to replace it, or rename the file.`,
            }
          : {}),
      };
    });
    const title = `Upload ${files(items.length)} to ${target.name}${input.folder ? `/${input.folder}` : ''}${input.public ? ' (public)' : ''}`;
    return this.create('upload', bucket, title, { public: input.public }, items, options);
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

  async startAccess(
    raw: AccessChange,
    options: RunOptions = {},
  ): Promise<{ job: JobView; done: Promise<JobView> }> {
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
    if (items.length === 0)
      throw new UserFacingError(
        'invalid-input',
        'No files are selected. Sync the bucket, or choose other files.',
      );
    const title = `Make ${files(items.length)} in ${bucket.name} ${input.access}`;
    return this.create(input.access, bucket, title, { verify: input.verify }, items, options);
  }

  private async create(
    kind: JobRecord['kind'],
    bucket: BucketRecord,
    title: string,
    options: object,
    items: readonly NewItem[],
    runOptions: RunOptions,
  ): Promise<{ job: JobView; done: Promise<JobView> }> {
    const id = this.deps.jobs.create(
      {
        kind,
        accountId: bucket.accountId,
        bucketId: bucket.id,
        title,
        options,
        at: this.now(),
        owner: this.owner,
        lease: Date.now() + LEASE_MS,
      },
      items,
    );
    this.deps.activity.record('jobs', `Started: ${title}.`);
    const done = this.run(id, runOptions);
    return { job: this.view(id), done };
  }

  // ---- reading ----------------------------------------------------------------------------------------

  list(limit = 100): JobView[] {
    return this.deps.jobs.recent(limit).map((j) => this.toView(j));
  }

  view(id: number): JobView {
    return this.toView(this.record(id));
  }

  details(id: number, limit = 200): JobDetails {
    const job = this.view(id);
    const items = this.deps.jobs.items(id, limit).map((i) => ({
      id: i.id,
      source: i.source,
      key: i.key,
      size: i.size,
      method: i.method,
      state: i.state,
      attempts: i.attempts,
      error: i.error,
      access: i.access,
    }));
    return { ...job, items };
  }

  // ---- control ----------------------------------------------------------------------------------------

  /** Runs a job in this process until it ends or stops; answers its view then. Joins a run already going here. */
  run(id: number, options: RunOptions = {}): Promise<JobView> {
    const running = this.active.get(id);
    if (running) return running.done;
    const job = this.record(id);
    if (ENDED_STATES.has(job.state) || job.state === 'paused') return Promise.resolve(this.toView(job));
    if (
      !this.deps.jobs.claim(
        id,
        this.owner,
        Date.now() + LEASE_MS,
        Date.now(),
        this.deadOwner(job),
        this.now(),
      )
    ) {
      return Promise.reject(
        new UserFacingError(
          'conflict',
          `Job ${id} is being run by another Signet (${job.owner ?? 'another process'}). It goes on there; watch it in Activity.`,
        ),
      );
    }
    const controller = new AbortController();
    const entry: Active = {
      controller,
      done: Promise.resolve(null as unknown as JobView),
      run: null,
      next: null,
    };
    entry.done = this.execute(id, controller, entry, options)
      .finally(() => this.active.delete(id))
      .then((view) =>
        // Resumed while the pause wound down: once this run has let go of the job, a new one takes it.
        entry.next === 'resume' && view.state === 'queued' ? this.resume(id, options).done : view,
      );
    this.active.set(id, entry);
    return entry.done;
  }

  pause(id: number): JobView {
    const job = this.record(id);
    if (ENDED_STATES.has(job.state)) return this.toView(job);
    this.deps.jobs.setState(id, 'paused', null);
    const here = this.active.get(id);
    if (here) here.next = null;
    here?.controller.abort('pause');
    return this.view(id);
  }

  /** A run here told to pause that still finishes the requests it had sent. */
  private windingDown(id: number): Active | null {
    const here = this.active.get(id);
    return here?.controller.signal.aborted && here.controller.signal.reason === 'pause' ? here : null;
  }

  /** Resumes a paused, interrupted, failed or cancelled job: failed and cancelled items are tried again. */
  resume(id: number, options: RunOptions = {}): { job: JobView; done: Promise<JobView> } {
    const job = this.record(id);
    const stopping = this.windingDown(id);
    if (stopping) {
      // Joining that run would leave the job paused once it stops: it ends queued instead and runs again.
      stopping.next = 'resume';
      this.deps.jobs.setState(id, 'queued', null);
      return { job: this.view(id), done: stopping.done };
    }
    if (this.active.has(id)) return { job: this.view(id), done: this.active.get(id)!.done };
    if (job.state === 'running' && !this.claimable(job)) {
      throw new UserFacingError('conflict', `Job ${id} is being run by another Signet (${job.owner}).`);
    }
    this.deps.jobs.requeueItems(id, ['failed', 'cancelled']);
    if (job.state !== 'running') this.deps.jobs.setState(id, 'queued', null);
    const done = this.run(id, options);
    return { job: this.view(id), done };
  }

  cancel(id: number): JobView {
    const job = this.record(id);
    if (ENDED_STATES.has(job.state)) return this.toView(job);
    const here = this.active.get(id);
    if (here) {
      // A run that winds down from a pause has its signal spent: it reads `next` when it stops, and the job
      // shows cancelled already (not paused, which would offer Resume).
      if (this.windingDown(id)) {
        this.deps.jobs.setState(id, 'cancelled', this.now());
        this.deps.jobs.cancelPending(id);
      }
      here.next = 'cancel';
      here.controller.abort('cancel');
    } else {
      // Not run here: cancel in the table. A live runner elsewhere sees it within a second and stops.
      this.deps.jobs.setState(id, 'cancelled', this.now());
      this.deps.jobs.cancelPending(id);
      this.deps.activity.record('jobs', `Cancelled: ${job.title}.`);
    }
    return this.view(id);
  }

  /** Jobs a dead process left (or queued and never started): the app resumes them at start. */
  interrupted(): JobView[] {
    return this.deps.jobs
      .open()
      .filter((j) => !this.active.has(j.id) && this.claimable(j))
      .map((j) => this.toView(j));
  }

  /** Resumes every interrupted job, one after another; answers their final views. */
  async resumeInterrupted(options: RunOptions = {}): Promise<JobView[]> {
    const out: JobView[] = [];
    for (const job of this.interrupted()) {
      try {
        out.push(await this.run(job.id, options));
      } catch (err) {
        if (!(err instanceof UserFacingError && err.code === 'conflict')) throw err;
      }
    }
    return out;
  }

  /** On quit: stops every run and hands its job back as interrupted, so the next start resumes it. */
  shutdown(): void {
    this.closing = true;
    for (const [id, a] of this.active) {
      a.controller.abort('shutdown');
      this.deps.jobs.release(id, this.owner, 'queued', null);
    }
  }

  // ---- running ----------------------------------------------------------------------------------------

  private async execute(
    id: number,
    controller: AbortController,
    entry: Active,
    options: RunOptions,
  ): Promise<JobView> {
    const job = this.record(id);
    let lastSent = 0;
    const send = (progress: RunProgress | null, force = false) => {
      if (this.closing) return;
      const now = Date.now();
      if (!force && now - lastSent < PROGRESS_MS) return;
      lastSent = now;
      // While items go by, the counts come from the run, which keeps them as it goes: counting them in
      // SQLite ten times a second cost about 3 % of a 10,000-item job's CPU.
      const view = progress ? this.toView(this.record(id), progress) : this.view(id);
      const p = progress ?? entry.run?.snapshot() ?? null;
      this.deps.emitJob({ job: view, active: p?.active ?? [] });
      this.deps.emitTask({
        taskId: `job:${id}`,
        label: job.title,
        done: view.done + view.failed,
        total: view.total,
        state:
          view.state === 'done'
            ? 'done'
            : view.state === 'failed'
              ? 'failed'
              : view.state === 'running'
                ? 'running'
                : 'cancelled',
        message: view.summary,
        rate: null,
      });
      if (p) options.onProgress?.(view, p);
    };
    let lastRenew = Date.now();
    const watch = setInterval(() => {
      if (this.closing) return;
      const state = this.deps.jobs.get(id)?.state;
      if (state === 'paused') controller.abort('pause');
      else if (state === 'cancelled') controller.abort('cancel');
      if (Date.now() - lastRenew >= RENEW_MS) {
        lastRenew = Date.now();
        if (!this.deps.jobs.renew(id, this.owner, Date.now() + LEASE_MS)) controller.abort('shutdown');
      }
    }, STATE_POLL_MS);
    watch.unref();
    try {
      const { record } = await this.deps.accounts.connection(job.accountId);
      const gateway = await this.deps.gateways.for(job.accountId);
      const run = new JobRun(
        {
          jobs: this.deps.jobs,
          buckets: this.deps.buckets,
          catalog: this.deps.catalog,
          links: this.deps.links,
          clock: this.deps.clock,
          ...(this.deps.afterItem ? { afterItem: this.deps.afterItem } : {}),
        },
        job,
        gateway,
        record,
        controller.signal,
        (p) => send(p),
      );
      entry.run = run;
      send(null, true);
      await run.run();
      const counts = this.deps.jobs.counts(id);
      const final = counts.failed > 0 || counts.cancelled > 0 ? 'failed' : 'done';
      this.deps.jobs.release(id, this.owner, final, this.now());
      const view = this.view(id);
      this.deps.activity.record('jobs', `${job.title}: ${view.summary}`);
      send(null, true);
      return view;
    } catch (err) {
      if (this.closing) return this.toView(job);
      const signalled = controller.signal.aborted ? (controller.signal.reason as StopReason) : null;
      const reason = signalled === 'pause' && entry.next ? entry.next : signalled;
      if (reason === 'cancel') {
        this.deps.jobs.cancelPending(id);
        this.deps.jobs.release(id, this.owner, 'cancelled', this.now());
        this.deps.activity.record('jobs', `Cancelled: ${job.title}.`);
      } else if (reason === 'pause') {
        this.deps.jobs.release(id, this.owner, 'paused', null);
        this.deps.activity.record('jobs', `Paused: ${job.title}.`);
      } else if (reason === 'shutdown' || reason === 'resume') {
        this.deps.jobs.release(id, this.owner, 'queued', null);
      } else {
        // Nothing item-specific (e.g. the account's keys are gone): stop, keep every item as it is.
        this.deps.jobs.release(id, this.owner, 'failed', this.now());
        const bucket = this.deps.buckets.get(job.bucketId);
        const plain = err instanceof UserFacingError || !bucket ? err : this.plain(err, bucket);
        this.deps.activity.record(
          'jobs',
          `Stopped: ${job.title}: ${(plain as Error).message} Resume it once that is fixed.`,
        );
        send(null, true);
        throw plain;
      }
      send(null, true);
      return this.view(id);
    } finally {
      clearInterval(watch);
    }
  }

  // ---- helpers ----------------------------------------------------------------------------------------

  private toView(j: JobRecord, counts?: ItemCounts): JobView {
    const c = counts ?? this.deps.jobs.counts(j.id);
    const interrupted = j.state === 'queued' && j.wasRunning && !this.active.has(j.id);
    const runningElsewhereDead = j.state === 'running' && !this.active.has(j.id) && this.claimable(j);
    const state = runningElsewhereDead ? 'queued' : j.state;
    return {
      id: j.id,
      kind: j.kind,
      state,
      interrupted: interrupted || runningElsewhereDead,
      title: j.title,
      accountId: j.accountId,
      accountName: j.accountName,
      bucket: j.bucket,
      total: c.total,
      done: c.done,
      failed: c.failed,
      cancelled: c.cancelled,
      bytesTotal: c.bytesTotal,
      bytesDone: c.bytesDone,
      stillPublic: j.stillPublic,
      retries: j.retries,
      linksBroken: j.linksBroken,
      createdAt: j.createdAt,
      startedAt: j.startedAt,
      endedAt: j.endedAt,
      summary: jobSummary(j.kind, state, c, {
        interrupted: interrupted || runningElsewhereDead,
        stillPublic: j.stillPublic,
        linksBroken: j.linksBroken,
      }),
    };
  }

  /** A job nobody live holds: no owner, an expired lease, or an owner process of this computer that is gone. */
  private claimable(j: JobRecord): boolean {
    if (!j.owner) return true;
    if (j.owner === this.owner) return !this.active.has(j.id);
    if ((j.leaseUntil ?? 0) < Date.now()) return true;
    return this.deadOwner(j) !== null;
  }

  private deadOwner(j: JobRecord): string | null {
    if (!j.owner || j.owner === this.owner) return null;
    const cut = j.owner.lastIndexOf(':');
    const host = j.owner.slice(0, cut);
    const pid = Number(j.owner.slice(cut + 1));
    if (host !== hostname() || !Number.isInteger(pid)) return null;
    const alive = this.deps.isAlive ?? processAlive;
    return alive(pid) ? null : j.owner;
  }

  private record(id: number): JobRecord {
    const j = this.deps.jobs.get(id);
    if (!j) throw new UserFacingError('not-found', `There is no job ${id}. See \`signet jobs list\`.`);
    return j;
  }

  private bucket(id: number): BucketRecord {
    const b = this.deps.buckets.get(id);
    if (!b) throw new UserFacingError('not-found', 'This bucket is no longer in Signet. Choose another one.');
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
    return { bucket, objects: [...this.deps.catalog.iterate(selection.query)] };
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

  private plain(err: unknown, bucket: BucketRecord): Error {
    if (err instanceof UserFacingError) return err;
    const account = this.deps.accountRepo.get(bucket.accountId);
    return account ? storageError(err, account, bucket.name) : (err as Error);
  }

  private now(): string {
    return this.deps.clock.now().toISOString();
  }
}

/** Listing pages read to find existing keys before falling back to one HEAD per file. */
const COLLISION_LIST_PAGES = 5;

/**
 * Which of the files' keys already exist. A few files: one HEAD each. Many files: the folder's listing (1,000
 * keys per request) when it is small enough to read in a few pages, else one HEAD each.
 */
async function existingKeys(
  gateway: StorageGateway,
  bucket: string,
  folder: string,
  files: readonly { key: string }[],
): Promise<string[]> {
  // The files' keys are NFC; a key written decomposed (NFD, by another tool or an older Signet) looks the same
  // to the owner, so it counts as existing too: it is compared in NFC, and asked for in both forms.
  const wanted = new Set(files.map((f) => f.key));
  if (files.length > 20) {
    const found = new Set<string>();
    let cursor: string | null = null;
    for (let page = 0; page < COLLISION_LIST_PAGES; page++) {
      const listed = await gateway.list(bucket, folder, cursor);
      for (const o of listed.objects) {
        const key = o.key.normalize('NFC');
        if (wanted.has(key)) found.add(key);
      }
      cursor = listed.next;
      if (cursor === null) {
        // A folder whose name changes under NFD may hold decomposed keys this listing did not see: ask per file.
        if (folder.normalize('NFD') === folder) return [...found];
        break;
      }
    }
  }
  const found: string[] = [];
  await forEachConcurrent(files, 16, async (f) => {
    const decomposed = f.key.normalize('NFD');
    if (
      (await gateway.head(bucket, f.key)) ||
      (decomposed !== f.key && (await gateway.head(bucket, decomposed)))
    ) {
      found.push(f.key);
    }
  });
  return found;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function files(x: number): string {
  return `${x.toLocaleString('en-US')} file${x === 1 ? '' : 's'}`;
}

function uploadDestination(bucket: BucketRecord, plan: AccessPlan, isPublic: boolean): string {
  if (plan.method === 'refuse') return plan.reason;
  const kept = isPublic ? 'public' : 'private';
  if (plan.method === 'move') {
    return isPublic
      ? `Into “${plan.to.name}”, public: “${bucket.name}” is the account’s private bucket.`
      : `Into the account’s private bucket “${plan.to.name}”: files in “${bucket.name}” have no access setting of their own.`;
  }
  if (plan.acl === null) return `Into “${bucket.name}”, ${kept} as the whole bucket is.`;
  return `Into “${bucket.name}”, each file ${kept} by its own access setting (ACL ${plan.acl}).`;
}

function accessPlanSentence(
  bucket: BucketRecord,
  plan: AccessPlan,
  want: 'private' | 'public',
  total: number,
): string {
  if (plan.method === 'refuse') return plan.reason;
  if (plan.method === 'move') {
    return `${files(total)} will be moved from “${bucket.name}” to “${plan.to.name}” (copied, checked, then deleted here), where they are ${want}.`;
  }
  if (plan.acl === null)
    return `${files(total)} are already ${want} as the whole bucket is; Signet will check each one.`;
  return `${files(total)} will get the access setting ${plan.acl}, then Signet re-reads each one to prove it.`;
}
