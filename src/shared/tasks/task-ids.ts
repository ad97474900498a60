/**
 * The ids of long tasks in main (tasks:cancel and task:progress name them). Main runs a task under its id and
 * the window finds its progress, or cancels it, by the same id: both build it here, so they cannot drift.
 */

/** A bucket's sync: one at a time per bucket of an account (a second start while it runs is refused). */
export const syncTaskId = (accountId: string, bucket: string): string => `sync:${accountId}:${bucket}`;

/** An access check of files of one bucket (Verify). The window follows any running check by VERIFY_TASK_PREFIX. */
export const VERIFY_TASK_PREFIX = 'verify:';
export const verifyTaskId = (bucketId: number): string => `${VERIFY_TASK_PREFIX}${bucketId}`;

/** A job (upload, make private / public): its progress as task:progress; tasks:cancel cancels the job. */
export const jobTaskId = (id: number): string => `job:${id}`;
