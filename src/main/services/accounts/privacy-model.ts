/**
 * Decides, from what a bucket answered, how files are kept private there (the privacy model) and whether the
 * bucket as a whole lets strangers in (exposure). Pure: the answers are gathered by storage/privacy-probe.ts, and
 * unit tests feed provider answers reconstructed from the documentation through the same path.
 */
import type { BucketReport, ExposureFinding, PrivacyModel } from '@shared/accounts/schemas';
import { PROVIDERS, type ProviderId } from '@shared/accounts/providers';
import type { Answer, BucketAnswers } from '../storage/bucket-answers';
import { analyzeBucketPolicy } from './privacy-policy';

const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';
const AUTHENTICATED_USERS = 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers';

/** Error codes meaning "this provider does not have that feature". */
const UNSUPPORTED = new Set(['NotImplemented', 'MethodNotAllowed', 'UnsupportedOperation']);

/**
 * How providers word "ACLs are switched off for this bucket" when there is no dedicated code: Google Cloud
 * Storage with uniform bucket-level access answers its legacy-ACL calls with InvalidArgument and this message.
 */
const ACLS_OFF_MESSAGE = /uniform bucket-level access|object policies are disabled|does not allow ACLs/i;

/**
 * MinIO's `Server` header ("MinIO"; older releases "MinIO/RELEASE.…"). MinIO has no per-object ACLs: PutObjectAcl
 * first checks that the file exists (so the probe gets NoSuchKey, just as from a storage where ACLs work) and
 * then accepts only the canned ACL "private", answering any other with NotImplemented. The header is the only
 * sign that needs no existing file; behind a proxy that drops it, MinIO reads as having ACLs.
 */
const MINIO_SERVER = /^minio\b/i;

function saysAclsOff(a: Answer<unknown> | undefined): boolean {
  return (
    !!a && !a.ok && (a.code === 'AccessControlListNotSupported' || ACLS_OFF_MESSAGE.test(a.message ?? ''))
  );
}

export function isUnsupported(a: Answer<unknown> | undefined): boolean {
  return (
    !!a && !a.ok && ((a.code !== null && UNSUPPORTED.has(a.code)) || a.status === 501 || a.status === 405)
  );
}

function describe(op: string, a: Answer<unknown> | undefined, value?: string): string | null {
  if (!a) return null;
  if (a.ok) return `${op}: ${value ?? 'answered'}`;
  return `${op}: ${a.code ?? 'error'}${a.status ? ` (HTTP ${a.status})` : ''}`;
}

export function decidePrivacyModel(provider: ProviderId, answers: BucketAnswers): BucketReport['privacy'] {
  const preset = PROVIDERS[provider];
  const ownershipValue = answers.ownership?.ok ? answers.ownership.value : undefined;
  const evidence = [
    describe('GetBucketOwnershipControls', answers.ownership, ownershipValue ?? 'no ownership rule'),
    describe('PutObjectAcl on a file that does not exist', answers.aclProbe, 'accepted'),
  ].filter((line): line is string => line !== null);

  if (preset.aclSupport === 'none') {
    // R2 and B2 document that they have no per-object ACLs; their "not implemented" answers confirm it.
    const confirmed = [answers.ownership, answers.acl, answers.aclProbe, answers.policyStatus].some(
      isUnsupported,
    );
    const fact =
      provider === 'r2'
        ? 'Cloudflare R2 has no per-object ACLs (its S3 API does not implement them).'
        : 'Backblaze B2 sets access per bucket: a file’s ACL always equals its bucket’s.';
    return {
      model: 'no-object-acl',
      source: 'provider',
      evidence: [
        fact,
        ...evidence,
        ...(confirmed ? ['Confirmed: the storage answered “not implemented”.'] : []),
      ],
    };
  }

  if (ownershipValue === 'BucketOwnerEnforced') {
    return { model: 'acl-disabled', source: 'detected', evidence };
  }
  const probe = answers.aclProbe;
  if (saysAclsOff(probe) || saysAclsOff(answers.acl)) {
    const acl = answers.acl;
    if (acl && !acl.ok && saysAclsOff(acl))
      evidence.push(`GetBucketAcl: ${acl.code ?? 'error'}: ${acl.message ?? ''}`);
    return { model: 'acl-disabled', source: 'detected', evidence };
  }
  if (probe && !probe.ok && MINIO_SERVER.test(probe.server ?? '')) {
    evidence.push(
      `Server: ${probe.server} — MinIO accepts only the “private” ACL and looks for the file first, so files cannot be made public or private one by one.`,
    );
    return { model: 'no-object-acl', source: 'detected', evidence };
  }
  if (probe && isUnsupported(probe)) return { model: 'no-object-acl', source: 'detected', evidence };
  // The ACL API took the request and only the (deliberately missing) file was not found: ACLs work.
  if (probe && (probe.ok || probe.code === 'NoSuchKey' || probe.status === 404)) {
    return { model: 'object-acl', source: 'detected', evidence };
  }
  if (ownershipValue === 'BucketOwnerPreferred' || ownershipValue === 'ObjectWriter') {
    return { model: 'object-acl', source: 'detected', evidence };
  }
  // On Amazon a bucket without ownership controls predates them: ACLs are enabled.
  if (provider === 'aws' && answers.ownership?.ok && ownershipValue === null) {
    return { model: 'object-acl', source: 'detected', evidence };
  }
  if (preset.aclSupport === 'object-acl') {
    return {
      model: 'object-acl',
      source: 'provider',
      evidence: [`${preset.label} supports per-object ACLs.`, ...evidence],
    };
  }
  return { model: 'unknown', source: 'unknown', evidence };
}

