/**
 * Pre-signed S3 GET (and HEAD) URLs, cheaply: the endpoint is resolved once per store at start, and each
 * request only locates the object (src/shared-node/s3/location.ts) and signs the query with SigV4QuerySigner
 * (two SHA-256 passes; see src/shared-node/s3/sigv4.ts for why not the SDK's presigner). Unit tests check the
 * URLs are byte-identical to getSignedUrl's.
 */
import { locateObject, locationUrl, resolveEndpoint, type S3Endpoint } from '@shared-node/s3/location';
import { SigV4QuerySigner } from '@shared-node/s3/sigv4';
import type { StoreConfig } from '../config';

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

/** URLs kept per signing second at most (a burst of downloads of many different files). */
const MEMO_MAX = 1024;

export class S3UrlSigner {
  private readonly signer: SigV4QuerySigner;
  private readonly endpoint: S3Endpoint;
  /**
   * URLs signed during `memoSecond`. SigV4 signs the time to the second, so signing the same object,
   * method, disposition and lifetime twice within one second gives the very same URL: under load the
   * downloads of a popular file share one signature per second, at no cost in lifetime or scope.
   */
  private memo = new Map<string, string>();
  private memoSecond = -1;

  constructor(readonly store: StoreConfig) {
    this.signer = new SigV4QuerySigner(
      {
        accessKeyId: store.accessKeyId,
        secretAccessKey: store.secretAccessKey,
        sessionToken: store.sessionToken,
      },
      store.region,
    );
    this.endpoint = resolveEndpoint({
      endpoint: store.endpoint ?? '',
      region: store.region,
      forcePathStyle: store.forcePathStyle,
    });
  }

  presign(bucket: string, key: string, opts: PresignOptions): string {
    if (opts.signingDate !== undefined || opts.extraQuery !== undefined) return this.sign(bucket, key, opts);
    const now = Date.now();
    const second = Math.floor(now / 1000);
    if (second !== this.memoSecond || this.memo.size >= MEMO_MAX) {
      this.memo.clear();
      this.memoSecond = second;
    }
    const id = `${opts.method ?? 'GET'} ${opts.expiresIn} ${bucket.length} ${bucket}${key.length} ${key}${opts.contentDisposition === undefined ? '' : `=${opts.contentDisposition}`}`;
    let url = this.memo.get(id);
    if (url === undefined) {
      url = this.sign(bucket, key, { ...opts, signingDate: new Date(now) });
      this.memo.set(id, url);
    }
    return url;
  }

  private sign(bucket: string, key: string, opts: PresignOptions): string {
    const loc = locateObject(this.endpoint, bucket, key);
    const query: Record<string, string> = { ...opts.extraQuery };
    if (opts.contentDisposition !== undefined)
      query['response-content-disposition'] = opts.contentDisposition;
    const qs = this.signer.sign({
      method: opts.method ?? 'GET',
      host: loc.host,
      path: loc.path,
      query,
      expiresIn: opts.expiresIn,
      signingDate: opts.signingDate ?? new Date(),
    });
    return locationUrl(loc, qs);
  }
}
