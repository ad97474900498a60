/**
 * Paths from the window, through the IPC router as the window drives it, on the Ceph rig: main uploads only paths
 * it handed out itself (its Open dialog, or a drop the preload resolved), so a page made to name `~/.ssh/id_rsa`
 * or `/etc/passwd` gets a plain refusal and nothing is read or sent. At upload time each file is stat-ed again:
 * one swapped for a named pipe, or changed after the plan (another size, another modification time, or grown to
 * 50 GB), fails with its reason and is never read; an untouched one beside them goes up.
 *
 * To change files after the plan and before the upload, the account talks to Ceph through a loopback proxy
 * (test/support/faulty-proxy.ts, no faults) that holds the plan's existing-key HEAD requests while the test acts.
 */
import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  mkdtempSync,
  rmSync,
  truncateSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobDetails } from '../../src/shared/jobs/schemas';
import {
  createTestBucket,
  emptyAndDeleteBucket,
  ensureCeph,
  listObjects,
  s3ClientFor,
  type CephEnv,
} from '../support/ceph';
import { startFaultyProxy, type FaultyProxy } from '../support/faulty-proxy';
import { cephAccount, startHarness, type Harness } from '../support/main-harness';

let env: CephEnv;
let admin: S3Client;
let proxy: FaultyProxy;
let h: Harness;
let bucket: string;
let bucketId: number;
let files: string;

beforeAll(async () => {
  env = await ensureCeph();
  admin = s3ClientFor(env);
  proxy = await startFaultyProxy(env.endpoint, 18);
  h = startHarness({ prefix: 'paths' });
  files = mkdtempSync(join(tmpdir(), 'signet-paths-files-'));
  bucket = await createTestBucket(admin, 'paths');
  await h.ok('accounts:add', cephAccount(env, 'Path shop', { endpoint: proxy.url, buckets: [bucket] }));
  bucketId = (await h.ok('library:buckets', undefined)).find((b) => b.name === bucket)!.id;
}, 60_000);

afterAll(async () => {
  await h?.close();
  await proxy?.close();
  if (bucket) await emptyAndDeleteBucket(admin, bucket);
  admin?.destroy();
  rmSync(files, { recursive: true, force: true });
});

