import { z } from 'zod';
import {
  AccountCreateSchema,
  AccountIdSchema,
  AccountUpdateSchema,
  AccountViewSchema,
  VerifierKeyInputSchema,
} from '../accounts/schemas';
import {
  BucketViewSchema,
  ObjectDetailsSchema,
  ObjectPageInputSchema,
  ObjectPageSchema,
  SelectionSchema,
  SyncInputSchema,
  SyncSummarySchema,
  VerifySummarySchema,
  WatchSummarySchema,
} from '../library/schemas';
import {
  AdminTokenSchema,
  AdminTokenStatusSchema,
  BatchInputSchema,
  BatchIssueSchema,
  BatchPreviewSchema,
  JtiSchema,
  KidSchema,
  LinkCreatedSchema,
  LinkCreateSchema,
  LinkReissueSchema,
  LinksPageInputSchema,
  LinksPageSchema,
  LinkUsageInputSchema,
  LinkUsageSchema,
  LinkViewSchema,
  SigningKeyViewSchema,
  VerifierExportInputSchema,
  VerifierExportSchema,
} from '../links/schemas';
import { SettingsPatchSchema, SettingsSchema } from '../settings';
import {
  AccessChangeSchema,
  AccessPreviewSchema,
  FileNowInputSchema,
  FileNowSchema,
  JobDetailsSchema,
  JobIdSchema,
  JobProgressSchema,
  JobsListInputSchema,
  JobViewSchema,
  UploadPlanInputSchema,
  UploadPlanSchema,
  UploadStartSchema,
} from '../jobs/schemas';
import {
  BackupCreatedSchema,
  BackupCreateInputSchema,
  BackupRestoredSchema,
  BackupRestoreInputSchema,
  BackupStatusSchema,
} from '../backup/schemas';
import { channel } from './define';

/**
 * Every request the renderer can make of main. Main registers a handler for each (and only these) in one
 * place; preload builds `window.api` from the same object, so a channel exists everywhere or nowhere.
 */
