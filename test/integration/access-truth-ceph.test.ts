/**
 * No false "private" (issue #18, ../shared/spec/cli.md): on the real Ceph gateway, through the command line.
 *
 * - A least-privilege key: the bucket belongs to another RGW user whose policy gives the test user object rights
 *   only (so the bucket's policy, ACL and policy status cannot be read with it), and makes `leak/` readable by
 *   anyone. The sync asks for each file as a stranger would: `leak/` is public through the bucket, the rest is
 *   private with the stranger's 403 as its proof. A make-private of a leaking file ends `stillPublic`, exit 1.
 * - Ceph's policy status says `IsPublic` for any bucket with a policy, even one naming a single user: Signet's own
 *   reading of the policy wins over the flag for "public as a whole", and a private upload there is not refused.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutBucketPolicyCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeytarLike } from '../../src/main/services/keytar-secret-store';
import {
  anonymousStatus,
  createLeastPrivilegeBucket,
  createTestBucket,
  emptyAndDeleteBucket,
  ensureCeph,
  ownerClientFor,
  s3ClientFor,
  type CephEnv,
} from '../support/ceph';
import { buildCli, cephAccountAddArgs, jsonLines, runCli, type CliRun } from '../support/cli-runner';
import { requirePrivateTestKeyring } from '../support/test-keyring';

requirePrivateTestKeyring();

const STRANGER_SENTENCE =
  'Signet cannot read this bucket’s policy and ACL with these keys, so it checks each file as a stranger would.';

const keytar = createRequire(import.meta.url)('keytar') as KeytarLike;
const service = `signet-access-truth-test-${randomUUID()}`;
const dataDir = mkdtempSync(join(tmpdir(), 'signet-access-truth-'));
const filesDir = mkdtempSync(join(tmpdir(), 'signet-access-truth-files-'));
const env = { SIGNET_KEYCHAIN_SERVICE: service, SIGNET_DATA_DIR: '' };

let cli: string;
let removeBuild: (() => void) | undefined;
let ceph: CephEnv;
let user: S3Client;
let owner: S3Client;
/** Owned by the second user; the test user's key cannot read its rules. */
let least: string;
/** Owned by the test user; its policy grants one named user only. */
let named: string;

function run(args: string[], opts: { stdin?: string } = {}): Promise<CliRun> {
  return runCli(cli, [...args, '--data-dir', dataDir], { ...opts, env });
}

async function json(args: string[], code: number): Promise<Record<string, unknown>> {
  const r = await run([...args, '--json']);
  expect(r.code, r.stderr).toBe(code);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

async function catalog(bucket: string): Promise<Map<string, { access: string; verified: unknown }>> {
  const r = await run(['ls', 'shop', '--bucket', bucket, '--json']);
  expect(r.code, r.stderr).toBe(0);
  const rows = jsonLines<{ key: string; access: string; verified: unknown }>(r.stdout);
  return new Map(rows.map((o) => [o.key, { access: o.access, verified: o.verified }]));
}

beforeAll(async () => {
  const built = await buildCli('access-truth');
  cli = built.cli;
  removeBuild = built.remove;
  ceph = await ensureCeph();
  user = s3ClientFor(ceph);
  owner = ownerClientFor(ceph);
  least = await createLeastPrivilegeBucket(ceph, owner, 'least', ['leak/']);
  for (const Key of ['leak/l0.zip', 'leak/l1.zip', 'safe/s0.zip', 'safe/s1.zip']) {
    await user.send(new PutObjectCommand({ Bucket: least, Key, Body: Key, ACL: 'private' }));
  }
  named = await createTestBucket(user, 'named');
  await user.send(
    new PutBucketPolicyCommand({
      Bucket: named,
      Policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: [`arn:aws:iam:::user/${ceph.owner.uid}`] },
            Action: ['s3:GetObject'],
            Resource: [`arn:aws:s3:::${named}/*`],
          },
        ],
      }),
    }),
  );
  const add = await run([...cephAccountAddArgs(ceph, 'Shop', least), '--bucket', named], {
    stdin: ceph.secretAccessKey,
  });
  expect(add.code, add.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  for (const c of await keytar.findCredentials(service).catch(() => []))
    await keytar.deletePassword(service, c.account);
  if (least) await emptyAndDeleteBucket(owner, least);
  if (named) await emptyAndDeleteBucket(user, named);
  user?.destroy();
  owner?.destroy();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(filesDir, { recursive: true, force: true });
  removeBuild?.();
});

