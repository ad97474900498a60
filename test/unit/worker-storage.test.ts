/**
 * A job's object calls through the storage worker's messages (worker-storage.ts ↔ storage-calls.ts), here over a
 * real MessageChannel with a gateway that answers from a script: every call arrives with its arguments and comes
 * back with its answer; an error comes back with what the job reads of it (its facts, whether a retry may fix
 * it, its plain words, a KeyExistsError's class); the run's abort reaches calls in flight and later ones; a small
 * upload crosses with its bytes while a stream stays with the main thread's gateway; a worker that is gone fails
 * what waits. The real worker thread, on Ceph, is in test/integration/jobs-faults.test.ts.
 */
import { Readable } from 'node:stream';
import { MessageChannel } from 'node:worker_threads';
import { NoSuchKey, S3ServiceException } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import { isRetryable } from '../../src/main/services/jobs/retry';
import { errorFacts } from '../../src/main/services/storage/provider-errors';
import { serveStorageCalls, type CallPort } from '../../src/main/services/storage/storage-calls';
import { storageError } from '../../src/main/services/storage/storage-errors';
import {
  KeyExistsError,
  UPLOAD_PART_SIZE,
  type StorageGateway,
  type UploadOptions,
} from '../../src/main/services/storage/storage-gateway';
import { StorageLost } from '../../src/main/services/storage/object-storage';
import { errorFromWire, errorToWire } from '../../src/main/services/storage/wire-errors';
import {
  WorkerStorage,
  WorkerStorageSource,
  type RequestPort,
} from '../../src/main/services/storage/worker-storage';
import type { StorageGateways } from '../../src/main/services/storage/storage-gateways';

/** A call as the scripted gateway received it: the method, its arguments but the signal, and the signal. */
interface Received {
  method: string;
  args: unknown[];
  signal: AbortSignal | undefined;
}

/** A gateway whose every method records its call and answers what `answer` says (or throws what it throws). */
function scriptedGateway(answer: (call: Received) => unknown): {
  gateway: StorageGateway;
  calls: Received[];
} {
  const calls: Received[] = [];
  const record =
    (method: string, signalAt: number) =>
    async (...args: unknown[]) => {
      const signal = args[signalAt] as AbortSignal | undefined;
      const call = { method, args: args.filter((_, i) => i !== signalAt), signal };
      calls.push(call);
      return answer(call);
    };
  const gateway = {
    head: record('head', 2),
    getAcl: record('getAcl', 2),
    setAccess: record('setAccess', 3),
    delete: record('delete', 2),
    anonymousGet: record('anonymousGet', 2),
    anonymousHead: record('anonymousHead', 2),
    copy: record('copy', 2),
    upload: async (bucket: string, key: string, body: Buffer, options: UploadOptions) => {
      const { signal, ...rest } = options;
      const call = { method: 'upload', args: [bucket, key, body, rest], signal };
      calls.push(call);
      return answer(call);
    },
  } as unknown as StorageGateway;
  return { gateway, calls };
}

const channels: MessageChannel[] = [];
afterEach(() => {
  for (const c of channels.splice(0)) {
    c.port1.close();
    c.port2.close();
  }
});

/**
 * The stand-in on one end of a channel, the scripted gateway served on the other, as in the app's worker; `sizes`
 * records how many calls (`calls`) and answers (`answers`) each message carried.
 */
function connected(answer: (call: Received) => unknown, local?: StorageGateway) {
  const channel = new MessageChannel();
  channels.push(channel);
  const served = scriptedGateway(answer);
  const sizes = { calls: [] as number[], answers: [] as number[] };
  channel.port2.on('message', (m: unknown[]) => sizes.calls.push(m.length));
  channel.port1.on('message', (m: unknown[]) => sizes.answers.push(m.length));
  serveStorageCalls(channel.port2 as unknown as CallPort, served.gateway);
  const localSide = local ?? scriptedGateway(() => ({ etag: 'local', attempts: 1 })).gateway;
  return {
    storage: new WorkerStorage(channel.port1 as unknown as RequestPort, localSide),
    calls: served.calls,
    sizes,
  };
}

