/**
 * Entry of the sync worker thread (built beside the main bundle as sync-worker.js). It opens its own
 * connection to the catalog, builds a storage gateway from the account handed over in memory, runs one sync
 * and reports progress and the outcome; see services/library/worker-sync-engine.ts for the other side.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../db/database';
import type { BucketRecord } from '../repositories/bucket-repository';
import { CatalogRepository } from '../repositories/catalog-repository';
import { SdkS3ClientFactory } from '../services/storage/s3-client-factory';
import { systemClock } from '../services/clock';
import { runSync } from '../services/library/sync-engine';
import type { SyncWorkerReply, SyncWorkerRequest } from '../services/library/sync-worker-protocol';
import { storageError } from '../services/storage/storage-errors';
import { StorageGateway } from '../services/storage/storage-gateway';

const port = parentPort!;
const { databaseFile } = workerData as { databaseFile: string };
const controller = new AbortController();
const reply = (message: SyncWorkerReply) => port.postMessage(message);

let settleCheck: ((bucket: BucketRecord | null) => void) | undefined;
const checked = new Promise<BucketRecord>((resolve, reject) => {
  settleCheck = (bucket) => (bucket ? resolve(bucket) : reject(new Error('The bucket check failed.')));
});
checked.catch(() => undefined); // runSync reports it; the main thread has the check's own error

port.on('message', (request: SyncWorkerRequest) => {
  if (request.type === 'cancel') controller.abort();
  else if (request.type === 'checked') settleCheck?.(request.bucket);
  else void run(request);
});

async function run(request: Extract<SyncWorkerRequest, { type: 'run' }>): Promise<void> {
  const db = openDatabase(databaseFile);
  const client = new SdkS3ClientFactory().create(request.account.settings, request.account.credentials, {
    purpose: 'transfer',
    systemClockOffset: request.account.clockOffsetMs,
  });
  const gateway = new StorageGateway(client, request.account, systemClock);
  try {
    const counts = await runSync(
      { catalog: new CatalogRepository(db), clock: systemClock },
      gateway,
      request.bucket,
      request.prefix,
      {
        signal: controller.signal,
        onProgress: (progress) => reply({ type: 'progress', progress }),
        ...(request.aclConcurrency ? { aclConcurrency: request.aclConcurrency } : {}),
        ...(request.awaitCheck ? { checked } : {}),
      },
    );
    reply({ type: 'done', counts });
  } catch (err) {
    const cancelled = controller.signal.aborted;
    const message = cancelled
      ? (err as Error).message
      : storageError(err, request.account.settings, request.bucket.name).message;
    reply({ type: 'failed', message, cancelled });
  } finally {
    gateway.destroy();
    db.close();
  }
}
