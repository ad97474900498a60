import type { BucketRecord } from '../../repositories/bucket-repository';
import type { TaskProgress } from '../tasks';
import type { GatewayAccount } from '../storage/storage-gateway';
import type { SyncCounts } from './sync-engine';

/** Messages from the main thread to the sync worker. */
export type SyncWorkerRequest =
  | { type: 'run'; bucket: BucketRecord; prefix: string; account: GatewayAccount; aclConcurrency?: number }
  | { type: 'cancel' };

/** Messages from the sync worker back. A failure arrives already in plain words. */
export type SyncWorkerReply =
  | { type: 'progress'; progress: TaskProgress }
  | { type: 'done'; counts: SyncCounts }
  | { type: 'failed'; message: string; cancelled: boolean };
