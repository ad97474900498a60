import type { AccessType } from '../../../shared/library/schemas';
import type { BucketRecord } from '../../repositories/bucket-repository';

/**
 * How a bucket decides its objects' access type: one answer for every object (bucket-wide rules), or each
 * object's own ACL. Pure, so the rules are unit-tested apart from any storage.
 */
export type AccessRule =
  { kind: 'bucket'; access: AccessType; reason: string } | { kind: 'per-object'; reason: string };

export function accessRule(bucket: Pick<BucketRecord, 'role' | 'model' | 'exposure'>): AccessRule {
  if (bucket.exposure === 'public') {
    return {
      kind: 'bucket',
      access: 'public-bucket',
      reason: 'The bucket’s policy or ACL lets anyone read its files, whatever each file’s own setting says.',
    };
  }
  if (bucket.role === 'private') {
    return {
      kind: 'bucket',
      access: 'private',
      reason: 'This is the account’s private bucket: its files are reachable only through signed links.',
    };
  }
  if (bucket.model === 'object-acl') {
    return { kind: 'per-object', reason: 'Each file’s own access setting (ACL) decides who can read it.' };
  }
  if (
    (bucket.model === 'acl-disabled' || bucket.model === 'no-object-acl') &&
    bucket.exposure === 'private'
  ) {
    return {
      kind: 'bucket',
      access: 'private',
      reason: 'Files here have no access setting of their own, and the bucket as a whole is private.',
    };
  }
  if (bucket.model === 'unknown' || bucket.model === null) {
    return {
      kind: 'per-object',
      reason:
        'Signet could not tell how this bucket keeps files private, so it reads each file’s ACL where it can.',
    };
  }
  return {
    kind: 'bucket',
    access: 'unknown',
    reason:
      'Files here have no access setting of their own and Signet could not tell whether the bucket is public. ' +
      'Use “Verify access” to see what a stranger gets.',
  };
}