async function ended(id: number): Promise<JobDetails> {
  const until = Date.now() + 60_000;
  for (;;) {
    const v = await h.ok('jobs:get', { id, limit: 100 });
    if (['done', 'failed', 'cancelled', 'paused'].includes(v.state)) return v;
    if (Date.now() > until) throw new Error(`job ${id} still ${v.state}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function exists(key: string): Promise<boolean> {
  try {
    await admin.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch {
    return false;
  }
}

describe('paths the window names', { timeout: 60_000 }, () => {
  it('refuses a path main did not hand out, in plain words, and reads and sends nothing', async () => {
    const key = join(homedir(), '.ssh', 'id_rsa');
    const plan = await h.call('jobs:upload-plan', { bucketId, folder: 'loot/', paths: [key] });
    expect(plan).toEqual({
      ok: false,
      error: {
        code: 'invalid-input',
        message: `Signet uploads only files you chose with “Upload files” or dropped on its window, and “${key}” was not one of them, so nothing was uploaded. Choose the files again.`,
      },
    });
    const upload = await h.call('jobs:upload', {
      bucketId,
      folder: 'loot/',
      paths: ['/etc/passwd', '/etc/hostname'],
    });
    expect(upload.ok ? null : upload.error.message).toMatch(
      /“\/etc\/passwd” \(and 1 more\) was not one of them/,
    );
    expect((await h.ok('jobs:list', {})).length).toBe(0);
    expect([...(await listObjects(admin, bucket)).keys()]).toEqual([]);
  });

  it('uploads what the Open dialog chose and what the preload resolved from a drop, nothing more', async () => {
    const chosen = join(files, 'chosen.pdf');
    const dropped = join(files, 'dropped.pdf');
    writeFileSync(chosen, 'chosen in the dialog');
    writeFileSync(dropped, 'dropped on the window');
    expect(await h.choose([chosen])).toEqual([chosen]);
    expect(await h.drop([dropped])).toEqual({ ok: true, data: { paths: [dropped] } });
    // One path not handed out spoils the request: nothing of it is uploaded.
    const mixed = await h.call('jobs:upload', { bucketId, folder: 'ok/', paths: [chosen, '/etc/passwd'] });
    expect(mixed.ok ? null : mixed.error.code).toBe('invalid-input');

    const job = await h.ok('jobs:upload', { bucketId, folder: 'ok/', paths: [chosen, dropped] });
    expect(await ended(job.id)).toMatchObject({ state: 'done', done: 2, failed: 0 });
    expect(await exists('ok/chosen.pdf')).toBe(true);
    expect(await exists('ok/dropped.pdf')).toBe(true);
  });

  it('stats each file again at upload: a FIFO or a file changed since the plan fails with the reason, unread', async () => {
    const paths = {
      pipe: join(files, 'pipe.zip'),
      resized: join(files, 'resized.pdf'),
      touched: join(files, 'touched.pdf'),
      huge: join(files, 'huge.bin'),
      steady: join(files, 'steady.pdf'),
    };
    for (const [name, path] of Object.entries(paths)) writeFileSync(path, `the ${name} file, as planned`);
    const all = Object.values(paths);
    await h.choose(all);

    // The plan stats the files, then asks the storage which keys exist: those requests wait while the files change.
    proxy.hold = (req) => req.method === 'HEAD' && (req.url ?? '').includes('/changed/');
    const started = h.call('jobs:upload', { bucketId, folder: 'changed/', paths: all });
    const until = Date.now() + 10_000;
    while (proxy.held.length === 0) {
      if (Date.now() > until) throw new Error('the plan asked the storage nothing');
      await new Promise((r) => setTimeout(r, 10));
    }
    unlinkSync(paths.pipe);
    execFileSync('mkfifo', [paths.pipe]);
    appendFileSync(paths.resized, ' and then some');
    // The same size, other bytes, a later modification time.
    writeFileSync(paths.touched, 'THE TOUCHED FILE, AS PLANNED');
    utimesSync(paths.touched, new Date(), new Date(Date.now() + 60_000));
    // Sparse: 50 GB that take no disk. Read whole, it would exhaust the memory; it must not be read at all.
    truncateSync(paths.huge, 50 * 1024 ** 3);
    proxy.release();

    const answer = await started;
    if (!answer.ok) throw new Error(answer.error.message);
    const t0 = Date.now();
    const v = await ended(answer.data.id);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(v).toMatchObject({ state: 'failed', total: 5, done: 1, failed: 4 });
    const errors = Object.fromEntries(v.items.map((i) => [i.key, i.error]));
    expect(errors).toEqual({
      'changed/pipe.zip': `“${paths.pipe}” is a named pipe (FIFO) now, not a regular file, so Signet did not read it. Choose the file itself, then upload again.`,
      'changed/resized.pdf': `“${paths.resized}” changed after the upload was planned (its size went from 28 to 42 bytes), so it was not uploaded. Upload it again to send the version it has now.`,
      'changed/touched.pdf': `“${paths.touched}” changed after the upload was planned (it was modified), so it was not uploaded. Upload it again to send the version it has now.`,
      'changed/huge.bin': `“${paths.huge}” changed after the upload was planned (its size went from 25 to 53,687,091,200 bytes), so it was not uploaded. Upload it again to send the version it has now.`,
      'changed/steady.pdf': null,
    });
    const keys = [...(await listObjects(admin, bucket)).keys()];
    expect(keys.filter((k) => k.startsWith('changed/'))).toEqual(['changed/steady.pdf']);
  });
});
