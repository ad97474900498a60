import { describe, expect, it } from 'vitest';
import { analyzeBucketPolicy } from '../../src/main/services/accounts/privacy-policy';
import { decideExposure } from '../../src/main/services/accounts/privacy-model';

const policy = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });
const read = { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::shop/*' };

describe('reading bucket policies for public grants', () => {
  it('finds everyone reading, listing or writing, in every way the principal and actions can be written', () => {
    expect(analyzeBucketPolicy(policy(read))).toEqual([
      { effect: 'read-objects', text: 'The bucket policy lets everyone download files.' },
    ]);
    expect(
      analyzeBucketPolicy(policy({ ...read, Principal: { AWS: '*' }, Action: ['s3:Get*'] }))[0]!.effect,
    ).toBe('read-objects');
    expect(
      analyzeBucketPolicy(policy({ ...read, Principal: { AWS: ['*'] }, Action: 's3:*' })).map(
        (f) => f.effect,
      ),
    ).toEqual(['read-objects', 'write-objects', 'list-objects']);
    expect(analyzeBucketPolicy(policy({ ...read, Action: 's3:ListBucket' })).map((f) => f.effect)).toEqual([
      'list-objects',
    ]);
    expect(analyzeBucketPolicy(policy({ ...read, Action: 's3:GetBucketLocation' }))).toEqual([
      { effect: 'other', text: 'The bucket policy grants s3:getbucketlocation to everyone.' },
    ]);
  });

  it('ignores denials, named principals and conditions that pin down the caller', () => {
    expect(analyzeBucketPolicy(policy({ ...read, Effect: 'Deny' }))).toEqual([]);
    expect(
      analyzeBucketPolicy(policy({ ...read, Principal: { AWS: 'arn:aws:iam::111122223333:root' } })),
    ).toEqual([]);
    expect(
      analyzeBucketPolicy(
        policy({ ...read, Condition: { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } } }),
      ),
    ).toEqual([]);
    expect(
      analyzeBucketPolicy(
        policy({ ...read, Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } } }),
      ),
    ).toEqual([]);
  });

  it('does not let a Referer condition pass for protection', () => {
    const referer = analyzeBucketPolicy(
      policy({ ...read, Condition: { StringLike: { 'aws:Referer': ['https://shop.example.com/*'] } } }),
    );
    expect(referer).toEqual([
      {
        effect: 'read-objects',
        text: 'The bucket policy lets everyone download files (its only conditions, aws:Referer, do not stop strangers).',
      },
    ]);
  });

  it('says so when a policy cannot be read, rather than calling it private', () => {
    expect(analyzeBucketPolicy('{not json')).toEqual([
      { effect: 'other', text: 'The bucket has a policy Signet could not read; check it is not public.' },
    ]);
  });
});

describe('bucket exposure', () => {
  it('trusts Block Public Access only on Amazon (Ceph stores it but does not enforce it)', () => {
    const answers = {
      policy: { ok: true as const, value: policy(read) },
      policyStatus: { ok: true as const, value: true },
      publicAccessBlock: {
        ok: true as const,
        value: {
          blockPublicAcls: true,
          ignorePublicAcls: true,
          blockPublicPolicy: true,
          restrictPublicBuckets: true,
        },
      },
    };
    expect(decideExposure('aws', answers).level).toBe('private');
    const ceph = decideExposure('custom', answers);
    expect(ceph.level).toBe('public');
    expect(ceph.findings.map((f) => f.text)).toContain(
      'Block Public Access is set, but MinIO, Ceph or other S3-compatible may not enforce it, so Signet does not count on it.',
    );
  });

  it('reports a public policy status it cannot explain, and says "unknown" when nothing could be read', () => {
    const denied = { ok: false as const, code: 'AccessDenied', status: 403, message: null, server: null };
    expect(
      decideExposure('aws', { policyStatus: { ok: true, value: true }, policy: denied, acl: denied }),
    ).toEqual({
      level: 'public',
      findings: [expect.objectContaining({ source: 'policy-status', effect: 'other' })],
    });
    expect(decideExposure('aws', { policyStatus: denied, policy: denied, acl: denied })).toEqual({
      level: 'unknown',
      findings: [
        {
          source: 'policy',
          effect: 'none',
          neutralized: false,
          text: 'Signet cannot read this bucket’s policy and ACL with these keys, so it checks each file as a stranger would.',
        },
      ],
    });
  });

  it('never calls a bucket private when its policy could not be read, even if its ACL could', () => {
    const denied = { ok: false as const, code: 'AccessDenied', status: 403, message: null, server: null };
    const exposure = decideExposure('custom', { policy: denied, acl: { ok: true, value: [] } });
    expect(exposure.level).toBe('unknown');
    expect(exposure.findings.map((f) => f.text)).toEqual([
      'Signet cannot read this bucket’s policy with these keys, so it checks each file as a stranger would.',
    ]);
  });

  it('does not take Ceph’s “public” flag for a policy that grants only a named user', () => {
    const named = JSON.stringify({
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: ['arn:aws:iam:::user/signet-test'] },
          Action: ['s3:GetObject'],
          Resource: ['arn:aws:s3:::b/*'],
        },
      ],
    });
    const exposure = decideExposure('custom', {
      policy: { ok: true, value: named },
      acl: { ok: true, value: [] },
      policyStatus: { ok: true, value: true },
    });
    expect(exposure.level).toBe('unknown');
    expect(exposure.findings).toEqual([expect.objectContaining({ source: 'policy-status', effect: 'none' })]);
  });

  it('scopes a public download statement to its prefixes: neither public nor private as a whole', () => {
    const leak = JSON.stringify({
      Statement: [
        { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/leak/*' },
      ],
    });
    const exposure = decideExposure('custom', {
      policy: { ok: true, value: leak },
      acl: { ok: true, value: [] },
    });
    expect(exposure).toEqual({
      level: 'unknown',
      findings: [
        {
          source: 'policy',
          effect: 'read-some-objects',
          neutralized: false,
          text: 'The bucket policy lets everyone download the files under “leak/”.',
        },
      ],
    });
    const whole = leak.replace('leak/*', '*');
    expect(
      decideExposure('custom', { policy: { ok: true, value: whole }, acl: { ok: true, value: [] } }).level,
    ).toBe('public');
  });

  it('flags public write and full control in a bucket ACL', () => {
    const acl = (permission: string) => ({
      acl: {
        ok: true as const,
        value: [{ granteeType: 'Group', uri: 'http://acs.amazonaws.com/groups/global/AllUsers', permission }],
      },
    });
    expect(decideExposure('wasabi', acl('WRITE')).findings[0]).toMatchObject({ effect: 'write-objects' });
    expect(decideExposure('spaces', acl('FULL_CONTROL')).findings[0]!.text).toMatch(/full control/);
  });
});