export const contract = {
  'app:info': channel({
    summary: 'Versions and paths shown in the About panel',
    input: z.void(),
    output: z.object({
      name: z.string(),
      version: z.string(),
      versions: z.object({
        electron: z.string().nullable(),
        chrome: z.string().nullable(),
        node: z.string(),
        sqlite: z.string(),
      }),
      platform: z.string(),
      dataFolder: z.string(),
    }),
  }),
  'settings:get': channel({
    summary: 'The current settings, with defaults filled in',
    input: z.void(),
    output: SettingsSchema,
  }),
  'settings:update': channel({
    summary: 'Change some settings; answers the full settings after the change',
    input: SettingsPatchSchema,
    output: SettingsSchema,
  }),
  'keychain:status': channel({
    summary: 'Whether the OS keychain can be reached (secrets are stored only there)',
    input: z.void(),
    output: z.object({
      available: z.boolean(),
      backend: z.string(),
      /** When unavailable: what happened and what to do, in plain words. */
      message: z.string().nullable(),
    }),
  }),
  'activity:list': channel({
    summary: 'The most recent entries of the activity log, newest first',
    input: z.object({ limit: z.number().int().min(1).max(500).default(100) }),
    output: z.array(
      z.object({
        id: z.number().int(),
        at: z.string(),
        kind: z.string(),
        message: z.string(),
      }),
    ),
  }),
  'accounts:list': channel({
    summary: 'Storage accounts with their settings and last test (whether keys are stored, never the keys)',
    input: z.void(),
    output: z.array(AccountViewSchema),
  }),
  'accounts:add': channel({
    summary: 'Add a storage account: settings to SQLite, keys to the OS keychain (all or nothing)',
    input: AccountCreateSchema,
    output: AccountViewSchema,
  }),
  'accounts:update': channel({
    summary: 'Change a storage account; key fields left out keep what the keychain holds',
    input: AccountUpdateSchema,
    output: AccountViewSchema,
  }),
  'accounts:remove': channel({
    summary: 'Remove a storage account and delete its keys from the OS keychain',
    input: z.object({ id: AccountIdSchema }),
    output: z.object({ id: z.string(), keychainEntriesRemoved: z.number().int().min(0) }),
  }),
  'accounts:test': channel({
    summary:
      'Test a storage account: sign-in, clock, and per bucket reachability, privacy model and exposure',
    input: z.object({ id: AccountIdSchema }),
    output: AccountViewSchema,
  }),
  'accounts:verifier-key': channel({
    summary:
      'Store (or clear) an account’s read-only verifier key in the OS keychain; verifier configs carry it instead of the account’s own key',
    input: VerifierKeyInputSchema,
    output: AccountViewSchema,
  }),
  'library:buckets': channel({
    summary: 'Every bucket of every account with its catalog counts (objects, bytes, access types, leaks)',
    input: z.void(),
    output: z.array(BucketViewSchema),
  }),
  'library:page': channel({
    summary:
      'One page of catalog objects for a folder, prefix, filter or search, by cursor (from SQLite, no network)',
    input: ObjectPageInputSchema,
    output: ObjectPageSchema,
  }),
  'library:object': channel({
    summary: 'One object with its metadata, grants, plain URL and verification history',
    input: z.object({ id: z.number().int().positive() }),
    output: ObjectDetailsSchema,
  }),
  'library:sync': channel({
    summary:
      'List a bucket (or one prefix) into the catalog and resolve access types; progress as task:progress (taskId sync:ACCOUNT:BUCKET)',
    input: SyncInputSchema,
    output: SyncSummarySchema,
  }),
  'library:verify': channel({
    summary:
      'Anonymous GET of each selected object’s plain URL: records what a stranger gets and flags leaks; progress as task:progress',
    input: z.object({ selection: SelectionSchema }),
    output: VerifySummarySchema,
  }),
  'keys:list': channel({
    summary: 'Token signing keys (kid, created, active, retired); the secrets stay in the keychain',
    input: z.void(),
    output: z.array(SigningKeyViewSchema),
  }),
  'keys:create': channel({
    summary: 'Make a new signing key (32 random bytes, kept in the keychain) and make it the active one',
    input: z.void(),
    output: SigningKeyViewSchema,
  }),
  'keys:retire': channel({
    summary: 'Retire a signing key: it leaves verifier configs, so links signed with it stop working there',
    input: z.object({ kid: KidSchema }),
    output: SigningKeyViewSchema,
  }),
  'links:create': channel({
    summary:
      'Make a download link for a catalog object (verifier token or direct pre-signed URL) and add it to the ledger',
    input: LinkCreateSchema,
    output: LinkCreatedSchema,
  }),
  'links:list': channel({
    summary: 'One page of the link ledger, newest first: search, status and kind filters, by cursor',
    input: LinksPageInputSchema,
    output: LinksPageSchema,
  }),
  'links:revoke': channel({
    summary: 'Revoke a verifier link through the verifier’s admin API, then mark it revoked in the ledger',
    input: z.object({ jti: JtiSchema }),
    output: LinkViewSchema,
  }),
  'links:reissue': channel({
    summary:
      'A new link for the same file, order and customer in place of a link; the old one is revoked at the verifier first (a direct link is marked replaced)',
    input: LinkReissueSchema,
    output: LinkCreatedSchema,
  }),
  'links:usage': channel({
    summary:
      'Ask the verifier how many times links were downloaded, from how many networks (shared?) and whether revoked; updates the ledger',
    input: LinkUsageInputSchema,
    output: LinkUsageSchema,
  }),
  'links:batch-preview': channel({
    summary:
      'Check a CSV of orders (order,email,product,max,expires): what each row would link to, or its error',
    input: BatchInputSchema,
    output: BatchPreviewSchema,
  }),
  'links:batch-issue': channel({
    summary:
      'Issue a verifier link for each good row of a CSV of orders; answers the CSV with url,jti,expires_at,error',
    input: BatchInputSchema,
    output: BatchIssueSchema,
  }),
  'verifier:export-config': channel({
    summary:
      'Write a complete verifier config file (keys, stores, admin token: secrets) where the user chooses; mode 0600',
    input: VerifierExportInputSchema,
    output: VerifierExportSchema,
  }),
  'verifier:admin-token-status': channel({
    summary: 'Whether the verifier admin token is set (kept in the keychain; never sent to the window)',
    input: z.void(),
    output: AdminTokenStatusSchema,
  }),
  'verifier:admin-token-set': channel({
    summary: 'Store the verifier admin token in the keychain',
    input: z.object({ token: AdminTokenSchema }),
    output: AdminTokenStatusSchema,
  }),
  'files:choose': channel({
    summary: 'The native “Open” dialog for files to upload; answers the chosen paths (none when cancelled)',
    input: z.void(),
    output: z.object({ paths: z.array(z.string()) }),
  }),
  'jobs:list': channel({
    summary: 'Recent jobs (uploads, make private / public), newest first, with progress and results',
    input: JobsListInputSchema,
    output: z.array(JobViewSchema),
  }),
  'jobs:get': channel({
    summary: 'One job with its items, failed ones first',
    input: z.object({ id: JobIdSchema, limit: z.number().int().min(1).max(10_000).default(200) }),
    output: JobDetailsSchema,
  }),
  'jobs:file-now': channel({
    summary:
      'Where a file is now, after jobs that may have moved it (make private without per-file access moves it to the private bucket): its details and bucket, or null',
    input: FileNowInputSchema,
    output: FileNowSchema,
  }),
  'jobs:upload-plan': channel({
    summary:
      'What an upload would do: keys, names that already exist, where the files go and how they stay private',
    input: UploadPlanInputSchema,
    output: UploadPlanSchema,
  }),
  'jobs:upload': channel({
    summary:
      'Start an upload job (private by default); progress as job:progress and task:progress (taskId job:ID)',
    input: UploadStartSchema,
    output: JobViewSchema,
  }),
  'jobs:access-preview': channel({
    summary:
      'What making a selection private or public would do (per-file ACL, move, refused), before asking',
    input: AccessChangeSchema,
    output: AccessPreviewSchema,
  }),
  'jobs:access': channel({
    summary: 'Start a job that makes a selection private or public, then proves the result',
    input: AccessChangeSchema,
    output: JobViewSchema,
  }),
  'jobs:pause': channel({
    summary: 'Pause a running job (items in flight finish)',
    input: z.object({ id: JobIdSchema }),
    output: JobViewSchema,
  }),
  'jobs:resume': channel({
    summary: 'Resume a paused, interrupted or failed job; failed items are tried again',
    input: z.object({ id: JobIdSchema }),
    output: JobViewSchema,
  }),
  'jobs:cancel': channel({
    summary: 'Cancel a job: items not done yet are left as they were',
    input: z.object({ id: JobIdSchema }),
    output: JobViewSchema,
  }),
  'watch:status': channel({
    summary: 'When the leak watch last finished a pass (null: never)',
    input: z.void(),
    output: z.object({ lastPassAt: z.string().nullable() }),
  }),
  'watch:run': channel({
    summary:
      'One pass of the leak watch now: each bucket’s rule read again, every linked file asked for as a stranger; a task with progress (watch:leaks)',
    input: z.void(),
    output: WatchSummarySchema,
  }),
  'backup:status': channel({
    summary: 'When the last backup was made, and whether to remind the owner to make one (after 30 days)',
    input: z.void(),
    output: BackupStatusSchema,
  }),
  'backup:create': channel({
    summary:
      'Back up accounts with their keys, signing keys, admin token, settings and ledger, encrypted with the passphrase, where the user chooses; mode 0600',
    input: BackupCreateInputSchema,
    output: BackupCreatedSchema,
  }),
  'backup:restore': channel({
    summary:
      'Restore a backup the user chooses: refused when this computer has accounts or keys unless replace; a wrong passphrase changes nothing',
    input: BackupRestoreInputSchema,
    output: BackupRestoredSchema,
  }),
  'tasks:cancel': channel({
    summary:
      'Cancel a running task (a sync, a verification, or a job: taskId job:ID cancels it as jobs:cancel does) by its taskId',
    input: z.object({ taskId: z.string().min(1).max(600) }),
    output: z.object({ cancelled: z.boolean() }),
  }),
} as const;

