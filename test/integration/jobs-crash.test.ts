/**
 * A job survives the death of the process that ran it. The built `signet` command line runs a make-private job
 * on the real Ceph gateway and is killed with SIGKILL mid-way (no handler, no cleanup: what a crash or a power
 * cut of the process leaves), at a moment read from its own SQLite file. A new process, `signet jobs resume`,
 * then takes the job over at once (the dead owner's pid is checked on this host, so it does not wait for the
 * lease to run out) and finishes it: every object private, none lost, the job done.
 *
 * Both ways of making a file private are killed: a per-object ACL, and a move into the account's private bucket
 * (copy, check the copy, then delete the source), where a kill between two steps must never lose a file.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectAclCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeytarLike } from '../../src/main/services/keytar-secret-store';
import {
  createTestBucket,
  emptyAndDeleteBucket,
  ensureCeph,
  anonymousStatus,
  listObjects,
  s3ClientFor,
  type CephEnv,
} from '../support/ceph';
import { buildCli, cephAccountAddArgs, jsonLines, runCli, type CliRun } from '../support/cli-runner';
import { requirePrivateTestKeyring } from '../support/test-keyring';

requirePrivateTestKeyring();

/** Enough objects that the change phase lasts seconds on the rig, so a kill lands mid-way without a test hook. */
const ACL_OBJECTS = 800;
const MOVE_OBJECTS = 300;
/** Kill once this share of the items is done: well inside the run, far from its start and its end. */
const KILL_AT = 0.15;

const keytar = createRequire(import.meta.url)('keytar') as KeytarLike;
const service = `signet-jobs-crash-test-${randomUUID()}`;
const dataDir = mkdtempSync(join(tmpdir(), 'signet-jobs-crash-'));
const dbFile = join(dataDir, 'signet.db');

let cli: string;
let removeBuild: (() => void) | undefined;
let ceph: CephEnv;
let admin: S3Client;
let aclBucket: string;
let moveBucket: string;
let vault: string;

const env = { SIGNET_KEYCHAIN_SERVICE: service, SIGNET_DATA_DIR: '' };

function run(args: string[], opts: { stdin?: string } = {}): Promise<CliRun> {
  return runCli(cli, [...args, '--data-dir', dataDir], { ...opts, env });
}

