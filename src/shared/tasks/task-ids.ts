/**
 * The ids of long tasks in main (tasks:cancel and task:progress name them). Main runs a task under its id and
 * the window finds its progress, or cancels it, by the same id: both build it here, so they cannot drift.
 */

/** A bucket's sync: one at a time per bucket of an account (a second start while it runs is refused). */
export const syncTaskId = (accountId: string, bucket: string): string => `sync:${accountId}:${bucket}`;