/**
 * Channels only the preload calls, never part of `window.api`: what they carry comes from Electron in the preload,
 * not from the page. A dropped file's path is resolved there (webUtils.getPathForFile, for a File the owner
 * dropped) and granted for upload here; the page itself can only hand the preload File objects.
 */
export const preloadContract = {
  'files:dropped': channel({
    summary: 'Paths of files dropped on the window, resolved by the preload: main grants them for upload',
    input: z.object({ paths: z.array(z.string().min(1).max(4096)).min(1).max(10_000) }),
    output: z.object({ paths: z.array(z.string()) }),
  }),
} as const;

/**
 * Events main sends to the renderer (progress of long tasks). Main validates each payload before sending.
 */
export const events = {
  'task:progress': z.object({
    taskId: z.string(),
    label: z.string(),
    done: z.number().int().min(0),
    total: z.number().int().min(0).nullable(),
    state: z.enum(['running', 'done', 'failed', 'cancelled']),
    message: z.string().nullable(),
    /** Throughput so far, e.g. objects listed per second (null when not meaningful). */
    rate: z.number().min(0).nullable().default(null),
  }),
  'settings:changed': SettingsSchema,
  /** A job's counts and the files in flight, at most every 100 ms while it runs, and once when it stops. */
  'job:progress': JobProgressSchema,
  /** Links just seen shared for the first time (the ledger refreshes; the owner got a desktop notification). */
  'links:shared': z.object({ jtis: z.array(z.string()) }),
} as const;

export type Contract = typeof contract;
export type ChannelName = keyof Contract;
export type ChannelInput<C extends ChannelName> = z.input<Contract[C]['input']>;
export type ChannelOutput<C extends ChannelName> = z.output<Contract[C]['output']>;
export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;
export const CHANNEL_NAMES = Object.keys(contract) as ChannelName[];
export type PreloadContract = typeof preloadContract;
export type PreloadChannelName = keyof PreloadContract;
export const PRELOAD_CHANNEL_NAMES = Object.keys(preloadContract) as PreloadChannelName[];
export const EVENT_NAMES = Object.keys(events) as EventName[];
/** Prefix of the IPC channel that carries events, so event and request names can never collide. */
export const EVENT_CHANNEL_PREFIX = 'event:';
