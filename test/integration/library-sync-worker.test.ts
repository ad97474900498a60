/**
 * The app's sync path: the listing and ACL reads in a worker thread (the built sync-worker bundle) with its own
 * SQLite connection, against the real Ceph gateway. The main thread only relays progress and the outcome.
 */
import { builtinModules } from 'node:module';
import { readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { UserFacingError } from '../../src/main/services/errors';
import {
  createTestBucket,
  emptyAndDeleteBucket,
  ensureCeph,
  s3ClientFor,
  type CephEnv,
} from '../support/ceph';
import { cephAccount, startHarness, type Harness } from '../support/main-harness';

const ROOT = resolve(__dirname, '../..');
const buildDir = join(ROOT, 'node_modules', '.cache', 'signet-sync-worker-test', `${process.pid}`);
let env: CephEnv;
let admin: S3Client;
let h: Harness;
let bucket: string;

beforeAll(async () => {
  const { build } = await import('vite');
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  const deps = Object.keys(pkg.dependencies);
  await build({
    configFile: false,
    logLevel: 'silent',
    build: {
      ssr: resolve(ROOT, 'src/main/workers/sync-worker.ts'),
      outDir: buildDir,
      emptyOutDir: true,
      target: 'node22',
      minify: false,
      rollupOptions: {
        external: (id) =>
          id.startsWith('node:') ||
          builtinModules.includes(id) ||
          deps.some((d) => id === d || id.startsWith(`${d}/`)),
        output: { format: 'cjs', entryFileNames: 'sync-worker.js' },
      },
    },
  });
  env = await ensureCeph();
  admin = s3ClientFor(env);
  bucket = await createTestBucket(admin, 'lib-worker');
  await Promise.all(
    Array.from({ length: 300 }, (_, i) =>
      admin.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: `items/${String(i).padStart(4, '0')}.zip`,
          Body: 'x',
          ACL: i % 10 === 0 ? 'public-read' : 'private',
        }),
      ),
    ),
  );
  h = startHarness({ prefix: 'worker', syncWorkerFile: join(buildDir, 'sync-worker.js') });
}, 180_000);

afterAll(async () => {
  await h?.close();
  if (admin && bucket) await emptyAndDeleteBucket(admin, bucket);
  admin?.destroy();
  rmSync(buildDir, { recursive: true, force: true });
});

describe('sync in a worker thread', () => {
  it('lists and resolves access in the worker, and the catalog the window reads has it all', async () => {
    const account = await h.ok('accounts:add', cephAccount(env, 'Worker shop', { buckets: [bucket] }));
    const summary = await h.ok('library:sync', { accountId: account.id, bucket });
    expect(summary).toMatchObject({
      objects: 300,
      added: 300,
      access: { public: 30, private: 270, unknown: 0 },
    });
    const progress = h.events
      .filter((e) => e.event === 'task:progress')
      .map((e) => e.payload as { done: number; state: string });
    expect(progress.some((p) => p.state === 'running' && p.done > 0)).toBe(true);
    expect(progress.at(-1)).toMatchObject({ state: 'done' });
    const [b] = await h.ok('library:buckets', undefined);
    expect(b).toMatchObject({ objects: 300, access: { public: 30, private: 270 } });
  });

  it('lists while the bucket check still runs, and gives access types only by the rule the check decides', async () => {
    const [account] = await h.ok('accounts:list', undefined);
    const accounts = h.services.accounts;
    const check = accounts.checkBucket.bind(accounts);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const spy = vi.spyOn(accounts, 'checkBucket').mockImplementation(async (id, name) => {
      await held;
      return check(id, name);
    });
    try {
      const seen = h.events.length;
      const running = h.call('library:sync', { accountId: account!.id, bucket });
      const listedAll = () =>
        h.events
          .slice(seen)
          .some((e) => e.event === 'task:progress' && (e.payload as { done: number }).done === 300);
      const deadline = Date.now() + 15_000;
      while (!listedAll() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      // Every key is listed into the catalog while the check is still held.
      expect(listedAll()).toBe(true);
      expect(spy).toHaveBeenCalledTimes(1);
      release();
      expect(await running).toMatchObject({
        ok: true,
        data: { objects: 300, access: { public: 30, private: 270, unknown: 0 } },
      });
    } finally {
      release();
      spy.mockRestore();
    }
  });

  it('fails with the bucket check’s own words when the check fails, and removes nothing', async () => {
    const [account] = await h.ok('accounts:list', undefined);
    const spy = vi
      .spyOn(h.services.accounts, 'checkBucket')
      .mockRejectedValue(
        new UserFacingError('not-found', 'The bucket check failed in this test: check its name.'),
      );
    try {
      const result = await h.call('library:sync', { accountId: account!.id, bucket });
      expect(result).toMatchObject({
        ok: false,
        error: { code: 'not-found', message: 'The bucket check failed in this test: check its name.' },
      });
    } finally {
      spy.mockRestore();
    }
    const [b] = await h.ok('library:buckets', undefined);
    expect(b).toMatchObject({ objects: 300, access: { public: 30, private: 270 } });
  });

  it('cancels the worker’s sync and keeps what it listed', async () => {
    const [account] = await h.ok('accounts:list', undefined);
    const running = h.call('library:sync', { accountId: account!.id, bucket });
    // Cancel once the worker has reported progress, i.e. mid-run.
    const taskId = `sync:${account!.id}:${bucket}`;
    const deadline = Date.now() + 10_000;
    const seen = h.events.length;
    while (
      !h.events
        .slice(seen)
        .some(
          (e) =>
            (e.payload as { taskId: string; done: number }).taskId === taskId &&
            (e.payload as { done: number }).done > 0,
        ) &&
      Date.now() < deadline
    ) {
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(await h.ok('tasks:cancel', { taskId })).toEqual({ cancelled: true });
    expect(await running).toMatchObject({ ok: false, error: { code: 'cancelled' } });
    const [b] = await h.ok('library:buckets', undefined);
    expect(b!.objects).toBe(300);
  });
});