/** SDK and Node errors as a job meets them. */
function providerErrors(): [string, Error][] {
  const slowDown = new S3ServiceException({
    name: 'SlowDown',
    $fault: 'server',
    $metadata: { httpStatusCode: 503, attempts: 3, requestId: 'tx-1' },
    message: 'Please reduce your request rate.',
  });
  Object.assign(slowDown, { Code: 'SlowDown', RequestId: 'tx-1' });
  const wrongRegion = new S3ServiceException({
    name: 'AuthorizationHeaderMalformed',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    message: "the region 'us-east-1' is wrong; expecting 'eu-west-1'",
  });
  Object.assign(wrongRegion, {
    Region: 'eu-west-1',
    $response: {
      statusCode: 400,
      headers: { server: 'MinIO', 'x-amz-bucket-region': 'eu-west-1', etag: 'x' },
    },
  });
  return [
    ['503 SlowDown', slowDown],
    [
      '404 NoSuchKey',
      new NoSuchKey({ $metadata: { httpStatusCode: 404 }, message: 'The key does not exist.' }),
    ],
    ['a region error with its headers', wrongRegion],
    ['a reset socket', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET', errno: -104 })],
    ['a refusal in the cause', new Error('fetch failed', { cause: { code: 'ECONNREFUSED', errno: -111 } })],
    ['a timeout', Object.assign(new Error('Connection timed out after 5000 ms'), { name: 'TimeoutError' })],
    ['an abort', new DOMException('This operation was aborted', 'AbortError')],
  ];
}

const ACCOUNT = { provider: 'custom' as const, endpoint: 'http://127.0.0.1:7480', region: 'us-east-1' };

describe('errors across the thread boundary', () => {
  it.each(providerErrors())('%s keeps its facts, its retry and its plain words', (_what, err) => {
    const back = errorFromWire(structuredClone(errorToWire(err)));
    expect(errorFacts(back)).toEqual(errorFacts(err));
    expect(isRetryable(back)).toBe(isRetryable(err));
    expect(back.name).toBe(err.name);
    expect(storageError(back, ACCOUNT, 'shop').message).toBe(storageError(err, ACCOUNT, 'shop').message);
  });

  it('a key in the way comes back as a KeyExistsError, with its words', () => {
    const back = errorFromWire(structuredClone(errorToWire(new KeyExistsError('shop', 'products/a.zip'))));
    expect(back).toBeInstanceOf(KeyExistsError);
    expect(back.message).toBe('“products/a.zip” already exists in “shop”.');
  });

  it('something thrown that is no Error still says what it was', () => {
    expect(errorFromWire(structuredClone(errorToWire('boom'))).message).toBe('boom');
  });
});

describe('WorkerStorage and the served gateway', () => {
  it('sends every call with its arguments and answers what the gateway answered', async () => {
    const { storage, calls } = connected((call) => {
      switch (call.method) {
        case 'head':
          return { size: 5, etag: 'e1', lastModified: '2026-12-01T00:00:00.000Z' };
        case 'getAcl':
          return { access: 'public', grants: [{ grantee: 'Everyone (anonymous)', permission: 'READ' }] };
        case 'setAccess':
          return { attempts: 2 };
        case 'copy':
          return { etag: 'e2', multipart: false, attempts: 1 };
        case 'delete':
          return undefined;
        default:
          return { status: 403 };
      }
    });
    const signal = new AbortController().signal;
    expect(await storage.head('shop', 'a.zip', signal)).toEqual({
      size: 5,
      etag: 'e1',
      lastModified: '2026-12-01T00:00:00.000Z',
    });
    expect(await storage.getAcl('shop', 'a.zip', signal)).toEqual({
      access: 'public',
      grants: [{ grantee: 'Everyone (anonymous)', permission: 'READ' }],
    });
    expect(await storage.setAccess('shop', 'a.zip', 'private', signal)).toEqual({ attempts: 2 });
    expect(
      await storage.copy(
        { bucket: 'shop', key: 'a.zip', size: 5 },
        { bucket: 'vault', key: 'a.zip' },
        signal,
        10,
        4,
      ),
    ).toEqual({ etag: 'e2', multipart: false, attempts: 1 });
    expect(await storage.delete('shop', 'a.zip')).toBeUndefined();
    expect(await storage.anonymousGet('shop', 'a.zip', signal)).toEqual({ status: 403 });
    expect(await storage.anonymousHead('shop', 'b.zip')).toEqual({ status: 403 });
    expect(calls.map((c) => [c.method, c.args, c.signal === undefined])).toEqual([
      ['head', ['shop', 'a.zip'], false],
      ['getAcl', ['shop', 'a.zip'], false],
      ['setAccess', ['shop', 'a.zip', 'private'], false],
      ['copy', [{ bucket: 'shop', key: 'a.zip', size: 5 }, { bucket: 'vault', key: 'a.zip' }, 10, 4], false],
      ['delete', ['shop', 'a.zip'], true],
      ['anonymousGet', ['shop', 'a.zip'], false],
      ['anonymousHead', ['shop', 'b.zip'], true],
    ]);
  });

  it('sends the calls of one turn in one message, and their answers come back together', async () => {
    const { storage, sizes } = connected((call) => ({ attempts: call.args.length }));
    const keys = ['a', 'b', 'c', 'd', 'e'];
    const answers = await Promise.all(keys.map((k) => storage.setAccess('shop', k, 'private')));
    expect(answers).toEqual(keys.map(() => ({ attempts: 3 })));
    expect(sizes).toEqual({ calls: [5], answers: [5] });
  });

  it('answers each call by its own id when the answers come back out of order', async () => {
    const { storage } = connected(async (call) => {
      const key = call.args[1] as string;
      await new Promise((r) => setTimeout(r, key === 'slow' ? 30 : 0));
      return { size: key.length, etag: key, lastModified: '2026-12-01T00:00:00.000Z' };
    });
    const [slow, fast] = await Promise.all([storage.head('shop', 'slow'), storage.head('shop', 'f')]);
    expect([slow?.etag, fast?.etag]).toEqual(['slow', 'f']);
  });

  it.each(providerErrors())('a gateway that throws %s: the job gets the same facts', async (_what, err) => {
    const { storage } = connected(() => {
      throw err;
    });
    const got = await storage.setAccess('shop', 'a.zip', 'private').then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(got).toBeInstanceOf(Error);
    expect(errorFacts(got)).toEqual(errorFacts(err));
    expect(isRetryable(got)).toBe(isRetryable(err));
  });

  it('a create-only upload onto a taken key rejects with a KeyExistsError, as the gateway does', async () => {
    const { storage } = connected(() => {
      throw new KeyExistsError('shop', 'a.zip');
    });
    await expect(
      storage.upload('shop', 'a.zip', Buffer.from('x'), { ifAbsent: true }),
    ).rejects.toBeInstanceOf(KeyExistsError);
  });

  it('the run’s abort reaches the calls in flight and every later call with that signal', async () => {
    const seen: boolean[] = [];
    const { storage, calls } = connected(
      (call) =>
        new Promise((resolve, reject) => {
          seen.push(call.signal!.aborted);
          if (call.signal!.aborted) return reject(call.signal!.reason as Error);
          call.signal!.addEventListener('abort', () => reject(call.signal!.reason as Error), { once: true });
          setTimeout(() => resolve({ attempts: 1 }), 5_000).unref();
        }),
    );
    const run = new AbortController();
    const inFlight = [
      storage.setAccess('shop', 'a', 'private', run.signal),
      storage.getAcl('shop', 'b', run.signal),
    ];
    await new Promise((r) => setTimeout(r, 20));
    expect(calls).toHaveLength(2);
    run.abort();
    for (const p of inFlight) await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    await expect(storage.head('shop', 'c', run.signal)).rejects.toMatchObject({ name: 'AbortError' });
    // A signal already aborted when its first call is sent.
    const early = new AbortController();
    early.abort();
    await expect(storage.delete('shop', 'd', early.signal)).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen).toEqual([false, false, true, true]);
    // Two calls with one signal share its number: the served side made one controller for both.
    expect(calls[0]!.signal).toBe(calls[1]!.signal);
  });

  it('a small upload crosses with its bytes and reports its progress once; a stream or a large buffer stays local', async () => {
    const local = scriptedGateway(() => ({ etag: 'local', attempts: 1 }));
    const { storage, calls } = connected(() => ({ etag: 'remote', attempts: 1 }), local.gateway);
    const bytes = Buffer.from('the product file');
    const progress: [number, number | null][] = [];
    const signal = new AbortController().signal;
    const out = await storage.upload('shop', 'a.pdf', bytes, {
      contentType: 'application/pdf',
      acl: 'private',
      ifAbsent: true,
      signal,
      onProgress: (loaded, total) => progress.push([loaded, total]),
    });
    expect(out).toEqual({ etag: 'remote', attempts: 1 });
    expect(progress).toEqual([[bytes.length, bytes.length]]);
    const [sent] = calls;
    expect(Buffer.isBuffer(sent!.args[2])).toBe(true);
    expect((sent!.args[2] as Buffer).equals(bytes)).toBe(true);
    expect(sent!.args[3]).toEqual({ contentType: 'application/pdf', acl: 'private', ifAbsent: true });
    expect(sent!.signal).toBeInstanceOf(AbortSignal);

    const stream = Readable.from(['a', 'b']);
    const large = Buffer.alloc(UPLOAD_PART_SIZE + 1);
    expect(await storage.upload('shop', 'b.zip', stream, { signal })).toEqual({ etag: 'local', attempts: 1 });
    expect(await storage.upload('shop', 'c.zip', large)).toEqual({ etag: 'local', attempts: 1 });
    expect(local.calls.map((c) => [c.args[1], c.args[2] === stream || c.args[2] === large])).toEqual([
      ['b.zip', true],
      ['c.zip', true],
    ]);
    expect(calls).toHaveLength(1);
  });

  it('a worker that is gone fails the calls in flight and every later one with its reason', async () => {
    const { storage } = connected(() => new Promise(() => undefined));
    const waiting = storage.head('shop', 'a');
    await new Promise((r) => setTimeout(r, 10));
    storage.fail(
      new StorageLost('Signet’s storage worker stopped unexpectedly (exit code 1). Resume the job.'),
    );
    await expect(waiting).rejects.toBeInstanceOf(StorageLost);
    await expect(storage.getAcl('shop', 'b')).rejects.toThrow(/stopped unexpectedly/);
  });
});

