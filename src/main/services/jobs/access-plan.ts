import type { BucketRecord } from '../../repositories/bucket-repository';

type Bucket = Pick<BucketRecord, 'id' | 'name' | 'role' | 'model' | 'exposure' | 'configured'>;

/**
 * How one bucket's files get the access asked for:
 * - `acl`: set each file's ACL (`acl: null`: nothing to change, the bucket as a whole already decides it);
 * - `move`: copy each file to another bucket of the account, check the copy, then delete the source;
 * - `refuse`: it cannot be done, and why, in plain words.
 * Pure, so every rule is unit-tested apart from any storage.
 */
export type AccessPlan =
  | { method: 'acl'; acl: 'private' | 'public-read' | null }
  | { method: 'move'; to: Bucket; acl: 'private' | 'public-read' | null }
  | { method: 'refuse'; reason: string };

/** Per-object ACLs work here and no bucket-wide rule overrides them. */
function perObject(b: Bucket): boolean {
  return b.model === 'object-acl' && b.exposure !== 'public';
}

export function planAccess(
  source: Bucket,
  want: 'private' | 'public',
  accountBuckets: readonly Bucket[],
): AccessPlan {
  const privateBucket = accountBuckets.find((b) => b.role === 'private' && b.id !== source.id) ?? null;
  if (want === 'private') {
    if (source.role === 'private') {
      if (source.exposure === 'public') {
        return {
          method: 'refuse',
          reason: `The private bucket “${source.name}” is readable by anyone (its policy or ACL says so). Remove that public access in your provider’s console first.`,
        };
      }
      if (source.model === 'object-acl') return { method: 'acl', acl: 'private' };
      return { method: 'acl', acl: null };
    }
    if (perObject(source)) return { method: 'acl', acl: 'private' };
    // No per-file access here (or a public bucket overrides it): a file is private only in a private bucket.
    if (
      (source.model === 'acl-disabled' || source.model === 'no-object-acl') &&
      source.exposure === 'private'
    ) {
      return { method: 'acl', acl: null };
    }
    if (!privateBucket) {
      return {
        method: 'refuse',
        reason:
          source.exposure === 'public'
            ? `“${source.name}” is readable by anyone as a whole, so no file in it can be private. Add a private bucket to the account (Accounts → Edit), and Signet will move files there.`
            : `Files in “${source.name}” have no access setting of their own. Add a private bucket to the account (Accounts → Edit), and Signet will move files there.`,
      };
    }
    if (privateBucket.exposure === 'public') {
      return {
        method: 'refuse',
        reason: `The account’s private bucket “${privateBucket.name}” is readable by anyone. Remove its public access in your provider’s console first.`,
      };
    }
    return {
      method: 'move',
      to: privateBucket,
      acl: privateBucket.model === 'object-acl' ? 'private' : null,
    };
  }

  // want public
  if (source.exposure === 'public') return { method: 'acl', acl: null };
  if (source.role === 'private') {
    const target = accountBuckets.find(
      (b) =>
        b.role === 'files' && b.configured && b.id !== source.id && (perObject(b) || b.exposure === 'public'),
    );
    if (!target) {
      return {
        method: 'refuse',
        reason: `“${source.name}” is the account’s private bucket, and the account has no bucket where a file can be public. Add a public bucket or one with per-file access to the account.`,
      };
    }
    return { method: 'move', to: target, acl: target.exposure === 'public' ? null : 'public-read' };
  }
  if (source.model === 'object-acl') return { method: 'acl', acl: 'public-read' };
  return {
    method: 'refuse',
    reason: `Files in “${source.name}” have no access setting of their own and the bucket is not public as a whole, so one file cannot be made public. For shop images, make a bucket public in your provider’s console; for products, use download links.`,
  };
}
