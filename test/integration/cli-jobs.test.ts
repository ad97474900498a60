/**
 * `signet upload|private|jobs …` as scripts run them (contract: ../shared/spec/cli.md): the CLI built from
 * source, run as a child process against the real Ceph gateway, the test keyring (a service name of its own)
 * and a temporary data folder. Uploads are private by default and never replace a file unless told to; a
 * make-private proves its result; a job cancelled from another process stops there and can be resumed.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeytarLike } from '../../src/main/services/keytar-secret-store';
import {
  createTestBucket,
  emptyAndDeleteBucket,
  ensureCeph,
  anonymousStatus,
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
import { startFaultyProxy, type FaultyProxy } from '../support/faulty-proxy';
import { requirePrivateTestKeyring } from '../support/test-keyring';

requirePrivateTestKeyring();

/** Enough objects that a make-private runs for seconds: long enough to cancel it from another process. */
const BULK = 400;
/** The keys of the one JSON object `upload`, `private`, `public` and `jobs cancel` print (cli.md). */
const SUMMARY_KEYS = ['done', 'failed', 'job', 'state', 'stillPublic', 'total'];

const keytar = createRequire(import.meta.url)('keytar') as KeytarLike;
const service = `signet-cli-jobs-test-${randomUUID()}`;
const dataDir = mkdtempSync(join(tmpdir(), 'signet-cli-jobs-'));
const filesDir = mkdtempSync(join(tmpdir(), 'signet-cli-jobs-files-'));
const env = { SIGNET_KEYCHAIN_SERVICE: service, SIGNET_DATA_DIR: '' };

let cli: string;
let removeBuild: (() => void) | undefined;
let ceph: CephEnv;
let admin: S3Client;
let bucket: string;
/** The account's endpoint: a proxy in front of the gateway, faultless; the cancel test holds requests there. */
let proxy: FaultyProxy;

function run(args: string[], opts: { stdin?: string } = {}): Promise<CliRun> {
  return runCli(cli, [...args, '--data-dir', dataDir], { ...opts, env });
}

