import type { AccessPreview } from '@shared/jobs/schemas';

/** This many files or more are always confirmed, whatever the setting says: a slip would touch too much. */
export const LARGE_CHANGE = 1000;

/**
 * Whether to ask before changing access. With "Ask before changing many files" on (the default), anything
 * more than one file is confirmed; a very large change and one where some files cannot be changed always are,
 * so the owner sees the reason before starting rather than failed items after.
 */
export function needsConfirmation(preview: AccessPreview, confirmBulkChanges: boolean): boolean {
  if (preview.refusedTotal > 0) return true;
  if (preview.total >= LARGE_CHANGE) return true;
  return confirmBulkChanges && preview.total > 1;
}
