import { errorFacts } from '../storage/provider-errors';

const RETRYABLE_CODES = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'RequestTimeout',
  'RequestTimeTooSkewed',
  'InternalError',
  'ServiceUnavailable',
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'ECONNABORTED',
  'TimeoutError',
  'EAI_AGAIN',
]);

/** True for what a later try may fix: throttling, 5xx answers and dropped or refused connections. */
export function isRetryable(err: unknown): boolean {
  const f = errorFacts(err);
  if (f.httpStatus !== null && (f.httpStatus >= 500 || f.httpStatus === 429)) return true;
  if (f.code && RETRYABLE_CODES.has(f.code)) return true;
  // The SDK words a dropped socket in several ways ("socket hang up", "write EPIPE", …).
  return /socket hang up|ECONNRESET|EPIPE|other side closed|terminated/i.test(f.message ?? '');
}

/** Exponential backoff with full jitter (AWS Architecture Blog: "Exponential Backoff And Jitter"). */
export function backoffMs(
  attempt: number,
  baseMs = 250,
  capMs = 10_000,
  random: () => number = Math.random,
): number {
  return Math.floor(random() * Math.min(capMs, baseMs * 2 ** attempt));
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
