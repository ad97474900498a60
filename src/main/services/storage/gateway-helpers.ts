import type { S3Client } from '@aws-sdk/client-s3';

// Helpers of the storage gateway that need no gateway: abort races, retry counting, S3 error reading, bodies.

/** One promise per signal that rejects when it aborts: a race against it costs no listener per request. */
const ABORTED = new WeakMap<AbortSignal, Promise<never>>();
export function abortedPromise(signal: AbortSignal): Promise<never> {
  let p = ABORTED.get(signal);
  if (!p) {
    p = new Promise<never>((_, reject) => {
      const fail = () => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      if (signal.aborted) fail();
      else signal.addEventListener('abort', fail, { once: true });
    });
    p.catch(() => undefined); // raced, not awaited alone
    ABORTED.set(signal, p);
  }
  return p;
}

/**
 * The client as lib-storage's Upload uses it, reporting the retries of each request it sends (the SDK's
 * `$metadata.attempts` beyond the first): Upload makes its requests itself, so their answers are seen only here.
 */
export function countingRetries(
  client: S3Client,
  onRetries: (retries: number) => void,
  beforeSend?: (command: unknown) => Promise<void>,
): S3Client {
  type Sent = { $metadata?: { attempts?: number } };
  const send = client.send.bind(client) as (...args: unknown[]) => Promise<Sent>;
  return new Proxy(client, {
    get(target, prop, receiver) {
      if (prop !== 'send') return Reflect.get(target, prop, receiver) as unknown;
      return async (...args: unknown[]) => {
        await beforeSend?.(args[0]);
        const out = await send(...args);
        const retries = (out.$metadata?.attempts ?? 1) - 1;
        if (retries > 0) onRetries(retries);
        return out;
      };
    },
  });
}

function statusOf(err: unknown): { name: string; status: number | undefined } {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return { name: e.name ?? '', status: e.$metadata?.httpStatusCode };
}

/** 412: a conditional write found the key taken. */
export function isPreconditionFailed(err: unknown): boolean {
  const { name, status } = statusOf(err);
  return status === 412 || name === 'PreconditionFailed';
}

/** 501: the server does not implement a header it was sent. */
export function isNotImplemented(err: unknown): boolean {
  const { name, status } = statusOf(err);
  return status === 501 || name === 'NotImplemented';
}

/** A response body (a Node stream, or bytes in tests) as UTF-8 text. */
export async function readBody(body: unknown): Promise<string> {
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return Buffer.from(body).toString('utf8');
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Buffer | string>) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
