import {
  keepPreviousData,
  useInfiniteQuery,
  useMutation,
  useMutationState,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import { useSyncExternalStore } from 'react';
import type { EventPayload } from '@shared/ipc/contract';
import type { ObjectQuery, SelectionInput, Sort, SyncInput, SyncSummary } from '@shared/library/schemas';
import { syncTaskId } from '@shared/tasks/task-ids';
import { api, unwrap } from './api';
import { keys } from './queries';

/** Rows per `library:page` call: enough to fill a tall window twice, small enough to answer at once. */
export const PAGE_SIZE = 200;

export const libraryKeys = {
  all: ['library'] as const,
  buckets: ['library', 'buckets'] as const,
  pages: ['library', 'pages'] as const,
  page: (query: ObjectQuery, sort: Sort) => ['library', 'pages', query, sort] as const,
  object: (id: number) => ['library', 'object', id] as const,
  sync: ['library', 'sync'] as const,
  verify: ['library', 'verify'] as const,
};

/** While a sync runs, rows land in the catalog page by page: the counts follow along every few seconds. */
const LIVE_REFRESH_MS = 2500;

export function useBuckets() {
  const syncing = useRunningSyncs().length > 0;
  return useQuery({
    queryKey: libraryKeys.buckets,
    queryFn: () => unwrap(api().library.buckets()),
    refetchInterval: syncing ? LIVE_REFRESH_MS : false,
  });
}

/**
 * The table's rows, page by page (cursor = the previous page's `next`), so a bucket of a million objects is
 * never loaded whole. While the same bucket's next query loads (another sort, a search being typed) the
 * previous rows stay on screen instead of flashing a skeleton.
 */
export function useObjectPages(query: ObjectQuery | null, sort: Sort, live = false) {
  return useInfiniteQuery({
    queryKey: query ? libraryKeys.page(query, sort) : [...libraryKeys.pages, 'none'],
    enabled: query !== null,
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) =>
      unwrap(api().library.page({ ...query!, sort, cursor: pageParam, limit: PAGE_SIZE })),
    getNextPageParam: (last) => last.next,
    // During a sync the first screens follow the catalog as it fills; deep in a long scroll they stay put
    // (refetching an infinite list reloads every page, and the end of the sync refreshes it anyway).
    refetchInterval: (q) => (live && (q.state.data?.pages.length ?? 0) <= 2 ? LIVE_REFRESH_MS : false),
    placeholderData: (previous, previousQuery) => {
      const before = previousQuery?.queryKey[2];
      return typeof before === 'object' && before !== null && 'bucketId' in before
        ? before.bucketId === query?.bucketId
          ? keepPreviousData(previous)
          : undefined
        : undefined;
    },
  });
}

export function useObjectDetails(id: number | null) {
  return useQuery({
    queryKey: libraryKeys.object(id ?? 0),
    enabled: id !== null,
    queryFn: () => unwrap(api().library.object({ id: id! })),
  });
}

// ---- Task progress (task:progress events) ----

export type TaskProgress = EventPayload<'task:progress'>;

/**
 * The last progress event of every task, kept outside React so a sync started before the user left the page
 * still shows its progress when they come back. One subscription for the app's lifetime.
 */
const progress = new Map<string, TaskProgress>();
const listeners = new Set<() => void>();
let subscribed = false;

function subscribe(listener: () => void): () => void {
  if (!subscribed) {
    subscribed = true;
    api().on('task:progress', (payload) => {
      progress.set(payload.taskId, payload);
      listeners.forEach((l) => l());
    });
  }
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Drops what an earlier run of the same task reported, so a new run does not start with its numbers. */
export function forgetTask(taskId: string): void {
  progress.delete(taskId);
  listeners.forEach((l) => l());
}

export function useTaskProgress(taskId: string | null): TaskProgress | null {
  return useSyncExternalStore(subscribe, () => (taskId ? (progress.get(taskId) ?? null) : null));
}

/** The most recent running task whose id starts with `prefix` (verification ids are chosen by main). */
export function useRunningTask(prefix: string | null): TaskProgress | null {
  return useSyncExternalStore(subscribe, () => {
    if (!prefix) return null;
    let found: TaskProgress | null = null;
    for (const p of progress.values()) if (p.taskId.startsWith(prefix) && p.state === 'running') found = p;
    return found;
  });
}

// ---- Sync, verify, cancel ----

/**
 * A sync runs in main for as long as the bucket takes; it is a mutation so its "running" state lives in the
 * query client and survives the page being left and opened again.
 */
export function useSync(callbacks: {
  onSuccess?: (summary: SyncSummary, input: SyncInput) => void;
  onError?: (error: Error, input: SyncInput, cancelled: boolean) => void;
}) {
  const client = useQueryClient();
  return useMutation({
    mutationKey: libraryKeys.sync,
    mutationFn: (input: SyncInput) => {
      forgetTask(syncTaskId(input.accountId, input.bucket));
      return unwrap(api().library.sync(input));
    },
    onSuccess: (summary, input) => callbacks.onSuccess?.(summary, input),
    onError: (error, input) =>
      callbacks.onError?.(
        error,
        input,
        progress.get(syncTaskId(input.accountId, input.bucket))?.state === 'cancelled',
      ),
    onSettled: () => {
      void client.invalidateQueries({ queryKey: libraryKeys.all });
      void client.invalidateQueries({ queryKey: keys.activity });
    },
  });
}

/** The syncs running now, from any mounted or unmounted page. */
export function useRunningSyncs(): SyncInput[] {
  return useMutationState({
    filters: { mutationKey: libraryKeys.sync, status: 'pending' },
    select: (m) => m.state.variables as SyncInput,
  });
}

export function useVerify() {
  const client = useQueryClient();
  return useMutation({
    mutationKey: libraryKeys.verify,
    mutationFn: (selection: SelectionInput) => unwrap(api().library.verify({ selection })),
    onSettled: () => {
      void client.invalidateQueries({ queryKey: libraryKeys.all });
      void client.invalidateQueries({ queryKey: keys.activity });
    },
  });
}

export function useCancelTask() {
  return useMutation({ mutationFn: (taskId: string) => unwrap(api().tasks.cancel({ taskId })) });
}
