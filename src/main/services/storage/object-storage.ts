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

/** Where a job run gets its object storage. */
export interface ObjectStorageSource {
  open(accountId: string): Promise<OpenedStorage>;
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
