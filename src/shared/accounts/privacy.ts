import type { PrivacyModel } from './schemas';

/** How each privacy model is named and explained wherever it is shown, so the words never drift apart. */
export const PRIVACY_MODEL_INFO: Record<PrivacyModel, { label: string; explanation: string }> = {
  'object-acl': {
    label: 'Per-file access',
    explanation:
      'Each file has its own access setting (ACL): Signet can make single files private or public in this bucket.',
  },
  'acl-disabled': {
    label: 'ACLs disabled',
    explanation:
      'Per-file access settings are switched off for this bucket (Amazon: Object Ownership "bucket owner ' +
      'enforced"; Google: uniform bucket-level access), so the bucket as a whole decides who can read files. ' +
      'Keep protected files in a bucket that is private as a whole.',
  },
  'no-object-acl': {
    label: 'Bucket-wide access only',
    explanation:
      'This storage has no per-file access settings: a file is exactly as public as its bucket. Keep protected ' +
      'files in a private bucket.',
  },
  unknown: {
    label: 'Not determined',
    explanation:
      'Signet could not tell whether per-file access settings work here (the key may lack the permission to ' +
      'ask). Treat the bucket as bucket-wide only: keep protected files in a private bucket.',
  },
};

/** True when "make this file private" cannot be done per file, so protected files need a private bucket. */
export function needsPrivateBucket(model: PrivacyModel): boolean {
  return model !== 'object-acl';
}
