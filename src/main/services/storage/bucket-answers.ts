/*
 * What a bucket answered to the read-only questions the privacy probe asks. Gathered by privacy-probe.ts (the
 * storage port's S3 calls); read by accounts/privacy-model.ts, which decides what the answers mean.
 */
/** One call's outcome: its value, or the error code, HTTP status and `Server` header it failed with. */
export type Answer<T> =
  | { ok: true; value: T }
  | { ok: false; code: string | null; status: number | null; message: string | null; server: string | null };

export interface Grant {
  granteeType: string | null;
  uri: string | null;
  permission: string | null;
}

export interface PublicAccessBlock {
  blockPublicAcls: boolean;
  ignorePublicAcls: boolean;
  blockPublicPolicy: boolean;
  restrictPublicBuckets: boolean;
}

/** What the bucket said to each read-only question (absent: not asked). */
export interface BucketAnswers {
  /** First ObjectOwnership rule; null when the bucket has no ownership controls (or an empty answer). */
  ownership?: Answer<string | null>;
  /** PutObjectAcl on a key that does not exist: tells whether the ACL API works without changing anything. */
  aclProbe?: Answer<'accepted'>;
  acl?: Answer<Grant[]>;
  /** Policy status IsPublic; null when the answer had none. */
  policyStatus?: Answer<boolean | null>;
  /** The policy document; null when the bucket has none. */
  policy?: Answer<string | null>;
  /** null when the bucket has no Block Public Access configuration. */
  publicAccessBlock?: Answer<PublicAccessBlock | null>;
}
