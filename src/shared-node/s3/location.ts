/**
 * Where an object lives for a storage account: scheme, Host header and wire path. Pure (no Node, no SDK),
 * so it serves plain (anonymous) URLs of public objects as well as pre-signed ones: the verifier and the
 * app hand its host and path to SigV4QuerySigner (sigv4.ts), which signs exactly these bytes.
 * test/unit/s3-location.test.ts checks the result against the SDK's getSignedUrl.
 *
 * Addressing follows the AWS SDK: virtual-hosted (`{bucket}.{host}`) unless the account forces path style
 * (`{host}/{bucket}`), the endpoint host is an IP address, or the bucket cannot be a host name label.
 */
import { encodeKeyPath } from './encode';

export { encodeKeyPath } from './encode';

/** The account settings that decide an object's address (as stored: endpoint "" means Amazon S3). */
export interface S3LocationSettings {
  /** `http(s)://host[:port][/base/path]`, or empty for Amazon S3's regional endpoint. */
  endpoint: string;
  region: string;
  forcePathStyle: boolean;
}

export interface S3Location {
  protocol: 'https:' | 'http:';
  /** host[:port], as the Host header (the port only when not the scheme's default). */
  host: string;
  /** Percent-encoded, as on the wire (and as SigV4 signs it). */
  path: string;
}

/** An endpoint parsed once, for callers that locate many objects on one account (the verifier). */
export interface S3Endpoint {
  readonly protocol: 'https:' | 'http:';
  readonly hostname: string;
  /** `:port` when the endpoint names a non-default one, else "". */
  readonly portSuffix: string;
  /** Endpoint path prefix without a trailing slash ("" for most endpoints). */
  readonly basePath: string;
  /** Path style for every bucket: forced by the settings, or the host is an IP address. */
  readonly alwaysPathStyle: boolean;
}

const IPV4_RE = /^\d{1,3}(\.\d{1,3}){3}$/;

/** Parses the account's endpoint (empty: Amazon S3 in the account's region). Throws on a non-http(s) URL. */
export function resolveEndpoint(settings: S3LocationSettings): S3Endpoint {
  const raw = settings.endpoint.trim();
  const url = new URL(raw === '' ? `https://s3.${settings.region}.amazonaws.com` : raw);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new TypeError(`S3 endpoint must be an http(s) URL, not ${url.protocol}`);
  }
  const hostIsIp = IPV4_RE.test(url.hostname) || url.hostname.startsWith('[');
  return {
    protocol: url.protocol,
    hostname: url.hostname,
    // URL drops the scheme's default port, as the Host header does.
    portSuffix: url.port === '' ? '' : `:${url.port}`,
    basePath: url.pathname.replace(/\/+$/, ''),
    alwaysPathStyle: settings.forcePathStyle || hostIsIp,
  };
}

/** Whether the bucket can be the first label(s) of a host name (virtual-hosted style). */
function virtualHostable(bucket: string, https: boolean): boolean {
  return (
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket) &&
    !bucket.includes('..') &&
    !IPV4_RE.test(bucket) &&
    // Over https a dotted bucket would need a certificate for `a.b.s3.…`, which the endpoint's wildcard
    // certificate (`*.s3.…`, one label only) cannot cover: such buckets go path style.
    !(https && bucket.includes('.'))
  );
}

/** The location of `key` in `bucket` on a resolved endpoint (the verifier's per-request path). */
export function locateObject(endpoint: S3Endpoint, bucket: string, key: string): S3Location {
  const pathStyle = endpoint.alwaysPathStyle || !virtualHostable(bucket, endpoint.protocol === 'https:');
  return pathStyle
    ? {
        protocol: endpoint.protocol,
        host: `${endpoint.hostname}${endpoint.portSuffix}`,
        path: `${endpoint.basePath}/${bucket}/${encodeKeyPath(key)}`,
      }
    : {
        protocol: endpoint.protocol,
        host: `${bucket}.${endpoint.hostname}${endpoint.portSuffix}`,
        path: `${endpoint.basePath}/${encodeKeyPath(key)}`,
      };
}

/** Where `key` in `bucket` lives for an account with these settings. */
export function objectLocation(settings: S3LocationSettings, bucket: string, key: string): S3Location {
  return locateObject(resolveEndpoint(settings), bucket, key);
}

/** The URL of a location; `query` (without the "?", e.g. SigV4QuerySigner.sign's result) is appended as is. */
export function locationUrl(loc: S3Location, query?: string): string {
  const base = `${loc.protocol}//${loc.host}${loc.path}`;
  return query ? `${base}?${query}` : base;
}