describe('a bucket whose rules the key cannot read', { timeout: 60_000 }, () => {
  it('is neither public nor private in the account test, which says why in plain words', async () => {
    const view = await json(['accounts', 'test', 'shop'], 0);
    const buckets = (view['lastTest'] as { buckets: Record<string, unknown>[] }).buckets;
    const report = buckets.find((b) => b['name'] === least) as {
      exposure: { level: string; findings: { text: string }[] };
      advice: string[];
    };
    expect(report.exposure.level).toBe('unknown');
    expect(report.exposure.findings.map((f) => f.text)).toContain(STRANGER_SENTENCE);
    expect(report.advice.join(' ')).toContain('a file counts as private only when the stranger was refused');
  });

  it('syncs with a stranger’s request for each file: the public prefix is public, the rest proved private', async () => {
    const sync = await json(['sync', 'shop', '--bucket', least], 0);
    expect(sync['access']).toMatchObject({ 'public-bucket': 2, private: 2 });
    const rows = await catalog(least);
    for (const key of ['leak/l0.zip', 'leak/l1.zip']) {
      expect(rows.get(key)).toEqual({
        access: 'public-bucket',
        verified: { status: 200, at: expect.any(String) },
      });
      expect(await anonymousStatus(ceph, least, key)).toBe(200);
    }
    for (const key of ['safe/s0.zip', 'safe/s1.zip']) {
      expect(rows.get(key)).toEqual({ access: 'private', verified: { status: 403, at: expect.any(String) } });
      expect(await anonymousStatus(ceph, least, key)).toBe(403);
    }
    // Verify agrees with the sync: nothing it holds as private is readable.
    const verify = await run(['verify', 'shop', '--bucket', least, '--json']);
    expect(verify.code, verify.stderr).toBe(0);
    expect(jsonLines<{ leak: boolean }>(verify.stdout).filter((r) => r.leak)).toEqual([]);
  });

  it('proves a make-private by a stranger’s request: a file the policy still shares is stillPublic, exit 1', async () => {
    await json(['sync', 'shop', '--bucket', least], 0);
    const leaking = await json(['private', 'shop', '--bucket', least, 'leak/l0.zip'], 1);
    expect(leaking).toMatchObject({ total: 1, done: 0, failed: 1, stillPublic: 1 });
    expect(await anonymousStatus(ceph, least, 'leak/l0.zip')).toBe(200);
    const jobs = await run(['jobs', 'list', '--json']);
    expect(jsonLines(jobs.stdout).find((j) => j['job'] === leaking['job'])).toMatchObject({
      state: 'failed',
      failed: 1,
    });

    const safe = await json(['private', 'shop', '--bucket', least, 'safe/s0.zip'], 0);
    expect(safe).toMatchObject({ total: 1, done: 1, failed: 0, stillPublic: 0 });
    expect((await catalog(least)).get('safe/s0.zip')).toEqual({
      access: 'private',
      verified: { status: 403, at: expect.any(String) },
    });
  });
});

describe('Ceph’s “public” flag on a policy that names one user', { timeout: 60_000 }, () => {
  it('does not make the bucket public as a whole: a private upload goes ahead and is proved private', async () => {
    const view = await json(['accounts', 'test', 'shop'], 0);
    const report = (view['lastTest'] as { buckets: Record<string, unknown>[] }).buckets.find(
      (b) => b['name'] === named,
    ) as { exposure: { level: string; findings: { source: string; effect: string }[] } };
    expect(report.exposure.level).toBe('unknown');
    expect(report.exposure.findings).toEqual([
      expect.objectContaining({ source: 'policy-status', effect: 'none' }),
    ]);

    const file = join(filesDir, 'guide.pdf');
    writeFileSync(file, 'the guide');
    const upload = await json(['upload', 'shop', file, '--bucket', named, '--prefix', 'products/'], 0);
    expect(upload).toMatchObject({ total: 1, done: 1, failed: 0, stillPublic: 0 });
    expect(await anonymousStatus(ceph, named, 'products/guide.pdf')).toBe(403);
    expect((await catalog(named)).get('products/guide.pdf')).toEqual({
      access: 'private',
      verified: { status: 403, at: expect.any(String) },
    });
  });
});
