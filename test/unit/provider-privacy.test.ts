/**
 * Privacy model and exposure detection for providers the tests cannot reach (AWS, R2, B2, GCS, MinIO), from
 * answers reconstructed from each provider's documentation, replayed through the real AWS SDK and the real connection tester (see
 * test/fixtures/providers/replay.ts). Ceph is covered for real in test/integration/account-ceph.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { ProviderId } from '../../src/shared/accounts/providers';
import { endpointFor, PROVIDERS } from '../../src/shared/accounts/providers';
import { ConnectionTester, type TestSubject } from '../../src/main/services/accounts/connection-tester';
import type { Clock } from '../../src/main/services/clock';
import { loadFixture, replayFactory, type Fixture } from '../fixtures/providers/replay';

/** The reconstructed answers carry Date: Sat, 21 Nov 2026 10:00:00 GMT; this clock agrees with them. */
const inStep: Clock = { now: () => new Date('2026-11-21T10:00:00.300Z') };

async function run(provider: ProviderId, scenario: string, over: Partial<TestSubject> = {}, clock = inStep) {
  const fixture = loadFixture(provider, scenario);
  expect(fixture.provider).toBe(provider);
  return replay(fixture, over, clock);
}

async function replay(fixture: Fixture, over: Partial<TestSubject> = {}, clock = inStep) {
  const provider = fixture.provider;
  const { factory, calls } = replayFactory(fixture);
  const preset = PROVIDERS[provider];
  const result = await new ConnectionTester(factory, clock).test({
    settings: {
      provider,
      endpoint: endpointFor(provider, preset.defaultRegion, '0123456789abcdef0123456789abcdef'),
      region: preset.defaultRegion,
      forcePathStyle: preset.forcePathStyle,
    },
    credentials: {
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    },
    buckets: [],
    privateBucket: null,
    clockOffsetMs: 0,
    ...over,
  });
  // Detection never writes: the only non-read request allowed is the ACL probe on a key that does not exist.
  for (const call of calls.filter((c) => c.method !== 'GET')) {
    expect(call.operation).toBe('PutObjectAcl');
    expect(call.path).toMatch(/\/\.signet-acl-probe\/[0-9a-f-]{36}$/);
  }
  return { result, calls, bucket: result.buckets[0]! };
}

