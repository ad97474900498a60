import type { Problem, ProblemKind } from '@shared/accounts/schemas';
import { PROVIDERS, type ProviderId } from '@shared/accounts/providers';

/** What was being done when the error came, so the advice fits. */
export interface ErrorContext {
  provider: ProviderId;
  /** The address requests went to (for messages). */
  endpoint: string;
  region: string;
  /** `connect`: listing buckets; `bucket`: reading one bucket. */
  operation: 'connect' | 'bucket';
  bucket?: string;
}

/** The fields of an SDK or Node error that say what happened; read defensively, since errors are `unknown`. */
export interface ErrorFacts {
  /** S3 error code (SDK `name`/`Code`) or Node error code (ECONNREFUSED…). */
  code: string | null;
  httpStatus: number | null;
  message: string | null;
  /** Region the provider says the bucket is in (AuthorizationHeaderMalformed, x-amz-bucket-region). */
  expectedRegion: string | null;
  /** The answer's `Server` header: some storage software names itself there (MinIO does, Ceph does not). */
  server: string | null;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ECONNABORTED',
  'TimeoutError',
  'RequestTimeout',
  'AbortError',
]);

const TLS_CODES =
  /^(CERT_|ERR_TLS_|ERR_SSL_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|ERR_OSSL_)/;

/** SDK placeholders that carry no information for a person. */
const EMPTY_MESSAGES = new Set(['', 'UnknownError', 'Unknown', 'null']);

export function errorFacts(err: unknown): ErrorFacts {
  const e = (err ?? {}) as Record<string, unknown>;
  const cause = (e['cause'] ?? {}) as Record<string, unknown>;
  const metadata = (e['$metadata'] ?? {}) as Record<string, unknown>;
  const response = (e['$response'] ?? {}) as { headers?: Record<string, string>; statusCode?: number };
  const nodeCode = str(e['code']) ?? str(cause['code']);
  const name = str(e['name']);
  const s3Code = str(e['Code']) ?? (name && name !== 'Error' && name !== 'S3ServiceException' ? name : null);
  const status = num(metadata['httpStatusCode']) ?? num(response.statusCode);
  const message = str(e['message']);
  return {
    code: nodeCode ?? s3Code,
    httpStatus: status,
    message: message && !EMPTY_MESSAGES.has(message.trim()) ? message.trim() : null,
    expectedRegion: str(e['Region']) ?? str(response.headers?.['x-amz-bucket-region']) ?? null,
    server: str(response.headers?.['server']) ?? null,
  };
}

/** Turns any error from an S3 call into what happened and what to do, keeping the provider's exact answer. */
export function explainS3Error(err: unknown, ctx: ErrorContext): Problem {
  const facts = errorFacts(err);
  let kind = classify(facts);
  // Listing buckets never names a bucket: "no such bucket" there means the endpoint is not the S3 API's root
  // (a path in it is taken for a bucket name, or a web server answered 404).
  if (ctx.operation === 'connect' && kind === 'no-such-bucket') kind = 'not-s3';
  const { title, advice } = words(kind, facts, ctx);
  return {
    kind,
    code: facts.code,
    httpStatus: facts.httpStatus,
    providerMessage: facts.message,
    title,
    advice,
  };
}

export function classify(f: ErrorFacts): ProblemKind {
  const code = f.code ?? '';
  switch (code) {
    case 'InvalidAccessKeyId':
      return 'wrong-key';
    case 'SignatureDoesNotMatch':
      return 'wrong-secret';
    case 'AuthorizationHeaderMalformed':
    case 'PermanentRedirect':
    case 'IllegalLocationConstraintException':
    case 'InvalidRegion':
      return 'wrong-region';
    case 'RequestTimeTooSkewed':
      return 'clock-skew';
    case 'ExpiredToken':
    case 'TokenRefreshRequired':
    case 'InvalidToken':
      return 'expired-session';
    case 'AccessDenied':
    case 'AllAccessDisabled':
    case 'AccountProblem':
    case 'Forbidden':
      return 'access-denied';
    case 'NoSuchBucket':
      return 'no-such-bucket';
    case 'NotImplemented':
      return 'not-implemented';
  }
  if (NETWORK_CODES.has(code)) return 'network';
  if (TLS_CODES.test(code)) return 'tls';
  if (f.httpStatus === 301 || f.httpStatus === 307) return 'wrong-region';
  if (f.httpStatus === 403) return 'access-denied';
  if (f.httpStatus === 404 && code === 'NotFound') return 'no-such-bucket';
  if (f.httpStatus === 501) return 'not-implemented';
  // Something answered HTTP, but with no S3 error code: a web page, a proxy, the provider's console.
  if (f.httpStatus !== null && (code === '' || code === 'UnknownError' || code === 'SyntaxError'))
    return 'not-s3';
  if (f.httpStatus === null && /socket hang up|timed out|timeout/i.test(f.message ?? '')) return 'network';
  return 'unknown';
}

