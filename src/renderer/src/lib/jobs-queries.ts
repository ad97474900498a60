import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo } from 'react';
import type { AccessChange, JobView, UploadPlanInput, UploadStart } from '@shared/jobs/schemas';
import { api, unwrap } from './api';
import { useJobEvents } from './job-events';
import { isOpen, mergeJobs } from './job-format';
import { jobKeys, uploadPlanKey } from './job-keys';
import { keys } from './queries';

/** Jobs the window lists: the recent ones; older ones are in the activity log and `signet jobs list`. */
export const JOBS_LISTED = 50;
/** Items the details view shows (failed ones first, so the ones to act on are always among them). */
export const ITEMS_LISTED = 500;
/** While a job runs its details follow along at this pace (the list of items is not in the events). */
const DETAILS_REFRESH_MS = 1000;

/**
 * A job this window does not run (the `signet` command line runs it, or another Signet) sends no events here:
 * while the list shows an open job, it is asked again at this pace.
 */
const OPEN_JOBS_REFRESH_MS = 3000;

/** `jobs:list` with the time it was asked for, so live events newer than it win (see mergeJobs). */
function useJobList() {
  return useQuery({
    queryKey: jobKeys.list,
    queryFn: async () => {
      const at = Date.now();
      return { jobs: await unwrap(api().jobs.list({ limit: JOBS_LISTED })), at };
    },
    refetchInterval: (q) => (q.state.data?.jobs.some(isOpen) ? OPEN_JOBS_REFRESH_MS : false),
  });
}

/** Recent jobs, newest first, each as live as the last progress event. */
export function useJobs() {
  const list = useJobList();
  const { live, finished } = useJobEvents();
  const jobs = useMemo(() => mergeJobs(list.data?.jobs ?? [], list.data?.at ?? 0, live), [list.data, live]);
  return { jobs, live, finished, list };
}

export function useJobDetails(id: number | null) {
  const { live } = useJobEvents();
  const liveJob = id === null ? undefined : live.get(id)?.job;
  return useQuery({
    queryKey: jobKeys.details(id ?? 0),
    enabled: id !== null,
    queryFn: () => unwrap(api().jobs.get({ id: id!, limit: ITEMS_LISTED })),
    refetchInterval: (q) => {
      const job = liveJob ?? q.state.data;
      return job && isOpen(job) && job.state !== 'paused' ? DETAILS_REFRESH_MS : false;
    },
  });
}

/** Every job change refreshes the jobs list (the events then keep it live) and the activity log. */
function useJobMutation<I, O>(fn: (input: I) => Promise<O>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSettled: () => {
      void client.invalidateQueries({ queryKey: jobKeys.all });
      void client.invalidateQueries({ queryKey: keys.activity });
    },
  });
}

export const usePauseJob = () => useJobMutation((id: number) => unwrap(api().jobs.pause({ id })));
export const useResumeJob = () => useJobMutation((id: number) => unwrap(api().jobs.resume({ id })));
export const useCancelJob = () => useJobMutation((id: number) => unwrap(api().jobs.cancel({ id })));
export const useStartUpload = () =>
  useJobMutation((input: UploadStart): Promise<JobView> => unwrap(api().jobs.upload(input)));
export const useStartAccess = () =>
  useJobMutation((input: AccessChange): Promise<JobView> => unwrap(api().jobs.access(input)));

/** The native "Open" dialog (main shows it); answers the chosen paths, none when the owner cancelled. */
export function useChooseFiles() {
  return useMutation({ mutationFn: async () => (await unwrap(api().files.choose())).paths });
}

/** What an upload would do; asked again when the owner flips "Public", which can change where files go. */
export function useUploadPlan(input: UploadPlanInput | null) {
  return useQuery({
    queryKey: uploadPlanKey(input ?? {}),
    enabled: input !== null,
    queryFn: () => unwrap(api().jobs.uploadPlan(input!)),
    // A plan is for one dialog: opened again, the storage is asked again (files may have arrived since).
    gcTime: 0,
    staleTime: Infinity,
    retry: false,
    placeholderData: (previous) => previous,
  });
}

export function useAccessPreview() {
  return useMutation({ mutationFn: (input: AccessChange) => unwrap(api().jobs.accessPreview(input)) });
}