describe('WorkerStorageSource', () => {
  // A gateway as StorageGateways builds it: with the account the worker would get.
  const gateway = Object.assign(scriptedGateway(() => ({ status: 403 })).gateway, {
    account: {
      id: 'a1',
      settings: {
        provider: 'custom',
        endpoint: 'http://127.0.0.1:9',
        region: 'us-east-1',
        forcePathStyle: true,
      },
      credentials: { accessKeyId: 'AKIA', secretAccessKey: 'secret' },
      clockOffsetMs: 0,
    },
  });
  const gateways = { for: () => Promise.resolve(gateway) } as unknown as StorageGateways;
  /** No worker can start from here: a run that tried would fail its calls. */
  const missing = '/nonexistent/storage-worker.js';

  it('a job under its threshold runs in this thread, on the account’s gateway itself', async () => {
    const opened = await new WorkerStorageSource(missing, gateways, 10).open('a1', 9);
    expect(opened.storage).toBe(gateway);
    expect(await opened.storage.anonymousHead('shop', 'a.zip')).toEqual({ status: 403 });
    await opened.close();
  });

  it('a worker that cannot start fails the run’s calls with StorageLost, which says so', async () => {
    const opened = await new WorkerStorageSource(missing, gateways, 10).open('a1', 10);
    expect(opened.storage).toBeInstanceOf(WorkerStorage);
    const err = await opened.storage.head('shop', 'a.zip').then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StorageLost);
    expect((err as Error).message).toMatch(/^Signet’s storage worker (failed|stopped unexpectedly)/);
    await opened.close();
  });
});
