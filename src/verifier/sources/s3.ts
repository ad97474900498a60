/**
 * Pre-signed S3 GET (and HEAD) URLs, cheaply: the endpoint is resolved once per store at start, and each
 * request only builds the path and signs the query with SigV4QuerySigner (two SHA-256 passes; see
 * sigv4.ts for why not the SDK's presigner). A unit test checks the URLs are byte-identical to
 * getSignedUrl's.
 */
import type { StoreConfig } from '../config';
import { encodeRfc3986, SigV4QuerySigner } from './sigv4';

export { encodeRfc3986 } from './sigv4';

/** An S3 key as a URL path: every character but "/" encoded (S3 keys are a "greedy" path label). */
export function encodeKeyPath(key: string): string {
  return key.split('/').map(encodeRfc3986).join('/');
}

const IPV4_RE = /^\d{1,3}(\.\d{1,3}){3}$/;

/** Whether the bucket can be the first label of a host name (virtual-hosted style). */
function dnsCompatible(bucket: string, https: boolean): boolean {
  return (
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket) &&
    !bucket.includes('..') &&
    !IPV4_RE.test(bucket) &&
    // A dotted bucket breaks the *.s3 wildcard certificate.
    !(https && bucket.includes('.'))
  );
}

export interface PresignOptions {
  /** GET (default) or HEAD: the signature binds the method, so a HEAD URL cannot fetch the bytes. */
  method?: 'GET' | 'HEAD';
  /** Value of `response-content-disposition` (S3 then sends it as the Content-Disposition header). */
  contentDisposition?: string;
  expiresIn: number;
  /** Further query parameters to sign into the URL (tests sign getSignedUrl's `x-id` routing hint). */
  extraQuery?: Readonly<Record<string, string>>;
  /** Signing time; defaults to now. */
  signingDate?: Date;
}

export class S3UrlSigner {
  private readonly signer: SigV4QuerySigner;
  private readonly protocol: string;
  private readonly hostname: string;
  /** `:port` when the endpoint names one, else "". */
  private readonly portSuffix: string;
  /** Endpoint path prefix without a trailing slash ("" for most endpoints). */
  private readonly basePath: string;
  private readonly hostIsIp: boolean;

  constructor(readonly store: StoreConfig) {
    this.signer = new SigV4QuerySigner(
      {
        accessKeyId: store.accessKeyId,
        secretAccessKey: store.secretAccessKey,
        sessionToken: store.sessionToken,
      },
      store.region,
    );
    const endpoint = new URL(store.endpoint ?? `https://s3.${store.region}.amazonaws.com`);
    this.protocol = endpoint.protocol;
    this.hostname = endpoint.hostname;
    // URL drops the scheme's default port, as the Host header does.
    this.portSuffix = endpoint.port === '' ? '' : `:${endpoint.port}`;
    this.basePath = endpoint.pathname.replace(/\/+$/, '');
    this.hostIsIp = IPV4_RE.test(endpoint.hostname) || endpoint.hostname.startsWith('[');
  }

  presign(bucket: string, key: string, opts: PresignOptions): string {
    const pathStyle =
      this.store.forcePathStyle || this.hostIsIp || !dnsCompatible(bucket, this.protocol === 'https:');
    const host = pathStyle
      ? `${this.hostname}${this.portSuffix}`
      : `${bucket}.${this.hostname}${this.portSuffix}`;
    const path = `${this.basePath}${pathStyle ? `/${bucket}` : ''}/${encodeKeyPath(key)}`;
    const query: Record<string, string> = { ...opts.extraQuery };
    if (opts.contentDisposition !== undefined)
      query['response-content-disposition'] = opts.contentDisposition;
    const qs = this.signer.sign({
      method: opts.method ?? 'GET',
      host,
      path,
      query,
      expiresIn: opts.expiresIn,
      signingDate: opts.signingDate ?? new Date(),
    });
    return `${this.protocol}//${host}${path}?${qs}`;
  }
}
