/**
 * The exported verifier config and the read-only verifier key, through the command line built from source, on the
 * Ceph rig and the test keyring. Without a verifier key the config carries the account's own key, and the export
 * says so (a note on stderr, `fullPermissionKeys` in the JSON) with how to make a read-only key. With one (here the
 * rig's second user, whom the bucket's policy lets only read objects), the config carries it instead, and the real
 * verifier serves a download with it. The file is written atomically with mode 0600 (an older, wider file is
 * replaced, no temporary file is left) and never through a symbolic link.
 */
import { randomUUID } from 'node:crypto';
import {
  chmodSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DeleteBucketPolicyCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeytarLike } from '../../src/main/services/keytar-secret-store';
import { loadConfigFile } from '../../src/verifier/config';
import { createLogger } from '../../src/verifier/log';
import { startVerifier, type RunningVerifier } from '../../src/verifier/server';
import {
  createTestBucket,
  emptyAndDeleteBucket,
  ensureCeph,
  s3ClientFor,
  type CephEnv,
} from '../support/ceph';
import {
  buildCli,
  cephAccountAddArgs,
  expectUsageError,
  jsonLines,
  runCli,
  type CliRun,
} from '../support/cli-runner';
import { requirePrivateTestKeyring } from '../support/test-keyring';

requirePrivateTestKeyring();

const keytar = createRequire(import.meta.url)('keytar') as KeytarLike;
const service = `signet-cli-verifier-key-test-${randomUUID()}`;
const dataDir = mkdtempSync(join(tmpdir(), 'signet-cli-verifier-key-'));
const outDir = mkdtempSync(join(tmpdir(), 'signet-verifier-config-'));
const configPath = join(outDir, 'verifier.json');

let cli: string;
let removeBuild: (() => void) | undefined;
let ceph: CephEnv;
let s3: S3Client;
let bucket: string;
let accountId: string;
let verifier: RunningVerifier | null = null;

interface Exported {
  file: string;
  stores: string[];
  warnings: string[];
  fullPermissionKeys: { account: string; store: string; warning: string }[];
}
interface ConfigFile {
  stores: Record<string, { accessKeyId: string; secretAccessKey: string }>;
}

function run(args: string[], opts: { stdin?: string; env?: Record<string, string> } = {}): Promise<CliRun> {
  return runCli(cli, [...args, '--data-dir', dataDir], {
    ...(opts.stdin !== undefined ? { stdin: opts.stdin } : {}),
    env: { SIGNET_KEYCHAIN_SERVICE: service, SIGNET_DATA_DIR: '', ...opts.env },
  });
}

async function exportConfig(): Promise<{ r: CliRun; result: Exported; file: ConfigFile }> {
  const r = await run(['verifier-config', '--out', configPath, '--listen', '127.0.0.1:0', '--json']);
  expect(r.code, r.stderr).toBe(0);
  const result = JSON.parse(r.stdout) as Exported;
  return { r, result, file: JSON.parse(readFileSync(configPath, 'utf8')) as ConfigFile };
}

beforeAll(async () => {
  const built = await buildCli('verifier-key');
  cli = built.cli;
  removeBuild = built.remove;
  ceph = await ensureCeph();
  s3 = s3ClientFor(ceph);
  bucket = await createTestBucket(s3, 'verifier-key');
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'products/guide.pdf', Body: 'the guide' }));
  // The second user may read the bucket's objects, and nothing else: a read-only key, as a shop would make one.
  await s3.send(
    new PutBucketPolicyCommand({
      Bucket: bucket,
      Policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: [`arn:aws:iam:::user/${ceph.owner.uid}`] },
            Action: ['s3:GetObject'],
            Resource: [`arn:aws:s3:::${bucket}/*`],
          },
        ],
      }),
    }),
  );
  const added = await run([...cephAccountAddArgs(ceph, 'Shop', bucket), '--json'], {
    stdin: ceph.secretAccessKey,
  });
  expect(added.code, added.stderr).toBe(0);
  accountId = (JSON.parse(added.stdout) as { id: string }).id;
  expect((await run(['keys', 'new'])).code).toBe(0);
}, 120_000);

afterAll(async () => {
  await verifier?.close();
  for (const c of await keytar.findCredentials(service).catch(() => []))
    await keytar.deletePassword(service, c.account);
  if (bucket) {
    await s3.send(new DeleteBucketPolicyCommand({ Bucket: bucket })).catch(() => undefined);
    await emptyAndDeleteBucket(s3, bucket);
  }
  s3?.destroy();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(outDir, { recursive: true, force: true });
  removeBuild?.();
});

