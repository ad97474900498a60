/**
 * `signet watch` (the leak watch, ../shared/spec/cli.md) on the real Ceph gateway: it asks, as a stranger, for
 * every file an active link points to, exits 0 while none is readable, and 1 once a linked file is made public
 * behind Signet's back by another client; `--all` asks for every file held as not public.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectAclCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeytarLike } from '../../src/main/services/keytar-secret-store';
import {
  createTestBucket,
  emptyAndDeleteBucket,
  ensureCeph,
  s3ClientFor,
  type CephEnv,
} from '../support/ceph';
import { buildCli, cephAccountAddArgs, jsonLines, runCli, type CliRun } from '../support/cli-runner';
import { requirePrivateTestKeyring } from '../support/test-keyring';

requirePrivateTestKeyring();

const keytar = createRequire(import.meta.url)('keytar') as KeytarLike;
const service = `signet-cli-watch-test-${randomUUID()}`;
const dataDir = mkdtempSync(join(tmpdir(), 'signet-cli-watch-'));
const env = { SIGNET_KEYCHAIN_SERVICE: service, SIGNET_DATA_DIR: '' };
/** The keys of each JSON line `signet watch --json` prints (cli.md). */
const ROW_KEYS = ['access', 'account', 'bucket', 'key', 'leak', 'status'];

let cli: string;
let removeBuild: (() => void) | undefined;
let ceph: CephEnv;
let admin: S3Client;
let bucket: string;

function run(args: string[], opts: { stdin?: string } = {}): Promise<CliRun> {
  return runCli(cli, [...args, '--data-dir', dataDir], { ...opts, env });
}

async function watch(args: string[] = []): Promise<{ code: number | null; rows: Record<string, unknown>[] }> {
  const r = await run(['watch', ...args, '--json']);
  return { code: r.code, rows: jsonLines(r.stdout) };
}

beforeAll(async () => {
  const built = await buildCli('cli-watch');
  cli = built.cli;
  removeBuild = built.remove;
  ceph = await ensureCeph();
  admin = s3ClientFor(ceph);
  bucket = await createTestBucket(admin, 'cli-watch');
  for (const Key of ['products/linked.zip', 'products/unlinked.zip', 'images/cover.png']) {
    await admin.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key,
        Body: Key,
        ACL: Key.startsWith('images/') ? 'public-read' : 'private',
      }),
    );
  }
  const add = await run(cephAccountAddArgs(ceph, 'Shop', bucket), { stdin: ceph.secretAccessKey });
  expect(add.code, add.stderr).toBe(0);
  const sync = await run(['sync', 'shop']);
  expect(sync.code, sync.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  for (const c of await keytar.findCredentials(service).catch(() => []))
    await keytar.deletePassword(service, c.account);
  if (bucket) await emptyAndDeleteBucket(admin, bucket);
  admin?.destroy();
  rmSync(dataDir, { recursive: true, force: true });
  removeBuild?.();
});

describe('signet watch', { timeout: 60_000 }, () => {
  it('asks for linked files only, exit 0 while a stranger is refused; exit 1 once one is made public elsewhere', async () => {
    const quiet = await watch();
    expect(quiet.code).toBe(0);
    expect(quiet.rows).toEqual([]); // no link yet: nothing to watch

    const link = await run(['link', 'shop', 'products/linked.zip', '--direct', '--json']);
    expect(link.code, link.stderr).toBe(0);
    const before = await watch(['shop']);
    expect(before.code).toBe(0);
    expect(before.rows).toEqual([
      { account: 'Shop', bucket, key: 'products/linked.zip', access: 'private', status: 403, leak: false },
    ]);
    expect(Object.keys(before.rows[0]!).sort()).toEqual(ROW_KEYS);

    // Another client opens the linked file behind Signet's back.
    await admin.send(
      new PutObjectAclCommand({ Bucket: bucket, Key: 'products/linked.zip', ACL: 'public-read' }),
    );
    const after = await watch(['shop']);
    expect(after.code).toBe(1);
    expect(after.rows).toEqual([
      { account: 'Shop', bucket, key: 'products/linked.zip', access: 'private', status: 200, leak: true },
    ]);
    // The answer is in the catalog, as Verify records it.
    const ls = await run(['ls', 'shop', '--json', '--prefix', 'products/linked']);
    expect(jsonLines(ls.stdout)[0]).toMatchObject({ verified: { status: 200 } });

    await admin.send(new PutObjectAclCommand({ Bucket: bucket, Key: 'products/linked.zip', ACL: 'private' }));
    expect((await watch(['shop'])).code).toBe(0);
  });

  it('--all asks for every file held as not public, and none held as public', async () => {
    const all = await watch(['--all']);
    expect(all.code).toBe(0);
    expect(all.rows.map((r) => r['key']).sort()).toEqual(['products/linked.zip', 'products/unlinked.zip']);
    expect(all.rows.every((r) => r['status'] === 403 && r['leak'] === false)).toBe(true);
  });

  it('names an unknown account as bad usage', async () => {
    const r = await run(['watch', 'no-such-account']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no storage account/);
  });
});
