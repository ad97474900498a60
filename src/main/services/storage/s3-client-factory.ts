import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { PROVIDERS, type ProviderId } from '@shared/accounts/providers';

/** The non-secret settings an S3 client needs. */
export interface S3ConnectionSettings {
  provider: ProviderId;
  endpoint: string;
  region: string;
  forcePathStyle: boolean;
}

/** Read from the keychain just before use; never stored anywhere else. */
export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface S3ClientOptions {
  /**
   * Storage server time minus local time, in ms. The SDK adds it to the local clock when signing, so requests
   * and pre-signed links carry the server's idea of "now" even when this computer's clock is off.
   */
  systemClockOffset?: number;
  /**
   * `test`: one attempt and short timeouts, so a connection test answers quickly with the first real error
   * (the tester retries clock skew itself). `transfer`: the SDK's normal retries.
   */
  purpose?: 'test' | 'transfer';
}

/** Builds S3 clients for accounts; injected so tests can point clients at reconstructed provider answers. */
export interface S3ClientFactory {
  create(settings: S3ConnectionSettings, credentials: S3Credentials, options?: S3ClientOptions): S3Client;
}

const TEST_TIMEOUTS = { connectionTimeout: 5_000, requestTimeout: 15_000 };

/** The SDK configuration for an account (pure, so it is unit-tested without making a client). */
export function s3ClientConfig(
  settings: S3ConnectionSettings,
  credentials: S3Credentials,
  options: S3ClientOptions = {},
): S3ClientConfig {
  const preset = PROVIDERS[settings.provider];
  const endpoint = settings.endpoint.trim();
  const config: S3ClientConfig = {
    region: settings.region,
    forcePathStyle: settings.forcePathStyle,
    credentials: {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      ...(credentials.sessionToken ? { sessionToken: credentials.sessionToken } : {}),
    },
    systemClockOffset: options.systemClockOffset ?? 0,
  };
  if (endpoint) config.endpoint = endpoint;
  // Only Amazon understands the SDK's default CRC checksums on every request and response; R2, B2, GCS, Ceph and
  // friends reject or mangle them, so elsewhere checksums are sent and checked only where the API requires them.
  if (!preset.isAws || (endpoint && !isAmazonHost(endpoint))) {
    config.requestChecksumCalculation = 'WHEN_REQUIRED';
    config.responseChecksumValidation = 'WHEN_REQUIRED';
  }
  if (options.purpose === 'test') {
    config.maxAttempts = 1;
    config.requestHandler = TEST_TIMEOUTS;
  } else if (options.purpose === 'transfer') {
    // The standard strategy retries throttling (503 SlowDown), 5xx and connection resets with exponential
    // backoff and full jitter; five attempts ride out a provider's brief rate limiting during a long sync.
    config.maxAttempts = 5;
    config.retryMode = 'standard';
  }
  return config;
}

function isAmazonHost(endpoint: string): boolean {
  try {
    return /(^|\.)amazonaws\.com(\.cn)?$/i.test(new URL(endpoint).hostname);
  } catch {
    return false;
  }
}

/** The real factory. `overrides` lets tests swap the transport (e.g. a handler replaying reconstructed answers). */
export class SdkS3ClientFactory implements S3ClientFactory {
  constructor(private readonly overrides: Partial<S3ClientConfig> = {}) {}

  create(
    settings: S3ConnectionSettings,
    credentials: S3Credentials,
    options: S3ClientOptions = {},
  ): S3Client {
    return new S3Client({ ...s3ClientConfig(settings, credentials, options), ...this.overrides });
  }
}