function words(kind: ProblemKind, f: ErrorFacts, ctx: ErrorContext): { title: string; advice: string } {
  const provider = PROVIDERS[ctx.provider].label;
  const host = hostOf(ctx.endpoint);
  const bucket = ctx.bucket ? `bucket “${ctx.bucket}”` : 'the bucket';
  switch (kind) {
    case 'wrong-key':
      return {
        title: `${provider} does not know this access key ID.`,
        advice:
          'Copy the access key ID again (the whole of it), and check that the key was not deleted or deactivated. ' +
          (ctx.provider === 'r2'
            ? 'For R2, the endpoint must hold the Cloudflare account ID the token belongs to.'
            : ctx.provider === 'b2'
              ? 'For Backblaze, use an application key (the master key does not work with S3) and the region of your account.'
              : ctx.provider === 'gcs'
                ? 'For Google Cloud Storage, use an HMAC key (Settings → Interoperability), not a service-account JSON key.'
                : 'Make sure the key belongs to this provider and endpoint.'),
      };
    case 'wrong-secret':
      return {
        title: 'The secret access key does not match the access key ID (wrong secret).',
        advice:
          'Paste the secret again, without spaces. It is shown only once when a key is created: if you no longer ' +
          'have it, create a new key and enter both parts.',
      };
    case 'wrong-region':
      return {
        title: f.expectedRegion
          ? `Wrong region: ${bucket === 'the bucket' ? 'the storage' : bucket} is in ${f.expectedRegion}, not ${ctx.region}.`
          : `Wrong region: ${ctx.operation === 'bucket' ? bucket : 'the storage'} is not in ${ctx.region}.`,
        advice: f.expectedRegion
          ? `Set the region to ${f.expectedRegion}${ctx.provider === 'aws' ? '' : ' (and its endpoint)'} and test again.`
          : `Set the region (and endpoint) your ${ctx.operation === 'bucket' ? 'bucket was created in' : 'account uses'}; ${provider} shows it on the bucket's page.`,
      };
    case 'clock-skew':
      return {
        title:
          "This computer's clock is too far from the storage server's time, so the server refused the request.",
        advice:
          'Turn on automatic date and time (Windows: Settings → Time & language; macOS: System Settings → General → ' +
          'Date & Time; Linux: timedatectl set-ntp true). Links signed with a wrong clock expire early or late.',
      };
    case 'expired-session':
      return {
        title: 'The temporary credentials (session token) have expired or are not valid.',
        advice:
          'Paste fresh temporary credentials, or better, use a permanent access key: links signed with temporary ' +
          'credentials stop working when the session ends.',
      };
    case 'access-denied':
      return ctx.operation === 'connect'
        ? {
            title: 'The key is valid, but it may not list buckets.',
            advice:
              'Enter the buckets you use in the account settings (a key limited to some buckets cannot list all ' +
              'of them), or allow listing buckets (s3:ListAllMyBuckets) for this key.',
          }
        : {
            title: `The key is valid, but it may not read ${bucket}.`,
            advice:
              'Give the key access to this bucket (at least s3:ListBucket, s3:GetObject, s3:PutObject and ' +
              '—for per-file access— s3:PutObjectAcl), or remove the bucket from the account.',
          };
    case 'no-such-bucket':
      return {
        title: `There is no ${bucket} at ${host || provider}.`,
        advice: 'Check the spelling, the region and the endpoint, or remove the bucket from the account.',
      };
    case 'network':
      return networkWords(f, host);
    case 'tls':
      return {
        title: `The secure connection to ${host} failed: its certificate was not accepted (${f.code}).`,
        advice:
          'Check the endpoint host name (it must match the certificate). A server with a self-signed certificate ' +
          'needs a certificate this computer trusts.',
      };
    case 'not-s3':
      return {
        title: `Something answered at ${host}${f.httpStatus ? ` (HTTP ${f.httpStatus})` : ''}, but not as S3 storage.`,
        advice: hasPath(ctx.endpoint)
          ? `Enter the endpoint without a path or bucket name (for example ${originOf(ctx.endpoint)}); buckets go in the bucket list.`
          : "Check the endpoint: it must be the storage's S3 API address (see the provider's documentation), not " +
            'its website or console address.',
      };
    case 'not-implemented':
      return {
        title: `${provider} does not support this request.`,
        advice: 'Nothing to fix on your side; Signet works around it where it can.',
      };
    case 'unknown':
      return {
        title: `The storage answered ${f.code ?? 'an error'}${f.httpStatus ? ` (HTTP ${f.httpStatus})` : ''}${f.message ? `: ${f.message}` : '.'}`,
        advice: `Check the account settings; ${provider}'s documentation of this error code says more.`,
      };
  }
}

function networkWords(f: ErrorFacts, host: string): { title: string; advice: string } {
  switch (f.code) {
    case 'ECONNREFUSED':
      return {
        title: `Nothing is listening at ${host}: the connection was refused.`,
        advice: 'Check the endpoint address and port, and that the storage server is running.',
      };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return {
        title: `The address ${host} could not be found (DNS).`,
        advice: 'Check the endpoint for typos, and that this computer is online.',
      };
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ECONNABORTED':
      return {
        title: `The connection to ${host} was cut off.`,
        advice: 'Try again; if it keeps happening, a firewall, proxy or VPN may be interfering.',
      };
    default:
      return {
        title: `${host} did not answer in time.`,
        advice: 'Check your internet connection, and any VPN, proxy or firewall; then test again.',
      };
  }
}

function hasPath(endpoint: string): boolean {
  try {
    return new URL(endpoint).pathname.replace(/\/+$/, '') !== '';
  } catch {
    return false;
  }
}

function originOf(endpoint: string): string {
  try {
    return new URL(endpoint).origin;
  } catch {
    return endpoint;
  }
}

function hostOf(endpoint: string): string {
  try {
    return new URL(endpoint).host;
  } catch {
    return endpoint;
  }
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
