import { jobTaskId } from '@shared/tasks/task-ids';
import {
  ENDED_STATES,
  type AccessChange,
  type AccessPreview,
  type FilePlace,
  type JobDetails,
  type JobProgress,
  type JobView,
  type UploadPlan,
  type UploadPlanInput,
  type UploadStart,
} from '@shared/jobs/schemas';
import type { AccountRepository } from '../../repositories/account-repository';
import type { BucketRepository } from '../../repositories/bucket-repository';
import type { CatalogRepository } from '../../repositories/catalog-repository';
import type { ItemCounts, ItemRecord, JobRecord, JobRepository } from '../../repositories/job-repository';
import type { LinkRepository } from '../../repositories/link-repository';
import type { AccountService } from '../accounts/account-service';
import type { ActivityService } from '../activity-service';
import type { Clock } from '../clock';
import { UserFacingError } from '../errors';
import { STORAGE_WORKER_FROM, type ObjectStorageSource } from '../storage/object-storage';
import type { StorageGateways } from '../storage/storage-gateways';
import type { TaskContext, TaskProgress, TaskRegistry } from '../tasks';
import { currentPlace } from './file-place';
import { JobLeases } from './job-leases';
import { JobPlanner, type PlannedJob } from './job-planning';
import { JobRun, type RunProgress } from './job-runner';
import { activity, noSuchJob, resumeElsewhere, runElsewhere } from './job-sentences';
import { itemView, jobView, taskCounts, taskEnd } from './job-view';
import { nextTurn } from '../../lib/next-turn';

/** Items written per transaction when a job is created (see create): 10-24 ms a chunk at 1,000, half that at 500. */
const WRITE_CHUNK = 500;

export interface JobDeps {
  jobs: JobRepository;
  buckets: BucketRepository;
  catalog: CatalogRepository;
  links: LinkRepository;
  accountRepo: AccountRepository;
  accounts: AccountService;
  /** The planner's listings and checks of existing keys. */
  gateways: StorageGateways;
  /** A run's object calls: in a storage worker thread in the app (wiring.ts), in this thread otherwise. */
  storage: ObjectStorageSource;
  activity: ActivityService;
  clock: Clock;
  /** Long tasks of this process: a running job is one of them (progress, and cancel by its task id). */
  tasks: TaskRegistry;
  /** The window's jobs dock: a job's view and files in flight, each time its task reports. */
  emitJob: (payload: JobProgress) => void;
  /** This process, as written in a job it runs ('host:pid'). */
  owner?: string;
  /** Whether a process of this computer still runs (a job held by a dead one is taken over at once). */
  isAlive?: (pid: number) => boolean;
  /** Test hook, passed to each run: called after each item is carried out. */
  afterItem?: (item: ItemRecord) => void;
}

/** A job just started (or resumed): its view now, and its view once this process stops running it. */
export interface Started {
  job: JobView;
  done: Promise<JobView>;
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
 * renewed while it runs: job-leases.ts); a process that dies leaves the job to be resumed by the next start.
 * What a job will do is worked out in job-planning.ts.
 */
export class JobService {
  private readonly leases: JobLeases;
  private readonly planner: JobPlanner;
  private readonly active = new Map<number, Active>();
  /** Jobs whose items this process is writing now (create): not planned yet, and not left over. */
  private readonly writing = new Set<number>();
  private closing = false;

  constructor(private readonly deps: JobDeps) {
    this.leases = new JobLeases(deps);
    this.planner = new JobPlanner(deps);
  }

  // ---- planning and starting -------------------------------------------------------------------------

  /** What an upload would do: keys, existing keys (collisions), where the files go and how they are kept. */
  planUpload(raw: UploadPlanInput): Promise<UploadPlan> {
    return this.planner.planUpload(raw);
  }

  /** Starts an upload job; without `overwrite`, a key that already exists fails its item and is not touched. */
  async startUpload(raw: UploadStart, options: RunOptions = {}): Promise<Started> {
    return this.create(await this.planner.upload(raw), options);
  }

  /** What a make-private / make-public would do, without doing it (for the confirmation). */
  previewAccess(raw: AccessChange): Promise<AccessPreview> {
    return this.planner.previewAccess(raw);
  }

  async startAccess(raw: AccessChange, options: RunOptions = {}): Promise<Started> {
    return this.create(await this.planner.access(raw), options);
  }

