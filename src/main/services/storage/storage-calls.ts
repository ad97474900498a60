import type { AnonymousAnswer, Attempts, ObjectAcl, StorageGateway, UploadOptions } from './storage-gateway';
import { errorToWire, type WireError } from './wire-errors';

/** Copy's arguments as they cross: its source and target, and the part sizes a test may lower. */
type CopyArgs = [
  from: Parameters<StorageGateway['copy']>[0],
  to: Parameters<StorageGateway['copy']>[1],
  multipartAbove?: number,
  partSize?: number,
];

/** One object call as it crosses to the storage worker: the gateway method and its arguments but the signal. */
export type StorageCall =
  | { method: 'head'; args: [bucket: string, key: string] }
  | { method: 'getAcl'; args: [bucket: string, key: string] }
  | { method: 'setAccess'; args: [bucket: string, key: string, access: 'private' | 'public-read'] }
  | { method: 'delete'; args: [bucket: string, key: string] }
  | { method: 'anonymousGet'; args: [bucket: string, key: string] }
  | { method: 'anonymousHead'; args: [bucket: string, key: string] }
  | { method: 'copy'; args: CopyArgs }
  | {
      method: 'upload';
      /** The bytes arrive as a Uint8Array (a structured clone of a Buffer). */
      args: [
        bucket: string,
        key: string,
        body: Uint8Array,
        options: Pick<UploadOptions, 'contentType' | 'acl' | 'ifAbsent'>,
      ];
    };

/** What each call answers. */
export interface StorageAnswers {
  head: Awaited<ReturnType<StorageGateway['head']>>;
  getAcl: ObjectAcl;
  setAccess: Attempts;
  delete: void;
  anonymousGet: AnonymousAnswer;
  anonymousHead: AnonymousAnswer;
  copy: Awaited<ReturnType<StorageGateway['copy']>>;
  upload: Awaited<ReturnType<StorageGateway['upload']>>;
}

/**
 * Messages to the storage worker. Signals are numbered: the run's one signal is sent once as a number, and its
 * abort once as `abort`, instead of a listener per request (a job makes tens of thousands).
 */
export type StorageWorkerRequest =
  { type: 'call'; id: number; signal: number | null; call: StorageCall } | { type: 'abort'; signal: number };

/** Messages back: one per call, its answer or its error. Both ways they travel in arrays (`batched`). */
export type StorageWorkerReply =
  { type: 'result'; id: number; value: unknown } | { type: 'error'; id: number; error: WireError };

/** The side of a port the storage calls need (a worker's parentPort, or a MessagePort in tests). */
export interface CallPort {
  postMessage(messages: StorageWorkerReply[]): void;
  on(event: 'message', listener: (messages: StorageWorkerRequest[]) => void): unknown;
}

/**
 * Messages go in batches: those sent in one turn of the event loop leave together at its end (setImmediate), so a
 * burst of answers, and the calls they lead to, cost one message each way. One message per call and answer was
 * 4.5 % of the storage worker's time during a 10,000-file make-private (CPU profile of `bench:jobs -- --parts 2`).
 */
export function batched<T>(post: (messages: T[]) => void): (message: T) => void {
  let outbox: T[] = [];
  return (message) => {
    outbox.push(message);
    if (outbox.length > 1) return;
    setImmediate(() => {
      const messages = outbox;
      outbox = [];
      post(messages);
    });
  };
}

/** Carries out one call on the gateway. */
function perform(
  gateway: StorageGateway,
  call: StorageCall,
  signal: AbortSignal | undefined,
): Promise<unknown> {
  switch (call.method) {
    case 'head':
      return gateway.head(...call.args, signal);
    case 'getAcl':
      return gateway.getAcl(...call.args, signal);
    case 'setAccess':
      return gateway.setAccess(...call.args, signal);
    case 'delete':
      return gateway.delete(...call.args, signal);
    case 'anonymousGet':
      return gateway.anonymousGet(...call.args, signal);
    case 'anonymousHead':
      return gateway.anonymousHead(...call.args, signal);
    case 'copy': {
      const [from, to, multipartAbove, partSize] = call.args;
      return gateway.copy(from, to, signal, multipartAbove, partSize);
    }
    case 'upload': {
      const [bucket, key, bytes, options] = call.args;
      const body = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      return gateway.upload(bucket, key, body, { ...options, ...(signal ? { signal } : {}) });
    }
  }
}

/** Answers the calls that arrive on `port` with `gateway` (the storage worker's body; a test's, on a channel). */
export function serveStorageCalls(port: CallPort, gateway: StorageGateway): void {
  const controllers = new Map<number, AbortController>();
  const controller = (n: number) => {
    let c = controllers.get(n);
    if (!c) controllers.set(n, (c = new AbortController()));
    return c;
  };
  const reply = batched<StorageWorkerReply>((messages) => port.postMessage(messages));
  port.on('message', (messages) => {
    for (const message of messages) {
      if (message.type === 'abort') {
        controller(message.signal).abort();
        continue;
      }
      const { id } = message;
      const signal = message.signal === null ? undefined : controller(message.signal).signal;
      perform(gateway, message.call, signal).then(
        (value) => reply({ type: 'result', id, value }),
        (err: unknown) => reply({ type: 'error', id, error: errorToWire(err) }),
      );
    }
  });
}
