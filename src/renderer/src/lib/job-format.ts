import type { JobItemView, JobView } from '@shared/jobs/schemas';
import { formatBytes, formatCount, plural } from './library-format';

/**
 * How a job is named and what can be done with it, in one place so the progress dock and the Activity page
 * never disagree. Pure: no React, no IPC.
 */

/** A job that has not ended: it runs, waits, or waits for the owner (paused). */
export const isOpen = (job: Pick<JobView, 'state'>) =>
  job.state === 'queued' || job.state === 'running' || job.state === 'paused';

export const isEnded = (job: Pick<JobView, 'state'>) => !isOpen(job);

export interface StateInfo {
  label: string;
  color: string;
  /** What the state means for the owner, for a tooltip. */
  explanation: string;
}

export function stateInfo(job: Pick<JobView, 'state' | 'interrupted' | 'failed'>): StateInfo {
  if (job.state === 'queued' && job.interrupted) {
    return {
      label: 'Interrupted',
      color: 'orange',
      explanation:
        'Signet was closed or crashed while this job ran. Nothing is lost: it goes on where it stopped when you resume it (or at the next start).',
    };
  }
  switch (job.state) {
    case 'queued':
      return { label: 'Waiting', color: 'gray', explanation: 'About to start.' };
    case 'running':
      return { label: 'Running', color: 'blue', explanation: 'Working on it. You can keep using Signet.' };
    case 'paused':
      return {
        label: 'Paused',
        color: 'yellow',
        explanation: 'Stopped by you. Files not done yet are left as they were until you resume.',
      };
    case 'done':
      return { label: 'Done', color: 'teal', explanation: 'Every file was changed and checked.' };
    case 'failed':
      return {
        label: job.failed > 0 ? 'Some failed' : 'Stopped',
        color: 'red',
        explanation: 'Some files could not be done. Open the details to see why, then retry them.',
      };
    case 'cancelled':
      return {
        label: 'Cancelled',
        color: 'gray',
        explanation: 'Cancelled by you. Files not done yet were left as they were.',
      };
  }
}

export interface JobActions {
  pause: boolean;
  /** Resume, with the label the button says ('Resume' or 'Retry failed'); null when not possible. */
  resume: 'Resume' | 'Retry failed' | null;
  cancel: boolean;
}

/** Which buttons a job gets; the same rules main applies (jobs:pause, jobs:resume, jobs:cancel). */
export function jobActions(job: Pick<JobView, 'state' | 'interrupted' | 'failed' | 'cancelled'>): JobActions {
  const open = isOpen(job);
  let resume: JobActions['resume'] = null;
  if (job.state === 'paused' || (job.state === 'queued' && job.interrupted)) resume = 'Resume';
  else if (job.state === 'failed') resume = job.failed > 0 ? 'Retry failed' : 'Resume';
  else if (job.state === 'cancelled' && job.cancelled > 0) resume = 'Resume';
  return {
    pause: job.state === 'running' || (job.state === 'queued' && !job.interrupted),
    resume,
    cancel: open,
  };
}

export interface ActiveFile {
  key: string;
  loaded: number;
  total: number;
}

/** Bytes sent so far: files finished plus what the files in flight sent (never past the total). */
export function bytesSent(job: Pick<JobView, 'bytesDone' | 'bytesTotal'>, active: readonly ActiveFile[]) {
  const inFlight = active.reduce((sum, f) => sum + Math.min(f.loaded, f.total), 0);
  return Math.min(job.bytesTotal, job.bytesDone + inFlight);
}

/** 0–100 for the job's bar: by bytes for uploads (a big file moves the bar as it goes), else by files. */
export function jobPercent(job: JobView, active: readonly ActiveFile[] = []): number {
  if (job.kind === 'upload' && job.bytesTotal > 0) return (bytesSent(job, active) / job.bytesTotal) * 100;
  if (job.total === 0) return 0;
  return ((job.done + job.failed + job.cancelled) / job.total) * 100;
}

/** "120 of 300 files" and, for uploads, "· 1.2 MB of 4 MB". */
export function progressLine(job: JobView, active: readonly ActiveFile[] = []): string {
  const files = `${formatCount(job.done)} of ${plural(job.total, 'file')}`;
  if (job.kind !== 'upload') return files;
  return `${files} · ${formatBytes(bytesSent(job, active))} of ${formatBytes(job.bytesTotal)}`;
}

/** The last part of a key: what a person calls the file. */
export const fileName = (key: string) => key.slice(key.lastIndexOf('/') + 1) || key;

const KIND_LABEL: Record<JobView['kind'], string> = {
  upload: 'Upload',
  private: 'Make private',
  public: 'Make public',
};
export const kindLabel = (job: Pick<JobView, 'kind'>) => KIND_LABEL[job.kind];

/** Live views from job:progress events, with when each arrived (ms since the epoch, this window's clock). */
export interface LiveView {
  job: JobView;
  at: number;
}

/**
 * The jobs list as the window shows it: the last `jobs:list` answer, with each job replaced by its live
 * progress when that arrived after the list was asked for (events are newer than a list fetched before them,
 * and a list fetched after an event read the database after it). Jobs the list does not know yet come first.
 */
export function mergeJobs(
  listed: readonly JobView[],
  listedAt: number,
  live: ReadonlyMap<number, LiveView>,
): JobView[] {
  const known = new Set(listed.map((j) => j.id));
  const fresh = [...live.values()]
    .filter((l) => !known.has(l.job.id) && l.at > listedAt)
    .map((l) => l.job)
    .sort((a, b) => b.id - a.id);
  const merged = listed.map((j) => {
    const l = live.get(j.id);
    return l && l.at > listedAt ? l.job : j;
  });
  return [...fresh, ...merged];
}

const METHOD_LABEL: Record<JobItemView['method'], string> = {
  upload: 'Upload',
  acl: 'Access setting',
  move: 'Move to another bucket',
};
export const methodLabel = (item: Pick<JobItemView, 'method'>) => METHOD_LABEL[item.method];

const ITEM_STATE: Record<JobItemView['state'], { label: string; color: string }> = {
  pending: { label: 'Not done yet', color: 'gray' },
  copied: { label: 'Copied, original not deleted yet', color: 'yellow' },
  done: { label: 'Done', color: 'teal' },
  failed: { label: 'Failed', color: 'red' },
  cancelled: { label: 'Left as it was', color: 'gray' },
};
export const itemStateInfo = (item: Pick<JobItemView, 'state'>) => ITEM_STATE[item.state];