  private async create(planned: PlannedJob, runOptions: RunOptions): Promise<Started> {
    const { kind, bucket, title, options, items } = planned;
    const head = {
      kind,
      accountId: bucket.accountId,
      bucketId: bucket.id,
      title,
      options,
      at: this.now(),
      owner: this.leases.owner,
      lease: this.leases.until(),
    };
    let id: number;
    if (items.length <= WRITE_CHUNK) id = this.deps.jobs.create(head, items);
    else {
      // 100,000 items in one transaction held the main thread for half a second: a chunk per turn of the event
      // loop instead, the job hidden from every list and runner until its last item is in.
      id = this.deps.jobs.createUnplanned(head);
      this.writing.add(id);
      try {
        for (let at = 0; at < items.length; at += WRITE_CHUNK) {
          await nextTurn();
          // Held while written, however long that takes: another process removes a half-written job only once
          // its lease ran out (or its writer died).
          this.leases.renew(id);
          this.deps.jobs.addItems(id, items.slice(at, at + WRITE_CHUNK));
        }
        this.deps.jobs.markPlanned(id);
      } catch (err) {
        this.deps.jobs.removeUnplanned(id);
        throw err;
      } finally {
        this.writing.delete(id);
      }
    }
    this.deps.activity.record('jobs', activity.started(title));
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
    return { ...this.view(id), items: this.deps.jobs.items(id, limit).map(itemView) };
  }

  /** Where a file the window knew is in the catalog now, after jobs that may have moved it (file-place.ts). */
  currentPlace(file: { id: number; bucketId: number; key: string }): FilePlace | null {
    return currentPlace(this.deps, file);
  }

  // ---- control ----------------------------------------------------------------------------------------

