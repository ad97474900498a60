import { Worker } from 'node:worker_threads';
import type { Readable } from 'node:stream';
import {
  STORAGE_WORKER_FROM,
  StorageLost,
  type ObjectStorage,
  type ObjectStorageSource,
  type OpenedStorage,
} from './object-storage';
import {
  batched,
  type StorageCall,
  type StorageAnswers,
  type StorageWorkerReply,
  type StorageWorkerRequest,
} from './storage-calls';
import { UPLOAD_PART_SIZE, type StorageGateway, type UploadOptions } from './storage-gateway';
import type { StorageGateways } from './storage-gateways';
import { errorFromWire } from './wire-errors';

/** The side of a port the stand-in needs (a Worker, or a MessagePort in tests). */
export interface RequestPort {
  postMessage(messages: StorageWorkerRequest[]): void;
  on(event: 'message', listener: (messages: StorageWorkerReply[]) => void): unknown;
}

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
}

/**
 * The job's object calls, each sent to the storage worker and answered from there: on the test Ceph the SDK's
 * work per request (signing, middleware, the socket write, XML) kept the main thread 94 % busy during a
 * 10,000-file make-private, and the window's calls waited behind bursts of answers (event-loop delay p99 58 ms).
 * Here each call costs a message each way. A streamed upload (a file above the part size) stays with `local`, the
 * main thread's gateway: its bytes come from a stream that cannot cross, and a few requests move megabytes each.
 */
export class WorkerStorage implements ObjectStorage {
  private readonly pending = new Map<number, Pending>();
  private readonly signals = new WeakMap<AbortSignal, number>();
  private lastId = 0;
  private lastSignal = 0;
  private failure: StorageLost | null = null;

  private readonly send: (message: StorageWorkerRequest) => void;

  constructor(
    port: RequestPort,
    private readonly local: StorageGateway,
  ) {
    this.send = batched((messages) => {
      if (!this.failure) port.postMessage(messages);
    });
    port.on('message', (replies) => {
      for (const reply of replies) {
        const p = this.pending.get(reply.id);
        if (!p) continue;
        this.pending.delete(reply.id);
        if (reply.type === 'result') p.resolve(reply.value);
        else p.reject(errorFromWire(reply.error));
      }
    });
  }

  /** The worker is gone: every call in flight, and every later one, fails with `err` (a StorageLost). */
  fail(err: StorageLost): void {
    this.failure ??= err;
    for (const p of this.pending.values()) p.reject(this.failure);
    this.pending.clear();
  }

  head(bucket: string, key: string, signal?: AbortSignal) {
    return this.call({ method: 'head', args: [bucket, key] }, signal);
  }

  getAcl(bucket: string, key: string, signal?: AbortSignal) {
    return this.call({ method: 'getAcl', args: [bucket, key] }, signal);
  }

  setAccess(bucket: string, key: string, access: 'private' | 'public-read', signal?: AbortSignal) {
    return this.call({ method: 'setAccess', args: [bucket, key, access] }, signal);
  }

  delete(bucket: string, key: string, signal?: AbortSignal) {
    return this.call({ method: 'delete', args: [bucket, key] }, signal);
  }

  anonymousGet(bucket: string, key: string, signal?: AbortSignal) {
    return this.call({ method: 'anonymousGet', args: [bucket, key] }, signal);
  }

  anonymousHead(bucket: string, key: string, signal?: AbortSignal) {
    return this.call({ method: 'anonymousHead', args: [bucket, key] }, signal);
  }

  copy(
    from: { bucket: string; key: string; size?: number },
    to: { bucket: string; key: string; acl?: 'private' | 'public-read' },
    signal?: AbortSignal,
    multipartAbove?: number,
    partSize?: number,
  ) {
    const args: [typeof from, typeof to, number?, number?] = [from, to];
    if (multipartAbove !== undefined) args.push(multipartAbove);
    if (partSize !== undefined) args.push(partSize);
    return this.call({ method: 'copy', args }, signal);
  }

  async upload(bucket: string, key: string, body: Readable | Buffer, options: UploadOptions = {}) {
    if (!Buffer.isBuffer(body) || body.length > UPLOAD_PART_SIZE) {
      return this.local.upload(bucket, key, body, options);
    }
    const { signal, onProgress, ...rest } = options;
    const out = await this.call({ method: 'upload', args: [bucket, key, body, rest] }, signal);
    // As the gateway itself reports a one-request upload: once, when it is up.
    onProgress?.(body.length, body.length);
    return out;
  }

  private call<M extends StorageCall['method']>(
    call: Extract<StorageCall, { method: M }>,
    signal: AbortSignal | undefined,
  ): Promise<StorageAnswers[M]> {
    if (this.failure) return Promise.reject(this.failure);
    const id = ++this.lastId;
    const answer = new Promise<StorageAnswers[M]>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
    });
    this.send({ type: 'call', id, signal: this.signalNumber(signal), call });
    return answer;
  }

  /** The signal's number; the first time, its abort is passed on (at once if it already happened). */
  private signalNumber(signal: AbortSignal | undefined): number | null {
    if (!signal) return null;
    const known = this.signals.get(signal);
    if (known !== undefined) return known;
    const n = ++this.lastSignal;
    this.signals.set(signal, n);
    const abort = () => this.send({ type: 'abort', signal: n });
    if (signal.aborted) abort();
    else signal.addEventListener('abort', abort, { once: true });
    return n;
  }
}

/**
 * Opens a storage worker thread (the built storage-worker.js) for each run of a job of `from` items or more, with
 * the account's keys handed over in memory as the sync worker gets them, and ends it with the run. A shorter job
 * runs in this thread (object-storage.ts says why); tests lower `from` to run every job through the worker.
 */
export class WorkerStorageSource implements ObjectStorageSource {
  constructor(
    private readonly workerFile: string,
    private readonly gateways: StorageGateways,
    private readonly from = STORAGE_WORKER_FROM,
  ) {}

  async open(accountId: string, items: number): Promise<OpenedStorage> {
    const local = await this.gateways.for(accountId);
    if (items < this.from) return { storage: local, close: () => Promise.resolve() };
    // The account as the gateway was just built from it (current settings, keys and clock offset).
    const worker = new Worker(this.workerFile, { workerData: { account: local.account } });
    const storage = new WorkerStorage(worker, local);
    let closing = false;
    worker.once('error', (err) =>
      storage.fail(new StorageLost(`Signet’s storage worker failed (${err.message}).`)),
    );
    worker.once('exit', (code) =>
      storage.fail(
        new StorageLost(
          closing ? 'The job stopped.' : `Signet’s storage worker stopped unexpectedly (exit code ${code}).`,
        ),
      ),
    );
    return {
      storage,
      close: async () => {
        closing = true;
        await worker.terminate();
      },
    };
  }
}

/** The job's calls in the calling thread (the command line, tests): the account's gateway itself. */
export class InProcessStorageSource implements ObjectStorageSource {
  constructor(private readonly gateways: StorageGateways) {}

  async open(accountId: string): Promise<OpenedStorage> {
    return { storage: await this.gateways.for(accountId), close: () => Promise.resolve() };
  }
}
