import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from './api';

export const watchKeys = { status: ['watch-status'] as const };

/** When the leak watch last finished a pass. */
export function useWatchStatus() {
  return useQuery({ queryKey: watchKeys.status, queryFn: () => unwrap(api().watch.status()) });
}

/** One pass now; afterwards the Library's leak counts and the last pass time are read again. */
export function useRunWatch() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api().watch.run()),
    onSettled: () => void client.invalidateQueries(),
  });
}