  /** Runs a job in this process until it ends or stops; answers its view then. Joins a run already going here. */
  run(id: number, options: RunOptions = {}): Promise<JobView> {
    const running = this.active.get(id);
    if (running) return running.done;
    const job = this.record(id);
    if (ENDED_STATES.has(job.state) || job.state === 'paused') return Promise.resolve(this.toView(job));
    if (!this.leases.claim(job, this.now())) {
      return Promise.reject(new UserFacingError('conflict', runElsewhere(id, job.owner)));
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
  resume(id: number, options: RunOptions = {}): Started {
    const job = this.record(id);
    const stopping = this.windingDown(id);
    if (stopping) {
      // Joining that run would leave the job paused once it stops: it ends queued instead and runs again.
      stopping.next = 'resume';
      this.deps.jobs.setState(id, 'queued', null);
      return { job: this.view(id), done: stopping.done };
    }
    if (this.active.has(id)) return { job: this.view(id), done: this.active.get(id)!.done };
    if (job.state === 'running' && !this.leases.claimable(job, false)) {
      throw new UserFacingError('conflict', resumeElsewhere(id, job.owner));
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
      this.deps.activity.record('jobs', activity.cancelled(job.title));
    }
    return this.view(id);
  }

  /** Jobs a dead process left (or queued and never started): the app resumes them at start. */
  interrupted(): JobView[] {
    return this.deps.jobs
      .open()
      .filter((j) => !this.active.has(j.id) && this.leases.claimable(j, false))
      .map((j) => this.toView(j));
  }

  /** Resumes every interrupted job, one after another; answers their final views. */
  async resumeInterrupted(options: RunOptions = {}): Promise<JobView[]> {
    // A job whose writing a stopped process left half done never ran: nothing changed, it goes.
    for (const j of this.deps.jobs.unplanned()) {
      if (this.leases.claimable(j, this.writing.has(j.id))) this.deps.jobs.removeUnplanned(j.id);
    }
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
      this.deps.jobs.release(id, this.leases.owner, 'queued', null);
    }
  }

  // ---- running ----------------------------------------------------------------------------------------

  /**
   * A run as one of this process's tasks: its progress goes out as task:progress and job:progress on the
   * registry's pace, and cancelling its task (tasks:cancel) cancels the job as its Cancel button does.
   */
  private async execute(
    id: number,
    controller: AbortController,
    entry: Active,
    options: RunOptions,
  ): Promise<JobView> {
    const job = this.record(id);
    // A job that stops on an error still ends its task with its view (failed), then the error goes to the caller.
    const ended = await this.deps.tasks.run(
      jobTaskId(id),
      job.title,
      async (task): Promise<{ view: JobView; error?: unknown }> => {
        task.signal.addEventListener(
          'abort',
          () => {
            // Not when the app quits: the registry's tasks are cancelled then too, and the job is handed back.
            if (!this.closing) this.cancel(id);
          },
          { once: true },
        );
        try {
          return { view: await this.carryOut(job, controller, entry, options, task) };
        } catch (error) {
          return { view: this.view(id), error };
        }
      },
      ({ view }) => taskEnd(view),
    );
    if ('error' in ended) throw ended.error;
    return ended.view;
  }

  private async carryOut(
    job: JobRecord,
    controller: AbortController,
    entry: Active,
    options: RunOptions,
    task: TaskContext,
  ): Promise<JobView> {
    const id = job.id;
    /** The view to the window's jobs dock (job:progress) and the command line's progress line; answers it. */
    const show = (counts: 'run' | 'table'): JobView => {
      const p = entry.run?.snapshot() ?? null;
      const view = p && counts === 'run' ? this.toView(this.record(id), p) : this.view(id);
      this.deps.emitJob({ job: view, active: p?.active ?? [] });
      if (p) options.onProgress?.(view, p);
      return view;
    };
    // Worked out only when the registry sends an event: reading the view ten times a second for nothing cost
    // about 3 % of a 10,000-item job's CPU. While items go by, the counts come from the run.
    const report = (): TaskProgress => ({ label: job.title, ...taskCounts(show('run')) });
    // The last report, not throttled, with the counts as the table holds them once the run let go.
    const reportEnd = () => {
      if (!this.closing) show('table');
    };
    const watch = this.leases.watch(id, controller, () => this.closing);
    try {
      const { record } = await this.deps.accounts.connection(job.accountId);
      const opened = await this.deps.storage.open(
        job.accountId,
        this.deps.jobs.itemsUpTo(job.id, STORAGE_WORKER_FROM),
      );
      const run = new JobRun(this.deps, job, opened.storage, record, controller.signal, () => {
        if (!this.closing) task.progress(report);
      });
      entry.run = run;
      if (!this.closing) task.progress(report);
      try {
        await run.run();
      } finally {
        await opened.close();
      }
      const counts = this.deps.jobs.counts(id);
      const final = counts.failed > 0 || counts.cancelled > 0 ? 'failed' : 'done';
      this.deps.jobs.release(id, this.leases.owner, final, this.now());
      const view = this.view(id);
      this.deps.activity.record('jobs', activity.ended(job.title, view.summary));
      reportEnd();
      return view;
    } catch (err) {
      if (this.closing) return this.toView(job);
      const signalled = controller.signal.aborted ? (controller.signal.reason as StopReason) : null;
      const reason = signalled === 'pause' && entry.next ? entry.next : signalled;
      const owner = this.leases.owner;
      if (reason === 'cancel') {
        this.deps.jobs.cancelPending(id);
        this.deps.jobs.release(id, owner, 'cancelled', this.now());
        this.deps.activity.record('jobs', activity.cancelled(job.title));
      } else if (reason === 'pause') {
        this.deps.jobs.release(id, owner, 'paused', null);
        this.deps.activity.record('jobs', activity.paused(job.title));
      } else if (reason === 'shutdown' || reason === 'resume') {
        this.deps.jobs.release(id, owner, 'queued', null);
      } else {
        // Nothing item-specific (e.g. the account's keys are gone): stop, keep every item as it is.
        this.deps.jobs.release(id, owner, 'failed', this.now());
        const bucket = this.deps.buckets.get(job.bucketId);
        const plain = err instanceof UserFacingError || !bucket ? err : this.planner.plain(err, bucket);
        this.deps.activity.record('jobs', activity.stopped(job.title, (plain as Error).message));
        reportEnd();
        throw plain;
      }
      reportEnd();
      return this.view(id);
    } finally {
      watch.stop();
    }
  }

  // ---- helpers ----------------------------------------------------------------------------------------

  private toView(j: JobRecord, counts?: ItemCounts): JobView {
    const runningHere = this.active.has(j.id);
    return jobView(j, counts ?? this.deps.jobs.counts(j.id), {
      runningHere,
      claimable: () => this.leases.claimable(j, runningHere),
    });
  }

  private record(id: number): JobRecord {
    const j = this.deps.jobs.get(id);
    if (!j) throw new UserFacingError('not-found', noSuchJob(id));
    return j;
  }

  private now(): string {
    return this.deps.clock.now().toISOString();
  }
}
