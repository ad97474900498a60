import { ListBucketsCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { ProviderId } from '@shared/accounts/providers';
import type { Clock } from '../clock';
import type { BucketAnswers } from './bucket-answers';
import { captureServerDate, type ServerDateReading } from './clock-skew';
import { probeBucket } from './privacy-probe';
import type { S3ClientFactory, S3ConnectionSettings, S3Credentials } from './s3-client-factory';

/**
 * The S3 calls of a connection test (accounts/connection-tester.ts), over one client: it changes nothing on the
 * storage. The tester decides what the answers mean.
 */
export interface TestConnection {
  /** The `Date` header of the latest response this connection received (errors included), or null. */
  latestServerDate(): ServerDateReading | null;
  /** Lists the buckets the key may see, sorted; a refusal is returned, not thrown. */
  listBuckets(): Promise<{ ok: true; names: string[] } | { ok: false; error: unknown }>;
  /** Lists at most one key of the bucket: resolves when the bucket can be read, else throws the provider's error. */
  reachBucket(name: string): Promise<void>;
  /** Asks the bucket the privacy probe's read-only questions. */
  probeBucket(name: string, provider: ProviderId): Promise<BucketAnswers>;
}

/**
 * Opens a connection for a test: one attempt and short timeouts, with `systemClockOffset` (server time minus
 * local time, in ms) applied when signing. The server's `Date` headers are recorded against the local clock.
 */
export function openTestConnection(
  factory: S3ClientFactory,
  settings: S3ConnectionSettings,
  credentials: S3Credentials,
  systemClockOffset: number,
  clock: Clock,
): TestConnection {
  const client: S3Client = factory.create(settings, credentials, { systemClockOffset, purpose: 'test' });
  const dates = captureServerDate(client, clock);
  return {
    latestServerDate: () => dates.latest(),
    listBuckets: () => listBuckets(client),
    reachBucket: async (name) => {
      await client.send(new ListObjectsV2Command({ Bucket: name, MaxKeys: 1 }));
    },
    probeBucket: (name, provider) => probeBucket(client, name, provider),
  };
}

async function listBuckets(
  client: S3Client,
): Promise<{ ok: true; names: string[] } | { ok: false; error: unknown }> {
  try {
    const names: string[] = [];
    let token: string | undefined;
    // Bounded, in case a provider keeps answering with a continuation token.
    for (let page = 0; page === 0 || (token && page < 100); page++) {
      const answer = await client.send(new ListBucketsCommand({ ContinuationToken: token }));
      names.push(...(answer.Buckets ?? []).map((b) => b.Name ?? '').filter(Boolean));
      token = answer.ContinuationToken;
    }
    return { ok: true, names: names.sort() };
  } catch (error) {
    return { ok: false, error };
  }
}
