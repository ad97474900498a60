import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useSyncExternalStore } from 'react';
import { ENDED_STATES, type JobProgress, type JobState } from '@shared/jobs/schemas';
import { api } from './api';
import type { ActiveFile, LiveView } from './job-format';
import { jobKeys } from './job-keys';
import { libraryKeys } from './library-queries';
import { keys } from './queries';

/**
 * The last job:progress event of every job, kept outside React so the progress dock, the Library and the
 * Activity page read the same numbers, and a job started on one page is still followed on another.
 */
export interface LiveJob extends LiveView {
  /** The files being transferred right now (uploads), each with its own bytes. */
  active: readonly ActiveFile[];
}

export interface JobEventsSnapshot {
  live: ReadonlyMap<number, LiveJob>;
  /** Jobs that ended while this window was open, whose summary the owner has not put away yet. */
  finished: ReadonlySet<number>;
}

let snapshot: JobEventsSnapshot = { live: new Map(), finished: new Set() };
const listeners = new Set<() => void>();

function publish(next: JobEventsSnapshot): void {
  snapshot = next;
  listeners.forEach((l) => l());
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Records one event; answers the job's state before it (null for a job not seen yet). */
export function recordJobProgress(progress: JobProgress, at = Date.now()): JobState | null {
  const before = snapshot.live.get(progress.job.id)?.job.state ?? null;
  const live = new Map(snapshot.live);
  live.set(progress.job.id, { job: progress.job, active: progress.active, at });
  const ended = ENDED_STATES.has(progress.job.state);
  let finished = snapshot.finished;
  if (ended !== finished.has(progress.job.id) && (!ended || before !== progress.job.state)) {
    // Just ended: its summary shows until closed. Resumed: its old ending is no longer news.
    const next = new Set(finished);
    if (ended) next.add(progress.job.id);
    else next.delete(progress.job.id);
    finished = next;
  }
  publish({ live, finished });
  return before;
}

/** The owner closed the summary of an ended job in the progress dock. */
export function dismissFinished(id: number): void {
  if (!snapshot.finished.has(id)) return;
  const finished = new Set(snapshot.finished);
  finished.delete(id);
  publish({ ...snapshot, finished });
}

export function useJobEvents(): JobEventsSnapshot {
  return useSyncExternalStore(subscribe, () => snapshot);
}

/**
 * Listens to job:progress for the app's lifetime (mounted once, in App). A job that changes state refreshes
 * the jobs list; one that stops (paused or ended) also refreshes the library, whose access types and files it
 * changed, and the activity log, where main wrote what it did.
 */
export function useJobEventBridge(): void {
  const client = useQueryClient();
  useEffect(
    () =>
      api().on('job:progress', (progress) => {
        const before = recordJobProgress(progress);
        const after = progress.job.state;
        if (before === after) return;
        void client.invalidateQueries({ queryKey: jobKeys.all });
        if (after !== 'running' && after !== 'queued') {
          void client.invalidateQueries({ queryKey: libraryKeys.all });
          void client.invalidateQueries({ queryKey: keys.activity });
        }
      }),
    [client],
  );
}
