import { z } from 'zod';
import { UploadFolderSchema } from '../library/object-key';
import { ObjectDetailsSchema, SelectionSchema } from '../library/schemas';

/**
 * Durable jobs: uploads and bulk access changes. A job and its items live in SQLite, so a job survives the app
 * or the command line being killed, and the next start resumes it where it stopped.
 */
export const JOB_KINDS = ['upload', 'private', 'public'] as const;
export const JobKindSchema = z.enum(JOB_KINDS);
export type JobKind = z.output<typeof JobKindSchema>;

/**
 * `queued`: waiting for a runner (new, resumed, or interrupted: the process that ran it died). `running`: a live
 * process is working on it. `done`: every item done and proved. `failed`: ended with items that failed.
 */
export const JOB_STATES = ['queued', 'running', 'paused', 'done', 'failed', 'cancelled'] as const;
export const JobStateSchema = z.enum(JOB_STATES);
export type JobState = z.output<typeof JobStateSchema>;
export const ENDED_STATES: ReadonlySet<JobState> = new Set(['done', 'failed', 'cancelled']);

/**
 * `copied`: a move's copy exists and was checked (size and ETag) but its source is not deleted yet. An item is
 * `done` only after the proof re-read its access.
 */
export const ITEM_STATES = ['pending', 'copied', 'done', 'failed', 'cancelled'] as const;
export const ItemStateSchema = z.enum(ITEM_STATES);
export type ItemState = z.output<typeof ItemStateSchema>;

/** How an item is carried out: an upload, a per-object ACL, or a move to another bucket (copy, check, delete). */
export const ItemMethodSchema = z.enum(['upload', 'acl', 'move']);
export type ItemMethod = z.output<typeof ItemMethodSchema>;

export const JobIdSchema = z.number().int().positive();

export const JobViewSchema = z.object({
  id: JobIdSchema,
  kind: JobKindSchema,
  state: JobStateSchema,
  /** A queued job whose last runner died mid-way: the next start resumes it. */
  interrupted: z.boolean(),
  title: z.string(),
  accountId: z.string(),
  accountName: z.string(),
  bucket: z.string(),
  total: z.number().int().min(0),
  done: z.number().int().min(0),
  failed: z.number().int().min(0),
  cancelled: z.number().int().min(0),
  bytesTotal: z.number().int().min(0),
  bytesDone: z.number().int().min(0),
  /** Items of a make-private job whose access re-read after the change still says public (never counted done). */
  stillPublic: z.number().int().min(0),
  /** Retries after throttling, 5xx answers or dropped connections (the SDK's and the runner's). */
  retries: z.number().int().min(0),
  /** Ledger links that point at a place a move emptied: they no longer work. */
  linksBroken: z.number().int().min(0),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  /** A sentence for the Activity page: what happened and, if something failed, what to do. */
  summary: z.string(),
});
export type JobView = z.output<typeof JobViewSchema>;

export const JobItemViewSchema = z.object({
  id: z.number().int().positive(),
  source: z.string(),
  key: z.string(),
  size: z.number().int().min(0),
  method: ItemMethodSchema,
  state: ItemStateSchema,
  attempts: z.number().int().min(0),
  error: z.string().nullable(),
  /** The access the proof read after the change ('unknown' when it could not be read). */
  access: z.string().nullable(),
});
export type JobItemView = z.output<typeof JobItemViewSchema>;

export const JobDetailsSchema = JobViewSchema.extend({
  /** Failed items first, then the rest, at most `limit`. */
  items: z.array(JobItemViewSchema),
});
export type JobDetails = z.output<typeof JobDetailsSchema>;

/** A file as the window knew it before a job changed it (say, the file a download link is being made for). */
export const FileNowInputSchema = z.object({
  id: z.number().int().positive(),
  bucketId: z.number().int().positive(),
  key: z.string().min(1).max(1024),
});
export type FileNowInput = z.input<typeof FileNowInputSchema>;

/** Where a file is in the catalog now: its row and the bucket it is in. */
export const FilePlaceSchema = z.object({
  objectId: z.number().int().positive(),
  bucketId: z.number().int().positive(),
});
export type FilePlace = z.output<typeof FilePlaceSchema>;

/**
 * The file where it is now, with the catalog bucket it is in: the same row after an access change in place, a
 * new row in the bucket a move took it to. null: it is in neither place (deleted, or not synced yet).
 */
export const FileNowSchema = ObjectDetailsSchema.extend({ bucketId: z.number().int().positive() }).nullable();
export type FileNow = z.output<typeof FileNowSchema>;

export const UploadFileSchema = z.object({
  /** An absolute path on this computer (from the file dialog or a drop). */
  path: z.string().min(1).max(4096),
});

export const UploadPlanInputSchema = z.object({
  bucketId: z.number().int().positive(),
  /** The folder to upload into ('' for the top, else ending with '/'); NFC, no `.`/`..` parts (object-key.ts). */
  folder: UploadFolderSchema.default(''),
  paths: z.array(z.string().min(1).max(4096)).min(1).max(10_000),
  public: z.boolean().default(false),
});
export type UploadPlanInput = z.input<typeof UploadPlanInputSchema>;

export const UploadPlanSchema = z.object({
  files: z.array(z.object({ path: z.string(), key: z.string(), size: z.number().int().min(0) })),
  /** Keys that already exist in the storage: the owner decides whether to overwrite them. */
  collisions: z.array(z.string()),
  /** Where the files will go and how they will be kept private (or public), in one sentence. */
  destination: z.string(),
  /** Paths that cannot be uploaded (not a file, unreadable), with the reason. */
  problems: z.array(z.object({ path: z.string(), reason: z.string() })),
});
export type UploadPlan = z.output<typeof UploadPlanSchema>;

export const UploadStartSchema = UploadPlanInputSchema.extend({
  /** Existing keys the owner agreed to replace; any other existing key fails its item, untouched. */
  overwrite: z.array(z.string()).max(10_000).default([]),
  overwriteAll: z.boolean().default(false),
});
export type UploadStart = z.input<typeof UploadStartSchema>;

export const AccessChangeSchema = z.object({
  selection: SelectionSchema,
  access: z.enum(['private', 'public']),
  /** After the change, also fetch each item anonymously and record what a stranger gets. */
  verify: z.boolean().default(false),
});
export type AccessChange = z.input<typeof AccessChangeSchema>;

export const AccessPreviewSchema = z.object({
  total: z.number().int().min(0),
  /** How many would change per method, and what cannot be done with the reason. */
  acl: z.number().int().min(0),
  move: z.number().int().min(0),
  already: z.number().int().min(0),
  refused: z.array(z.object({ key: z.string(), reason: z.string() })).max(50),
  refusedTotal: z.number().int().min(0),
  /** One sentence: what will happen. */
  plan: z.string(),
});
export type AccessPreview = z.output<typeof AccessPreviewSchema>;

export const JobsListInputSchema = z.object({ limit: z.number().int().min(1).max(500).default(100) });

export const JOB_PROGRESS_FILES = 8;
/** Per-job progress with the files being transferred right now (uploads): sent at most every 100 ms. */
export const JobProgressSchema = z.object({
  job: JobViewSchema,
  active: z
    .array(z.object({ key: z.string(), loaded: z.number().int().min(0), total: z.number().int().min(0) }))
    .max(JOB_PROGRESS_FILES),
});
export type JobProgress = z.output<typeof JobProgressSchema>;
