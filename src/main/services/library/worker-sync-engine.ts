import { Worker } from 'node:worker_threads';
import type { AccountService } from '../accounts/account-service';
import { UserFacingError } from '../errors';
import { gatewayAccount } from '../storage/storage-gateways';
import type { SyncCounts, SyncRunOptions } from './sync-engine';
import type { SyncEngine, SyncJob } from './sync-service';
import type { SyncWorkerReply, SyncWorkerRequest } from './sync-worker-protocol';

/**
 * Runs each sync in a worker thread with its own SQLite connection (WAL lets the window's reads go on), so
 * listing a million keys and writing them never holds the app's main thread, which serves the window's IPC.
 * The account's keys go to the worker in memory only, for the length of the sync.
 */
export class WorkerSyncEngine implements SyncEngine {
  constructor(
    private readonly workerFile: string,
    private readonly databaseFile: string,
    private readonly accounts: AccountService,
  ) {}

  async run(job: SyncJob, options: SyncRunOptions): Promise<SyncCounts> {
    options.signal?.throwIfAborted();
    const { record, credentials } = await this.accounts.connection(job.accountId);
    const worker = new Worker(this.workerFile, { workerData: { databaseFile: this.databaseFile } });
    const request: SyncWorkerRequest = {
      type: 'run',
      bucket: job.bucket,
      prefix: job.prefix,
      account: gatewayAccount(record, credentials),
      ...(options.aclConcurrency ? { aclConcurrency: options.aclConcurrency } : {}),
      ...(options.checked ? { awaitCheck: true } : {}),
    };
    const cancel = () => worker.postMessage({ type: 'cancel' } satisfies SyncWorkerRequest);
    options.signal?.addEventListener('abort', cancel, { once: true });
    // The check's error in its own words (the worker only hears that it failed).
    let checkError: unknown;
    options.checked?.then(
      (bucket) => worker.postMessage({ type: 'checked', bucket } satisfies SyncWorkerRequest),
      (err: unknown) => {
        checkError = err;
        worker.postMessage({ type: 'checked', bucket: null } satisfies SyncWorkerRequest);
      },
    );
    try {
      return await new Promise<SyncCounts>((resolve, reject) => {
        worker.on('message', (reply: SyncWorkerReply) => {
          if (reply.type === 'progress') options.onProgress?.(reply.progress);
          else if (reply.type === 'done') resolve(reply.counts);
          else if (checkError !== undefined && !reply.cancelled) reject(checkError);
          else
            reject(
              reply.cancelled
                ? abortError(reply.message)
                : new UserFacingError('storage-error', reply.message),
            );
        });
        worker.once('error', (err) => reject(err));
        worker.once('exit', (code) =>
          reject(new Error(`The sync worker stopped unexpectedly (exit code ${code}). Try the sync again.`)),
        );
        worker.postMessage(request);
      });
    } finally {
      options.signal?.removeEventListener('abort', cancel);
      await worker.terminate();
    }
  }
}

function abortError(message: string): Error {
  const err = new Error(message);
  err.name = 'AbortError';
  return err;
}
