/**
 * Where a file is in the catalog after jobs that may have moved it, so the window asks once and main decides
 * (a make-private on a provider without per-file access moves the file to the account's private bucket, where
 * it is a new catalog row).
 */
import type { FilePlace } from '@shared/jobs/schemas';
import type { CatalogRepository } from '../../repositories/catalog-repository';
import type { JobRepository } from '../../repositories/job-repository';

/** Moves followed from a file's first place to where it is now (a file moved there and back is at most a few). */
const MAX_MOVES = 8;

/**
 * The file the window knew (its catalog id, bucket and key): its own row while it is there (an access change in
 * place keeps it), else its row in the bucket the newest finished move took it to, following later moves from
 * there. null: it is in neither place (deleted, or the catalog does not hold it yet).
 */
export function currentPlace(
  deps: { catalog: CatalogRepository; jobs: JobRepository },
  file: { id: number; bucketId: number; key: string },
): FilePlace | null {
  const own = deps.catalog.get(file.id);
  if (own && own.bucketId === file.bucketId && own.key === file.key) {
    return { objectId: own.id, bucketId: own.bucketId };
  }
  let bucketId = file.bucketId;
  const seen = new Set([bucketId]);
  for (let i = 0; i < MAX_MOVES; i++) {
    const to = deps.jobs.movedTo(bucketId, file.key);
    if (to === null || seen.has(to)) return null;
    const there = deps.catalog.getByKey(to, file.key);
    if (there) return { objectId: there.id, bucketId: to };
    seen.add(to);
    bucketId = to;
  }
  return null;
}
