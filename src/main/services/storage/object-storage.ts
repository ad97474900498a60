import { UserFacingError } from '../errors';
import type { StorageGateway } from './storage-gateway';

/**
 * The object calls a job makes (its changes and its proof): the account's gateway itself, or its stand-in that
 * sends each call to a storage worker thread (worker-storage.ts) so the SDK's work per request stays off the
 * app's main thread.
 */
export type ObjectStorage = Pick<
  StorageGateway,
  'head' | 'getAcl' | 'setAccess' | 'upload' | 'copy' | 'delete' | 'anonymousGet' | 'anonymousHead'
>;

/** Object storage for one job run, opened when the run starts and closed when it ends, however it ends. */
export interface OpenedStorage {
  storage: ObjectStorage;
  close(): Promise<void>;
}

/**
 * From this many items on, a job's calls run in the storage worker (where there is one). A worker thread starts in
 * about 0.2 s and runs the SDK's code cold: an upload job of 200 files of 1 MiB took 3.07 s that way against
 * 2.49 s in the main thread (`npm run bench:jobs -- --parts 1`). A long job wins the main thread back for the
 * window; a short one holds it only briefly.
 */
export const STORAGE_WORKER_FROM = 2000;

/** Where a job run gets its object storage. */
export interface ObjectStorageSource {
  /** `items`: the job's items, counted up to STORAGE_WORKER_FROM. */
  open(accountId: string, items: number): Promise<OpenedStorage>;
}

/**
 * The storage a run used is gone (its worker thread stopped): nothing about any one file, so the run stops with it
 * and keeps every item as it is, to be resumed, instead of failing each file left with the same sentence.
 */
export class StorageLost extends UserFacingError {
  constructor(message: string) {
    super('internal', message);
    this.name = 'StorageLost';
  }
}