export function decideExposure(provider: ProviderId, answers: BucketAnswers): BucketReport['exposure'] {
  const findings: ExposureFinding[] = [];
  const aws = provider === 'aws';
  const pab = answers.publicAccessBlock?.ok ? answers.publicAccessBlock.value : null;
  // Only Amazon is known to enforce Block Public Access; Ceph, for one, stores the setting and ignores it.
  const ignoreAcls = aws && !!pab?.ignorePublicAcls;
  const restrictPolicy = aws && !!pab?.restrictPublicBuckets;

  if (answers.policy?.ok && answers.policy.value) {
    for (const f of analyzeBucketPolicy(answers.policy.value)) {
      const effect = f.effect === 'read-objects' && f.prefixes ? 'read-some-objects' : f.effect;
      findings.push({ source: 'policy', effect, neutralized: restrictPolicy, text: f.text });
    }
  }

  if (answers.acl?.ok) {
    for (const grant of answers.acl.value) {
      const who =
        grant.uri === ALL_USERS ? 'everyone' : grant.uri === AUTHENTICATED_USERS ? 'authenticated' : null;
      if (!who) continue;
      findings.push({
        source: 'acl',
        neutralized: ignoreAcls,
        ...aclFinding(provider, who, grant.permission ?? ''),
      });
    }
  }

  // Signet's own reading is trusted only where it read the rule: the policy (or the provider has none) and the
  // bucket ACL (or the provider has none). A flag that says "public" where that reading found nothing is a
  // disagreement, not a finding: Ceph sets IsPublic for any bucket with a policy, even one naming a single user.
  // Amazon's enforced Block Public Access settings stand in for a rule Signet could not read.
  const policyRead = (answers.policy?.ok ?? false) || isUnsupported(answers.policy) || restrictPolicy;
  const aclRead = (answers.acl?.ok ?? false) || isUnsupported(answers.acl) || ignoreAcls;
  const policyStatusPublic = answers.policyStatus?.ok && answers.policyStatus.value === true;
  const sawPublicGrant = findings.some((f) => f.effect !== 'none');
  const disagreement = !!policyStatusPublic && !sawPublicGrant && policyRead && aclRead;
  if (policyStatusPublic && !sawPublicGrant) {
    findings.push(
      disagreement
        ? {
            source: 'policy-status',
            effect: 'none',
            neutralized: restrictPolicy,
            text: 'The storage flags this bucket as public, but its policy and ACL grant nothing to everyone that Signet can see (some storages, Ceph among them, flag every bucket that has a policy). So Signet checks each file as a stranger would.',
          }
        : aws
          ? {
              // Amazon's flag comes from its own full reading of the policy: public, though Signet cannot see which grant.
              source: 'policy-status',
              effect: 'other',
              neutralized: restrictPolicy,
              text: 'The storage reports this bucket as public (its policy or ACL grants access to everyone), but Signet could not read which grant.',
            }
          : {
              source: 'policy-status',
              effect: 'none',
              neutralized: false,
              text: 'The storage flags this bucket as public, but Signet cannot read which grant (if any) makes it so.',
            },
    );
  }

  if (pab) {
    const all =
      pab.blockPublicAcls && pab.ignorePublicAcls && pab.blockPublicPolicy && pab.restrictPublicBuckets;
    const any =
      pab.blockPublicAcls || pab.ignorePublicAcls || pab.blockPublicPolicy || pab.restrictPublicBuckets;
    if (aws && all) {
      findings.push({
        source: 'block-public-access',
        effect: 'none',
        neutralized: false,
        text: 'Block Public Access is on for this bucket: public ACLs and public policies have no effect.',
      });
    } else if (aws && any) {
      findings.push({
        source: 'block-public-access',
        effect: 'none',
        neutralized: false,
        text: 'Block Public Access is only partly on for this bucket; turning on all four settings keeps it private.',
      });
    } else if (!aws && any) {
      findings.push({
        source: 'block-public-access',
        effect: 'none',
        neutralized: false,
        text: `Block Public Access is set, but ${PROVIDERS[provider].label} may not enforce it, so Signet does not count on it.`,
      });
    }
  }

  if (provider === 'r2') {
    findings.push({
      source: 'provider',
      effect: 'none',
      neutralized: false,
      text: 'R2 public access (the r2.dev address or a custom domain) is switched on in the Cloudflare dashboard and cannot be seen through the S3 API: check that it is off for buckets with protected files.',
    });
  }

  const live = findings.filter((f) => f.effect !== 'none' && !f.neutralized);
  // Public as a whole: a live grant that reaches every file. A download grant limited to some prefixes makes the
  // bucket neither public nor private: each file is then asked as a stranger.
  const exposed = live.some((f) => f.effect !== 'read-some-objects');
  const partly = live.some((f) => f.effect === 'read-some-objects');
  if (!exposed && provider !== 'r2' && !(policyRead && aclRead)) {
    findings.push({
      source: 'policy',
      effect: 'none',
      neutralized: false,
      text: `Signet cannot read this bucket’s ${!policyRead && !aclRead ? 'policy and ACL' : !policyRead ? 'policy' : 'ACL'} with these keys, so it checks each file as a stranger would.`,
    });
  }
  const level = exposed
    ? 'public'
    : policyRead && aclRead && !disagreement && !partly && provider !== 'r2'
      ? 'private'
      : 'unknown';
  return { level, findings };
}