const bodyOf = (key: string) => `product file ${key}, unique bytes ${key.length * 7919}`;
const keysOf = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(4, '0')}.zip`);

/** Seeds public-read objects, 32 at a time (what a bulk make-private starts from). */
async function seed(bucket: string, keys: readonly string[]): Promise<void> {
  for (let i = 0; i < keys.length; i += 32) {
    await Promise.all(
      keys
        .slice(i, i + 32)
        .map((Key) =>
          admin.send(new PutObjectCommand({ Bucket: bucket, Key, Body: bodyOf(Key), ACL: 'public-read' })),
        ),
    );
  }
}

async function forEachLimited<T>(items: readonly T[], n: number, fn: (t: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += n) await Promise.all(items.slice(i, i + n).map(fn));
}

interface JobRow {
  id: number;
  state: string;
  owner: string | null;
  lease_until: number | null;
}

/**
 * The newest job (above `afterId`) and its item counts as the running process wrote them, read through a
 * read-only connection.
 */
function readJob(afterId = 0): { job: JobRow | undefined; states: Record<string, number> } {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    const job = db
      .prepare<[number], JobRow>(
        'SELECT id, state, owner, lease_until FROM jobs WHERE id > ? ORDER BY id DESC LIMIT 1',
      )
      .get(afterId);
    const states: Record<string, number> = {};
    if (job) {
      const rows = db
        .prepare<[number], { state: string; n: number }>(
          'SELECT state, count(*) AS n FROM job_items WHERE job_id = ? GROUP BY state',
        )
        .all(job.id);
      for (const r of rows) states[r.state] = r.n;
    }
    return { job, states };
  } finally {
    db.close();
  }
}

/**
 * Starts `signet private …` and SIGKILLs it once `KILL_AT` of its items are done (polling its SQLite file), then
 * waits for the process to be reaped (a zombie would still answer kill(pid, 0) as alive). Answers the pid and
 * the job as the dead process left it.
 */
async function killMidJob(args: string[], total: number) {
  const before = readJob().job?.id ?? 0;
  const child = spawn(process.execPath, [cli, ...args, '--data-dir', dataDir, '--json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let exitCode: number | null | undefined;
  void exited.then((c) => (exitCode = c));
  const until = Date.now() + 60_000;
  for (;;) {
    if (exitCode !== undefined) throw new Error(`signet exited (${exitCode}) before the kill:\n${output}`);
    if (Date.now() > until) throw new Error(`no progress to kill at within 60 s:\n${output}`);
    const { states } = readJob(before);
    if ((states['done'] ?? 0) >= total * KILL_AT) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  child.kill('SIGKILL');
  await exited;
  return { pid: child.pid!, ...readJob(before) };
}

beforeAll(async () => {
  const built = await buildCli('jobs-crash');
  cli = built.cli;
  removeBuild = built.remove;
  ceph = await ensureCeph();
  admin = s3ClientFor(ceph);
  aclBucket = await createTestBucket(admin, 'crash-acl');
  moveBucket = await createTestBucket(admin, 'crash-mv');
  vault = await createTestBucket(admin, 'crash-vault');
  await seed(aclBucket, keysOf('products/', ACL_OBJECTS));
  await seed(moveBucket, keysOf('bundles/', MOVE_OBJECTS));
  const add = await run(
    [...cephAccountAddArgs(ceph, 'Shop', aclBucket), '--bucket', moveBucket, '--private-bucket', vault],
    { stdin: ceph.secretAccessKey },
  );
  expect(add.code, add.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  for (const c of await keytar.findCredentials(service).catch(() => []))
    await keytar.deletePassword(service, c.account);
  for (const b of [aclBucket, moveBucket, vault]) if (b) await emptyAndDeleteBucket(admin, b);
  admin?.destroy();
  rmSync(dataDir, { recursive: true, force: true });
  removeBuild?.();
});

describe('a job killed mid-way is resumed by the next process', { timeout: 90_000 }, () => {
  it(`per-object ACLs: ${ACL_OBJECTS} files, killed mid-job, all private after resume and none lost`, async () => {
    const sync = await run(['sync', 'shop', '--bucket', aclBucket, '--json']);
    expect(sync.code, sync.stderr).toBe(0);
    const keys = keysOf('products/', ACL_OBJECTS);

    const killed = await killMidJob(
      ['private', 'shop', '--bucket', aclBucket, '--prefix', 'products/'],
      ACL_OBJECTS,
    );
    // The dead process still holds the job in the table: running, its owner, a lease that has not run out.
    expect(killed.job).toMatchObject({ state: 'running', owner: `${hostname()}:${killed.pid}` });
    const leaseUntil = killed.job!.lease_until!;
    expect(leaseUntil).toBeGreaterThan(Date.now());
    const doneAtKill = killed.states['done'] ?? 0;
    expect(doneAtKill).toBeGreaterThan(0);
    expect(doneAtKill).toBeLessThan(ACL_OBJECTS);

    // Another process sees the owner is dead: the job shows as interrupted, not as running elsewhere.
    const listed = jsonLines((await run(['jobs', 'list', '--json'])).stdout);
    expect(listed.find((j) => j['job'] === killed.job!.id)).toMatchObject({
      kind: 'private',
      state: 'queued',
      interrupted: true,
    });

    // Two processes resume at once (say, the app starting while a script runs `signet jobs resume`): one takes
    // the job over and finishes it, the other finds nothing left to resume. Neither fails.
    const resumedAt = Date.now();
    const both = await Promise.all([run(['jobs', 'resume', '--json']), run(['jobs', 'resume', '--json'])]);
    for (const r of both) expect(r.code, r.stderr).toBe(0);
    // The job was taken over before the dead owner's lease ran out: the pid check, not the lease, let it in.
    expect(resumedAt).toBeLessThan(leaseUntil);
    const outputs = both.map((r) => jsonLines(r.stdout));
    expect(outputs).toContainEqual([{ resumed: 0 }]);
    expect(outputs).toContainEqual([
      {
        job: killed.job!.id,
        state: 'done',
        total: ACL_OBJECTS,
        done: ACL_OBJECTS,
        failed: 0,
        stillPublic: 0,
      },
    ]);
    expect(readJob(killed.job!.id - 1)).toMatchObject({
      job: { state: 'done', owner: null },
      states: { done: ACL_OBJECTS },
    });

    // None lost, and each one private as the storage itself answers: its ACL, and a stranger's GET.
    const objects = await listObjects(admin, aclBucket);
    expect([...objects.keys()].sort()).toEqual(keys);
    const publicGrants: string[] = [];
    const strangerReads: string[] = [];
    await forEachLimited(keys, 16, async (Key) => {
      const acl = await admin.send(new GetObjectAclCommand({ Bucket: aclBucket, Key }));
      if ((acl.Grants ?? []).some((g) => g.Grantee?.URI?.endsWith('/AllUsers'))) publicGrants.push(Key);
      const status = await anonymousStatus(ceph, aclBucket, Key);
      if (status !== 403) strangerReads.push(`${Key}: ${status}`);
    });
    expect(publicGrants).toEqual([]);
    expect(strangerReads).toEqual([]);
  });

  it(`moves into the private bucket: ${MOVE_OBJECTS} files, killed mid-move, no file lost, all moved after resume`, async () => {
    const sync = await run(['sync', 'shop', '--bucket', moveBucket, '--json']);
    expect(sync.code, sync.stderr).toBe(0);
    const keys = keysOf('bundles/', MOVE_OBJECTS);
    const original = await listObjects(admin, moveBucket);
    expect(original.size).toBe(MOVE_OBJECTS);
    // Ceph has per-object ACLs; treat this bucket as a provider without them (R2, B2), whose files are private
    // only in a private bucket. After the sync: a sync checks the bucket again and would reset this.
    const db = new Database(dbFile);
    db.prepare(`UPDATE buckets SET model = 'no-object-acl', exposure = 'unknown' WHERE name = ?`).run(
      moveBucket,
    );
    db.close();

    const killed = await killMidJob(
      ['private', 'shop', '--bucket', moveBucket, '--prefix', 'bundles/'],
      MOVE_OBJECTS,
    );
    expect(killed.job).toMatchObject({ state: 'running', owner: `${hostname()}:${killed.pid}` });
    const doneAtKill = killed.states['done'] ?? 0;
    expect(doneAtKill).toBeGreaterThan(0);
    expect(doneAtKill).toBeLessThan(MOVE_OBJECTS);

    // What the kill left: every file is still in the source as it was, or its checked copy is in the vault.
    // A source deleted without its copy in place would be a lost file.
    const source = await listObjects(admin, moveBucket);
    const target = await listObjects(admin, vault);
    const lost = keys.filter((k) => {
      const was = original.get(k)!;
      const inSource = source.get(k);
      const copy = target.get(k);
      const sourceKept = inSource?.etag === was.etag && inSource.size === was.size;
      const copyGood = copy?.etag === was.etag && copy.size === was.size;
      return !sourceKept && !copyGood;
    });
    expect(lost).toEqual([]);
    // And the kill did land mid-move: some sources already deleted after their copy was checked.
    expect(keys.filter((k) => !source.has(k) && target.has(k)).length).toBeGreaterThan(0);
    expect(keys.filter((k) => source.has(k)).length).toBeGreaterThan(0);

    const resumed = await run(['jobs', 'resume', '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(jsonLines(resumed.stdout)).toEqual([
      {
        job: killed.job!.id,
        state: 'done',
        total: MOVE_OBJECTS,
        done: MOVE_OBJECTS,
        failed: 0,
        stillPublic: 0,
      },
    ]);

    // Every file is in the vault with its original bytes, private; nothing is left in the source.
    expect([...(await listObjects(admin, moveBucket)).keys()]).toEqual([]);
    const moved = await listObjects(admin, vault);
    expect([...moved.keys()].sort()).toEqual(keys);
    const differing: string[] = [];
    const strangerReads: string[] = [];
    await forEachLimited(keys, 16, async (Key) => {
      const got = await admin.send(new GetObjectCommand({ Bucket: vault, Key }));
      if ((await got.Body!.transformToString()) !== bodyOf(Key)) differing.push(Key);
      const status = await anonymousStatus(ceph, vault, Key);
      if (status !== 403) strangerReads.push(`${Key}: ${status}`);
    });
    expect(differing).toEqual([]);
    expect(strangerReads).toEqual([]);
  });
});
