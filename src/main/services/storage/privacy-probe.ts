import { randomUUID } from 'node:crypto';
import {
  DeleteObjectCommand,
  GetBucketAclCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketPolicyStatusCommand,
  GetPublicAccessBlockCommand,
  PutObjectAclCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { PROVIDERS, type ProviderId } from '@shared/accounts/providers';
import type { Answer, BucketAnswers, Grant, PublicAccessBlock } from './bucket-answers';
import { errorFacts } from './provider-errors';

/** Errors that mean "nothing configured", which is an answer, not a failure. */
const NOTHING_CONFIGURED = new Set([
  'OwnershipControlsNotFoundError',
  'NoSuchBucketPolicy',
  'NoSuchPublicAccessBlockConfiguration',
]);

/** Where the ACL probe points: a fresh key nobody has, so the probe can never touch a real file. */
export const ACL_PROBE_PREFIX = '.signet-acl-probe/';

async function ask<T>(call: () => Promise<T>, emptyWhenNotConfigured?: T): Promise<Answer<T>> {
  try {
    return { ok: true, value: await call() };
  } catch (err) {
    const f = errorFacts(err);
    if (emptyWhenNotConfigured !== undefined && f.code && NOTHING_CONFIGURED.has(f.code)) {
      return { ok: true, value: emptyWhenNotConfigured };
    }
    return { ok: false, code: f.code, status: f.httpStatus, message: f.message, server: f.server };
  }
}

/**
 * Asks a bucket how it keeps files private and whether it is public, leaving nothing behind: every question is
 * a read, except one PutObjectAcl aimed at a key that does not exist (asked only when the read-only answers do
 * not settle the model). An ACL change on a missing file changes nothing; the storage's refusal says whether
 * ACLs work (NoSuchKey), are disabled (AccessControlListNotSupported) or do not exist (NotImplemented) — except
 * on MinIO, recognised by the refusal's `Server` header, whose NoSuchKey says nothing about ACLs.
 */
export async function probeBucket(
  client: S3Client,
  bucket: string,
  provider: ProviderId,
): Promise<BucketAnswers> {
  const [ownership, acl, policyStatus, policy, publicAccessBlock] = await Promise.all([
    ask(
      async () =>
        (await client.send(new GetBucketOwnershipControlsCommand({ Bucket: bucket }))).OwnershipControls
          ?.Rules?.[0]?.ObjectOwnership ?? null,
      null,
    ),
    ask(async () =>
      ((await client.send(new GetBucketAclCommand({ Bucket: bucket }))).Grants ?? []).map((g): Grant => ({
        granteeType: g.Grantee?.Type ?? null,
        uri: g.Grantee?.URI ?? null,
        permission: g.Permission ?? null,
      })),
    ),
    ask(
      async () =>
        (await client.send(new GetBucketPolicyStatusCommand({ Bucket: bucket }))).PolicyStatus?.IsPublic ??
        null,
      null,
    ),
    ask(async () => (await client.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy ?? null, null),
    ask(async (): Promise<PublicAccessBlock | null> => {
      const c = (await client.send(new GetPublicAccessBlockCommand({ Bucket: bucket })))
        .PublicAccessBlockConfiguration;
      return c
        ? {
            blockPublicAcls: !!c.BlockPublicAcls,
            ignorePublicAcls: !!c.IgnorePublicAcls,
            blockPublicPolicy: !!c.BlockPublicPolicy,
            restrictPublicBuckets: !!c.RestrictPublicBuckets,
          }
        : null;
    }, null),
  ]);
  const answers: BucketAnswers = { ownership, acl, policyStatus, policy, publicAccessBlock };

  const settledByOwnership =
    ownership.ok &&
    (ownership.value === 'BucketOwnerEnforced' ||
      ownership.value === 'BucketOwnerPreferred' ||
      ownership.value === 'ObjectWriter' ||
      (provider === 'aws' && ownership.value === null));
  // Providers documented to have no per-object ACLs are not probed: B2, for one, would answer NoSuchKey and
  // look as if ACLs worked.
  if (!settledByOwnership && PROVIDERS[provider].aclSupport !== 'none') {
    const key = `${ACL_PROBE_PREFIX}${randomUUID()}`;
    answers.aclProbe = await ask(async () => {
      await client.send(new PutObjectAclCommand({ Bucket: bucket, Key: key, ACL: 'private' }));
      return 'accepted' as const;
    });
    if (answers.aclProbe.ok) {
      // A storage that accepts ACLs for missing files might have made an entry: remove whatever is there.
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })).catch(() => undefined);
    }
  }
  return answers;
}