describe('Amazon S3 (reconstructed answers)', () => {
  it('detects ACLs disabled by Object Ownership "bucket owner enforced", with Block Public Access on', async () => {
    const { result, bucket, calls } = await run('aws', 'ownership-enforced');
    expect(bucket.privacy).toEqual({
      model: 'acl-disabled',
      source: 'detected',
      evidence: ['GetBucketOwnershipControls: BucketOwnerEnforced'],
    });
    expect(calls.map((c) => c.operation)).not.toContain('PutObjectAcl'); // the read-only answer settled it
    expect(bucket.exposure.level).toBe('private');
    expect(bucket.exposure.findings).toEqual([
      expect.objectContaining({
        source: 'block-public-access',
        effect: 'none',
        text: expect.stringMatching(/is on/),
      }),
    ]);
    expect(bucket.advice.join(' ')).toMatch(/Choose a private bucket/);
    expect(result.status).toBe('warning'); // no private bucket chosen yet
    expect(result.notes.map((n) => n.text).join(' ')).toMatch(/Choose a private bucket/);
  });

  it('says so when that bucket is the account’s private bucket, and then all is well', async () => {
    const { result, bucket } = await run('aws', 'ownership-enforced', { privateBucket: 'shop-downloads' });
    expect(bucket.isPrivateBucket).toBe(true);
    expect(bucket.advice).toEqual([
      'This is the account’s private bucket: protected files are stored here. Keep the whole bucket private.',
    ]);
    expect(result.status).toBe('ok');
  });

  it('reports a public bucket policy: a private object in a public bucket is not private', async () => {
    const { result, bucket } = await run('aws', 'ownership-enforced-public-policy');
    expect(bucket.privacy.model).toBe('acl-disabled');
    expect(bucket.exposure.level).toBe('public');
    expect(bucket.exposure.findings).toContainEqual({
      source: 'policy',
      effect: 'read-objects',
      neutralized: false,
      text: 'The bucket policy lets everyone download files.',
    });
    expect(bucket.advice[0]).toMatch(/^A private file in a public bucket is not private/);
    expect(result.headline).toBe('Connected: 1 bucket reachable, 1 public bucket.');
  });

  it('counts a public policy as harmless when Block Public Access (enforced by AWS) cancels it', async () => {
    const { bucket } = await run('aws', 'public-policy-blocked');
    expect(bucket.exposure.level).toBe('private');
    expect(bucket.exposure.findings).toContainEqual(
      expect.objectContaining({ source: 'policy', effect: 'read-objects', neutralized: true }),
    );
  });

  it('detects ACLs enabled on a bucket without ownership controls, and a public-read bucket ACL (listing)', async () => {
    const { bucket } = await run('aws', 'acls-enabled-legacy');
    expect(bucket.privacy).toMatchObject({ model: 'object-acl', source: 'detected' });
    expect(bucket.privacy.evidence).toEqual(['GetBucketOwnershipControls: no ownership rule']);
    expect(bucket.exposure).toEqual({
      level: 'public',
      findings: [
        {
          source: 'acl',
          effect: 'list-objects',
          neutralized: false,
          text: 'The bucket ACL lets everyone on the internet list the names of all files in it.',
        },
      ],
    });
    expect(bucket.advice.join(' ')).toMatch(/Anyone can list the file names/);
  });

  it('detects ACLs enabled under "object writer", and an ACL for any AWS account holder', async () => {
    const { bucket } = await run('aws', 'object-writer');
    expect(bucket.privacy.model).toBe('object-acl');
    expect(bucket.exposure.findings).toContainEqual(
      expect.objectContaining({
        source: 'acl',
        text: expect.stringMatching(/any AWS account \(AuthenticatedUsers\)/),
      }),
    );
    expect(bucket.exposure.findings).toContainEqual(
      expect.objectContaining({
        source: 'block-public-access',
        text: expect.stringMatching(/only partly on/),
      }),
    );
  });

  it('falls back to the PutObjectAcl probe when settings may not be read: AccessControlListNotSupported', async () => {
    const { bucket, calls } = await run('aws', 'ownership-denied-probe');
    expect(calls.filter((c) => c.operation === 'PutObjectAcl')).toHaveLength(1);
    expect(calls.map((c) => c.operation)).not.toContain('DeleteObject'); // refused: nothing to clean up
    expect(bucket.privacy).toEqual({
      model: 'acl-disabled',
      source: 'detected',
      evidence: [
        'GetBucketOwnershipControls: AccessDenied (HTTP 403)',
        'PutObjectAcl on a file that does not exist: AccessControlListNotSupported (HTTP 400)',
      ],
    });
    expect(bucket.exposure.level).toBe('unknown');
  });

  it('says "not determined" when every question is denied, and treats the bucket as bucket-wide only', async () => {
    const { bucket } = await run('aws', 'everything-denied');
    expect(bucket.privacy.model).toBe('unknown');
    expect(bucket.exposure.level).toBe('unknown');
    expect(bucket.advice.join(' ')).toMatch(/Per-file access settings do not work here/);
  });

  it('maps a 301 PermanentRedirect to "wrong region", naming the right one', async () => {
    const { result, bucket } = await run('aws', 'wrong-region-redirect', { buckets: ['shop-downloads'] });
    expect(bucket.reachable).toBe(false);
    expect(bucket.problem).toMatchObject({
      kind: 'wrong-region',
      code: 'PermanentRedirect',
      httpStatus: 301,
      title: 'Wrong region: bucket “shop-downloads” is in eu-central-1, not us-east-1.',
      advice: 'Set the region to eu-central-1 and test again.',
    });
    expect(result.status).toBe('failed');
  });

  it('maps AuthorizationHeaderMalformed to "wrong region", with the region S3 expects', async () => {
    const { bucket } = await run('aws', 'wrong-region-malformed', { buckets: ['shop-downloads'] });
    expect(bucket.problem).toMatchObject({
      kind: 'wrong-region',
      code: 'AuthorizationHeaderMalformed',
      httpStatus: 400,
    });
    expect(bucket.problem!.title).toContain('is in eu-west-2, not us-east-1');
    expect(bucket.problem!.providerMessage).toContain("expecting 'eu-west-2'");
  });

  it('corrects for a clock 17½ minutes ahead: measures it from the Date header, retries, and keeps the offset', async () => {
    const ahead: Clock = { now: () => new Date('2026-11-21T10:17:30.000Z') };
    const { result, calls } = await run('aws', 'clock-skew', { privateBucket: 'shop-downloads' }, ahead);
    expect(calls.filter((c) => c.operation === 'ListBuckets')).toHaveLength(2);
    expect(result.status).toBe('warning');
    expect(result.clock).toMatchObject({ skewed: true, serverTime: '2026-11-21T10:00:00.000Z' });
    expect(result.clock!.offsetMs).toBe(-1_049_500); // server time + ½ s (the header's resolution) − local
    expect(result.clock!.appliedOffsetMs).toBe(result.clock!.offsetMs);
    expect(result.notes[0]!.text).toMatch(
      /^This computer's clock is 17 minutes 30 seconds ahead of the storage server's/,
    );
    expect(result.buckets[0]!.reachable).toBe(true);
  });

  it.each([
    [
      'invalid-access-key',
      'wrong-key',
      'InvalidAccessKeyId',
      403,
      'Amazon S3 does not know this access key ID.',
    ],
    [
      'signature-mismatch',
      'wrong-secret',
      'SignatureDoesNotMatch',
      403,
      'The secret access key does not match the access key ID (wrong secret).',
    ],
    [
      'expired-token',
      'expired-session',
      'ExpiredToken',
      400,
      'The temporary credentials (session token) have expired or are not valid.',
    ],
  ] as const)('explains %s plainly', async (scenario, kind, code, status, title) => {
    const { result } = await run('aws', scenario);
    expect(result).toMatchObject({
      status: 'failed',
      headline: title,
      problem: { kind, code, httpStatus: status },
    });
    expect(result.problem!.providerMessage).toBeTruthy();
    expect(result.problem!.advice.length).toBeGreaterThan(20);
  });

  it('goes on with the named buckets when a bucket-scoped key may not list buckets', async () => {
    const { result } = await run('aws', 'list-denied-bucket-key', {
      buckets: ['shop-downloads'],
      privateBucket: 'shop-downloads',
    });
    expect(result.listing.allowed).toBe(false);
    expect(result.status).toBe('ok');
    expect(result.notes).toContainEqual(
      expect.objectContaining({ level: 'info', text: expect.stringMatching(/may not list all buckets/) }),
    );
  });

  it('asks for bucket names when the key may not list buckets and none are named', async () => {
    const { result } = await run('aws', 'list-denied-bucket-key');
    expect(result.status).toBe('warning');
    expect(result.headline).toBe('Signed in, but the key may not list buckets: enter the buckets you use.');
  });
});

