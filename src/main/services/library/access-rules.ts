import type { AccessType } from '@shared/library/schemas';
import type { BucketRecord } from '../../repositories/bucket-repository';

/**
 * How a bucket decides its objects' access type: one answer for every object (bucket-wide rules), or each
 * object's own ACL. Pure, so the rules are unit-tested apart from any storage.
 */
export type AccessRule =
  | { kind: 'bucket'; access: AccessType; reason: string }
  | { kind: 'per-object'; reason: string }
  /**
   * The bucket's rule could not be read, or does not settle who can read its files: each file is asked for as a
   * stranger would, and (`acl`: files have ACLs here) a file the stranger got has its ACL read, to tell whether its
   * own ACL or the bucket's rule lets strangers in.
   */
  | { kind: 'stranger'; acl: boolean; reason: string };

export const STRANGER_REASON =
  'Signet cannot read this bucket’s rules (its policy or ACL) with these keys, or they do not settle who can read ' +
  'its files, so it checks each file as a stranger would.';

export function accessRule(
  bucket: Pick<BucketRecord, 'role' | 'model' | 'exposure' | 'provider'>,
): AccessRule {
  if (bucket.exposure === 'public') {
    return {
      kind: 'bucket',
      access: 'public-bucket',
      reason: 'The bucket’s policy or ACL lets anyone read its files, whatever each file’s own setting says.',
    };
  }
  // "private" is a proof: where the bucket's rule is not known to keep strangers out, only a stranger's refused
  // request proves it, file by file.
  if (bucket.exposure !== 'private') {
    if (bucket.provider === 'r2') {
      // R2 serves public files on r2.dev or a custom domain, never on its S3 address: a stranger refused there
      // proves nothing.
      return {
        kind: 'bucket',
        access: 'unknown',
        reason:
          'Cloudflare R2 shows public access (r2.dev or a custom domain) only in its dashboard, not through the S3 ' +
          'API, so Signet cannot prove files here private. Check in the Cloudflare dashboard that public access is off.',
      };
    }
    return {
      kind: 'stranger',
      acl: bucket.model !== 'acl-disabled' && bucket.model !== 'no-object-acl',
      reason: STRANGER_REASON,
    };
  }
  // Where files have ACLs, a file's own ACL can let strangers in even in the private bucket: it is read.
  if (bucket.model === 'object-acl') {
    return { kind: 'per-object', reason: 'Each file’s own access setting (ACL) decides who can read it.' };
  }
  if (bucket.role === 'private') {
    return {
      kind: 'bucket',
      access: 'private',
      reason: 'This is the account’s private bucket: its files are reachable only through signed links.',
    };
  }
  if (bucket.model === 'acl-disabled' || bucket.model === 'no-object-acl') {
    return {
      kind: 'bucket',
      access: 'private',
      reason: 'Files here have no access setting of their own, and the bucket as a whole is private.',
    };
  }
  return {
    kind: 'per-object',
    reason:
      'Signet could not tell how this bucket keeps files private, so it reads each file’s ACL where it can.',
  };
}

/**
 * A file's access type from what a stranger got (and, where read, its own ACL): a refusal proves it private (or,
 * where its ACL was read and says so, readable by any signed-in cloud user); a 200 is public through its ACL or
 * through the bucket. Any other answer (no answer, a redirect, a server error) proves nothing. Null: the file is
 * gone (a 404).
 */
export function strangerAccess(status: number, acl: AccessType | null): AccessType | null {
  if (status === 404) return null;
  if (status === 200 || status === 206) return acl === 'public' ? 'public' : 'public-bucket';
  if (status === 401 || status === 403) return acl === 'authenticated' ? 'authenticated' : 'private';
  return 'unknown';
}
