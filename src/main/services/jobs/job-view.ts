/** A job as the window, the contract and the command line see it, and as its task reports it. */
import type { JobDetails, JobView } from '@shared/jobs/schemas';
import type { ItemCounts, ItemRecord, JobRecord } from '../../repositories/job-repository';
import type { TaskEnd, TaskProgress } from '../tasks';
import { jobSummary } from './job-summary';

/**
 * The view of a job record with its item counts. `runningHere`: a run of it goes on in this process;
 * `claimable`: nobody live holds it (job-leases.ts), so a job left 'running' by a dead process shows queued and
 * interrupted.
 */
export function jobView(
  j: JobRecord,
  c: ItemCounts,
  where: { runningHere: boolean; claimable: () => boolean },
): JobView {
  const interrupted = j.state === 'queued' && j.wasRunning && !where.runningHere;
  const runningElsewhereDead = j.state === 'running' && !where.runningHere && where.claimable();
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

/** One item of a job's details. */
export function itemView(i: ItemRecord): JobDetails['items'][number] {
  return {
    id: i.id,
    source: i.source,
    key: i.key,
    size: i.size,
    method: i.method,
    state: i.state,
    attempts: i.attempts,
    error: i.error,
    access: i.access,
  };
}

/** A job's counts as its task reports them (items done or failed, of all). */
export function taskCounts(view: JobView): Omit<TaskProgress, 'label'> {
  return { done: view.done + view.failed, total: view.total, message: view.summary, rate: null };
}

/** How a job's task ended: a job stopped by a pause or handed back when the app quits reads as cancelled. */
export function taskEnd(view: JobView): TaskEnd {
  const state = view.state === 'done' ? 'done' : view.state === 'failed' ? 'failed' : 'cancelled';
  return { state, progress: taskCounts(view) };
}