describe('Cloudflare R2 (reconstructed answers)', () => {
  it('knows R2 has no per-object ACLs, confirmed by its NotImplemented answers, and never probes', async () => {
    const { result, calls } = await run('r2', 'bucket', {
      privateBucket: 'shop-private',
      buckets: ['shop-files'],
    });
    expect(calls.map((c) => c.operation)).not.toContain('PutObjectAcl');
    expect(calls[0]!.host).toBe('0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com');
    const files = result.buckets.find((b) => b.name === 'shop-files')!;
    expect(files.privacy).toEqual({
      model: 'no-object-acl',
      source: 'provider',
      evidence: [
        'Cloudflare R2 has no per-object ACLs (its S3 API does not implement them).',
        'GetBucketOwnershipControls: NotImplemented (HTTP 501)',
        'Confirmed: the storage answered “not implemented”.',
      ],
    });
    // R2 public access is a dashboard switch the S3 API cannot see: said, not guessed.
    expect(files.exposure.level).toBe('unknown');
    expect(files.exposure.findings[0]!.text).toMatch(/r2\.dev address or a custom domain/);
    expect(files.advice).toEqual([
      'Per-file access settings do not work here, so protected files go to the private bucket “shop-private”.',
    ]);
    const privateOne = result.buckets.find((b) => b.name === 'shop-private')!;
    expect(privateOne.isPrivateBucket).toBe(true);
    expect(privateOne.advice[0]).toMatch(/Signet cannot see whether it is public; make sure it is not/);
  });
});

