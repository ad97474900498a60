/**
 * Errors that are not provider answers (network, TLS, something that is not S3), shaped as Node and the AWS
 * SDK's HTTP handler raise them. Provider answers go through the real SDK in provider-privacy.test.ts, and the
 * Ceph ones for real in the integration tests.
 */
import { describe, expect, it } from 'vitest';
import {
  errorFacts,
  explainS3Error,
  type ErrorContext,
} from '../../src/main/services/storage/provider-errors';

const connect: ErrorContext = {
  provider: 'custom',
  endpoint: 'https://s3.example.com',
  region: 'us-east-1',
  operation: 'connect',
};

function nodeError(code: string, message: string): Error {
  return Object.assign(new Error(message), {
    code,
    errno: -1,
    syscall: 'connect',
    $metadata: { attempts: 1 },
  });
}

describe('explaining errors that are not provider answers', () => {
  it.each([
    [
      'ECONNREFUSED',
      'connect ECONNREFUSED 203.0.113.5:443',
      'Nothing is listening at s3.example.com: the connection was refused.',
    ],
    [
      'ENOTFOUND',
      'getaddrinfo ENOTFOUND s3.example.com',
      'The address s3.example.com could not be found (DNS).',
    ],
    [
      'EAI_AGAIN',
      'getaddrinfo EAI_AGAIN s3.example.com',
      'The address s3.example.com could not be found (DNS).',
    ],
    ['ECONNRESET', 'socket hang up', 'The connection to s3.example.com was cut off.'],
    ['ETIMEDOUT', 'connect ETIMEDOUT 203.0.113.5:443', 's3.example.com did not answer in time.'],
  ])('%s is a network problem', (code, message, title) => {
    expect(explainS3Error(nodeError(code, message), connect)).toMatchObject({
      kind: 'network',
      code,
      title,
      httpStatus: null,
    });
  });

  it('the SDK handler’s TimeoutError is a network problem', () => {
    const timeout = Object.assign(new Error('Connection timed out after 15000 ms'), { name: 'TimeoutError' });
    expect(explainS3Error(timeout, connect)).toMatchObject({
      kind: 'network',
      code: 'TimeoutError',
      title: 's3.example.com did not answer in time.',
      advice: expect.stringMatching(/VPN, proxy or firewall/),
    });
  });

  it('certificate failures say which check failed', () => {
    const problem = explainS3Error(
      nodeError('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'),
      connect,
    );
    expect(problem).toMatchObject({ kind: 'tls', code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    expect(problem.title).toContain('certificate was not accepted (DEPTH_ZERO_SELF_SIGNED_CERT)');
  });

  it('an answer without an S3 error code means the endpoint is not the S3 API', () => {
    const html = Object.assign(new Error('UnknownError'), {
      name: 'UnknownError',
      $metadata: { httpStatusCode: 405 },
    });
    expect(explainS3Error(html, connect)).toMatchObject({
      kind: 'not-s3',
      httpStatus: 405,
      providerMessage: null,
      title: 'Something answered at s3.example.com (HTTP 405), but not as S3 storage.',
    });
  });

  it('"no such bucket" while listing buckets points at a path in the endpoint', () => {
    const err = Object.assign(new Error('UnknownError'), {
      name: 'NoSuchBucket',
      Code: 'NoSuchBucket',
      $metadata: { httpStatusCode: 404 },
    });
    const problem = explainS3Error(err, { ...connect, endpoint: 'https://s3.example.com/shop-files' });
    expect(problem.kind).toBe('not-s3');
    expect(problem.advice).toBe(
      'Enter the endpoint without a path or bucket name (for example https://s3.example.com); buckets go in the bucket list.',
    );
    expect(explainS3Error(err, { ...connect, operation: 'bucket', bucket: 'gone' })).toMatchObject({
      kind: 'no-such-bucket',
      title: 'There is no bucket “gone” at s3.example.com.',
    });
  });

  it('"access denied" means different things when listing buckets and when reading one', () => {
    const denied = Object.assign(new Error('Access Denied'), {
      name: 'AccessDenied',
      $metadata: { httpStatusCode: 403 },
    });
    expect(explainS3Error(denied, connect).advice).toMatch(/Enter the buckets you use/);
    expect(explainS3Error(denied, { ...connect, operation: 'bucket', bucket: 'shop' }).title).toBe(
      'The key is valid, but it may not read bucket “shop”.',
    );
  });

  it('keeps an unknown provider code and message word for word', () => {
    const odd = Object.assign(new Error('Slow down, please'), {
      name: 'SlowDown',
      $metadata: { httpStatusCode: 503 },
    });
    expect(explainS3Error(odd, connect)).toMatchObject({
      kind: 'unknown',
      code: 'SlowDown',
      title: 'The storage answered SlowDown (HTTP 503): Slow down, please',
    });
  });

  it('reads facts from anything thrown, without throwing itself', () => {
    for (const thrown of [undefined, null, 'text', 42, {}, Object.create(null)]) {
      expect(() => explainS3Error(thrown, connect)).not.toThrow();
    }
    expect(
      errorFacts({
        name: 'PermanentRedirect',
        $response: { statusCode: 301, headers: { 'x-amz-bucket-region': 'eu-north-1', server: 'AmazonS3' } },
      }),
    ).toEqual({
      code: 'PermanentRedirect',
      httpStatus: 301,
      message: null,
      expectedRegion: 'eu-north-1',
      server: 'AmazonS3',
    });
  });
});
