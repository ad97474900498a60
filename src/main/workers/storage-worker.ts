/**
 * Entry of a job's storage worker thread (built beside the main bundle as storage-worker.js). It holds the
 * account's S3 client and answers the job's object calls, which the main thread sends it one by one; see
 * services/storage/worker-storage.ts for the other side. The job itself (its items, retries, writes and
 * progress) stays on the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { systemClock } from '../services/clock';
import { SdkS3ClientFactory } from '../services/storage/s3-client-factory';
import { serveStorageCalls, type CallPort } from '../services/storage/storage-calls';
import { StorageGateway, type GatewayAccount } from '../services/storage/storage-gateway';

const { account } = workerData as { account: GatewayAccount };
const client = new SdkS3ClientFactory().create(account.settings, account.credentials, {
  purpose: 'transfer',
  systemClockOffset: account.clockOffsetMs,
});
serveStorageCalls(parentPort as CallPort, new StorageGateway(client, account, systemClock));