/** A `--json` command's one object, after checking it exited with `code`. */
async function json(args: string[], code = 0): Promise<Record<string, unknown>> {
  const r = await run([...args, '--json']);
  expect(r.code, r.stderr).toBe(code);
  expect(r.stdout.trimEnd().split('\n')).toHaveLength(1);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

const anonymousStatusOf = (key: string) => anonymousStatus(ceph, bucket, key);

async function body(key: string): Promise<string> {
  const got = await admin.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return got.Body!.transformToString();
}

/** `cover.png` and `manual.pdf` under `prefix`, put with `acl` behind Signet's back, then synced into the catalog. */
async function filesIn(prefix: string, acl: 'private' | 'public-read'): Promise<void> {
  for (const name of ['cover.png', 'manual.pdf']) {
    await admin.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}${name}`, Body: name, ACL: acl }));
  }
  const sync = await run(['sync', 'shop', '--prefix', prefix]);
  expect(sync.code, sync.stderr).toBe(0);
}

function file(name: string, text: string): string {
  const path = join(filesDir, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return path;
}

beforeAll(async () => {
  const built = await buildCli('cli-jobs');
  cli = built.cli;
  removeBuild = built.remove;
  ceph = await ensureCeph();
  admin = s3ClientFor(ceph);
  bucket = await createTestBucket(admin, 'cli-jobs');
  const publicKeys = [
    'public/cover.png',
    'public/manual.pdf',
    ...Array.from({ length: BULK }, (_, i) => `bulk/${String(i).padStart(4, '0')}.zip`),
  ];
  for (let i = 0; i < publicKeys.length; i += 32) {
    await Promise.all(
      publicKeys
        .slice(i, i + 32)
        .map((Key) =>
          admin.send(new PutObjectCommand({ Bucket: bucket, Key, Body: Key, ACL: 'public-read' })),
        ),
    );
  }
  proxy = await startFaultyProxy(ceph.endpoint, 20261207);
  const add = await run(cephAccountAddArgs({ ...ceph, endpoint: proxy.url }, 'Shop', bucket), {
    stdin: ceph.secretAccessKey,
  });
  expect(add.code, add.stderr).toBe(0);
  const sync = await run(['sync', 'shop']);
  expect(sync.code, sync.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  for (const c of await keytar.findCredentials(service).catch(() => []))
    await keytar.deletePassword(service, c.account);
  if (bucket) await emptyAndDeleteBucket(admin, bucket);
  admin?.destroy();
  await proxy?.close();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(filesDir, { recursive: true, force: true });
  removeBuild?.();
});

// Each command is a Node process start; a busy machine (Ceph, two test workers) makes that slow.
describe('signet upload', { timeout: 60_000 }, () => {
  it('uploads private by default: the JSON summary, and a stranger gets 403', async () => {
    const guide = file('guide.pdf', 'the guide, version 1');
    const course = file('course.zip', 'the course');
    const summary = await json(['upload', 'shop', guide, course, '--prefix', 'products/']);
    expect(Object.keys(summary).sort()).toEqual(SUMMARY_KEYS);
    expect(summary).toMatchObject({ state: 'done', total: 2, done: 2, failed: 0, stillPublic: 0 });
    expect(summary['job']).toEqual(expect.any(Number));
    expect(await anonymousStatusOf('products/guide.pdf')).toBe(403);
    expect(await anonymousStatusOf('products/course.zip')).toBe(403);
    expect(await body('products/guide.pdf')).toBe('the guide, version 1');
  });

  it('refuses to replace an existing key without --overwrite (exit 1, the item failed), replaces it with', async () => {
    // Its own key, uploaded here: the file that is there before the refused upload.
    const first = file('replace-v1/guide.pdf', 'the guide, version 1');
    expect(await json(['upload', 'shop', first, '--prefix', 'replace/'])).toMatchObject({
      state: 'done',
      done: 1,
    });
    const guide = file('v2/guide.pdf', 'the guide, version 2');
    const refused = await json(['upload', 'shop', guide, '--prefix', 'replace/'], 1);
    expect(refused).toMatchObject({ state: 'failed', total: 1, done: 0, failed: 1, stillPublic: 0 });
    expect(await body('replace/guide.pdf')).toBe('the guide, version 1');
    // The human answer names the file and why.
    const human = await run(['upload', 'shop', guide, '--prefix', 'replace/']);
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/failed\s+replace\/guide\.pdf: “replace\/guide\.pdf” already exists/);

    const replaced = await json(['upload', 'shop', guide, '--prefix', 'replace/', '--overwrite']);
    expect(replaced).toMatchObject({ state: 'done', total: 1, done: 1, failed: 0 });
    expect(await body('replace/guide.pdf')).toBe('the guide, version 2');
    expect(await anonymousStatusOf('replace/guide.pdf')).toBe(403);
  });

  it('uploads public only when asked', async () => {
    const banner = file('banner.png', 'png bytes');
    expect(await json(['upload', 'shop', banner, '--prefix', 'images/', '--public'])).toMatchObject({
      state: 'done',
      done: 1,
    });
    expect(await anonymousStatusOf('images/banner.png')).toBe(200);
  });
});

describe('signet private and public', { timeout: 60_000 }, () => {
  it('makes a prefix private and proves it: the JSON summary, and strangers get 403', async () => {
    // Two public files of its own, in the catalog.
    await filesIn('make-private/', 'public-read');
    expect(await anonymousStatusOf('make-private/cover.png')).toBe(200);
    expect(await anonymousStatusOf('make-private/manual.pdf')).toBe(200);
    const summary = await json(['private', 'shop', '--prefix', 'make-private/']);
    expect(Object.keys(summary).sort()).toEqual(SUMMARY_KEYS);
    expect(summary).toMatchObject({ state: 'done', total: 2, done: 2, failed: 0, stillPublic: 0 });
    expect(await anonymousStatusOf('make-private/cover.png')).toBe(403);
    expect(await anonymousStatusOf('make-private/manual.pdf')).toBe(403);
    // The catalog follows: ls sees them private without a new sync.
    const listed = jsonLines((await run(['ls', 'shop', '--prefix', 'make-private/', '--json'])).stdout);
    expect(listed.map((r) => [r['key'], r['access']])).toEqual([
      ['make-private/cover.png', 'private'],
      ['make-private/manual.pdf', 'private'],
    ]);
  });

  it('makes named keys public again', async () => {
    // Two private files of its own, in the catalog; one of them is made public.
    await filesIn('make-public/', 'private');
    expect(await anonymousStatusOf('make-public/cover.png')).toBe(403);
    const summary = await json(['public', 'shop', 'make-public/cover.png']);
    expect(summary).toMatchObject({ state: 'done', total: 1, done: 1, failed: 0 });
    expect(await anonymousStatusOf('make-public/cover.png')).toBe(200);
    expect(await anonymousStatusOf('make-public/manual.pdf')).toBe(403);
  });
});

describe('signet jobs', { timeout: 90_000 }, () => {
  it('lists jobs newest first as JSON Lines with the contract’s fields', async () => {
    // The jobs it lists, made here (oldest first): whatever ran before them is listed below them.
    const made: Record<string, unknown>[] = [];
    made.unshift(
      await json(['upload', 'shop', file('list/a.zip', 'a'), file('list/b.zip', 'b'), '--prefix', 'list/']),
    );
    const again = file('list-again/a.zip', 'a, again');
    made.unshift(await json(['upload', 'shop', again, '--prefix', 'list/'], 1));
    made.unshift(await json(['upload', 'shop', again, '--prefix', 'list/', '--overwrite']));
    await filesIn('list-acl/', 'public-read');
    made.unshift(await json(['private', 'shop', '--prefix', 'list-acl/']));
    made.unshift(await json(['public', 'shop', 'list-acl/cover.png']));
    const r = await run(['jobs', 'list', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const rows = jsonLines(r.stdout);
    expect(rows.slice(0, made.length).map((j) => j['job'])).toEqual(made.map((m) => m['job']));
    expect(
      rows.slice(0, made.length).map((j) => [j['kind'], j['state'], j['total'], j['done'], j['failed']]),
    ).toEqual([
      ['public', 'done', 1, 1, 0],
      ['private', 'done', 2, 2, 0],
      ['upload', 'done', 1, 1, 0],
      ['upload', 'failed', 1, 0, 1],
      ['upload', 'done', 2, 2, 0],
    ]);
    for (const row of rows) {
      expect(row).toEqual(
        expect.objectContaining({
          job: expect.any(Number),
          kind: expect.any(String),
          state: expect.any(String),
          total: expect.any(Number),
          done: expect.any(Number),
          failed: expect.any(Number),
          createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/),
        }),
      );
    }
    const ids = rows.map((j) => j['job'] as number);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    const table = await run(['jobs', 'list']);
    expect(table.stdout.split('\n')[0]).toMatch(
      /^JOB\s+KIND\s+STATE\s+DONE\s+FAILED\s+TOTAL\s+CREATED\s+TITLE$/,
    );
  });

  it('cancels a job running in another process, which stops; resume without JOB finds nothing, with JOB finishes it', async () => {
    const db = new Database(join(dataDir, 'signet.db'), { readonly: true });
    // No job yet when this test runs alone: then any job counts as its own.
    const before = db.prepare<[], { id: number | null }>('SELECT max(id) AS id FROM jobs').get()!.id ?? 0;
    // The first ACL writes go through, the rest wait at the proxy: however fast or loaded the machine, the job
    // is still running when the cancel comes (it used to finish first now and then).
    let aclWrites = 0;
    proxy.hold = (req) => req.method === 'PUT' && (req.url ?? '').includes('?acl') && ++aclWrites > 40;
    const runner = spawn(
      process.execPath,
      [cli, 'private', 'shop', '--prefix', 'bulk/', '--json', '--data-dir', dataDir],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } },
    );
    let stdout = '';
    let stderr = '';
    runner.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    runner.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => runner.once('exit', resolve));

    // Wait until its job has done some items, read from its own database.
    const jobOf = () =>
      db
        .prepare<[number], { id: number; done: number }>(
          `SELECT j.id, (SELECT count(*) FROM job_items i WHERE i.job_id = j.id AND i.state = 'done') AS done
           FROM jobs j WHERE j.id > ? ORDER BY j.id DESC LIMIT 1`,
        )
        .get(before);
    const until = Date.now() + 30_000;
    let job = jobOf();
    while (!(job && job.done > 0)) {
      if (Date.now() > until) throw new Error(`the job never started:\n${stdout}${stderr}`);
      await new Promise((r) => setTimeout(r, 20));
      job = jobOf();
    }
    const cancelled = await json(['jobs', 'cancel', String(job.id)]);
    expect(Object.keys(cancelled).sort()).toEqual(SUMMARY_KEYS);
    expect(cancelled).toMatchObject({ job: job.id, state: 'cancelled', total: BULK });

    // The runner sees it within a second or two and stops, exit status 1 with the job's summary. The writes it
    // was waiting for are let go after that (they may still land: each item is done or cancelled, never both).
    await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
    proxy.hold = null;
    proxy.release();
    expect(await exited).toBe(1);
    const last = JSON.parse(stdout) as Record<string, unknown>;
    expect(last).toMatchObject({ job: job.id, state: 'cancelled', total: BULK, failed: 0 });
    const states = Object.fromEntries(
      db
        .prepare<[number], { state: string; n: number }>(
          'SELECT state, count(*) AS n FROM job_items WHERE job_id = ? GROUP BY state',
        )
        .all(job.id)
        .map((r) => [r.state, r.n]),
    );
    db.close();
    // Nothing left pending, nothing failed: each item is done or left as it was.
    expect(states['pending'] ?? 0).toBe(0);
    expect(states['failed'] ?? 0).toBe(0);
    expect((states['done'] ?? 0) + (states['cancelled'] ?? 0)).toBe(BULK);
    expect(states['cancelled']).toBeGreaterThan(0);
    const listed = jsonLines((await run(['jobs', 'list', '--json'])).stdout);
    expect(listed[0]).toMatchObject({ job: job.id, state: 'cancelled' });

    // A cancelled job is not an interrupted one: resume without JOB has nothing to do.
    const nothing = await run(['jobs', 'resume', '--json']);
    expect(nothing.code, nothing.stderr).toBe(0);
    expect(jsonLines(nothing.stdout)).toEqual([{ resumed: 0 }]);
    const human = await run(['jobs', 'resume']);
    expect(human.code).toBe(0);
    expect(human.stdout).toBe('No interrupted jobs.\n');

    // Named, it is resumed: its cancelled items are done, and all of them proved private.
    const resumed = await run(['jobs', 'resume', String(job.id), '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(jsonLines(resumed.stdout)).toEqual([
      { job: job.id, state: 'done', total: BULK, done: BULK, failed: 0, stillPublic: 0 },
    ]);
    const strangerReads: string[] = [];
    for (let i = 0; i < BULK; i += 50) {
      const key = `bulk/${String(i).padStart(4, '0')}.zip`;
      if ((await anonymousStatusOf(key)) !== 403) strangerReads.push(key);
    }
    expect(strangerReads).toEqual([]);
  });

  it('cancelling a job that has ended changes nothing', async () => {
    // A job of its own that has ended.
    const ended = await json(['upload', 'shop', file('ended/done.zip', 'done'), '--prefix', 'ended/']);
    expect(ended).toMatchObject({ state: 'done', total: 1, done: 1 });
    const listedBefore = jsonLines((await run(['jobs', 'list', '--json'])).stdout);
    const [latest] = listedBefore;
    expect(latest!['job']).toBe(ended['job']);
    expect(await json(['jobs', 'cancel', String(latest!['job'])])).toMatchObject({
      job: latest!['job'],
      state: 'done',
      total: 1,
      done: 1,
      failed: 0,
    });
    expect(jsonLines((await run(['jobs', 'list', '--json'])).stdout)).toEqual(listedBefore);
  });
});

describe(
  'usage errors: exit status 2, one line naming the problem, nothing changed',
  { timeout: 60_000 },
  () => {
    it('refuses bad arguments of upload, private and jobs', async () => {
      const real = file('real.zip', 'bytes');
      const twin = file('twin/real.zip', 'other bytes');
      const before = (await run(['jobs', 'list', '--json'])).stdout;
      const cases: [string[], RegExp][] = [
        [['upload', 'shop'], /needs ACCOUNT and at least one FILE/],
        [['upload', 'shop', real, '--prefix', 'products'], /--prefix: a folder ends with \//],
        [['upload', 'nobody', real], /no storage account “nobody”/],
        [['upload', 'shop', join(filesDir, 'missing.zip')], /FILE “.*missing\.zip”: no such file/],
        // One good FILE beside a missing one: refused as a whole, never a partial upload that exits 0.
        [['upload', 'shop', real, join(filesDir, 'gone.zip')], /FILE “.*gone\.zip”: no such file/],
        [['upload', 'shop', filesDir], /FILE “.*”: not a file/],
        [
          ['upload', 'shop', real, twin],
          /FILE “.*twin\/real\.zip”: “.*” would also be uploaded as “real\.zip”/,
        ],
        [['private', 'shop'], /give --prefix P/],
        [
          ['private', 'shop', '--prefix', 'public/', 'public/cover.png'],
          /--prefix and KEY… exclude each other/,
        ],
        [['private', 'shop', 'no/such/key.zip'], /KEY “no\/such\/key\.zip” is not in the catalog/],
        [['private', 'shop', '--prefix', 'nothing-here/'], /nothing to change/],
        [
          ['public', 'shop', '--bucket', 'not-this-one', '--prefix', ''],
          /--bucket: “not-this-one” is not a bucket/,
        ],
        [['jobs', 'cancel'], /needs JOB/],
        [['jobs', 'cancel', 'abc'], /JOB: “abc” is not a job number/],
        [['jobs', 'resume', '0'], /JOB: “0” is not a job number/],
        [['jobs', 'resume', '1', '2'], /unexpected argument “2”/],
        [['jobs', 'cancel', '99999'], /no job 99999/i],
        [['jobs', 'resume', '99999'], /no job 99999/i],
        [['jobs', 'list', '--bogus'], /unknown flag --bogus/],
      ];
      for (let i = 0; i < cases.length; i += 4) {
        const batch = cases.slice(i, i + 4);
        const results = await Promise.all(batch.map(([args]) => run(args)));
        results.forEach((r, j) => expectUsageError(r, batch[j]![1]));
      }
      expect((await run(['jobs', 'list', '--json'])).stdout).toBe(before);
    });
  },
);