function aclFinding(
  provider: ProviderId,
  who: 'everyone' | 'authenticated',
  permission: string,
): Pick<ExposureFinding, 'effect' | 'text'> {
  const whom =
    who === 'everyone' ? 'everyone on the internet' : 'anyone with any AWS account (AuthenticatedUsers)';
  if (provider === 'b2' && permission === 'READ') {
    return {
      effect: 'read-objects',
      text: 'The bucket is public (Backblaze “allPublic”): every file in it can be downloaded by anyone, whatever its own setting.',
    };
  }
  switch (permission) {
    case 'READ':
      return {
        effect: 'list-objects',
        text: `The bucket ACL lets ${whom} list the names of all files in it.`,
      };
    case 'WRITE':
      return {
        effect: 'write-objects',
        text: `The bucket ACL lets ${whom} upload, overwrite and delete files in it.`,
      };
    case 'FULL_CONTROL':
      return {
        effect: 'write-objects',
        text: `The bucket ACL gives ${whom} full control: they can list, upload, overwrite and delete files.`,
      };
    default:
      return { effect: 'other', text: `The bucket ACL grants ${permission || 'a permission'} to ${whom}.` };
  }
}

/** What a bucket's privacy means for protected files, and what to do. */
export function adviceFor(report: Omit<BucketReport, 'advice'>, privateBucket: string | null): string[] {
  if (!report.reachable) return report.problem ? [report.problem.advice] : [];
  const advice: string[] = [];
  const live = report.exposure.findings.filter((f) => !f.neutralized);
  if (live.some((f) => f.effect === 'write-objects')) {
    advice.push('Strangers can change files in this bucket: remove the public write grant now.');
  }
  if (live.some((f) => f.effect === 'read-some-objects')) {
    advice.push(
      'Anyone can download the files the bucket policy names, whatever their own setting. Keep protected files ' +
        'out of those folders (or remove that statement); Signet checks each file here as a stranger would.',
    );
  }
  if (live.some((f) => f.effect === 'read-objects' || f.effect === 'other')) {
    advice.push(
      'A private file in a public bucket is not private: anyone can download files here without a link. Remove ' +
        'the public policy or ACL, or keep protected files in another bucket.',
    );
  } else if (live.some((f) => f.effect === 'list-objects')) {
    advice.push(
      'Anyone can list the file names in this bucket. Files set to private stay private, but remove the ' +
        'public-read bucket ACL so names (and any file left public) cannot be found.',
    );
  }

  if (report.exposure.level === 'unknown' && !report.exposure.findings.some((f) => f.source === 'provider')) {
    advice.push(
      'Signet cannot tell from this bucket’s rules who may read its files, so a sync checks each file as a ' +
        'stranger would, and a file counts as private only when the stranger was refused.',
    );
  }
  const model: PrivacyModel = report.privacy.model;
  if (model === 'object-acl') {
    if (report.exposure.level !== 'public') {
      advice.push(
        'Signet keeps protected files here private one by one (each file’s ACL is set to private).',
      );
    }
  } else if (report.isPrivateBucket) {
    advice.push(
      report.exposure.level === 'private'
        ? 'This is the account’s private bucket: protected files are stored here. Keep the whole bucket private.'
        : report.exposure.level === 'public'
          ? 'This bucket is set as the private bucket, but it is public: make it private, or choose another one.'
          : 'This is the account’s private bucket: protected files are stored here. Signet cannot see whether it is public; make sure it is not.',
    );
  } else if (privateBucket) {
    advice.push(
      `Per-file access settings do not work here, so protected files go to the private bucket “${privateBucket}”.`,
    );
  } else {
    advice.push(
      'Per-file access settings do not work here. Choose a private bucket in the account settings: Signet will ' +
        'store protected files there.',
    );
  }
  return advice;
}
