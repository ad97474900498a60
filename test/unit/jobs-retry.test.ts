/**
 * What a job item retries (what a later try may fix: throttling, 5xx, dropped connections) and what it does not
 * (a refusal: retrying a 403 only hammers the provider), on errors shaped as the AWS SDK and Node shape them;
 * and the backoff's bounds (full jitter under an exponential cap).
 */
import { describe, expect, it } from 'vitest';
import { backoffMs, isRetryable, sleep } from '../../src/main/services/jobs/retry';

/** An error as the SDK throws it for an S3 error answer. */
function s3Error(name: string, status: number, message = name): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status, attempts: 5 } });
}

describe('isRetryable', () => {
  it.each([
    ['503 SlowDown', s3Error('SlowDown', 503, 'Please reduce your request rate.')],
    ['500 InternalError', s3Error('InternalError', 500)],
    ['a bare 503 status (no code in the body)', { $metadata: { httpStatusCode: 503 } }],
    ['429 Too Many Requests', s3Error('TooManyRequests', 429)],
    ['SlowDown named without a status', Object.assign(new Error('slow down'), { name: 'SlowDown' })],
    ['a reset socket (code)', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })],
    ['a reset socket (in the cause)', new Error('fetch failed', { cause: { code: 'ECONNRESET' } })],
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })],
    ['"socket hang up"', new Error('socket hang up')],
    ['a timeout', Object.assign(new Error('timed out'), { name: 'TimeoutError' })],
    ['RequestTimeTooSkewed', s3Error('RequestTimeTooSkewed', 403)],
  ])('retries %s', (_what, err) => {
    expect(isRetryable(err)).toBe(true);
  });

  it.each([
    ['403 AccessDenied', s3Error('AccessDenied', 403, 'Access Denied')],
    ['404 NoSuchKey', s3Error('NoSuchKey', 404)],
    ['404 NoSuchBucket', s3Error('NoSuchBucket', 404)],
    ['400 AccessControlListNotSupported', s3Error('AccessControlListNotSupported', 400)],
    [
      'an abort (pause, cancel)',
      Object.assign(new Error('This operation was aborted'), { name: 'AbortError' }),
    ],
    ['a plain programming error', new TypeError('x is not a function')],
    ['nothing at all', undefined],
  ])('does not retry %s', (_what, err) => {
    expect(isRetryable(err)).toBe(false);
  });
});

describe('backoffMs', () => {
  it('is a random share of an exponential ceiling: 0 at the low end, base·2^attempt at the high end', () => {
    expect(backoffMs(0, 250, 10_000, () => 0)).toBe(0);
    expect(backoffMs(0, 250, 10_000, () => 0.999_999)).toBe(249);
    expect(backoffMs(3, 250, 10_000, () => 0.5)).toBe(1000); // 0.5 × 250 × 8
    expect(backoffMs(1, 100, 10_000, () => 0.25)).toBe(50);
  });

  it('never exceeds the cap, however many attempts', () => {
    for (const attempt of [6, 10, 30, 100]) {
      expect(backoffMs(attempt, 250, 10_000, () => 0.999_999)).toBeLessThan(10_000);
      expect(backoffMs(attempt, 250, 10_000, () => 0.5)).toBe(5000);
    }
  });

  it('stays within [0, ceiling) with the real random source', () => {
    const waits = Array.from({ length: 500 }, () => backoffMs(2));
    expect(Math.min(...waits)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...waits)).toBeLessThan(1000);
    expect(waits.every(Number.isInteger)).toBe(true);
  });
});

describe('sleep', () => {
  it('ends early with the abort reason when its signal aborts (a paused job does not sit out its backoff)', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const slept = sleep(60_000, controller.signal);
    controller.abort(new Error('pause'));
    await expect(slept).rejects.toThrow('pause');
    expect(Date.now() - started).toBeLessThan(1000);
    await expect(sleep(10, AbortSignal.abort(new Error('already')))).rejects.toThrow('already');
  });
});