describe('Backblaze B2 (reconstructed answers)', () => {
  it('knows B2 sets access per bucket, and reads a private bucket as private', async () => {
    const { bucket, calls } = await run('b2', 'private-bucket', { privateBucket: 'shop-b2' });
    expect(calls.map((c) => c.operation)).not.toContain('PutObjectAcl');
    expect(bucket.privacy.model).toBe('no-object-acl');
    expect(bucket.privacy.evidence).toContain('Confirmed: the storage answered “not implemented”.');
    expect(bucket.exposure).toEqual({ level: 'private', findings: [] });
  });

  it('reads a public B2 bucket as every file downloadable', async () => {
    const { bucket } = await run('b2', 'public-bucket');
    expect(bucket.exposure.level).toBe('public');
    expect(bucket.exposure.findings).toEqual([
      expect.objectContaining({
        source: 'acl',
        effect: 'read-objects',
        text: expect.stringMatching(/allPublic/),
      }),
    ]);
    expect(bucket.advice[0]).toMatch(/A private file in a public bucket is not private/);
  });
});

describe('Google Cloud Storage and MinIO (reconstructed answers)', () => {
  it('detects GCS uniform bucket-level access as ACLs disabled, from its error message', async () => {
    const { bucket } = await run('gcs', 'uniform-access');
    expect(bucket.privacy.model).toBe('acl-disabled');
    expect(bucket.privacy.evidence.join('\n')).toMatch(/uniform bucket-level access/);
  });

  it('detects MinIO’s missing object ACLs from its Server header, although the probe answers NoSuchKey', async () => {
    const { result, bucket, calls } = await run('custom', 'minio-no-object-acl');
    expect(calls.filter((c) => c.operation === 'PutObjectAcl')).toHaveLength(1);
    expect(bucket.privacy).toEqual({
      model: 'no-object-acl',
      source: 'detected',
      evidence: [
        'GetBucketOwnershipControls: NotImplemented (HTTP 501)',
        'PutObjectAcl on a file that does not exist: NoSuchKey (HTTP 404)',
        expect.stringMatching(/^Server: MinIO — MinIO accepts only the “private” ACL/),
      ],
    });
    expect(bucket.exposure.level).toBe('private');
    expect(bucket.advice.join(' ')).toMatch(/Choose a private bucket/);
    expect(result.status).toBe('warning'); // no private bucket chosen yet
  });

  it('reads the same NoSuchKey without a MinIO Server header (as Ceph answers) as per-object ACLs working', async () => {
    const minio = loadFixture('custom', 'minio-no-object-acl');
    const anonymous: Fixture = {
      ...minio,
      responses: Object.fromEntries(
        Object.entries(minio.responses).map(([operation, answer]) => [
          operation,
          (Array.isArray(answer) ? answer : [answer]).map(({ headers, ...rest }) => ({
            ...rest,
            headers: Object.fromEntries(Object.entries(headers).filter(([name]) => name !== 'server')),
          })),
        ]),
      ),
    };
    const { bucket } = await replay(anonymous);
    expect(bucket.privacy).toMatchObject({ model: 'object-acl', source: 'detected' });
    expect(bucket.privacy.evidence.join('\n')).not.toMatch(/MinIO/);
  });
});
