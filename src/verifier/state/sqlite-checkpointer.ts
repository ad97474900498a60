/**
 * WAL checkpoints off the request path. A checkpoint copies the WAL back into the database file and
 * fsyncs both; SQLite normally runs it inside whichever commit crosses the auto-checkpoint threshold,
 * which (better-sqlite3 being synchronous) stalls that process's event loop for the fsyncs: measured
 * here, it more than doubles the average cost of a counted download (46 µs vs 18 µs) and adds
 * 10–20 ms pauses. So the request connections only keep a high auto-checkpoint as a safety net, and a
 * worker thread with its own connection checkpoints every `intervalMs`: PASSIVE (never blocks
 * writers), and when that could not catch up with a steady stream of writes (the WAL would only
 * grow), RESTART without a busy wait, which holds writers back only for the length of the copy and
 * fsync. Writers that meet the
 * lock then wait in SqliteState's asynchronous retry, so other requests keep being answered. One
 * checkpointer per database: the single process, or the cluster's primary.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export const CHECKPOINT_INTERVAL_MS = 500;
/** WAL frames (pages) left after a PASSIVE checkpoint that make the next one a RESTART: ~8 MB. */
export const RESTART_AFTER_FRAMES = 2000;

// Plain CommonJS run with `eval: true`, so it needs no file of its own next to the bundle.
const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.sqliteModule);
// No busy wait: a RESTART that waited for readers would hold the write lock (and every counted
// download) all that time. Without one it takes the write lock only if free, copies and syncs,
// and gives up at once if a reader is still on the old WAL; the next round tries again.
const db = new Database(workerData.path, { timeout: 0 });
const run = () => {
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    // A long WAL means PASSIVE rounds are not getting the WAL restarted: force it.
    if (r && r.log > workerData.restartAfterFrames) db.pragma('wal_checkpoint(RESTART)');
  } catch { /* busy or closing: the next round catches up */ }
};
const timer = setInterval(run, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m !== 'stop') return;
  clearInterval(timer);
  run();
  db.close();
  parentPort.close();
});
`;

export interface Checkpointer {
  stop(): Promise<void>;
}

export function startCheckpointer(path: string, intervalMs = CHECKPOINT_INTERVAL_MS): Checkpointer {
  const sqliteModule = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(THREAD_SOURCE, {
    eval: true,
    workerData: { path, intervalMs, sqliteModule, restartAfterFrames: RESTART_AFTER_FRAMES },
  });
  // The thread must never keep the process alive on its own, nor crash it.
  worker.unref();
  worker.on('error', () => undefined);
  let stopped: Promise<void> | undefined;
  return {
    stop: () =>
      (stopped ??= new Promise<void>((resolve) => {
        const timer = setTimeout(() => void worker.terminate().then(() => resolve()), 2000);
        worker.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        worker.postMessage('stop');
      })),
  };
}
