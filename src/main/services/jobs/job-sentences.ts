/**
 * What jobs say to the shop owner when planning, starting and controlling them: the window and the command
 * line show these same sentences, so they name no CLI command and no window control a CLI user lacks (the
 * command line adds its own hints to its output). A job's result sentence is in job-summary.ts; an item's
 * failure, which names what the storage answered, is beside the step that meets it.
 */
import type { BucketRecord } from '../../repositories/bucket-repository';
import type { AccessPlan } from './access-plan';

const n = (x: number) => x.toLocaleString('en-US');

/** "1 file", "1,200 files". */
export function files(x: number): string {
  return `${n(x)} file${x === 1 ? '' : 's'}`;
}

// ---- planning ----------------------------------------------------------------------------------------

export const NOT_A_FILE = 'This is not a file (folders are not uploaded as such: choose the files in it).';

export function unreadable(code: string | undefined): string {
  return `Signet cannot read it (${code ?? 'error'}).`;
}

export function sameName(name: string): string {
  return `Another chosen file is also named “${name}”.`;
}

export function alreadyExists(key: string, bucket: string): string {
  return `“${key}” already exists in “${bucket}”, so it was not uploaded. Choose to replace it, or rename the file.`;
}

export const NO_FILE_CHOSEN = 'Choose at least one file to upload.';

export const NO_FILE_SELECTED = 'No files are selected. Sync the bucket, or choose other files.';

export const BUCKET_GONE = 'This bucket is no longer in Signet. Choose another one.';

export function uploadTitle(count: number, target: string, folder: string, isPublic: boolean): string {
  return `Upload ${files(count)} to ${target}${folder ? `/${folder}` : ''}${isPublic ? ' (public)' : ''}`;
}

export function accessTitle(count: number, bucket: string, access: 'private' | 'public'): string {
  return `Make ${files(count)} in ${bucket} ${access}`;
}

/** Where an upload's files go and how they are kept, for the upload dialog. */
export function uploadDestination(bucket: BucketRecord, plan: AccessPlan, isPublic: boolean): string {
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

/** What a make-private / make-public will do, for its confirmation. */
export function accessPlanSentence(
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

// ---- control ----------------------------------------------------------------------------------------

export function noSuchJob(id: number): string {
  return `There is no job ${id}.`;
}

export function runElsewhere(id: number, owner: string | null): string {
  return `Job ${id} is being run by another Signet (${owner ?? 'another process'}). It goes on there; watch it in Activity.`;
}

export function resumeElsewhere(id: number, owner: string | null): string {
  return `Job ${id} is being run by another Signet (${owner ?? 'another process'}).`;
}

// ---- the activity log -------------------------------------------------------------------------------

export const activity = {
  started: (title: string) => `Started: ${title}.`,
  cancelled: (title: string) => `Cancelled: ${title}.`,
  paused: (title: string) => `Paused: ${title}.`,
  ended: (title: string, summary: string) => `${title}: ${summary}`,
  stopped: (title: string, why: string) => `Stopped: ${title}: ${why} Resume it once that is fixed.`,
};
