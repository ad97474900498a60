/**
 * Part 6 of the library bench: the app's main thread while a 200,000-key bucket syncs the app's way (in the sync
 * worker thread, `syncWorkerFile`), with the window asking for pages all along (a first page and a search every
 * 100 ms, as a person browsing while the sync runs). The event-loop delay of this thread is the figure: every
 * IPC call of the window waits for it. Anchor: the same monitor over an idle loop in the same run.
 */
import { eventLoopDuring, idleEventLoop } from './event-loop.mjs';
import { ensureBucket, freshSignet, plainClient } from './library-ceph.mjs';

export const BUCKET_200K = 'bench-library-200k';

/** 200,000 keys in 100 folders, all private (the ACL each file gets by default). */
export const bigKeys = (n) =>
  Array.from({ length: n }, (_, i) => ({
    key: `catalog/${String(i % 100).padStart(2, '0')}/item-${String(i).padStart(6, '0')}.zip`,
  }));

export async function ensureBigBucket(env, keys) {
  const admin = plainClient(env, 64);
  try {
    return await ensureBucket(admin, BUCKET_200K, keys);
  } finally {
    admin.destroy();
  }
}

function percentile(sorted, p) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;
}

/**
 * One sync in the worker, with the window's page calls every 100 ms; answers the loop's delay and the calls' times.
 * With `seconds`, the sync is cancelled after that long (as the owner's Cancel does): on the test rig a 200k-key
 * sync reads ACLs for a quarter of an hour, and the delay it causes is the same all along.
 */
export async function syncInWorker(lib, env, objects, seconds = 0) {
  const s = await freshSignet(lib, env, BUCKET_200K, { syncWorkerFile: lib.workerFiles.syncWorker });
  const calls = [];
  let stop = false;
  const browse = (async () => {
    let i = 0;
    while (!stop) {
      await new Promise((r) => setTimeout(r, 100));
      const bucket = s.services.library.buckets().find((b) => b.name === BUCKET_200K);
      if (!bucket) continue;
      const search =
        i++ % 2 === 0
          ? undefined
          : `item-${String((i * 7919) % objects)
              .padStart(6, '0')
              .slice(0, 4)}`;
      const t = process.hrtime.bigint();
      s.services.library.page({
        bucketId: bucket.id,
        recursive: true,
        limit: 200,
        ...(search ? { search } : {}),
      });
      calls.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
  })();
  try {
    const controller = new AbortController();
    const timer = seconds > 0 ? setTimeout(() => controller.abort(), seconds * 1000) : null;
    const run = await eventLoopDuring(() =>
      s.services.library
        .sync({ accountId: s.accountId, bucket: BUCKET_200K }, { signal: controller.signal })
        .catch((err) => {
          if (!controller.signal.aborted) throw err;
          return null;
        }),
    );
    if (timer) clearTimeout(timer);
    stop = true;
    const catalogRows = s.services.db.prepare('SELECT count(*) AS n FROM objects').get().n;
    await browse;
    const sorted = [...calls].sort((a, b) => a - b);
    return {
      ...run,
      cancelled: run.result === null,
      synced: run.result?.objects ?? catalogRows,
      access: run.result?.access ?? null,
      calls: {
        n: calls.length,
        p50: percentile(sorted, 50),
        p99: percentile(sorted, 99),
        max: sorted.at(-1) ?? NaN,
      },
    };
  } finally {
    stop = true;
    s.close();
  }
}

export { idleEventLoop };