describe('signet accounts verifier-key and verifier-config', { timeout: 120_000 }, () => {
  it('without a verifier key: the account’s own key goes into the file, and the export says so and what to do', async () => {
    const { r, result, file } = await exportConfig();
    expect(file.stores['Shop']).toMatchObject({
      accessKeyId: ceph.accessKeyId,
      secretAccessKey: ceph.secretAccessKey,
    });
    expect(result.fullPermissionKeys).toEqual([
      {
        account: 'Shop',
        store: 'Shop',
        warning: expect.stringMatching(
          /carries the own key of “Shop”, a full-permission key that can also upload, change and delete files, and it is going to your shop’s server/,
        ),
      },
    ]);
    expect(result.fullPermissionKeys[0]!.warning).toContain(`s3:GetObject) in ${bucket}`);
    expect(result.fullPermissionKeys[0]!.warning).toContain('signet accounts verifier-key ACCOUNT');
    expect(r.stderr).toContain('Warning: The verifier config carries the own key of “Shop”');
    expect(statSync(configPath).mode & 0o777).toBe(0o600);
  });

  it('refuses a verifier key without its flags, or with --clear, as bad usage', async () => {
    expectUsageError(await run(['accounts', 'verifier-key', 'Shop']), /--access-key-id ID is required/);
    expectUsageError(
      await run(['accounts', 'verifier-key', 'Shop', '--access-key-id', 'X', '--clear']),
      /--clear takes no key/,
    );
    expectUsageError(
      await run(['accounts', 'verifier-key', 'Shop', '--access-key-id', ceph.owner.accessKeyId]),
      /--secret-stdin or --secret-env NAME is required/,
    );
  });

  it('with a read-only verifier key: the file carries it instead, and the verifier serves downloads with it', async () => {
    const set = await run(
      [
        'accounts',
        'verifier-key',
        'shop',
        '--access-key-id',
        ceph.owner.accessKeyId,
        '--secret-stdin',
        '--json',
      ],
      { stdin: `${ceph.owner.secretAccessKey}\n` },
    );
    expect(set.code, set.stderr).toBe(0);
    expect(JSON.parse(set.stdout)).toEqual({ id: accountId, name: 'Shop', verifierKey: true });
    expect(set.stdout + set.stderr).not.toContain(ceph.owner.secretAccessKey);
    expect(await keytar.getPassword(service, `account:${accountId}:verifier-secret-access-key`)).toBe(
      ceph.owner.secretAccessKey,
    );
    const [listed] = jsonLines<{ verifierKey: boolean }>((await run(['accounts', 'list', '--json'])).stdout);
    expect(listed?.verifierKey).toBe(true);

    const { r, result, file } = await exportConfig();
    expect(file.stores['Shop']).toEqual({
      endpoint: ceph.endpoint,
      region: ceph.region,
      forcePathStyle: true,
      accessKeyId: ceph.owner.accessKeyId,
      secretAccessKey: ceph.owner.secretAccessKey,
    });
    expect(JSON.stringify(file)).not.toContain(ceph.secretAccessKey);
    expect(result.fullPermissionKeys).toEqual([]);
    expect(r.stderr).not.toMatch(/full-permission/);

    // The verifier, on that file, hands out the file with the read-only key.
    verifier = await startVerifier(loadConfigFile(configPath), { logger: createLogger('silent') });
    expect((await run(['settings', 'set', 'verifier-url', verifier.url])).code).toBe(0);
    const link = await run(['link', 'Shop', 'products/guide.pdf', '--order', 'A-1', '--json']);
    expect(link.code, link.stderr).toBe(0);
    const got = await fetch((JSON.parse(link.stdout) as { url: string }).url);
    expect(got.status).toBe(200);
    expect(await got.text()).toBe('the guide');
  });

  it('--clear removes the verifier key: the next export carries the account’s key again and warns', async () => {
    const cleared = await run(['accounts', 'verifier-key', 'Shop', '--clear']);
    expect(cleared.code, cleared.stderr).toBe(0);
    expect(cleared.stdout).toMatch(/Removed the verifier key of “Shop”/);
    expect(await keytar.getPassword(service, `account:${accountId}:verifier-access-key-id`)).toBeNull();
    const { result, file } = await exportConfig();
    expect(file.stores['Shop']?.accessKeyId).toBe(ceph.accessKeyId);
    expect(result.fullPermissionKeys.map((f) => f.account)).toEqual(['Shop']);
  });

  it('replaces an older, wider file atomically with a 0600 one, leaving no temporary file', async () => {
    writeFileSync(configPath, 'an older config');
    chmodSync(configPath, 0o644);
    await exportConfig();
    expect(statSync(configPath).mode & 0o777).toBe(0o600);
    // The verifier started above keeps its state beside the config; of the config itself only the file is there.
    expect(readdirSync(outDir).filter((f) => f.includes('verifier.json'))).toEqual(['verifier.json']);
  });

  it('goes with its account: removing the account removes the verifier key from the keychain', async () => {
    const set = await run(
      ['accounts', 'verifier-key', 'Shop', '--access-key-id', ceph.owner.accessKeyId, '--secret-env', 'VK'],
      { env: { VK: ceph.owner.secretAccessKey } },
    );
    expect(set.code, set.stderr).toBe(0);
    expect(await keytar.getPassword(service, `account:${accountId}:verifier-access-key-id`)).toBe(
      ceph.owner.accessKeyId,
    );
    const removed = await run(['accounts', 'remove', 'Shop', '--json']);
    expect(removed.code, removed.stderr).toBe(0);
    expect(JSON.parse(removed.stdout)).toMatchObject({ keychainEntriesRemoved: 4 });
    const left = (await keytar.findCredentials(service)).map((c) => c.account);
    expect(left.filter((name) => name.startsWith(`account:${accountId}:`))).toEqual([]);
  });

  it('never writes through a symbolic link: the link is refused and where it points is untouched', async () => {
    const elsewhere = join(outDir, 'elsewhere.txt');
    writeFileSync(elsewhere, 'not a verifier config');
    const link = join(outDir, 'link.json');
    symlinkSync(elsewhere, link);
    const r = await run(['verifier-config', '--out', link]);
    expectUsageError(
      r,
      /--out: “.*link\.json” is a symbolic link, and Signet does not write the verifier config through one/,
    );
    expect(readFileSync(elsewhere, 'utf8')).toBe('not a verifier config');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
  });
});
