/**
 * The jobs bench's measurements on the Ceph rig: `rclone copy` of a folder versus a Signet upload job of the same
 * files, and a plain SDK PutObjectAcl loop versus a Signet make-private job. Each answers wall-clock seconds.
 */
import { eventLoopDuring } from './event-loop.mjs';
import { DeleteObjectsCommand, ListObjectsV2Command, PutObjectAclCommand } from '@aws-sdk/client-s3';
import { freshSignet, plainClient, pool, runRclone } from './library-ceph.mjs';
import { msSince, timedAsync } from './library-report.mjs';

/**
 * `rclone copy DIR ceph:BUCKET/PREFIX` with rclone's defaults (4 transfers, 4 parts per file in flight): wall clock
 * from spawning it to its exit, so with its start-up (the bench takes that out: rcloneStartSeconds).
 */
export async function rcloneCopy(env, dir, bucket, prefix) {
  const ms = await runRclone(env, ['copy', dir, `ceph:${bucket}/${prefix}`], { timeoutMs: 300_000 });
  return { seconds: ms / 1000 };
}

/** Objects under a prefix and their total size (to check that a run uploaded what it claims). */
export async function prefixStats(client, bucket, prefix) {
  let token;
  let objects = 0;
  let bytes = 0;
  do {
    const page = await client.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const o of page.Contents ?? []) {
      objects++;
      bytes += o.Size ?? 0;
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return { objects, bytes };
}

export async function deletePrefix(client, bucket, prefix) {
  let token;
  do {
    const page = await client.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    const keys = (page.Contents ?? []).map((o) => ({ Key: o.Key }));
    if (keys.length) {
      await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }));
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}

/** As in the app: syncs and a job's object calls in worker threads (src/main/index.ts hands both files). */
const appWorkers = (lib) => ({
  syncWorkerFile: lib.workerFiles.syncWorker,
  storageWorkerFile: lib.workerFiles.storageWorker,
});

/** A Signet upload job of `paths` into `prefix`, on a fresh data dir, waited for; answers seconds and the view. */
export async function signetUpload(lib, env, bucket, paths, prefix) {
  const s = await freshSignet(lib, env, bucket, appWorkers(lib));
  try {
    const bucketId = s.services.library.resolveBucket(s.accountId, bucket).id;
    // The bucket has never been checked on this fresh data dir, so the job runs the privacy check itself before
    // planning, inside the timed span: it is work Signet does to upload privately, and rclone has none like it.
    const [view, ms] = await timedAsync(async () => {
      const { done } = await s.services.jobs.startUpload({ bucketId, folder: prefix, paths });
      return done;
    });
    return { seconds: ms / 1000, view };
  } finally {
    s.close();
  }
}

/** Sets every key's canned ACL with a plain SDK loop; answers seconds. */
export async function aclPutLoop(env, bucket, keys, acl, concurrency) {
  const client = plainClient(env, Math.max(50, concurrency));
  try {
    const [, ms] = await timedAsync(() =>
      pool(keys, concurrency, (Key) =>
        client.send(new PutObjectAclCommand({ Bucket: bucket, Key, ACL: acl })),
      ),
    );
    return { seconds: ms / 1000, perSec: keys.length / (ms / 1000) };
  } finally {
    client.destroy();
  }
}

/**
 * A Signet make-private job of the whole bucket (synced first, untimed): the change phase (until the proof
 * starts) and the whole job with the proof, which re-reads every object's ACL. The job selects its objects from
 * the catalog, so the bucket is synced first, as in the app; that sync ran the bucket check, so the job runs none
 * (the plain loop, given the keys, needs none either).
 */
export async function signetMakePrivate(lib, env, bucket) {
  const s = await freshSignet(lib, env, bucket, appWorkers(lib));
  try {
    await s.services.library.sync({ accountId: s.accountId, bucket });
    const bucketId = s.services.library.resolveBucket(s.accountId, bucket).id;
    let changeMs;
    let startMs;
    const start = process.hrtime.bigint();
    // The main thread's event-loop delay over the whole job, its planning included (issue 19: ≤ 50 ms p99).
    const loop = await eventLoopDuring(async () => {
      const { done } = await s.services.jobs.startAccess(
        { selection: { kind: 'query', query: { bucketId, recursive: true } }, access: 'private' },
        {
          onProgress: (_view, p) => {
            if (p.phase === 'proof') changeMs ??= msSince(start);
          },
        },
      );
      startMs = msSince(start);
      return done;
    });
    const view = loop.result;
    const totalMs = msSince(start);
    return {
      changeSeconds: (changeMs ?? totalMs) / 1000,
      totalSeconds: totalMs / 1000,
      startMs,
      loop: { p50: loop.p50, p99: loop.p99, max: loop.max },
      view,
    };
  } finally {
    s.close();
  }
}

/**
 * Planning a make-private of a large selection, as the window asks for one: its preview, then the start call that
 * writes the job's items. The bucket is synced first (so checked, as in the app), then gets `extra` more files in
 * its catalog, written as a listing writes them. They are not on the storage: the run that follows the start is
 * cancelled as soon as the call answers. Answers each call's wall time and the main thread's event-loop delay.
 */
export async function signetPlanMakePrivate(lib, env, bucket, extra) {
  const s = await freshSignet(lib, env, bucket, appWorkers(lib));
  try {
    await s.services.library.sync({ accountId: s.accountId, bucket });
    const bucketId = s.services.library.resolveBucket(s.accountId, bucket).id;
    const catalog = new lib.catalog.CatalogRepository(s.services.db);
    const folders = new Set();
    const at = new Date().toISOString();
    for (let i = 0; i < extra; i += 1000) {
      const page = [];
      for (let j = i; j < Math.min(extra, i + 1000); j++) {
        const key = `planned/${String(Math.floor(j / 1000)).padStart(3, '0')}/${String(j).padStart(6, '0')}.zip`;
        page.push({ key, size: 1024, lastModified: at, etag: 'e', storageClass: null });
      }
      catalog.upsertPage(bucketId, page, 0, folders);
    }
    const change = { selection: { kind: 'query', query: { bucketId, recursive: true } }, access: 'private' };
    const preview = await eventLoopDuring(() => s.services.jobs.previewAccess(change));
    const start = await eventLoopDuring(() => s.services.jobs.startAccess(change));
    const { job, done } = start.result;
    s.services.jobs.cancel(job.id);
    await done.catch(() => undefined);
    const figures = (r) => ({ ms: r.ms, p50: r.p50, p99: r.p99, max: r.max });
    return {
      files: preview.result.total,
      items: job.total,
      preview: figures(preview),
      start: figures(start),
    };
  } finally {
    s.close();
  }
}
