import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../lib/api';
import { libraryKeys } from '../../lib/library-queries';
import type { LinkFile } from './link-file';

/**
 * The file as the catalog has it now, read again when a job ends (the job events refresh every library query).
 * Main answers where it is (jobs:file-now): made private in place it keeps its id; moved to the account's
 * private bucket it is a new object there. null: it is in neither place.
 */
export function useCurrentFile(file: LinkFile, enabled: boolean) {
  return useQuery({
    queryKey: [...libraryKeys.all, 'link-file', file.id],
    enabled,
    retry: false,
    queryFn: (): Promise<LinkFile | null> =>
      unwrap(api().jobs.fileNow({ id: file.id, bucketId: file.bucketId, key: file.key })),
  });
}
