import type { BucketRecord } from '../../repositories/bucket-repository';
import type { TaskProgress } from '../tasks';
import type { GatewayAccount } from '../storage/storage-gateway';
import type { SyncCounts } from './sync-engine';

/** Messages from the main thread to the sync worker. */
export type SyncWorkerRequest =
  | {
      type: 'run';
      bucket: BucketRecord;
      prefix: string;
      account: GatewayAccount;
      aclConcurrency?: number;
      /** The bucket check runs beside the sync in the main thread: its outcome follows as `checked`. */
      awaitCheck?: boolean;
    }
  /** The check's outcome: the bucket as it found it, or null when it failed (the main thread has its error). */
  | { type: 'checked'; bucket: BucketRecord | null }
  | { type: 'cancel' };

/** Messages from the sync worker back. A failure arrives already in plain words. */
export type SyncWorkerReply =
  | { type: 'progress'; progress: TaskProgress }
  | { type: 'done'; counts: SyncCounts }
  | { type: 'failed'; message: string; cancelled: boolean };
