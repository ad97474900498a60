import { Readable } from 'node:stream';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectAclCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectAclCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { HttpResponse } from '@smithy/protocol-http';
import {
  locateObject,
  locationUrl,
  objectLocation,
  resolveEndpoint,
  type S3Endpoint,
} from '@shared-node/s3/location';
import { SigV4QuerySigner } from '@shared-node/s3/sigv4';
import type { StoredGrant } from '../../repositories/catalog-repository';
import type { S3ConnectionSettings, S3Credentials } from './s3-client-factory';
import type { Clock } from '../clock';
import { offsetClock } from './clock-skew';
import { KeepAliveHead } from './anonymous-head';
import { parseListObjectsV2, type ListPageXml } from './list-objects-xml';
import { copyInParts } from './copy-in-parts';
import {
  abortedPromise,
  countingRetries,
  isPreconditionFailed,
  isNotImplemented,
  readBody,
} from './gateway-helpers';

/** How many tries a request took (the SDK retries throttling, 5xx and resets by itself): retries are counted. */
export interface Attempts {
  attempts: number;
}

/** The largest object one CopyObject may copy (S3's limit); above it, UploadPartCopy in parts. */
export const COPY_SINGLE_MAX = 5 * 1024 ** 3;
/** The part size of a copy in parts (S3 allows 10,000 parts, so a larger object gets larger parts). */
export const COPY_PART_SIZE = 512 * 1024 ** 2;
/** Multipart part size of uploads; a file up to this size goes in one PutObject. */
export const UPLOAD_PART_SIZE = 8 * 1024 * 1024;

/** What the SDK is left to read once a listing page has been read here: a valid, empty page. */
const EMPTY_LISTING = '<?xml version="1.0" encoding="UTF-8"?><ListBucketResult></ListBucketResult>';

const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';
const AUTHENTICATED_USERS = 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers';
const READS = new Set(['READ', 'FULL_CONTROL']);

/** What an object's own ACL says (bucket-wide rules are the access resolver's business). */
export interface ObjectAcl {
  access: 'public' | 'authenticated' | 'private';
  grants: StoredGrant[];
}

export interface GatewayAccount {
  id: string;
  settings: S3ConnectionSettings;
  credentials: S3Credentials;
  /** Storage server time minus local time: applied to every signature, so callers never pass a signing date. */
  clockOffsetMs: number;
}

export interface UploadOptions {
  contentType?: string;
  acl?: 'private' | 'public-read';
  /**
   * Create only: never replace an object already at the key. Sent as a conditional write (`If-None-Match: *`);
   * where the provider is not known to enforce it, a HEAD right before the write (and before a multipart
   * upload's completion) checks too. An object in the way throws KeyExistsError.
   */
  ifAbsent?: boolean;
  onProgress?: (loaded: number, total: number | null) => void;
  signal?: AbortSignal;
}

/** An upload with `ifAbsent` found an object at its key (412 Precondition Failed, or the HEAD before it): nothing was written. */
export class KeyExistsError extends Error {
  constructor(
    readonly bucket: string,
    readonly key: string,
  ) {
    super(`“${key}” already exists in “${bucket}”.`);
    this.name = 'KeyExistsError';
  }
}

/**
 * Providers documented to enforce `If-None-Match: *` on PutObject and CompleteMultipartUpload: Amazon S3 (since
 * August 2024) and Cloudflare R2. Ceph's RGW (the test rig, 16.2) enforces it on PutObject and ignores it on
 * CompleteMultipartUpload; MinIO documents both; B2, Google Cloud Storage's XML API, Wasabi and Spaces do not say.
 * For every provider but these two (`custom` may be any server), a HEAD right before the write checks as well:
 * it leaves a moment for another writer, which the conditional header closes where the server honours it.
 */
const ENFORCES_IF_NONE_MATCH: ReadonlySet<string> = new Set(['aws', 'r2']);
/**
 * Where CompleteMultipartUpload is sent the header too: the two above, and `custom` (MinIO enforces it, Ceph ignores
 * it). A provider whose documentation does not say might refuse an unknown header there (501), and a multipart
 * upload's parts cannot be sent again from a stream that was read: there the HEAD before completion is the check.
 */
const CONDITIONAL_COMPLETE: ReadonlySet<string> = new Set(['aws', 'r2', 'custom']);

/** An anonymous GET's answer: the HTTP status, or 0 when nothing answered. */
export interface AnonymousAnswer {
  status: number;
}

/**
 * The only place that talks S3, one per account. It owns what every call must get right: the account's clock
 * offset (requests through the SDK's systemClockOffset, pre-signed URLs through the shared SigV4 signer with the
 * corrected clock), checksums only where required (the client factory's setting, which R2, B2 and Ceph need),
 * and retries with backoff and jitter (the client's standard retry strategy: throttling, 5xx, resets).
 */
export class StorageGateway {
  private readonly signer: SigV4QuerySigner;
  private readonly signingClock: Clock;
  /** Stranger HEADs on kept-alive connections, unless a fetch is given (tests): see anonymous-head.ts. */
  private readonly heads: KeepAliveHead | null;
  /** The account's endpoint, parsed on the first stranger HEAD (a sync asks one per file). */
  private endpoint: S3Endpoint | null = null;

  constructor(
    private readonly client: S3Client,
    readonly account: GatewayAccount,
    clock: Clock,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {
    // A fetch given in place of the global one (tests) answers HEADs too.
    this.heads = fetchImpl === fetch ? new KeepAliveHead() : null;
    this.signer = new SigV4QuerySigner(account.credentials, account.settings.region);
    this.signingClock = offsetClock(clock, account.clockOffsetMs);
  }

  /** One listing page (up to 1,000 keys) under a prefix; `next` is null after the last page. */
  async list(
    bucket: string,
    prefix: string,
    cursor: string | null,
    signal?: AbortSignal,
  ): Promise<ListPageXml> {
    const command = new ListObjectsV2Command({
      Bucket: bucket,
      Prefix: prefix || undefined,
      ContinuationToken: cursor ?? undefined,
      MaxKeys: 1000,
    });
    // The SDK sends, signs, retries and reads error answers; a successful page's body is read here instead of by
    // the SDK (list-objects-xml.ts says why), innermost in the deserialize step so each retry reads its own answer.
    let page: ListPageXml | null = null;
    command.middlewareStack.add(
      (next) => async (args) => {
        const result = await next(args);
        const response = result.response as HttpResponse;
        if (response.statusCode >= 200 && response.statusCode < 300) {
          page = parseListObjectsV2(await readBody(response.body));
          response.body = Readable.from([EMPTY_LISTING]);
        }
        return result;
      },
      { step: 'deserialize', priority: 'low', name: 'signetListingReader' },
    );
    await this.client.send(command, { abortSignal: signal });
    if (page === null) throw new Error('The storage answered a listing without a page.');
    return page;
  }

  /** Reads an object's ACL and says what it grants strangers. */
  async getAcl(bucket: string, key: string, signal?: AbortSignal): Promise<ObjectAcl> {
    const out = await this.client.send(new GetObjectAclCommand({ Bucket: bucket, Key: key }), {
      abortSignal: signal,
    });
    let access: ObjectAcl['access'] = 'private';
    const grants: StoredGrant[] = [];
    for (const g of out.Grants ?? []) {
      const permission = g.Permission ?? 'unknown';
      const uri = g.Grantee?.URI;
      const grantee =
        uri === ALL_USERS
          ? 'Everyone (anonymous)'
          : uri === AUTHENTICATED_USERS
            ? 'Any signed-in cloud user'
            : (g.Grantee?.DisplayName ?? g.Grantee?.EmailAddress ?? g.Grantee?.ID ?? uri ?? 'unknown');
      grants.push({ grantee, permission });
      if (uri === ALL_USERS && READS.has(permission)) access = 'public';
      else if (uri === AUTHENTICATED_USERS && READS.has(permission) && access !== 'public')
        access = 'authenticated';
    }
    return { access, grants };
  }

  /** Sets an object's canned ACL: per-object access, for buckets whose privacy model is `object-acl`. */
  async setAccess(
    bucket: string,
    key: string,
    access: 'private' | 'public-read',
    signal?: AbortSignal,
  ): Promise<Attempts> {
    const out = await this.client.send(new PutObjectAclCommand({ Bucket: bucket, Key: key, ACL: access }), {
      abortSignal: signal,
    });
    return { attempts: out.$metadata.attempts ?? 1 };
  }

  async head(
    bucket: string,
    key: string,
    signal?: AbortSignal,
  ): Promise<{ size: number; etag: string; lastModified: string } | null> {
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), {
        abortSignal: signal,
      });
      return {
        size: out.ContentLength ?? 0,
        etag: (out.ETag ?? '').replaceAll('"', ''),
        lastModified: (out.LastModified ?? new Date(0)).toISOString(),
      };
    } catch (err) {
      if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return null;
      throw err;
    }
  }

  /** Throws KeyExistsError when an object is at the key. */
  private async assertAbsent(bucket: string, key: string, signal?: AbortSignal): Promise<void> {
    if (await this.head(bucket, key, signal)) throw new KeyExistsError(bucket, key);
  }

  /**
   * Uploads a stream or buffer; multipart with parts in parallel above the part size. `attempts` counts the
   * retries of every request it made (the parts' too), as a job counts retries.
   */
  async upload(
    bucket: string,
    key: string,
    body: Readable | Buffer,
    options: UploadOptions = {},
  ): Promise<{ etag: string } & Attempts> {
    const ifAbsent = options.ifAbsent === true;
    const enforced = ENFORCES_IF_NONE_MATCH.has(this.account.settings.provider);
    if (Buffer.isBuffer(body) && body.length <= UPLOAD_PART_SIZE) {
      // One request, without lib-storage's chunking machinery: most product files and images are this small.
      if (ifAbsent && !enforced) await this.assertAbsent(bucket, key, options.signal);
      const put = (conditional: boolean) =>
        this.client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: key,
            Body: body,
            ContentType: options.contentType,
            ACL: options.acl,
            ...(conditional ? { IfNoneMatch: '*' } : {}),
          }),
          { abortSignal: options.signal },
        );
      let out;
      try {
        out = await put(ifAbsent);
      } catch (err) {
        if (ifAbsent && isPreconditionFailed(err)) throw new KeyExistsError(bucket, key);
        // A server that does not implement the header refuses it (501): the HEAD is then the check.
        if (!ifAbsent || !isNotImplemented(err)) throw err;
        await this.assertAbsent(bucket, key, options.signal);
        out = await put(false);
      }
      options.onProgress?.(body.length, body.length);
      return { etag: (out.ETag ?? '').replaceAll('"', ''), attempts: out.$metadata.attempts ?? 1 };
    }
    // A large file is not sent at all when its key is taken (the completion is checked again below).
    if (ifAbsent) await this.assertAbsent(bucket, key, options.signal);
    let attempts = 1;
    const upload = new Upload({
      client: countingRetries(
        this.client,
        (retries) => (attempts += retries),
        // Right before the parts become the object: a server that ignores If-None-Match there (Ceph) is asked.
        ifAbsent && !enforced
          ? async (command) => {
              if (command instanceof CompleteMultipartUploadCommand)
                await this.assertAbsent(bucket, key, options.signal);
            }
          : undefined,
      ),
      queueSize: 4,
      partSize: UPLOAD_PART_SIZE,
      leavePartsOnError: false,
      params: {
        Bucket: bucket,
        Key: key,
        Body: body,
        ContentType: options.contentType,
        ACL: options.acl,
        // lib-storage passes its params to CompleteMultipartUpload (and to PutObject for a one-part body).
        ...(ifAbsent && CONDITIONAL_COMPLETE.has(this.account.settings.provider) ? { IfNoneMatch: '*' } : {}),
      },
    });
    if (options.onProgress) {
      upload.on('httpUploadProgress', (p) => options.onProgress!(p.loaded ?? 0, p.total ?? null));
    }
    const abort = () => void upload.abort();
    options.signal?.addEventListener('abort', abort, { once: true });
    try {
      let out;
      try {
        out = await upload.done();
      } catch (err) {
        if (ifAbsent && isPreconditionFailed(err)) throw new KeyExistsError(bucket, key);
        throw err;
      }
      const etag = (out.ETag ?? '').replaceAll('"', '');
      if (etag) return { etag, attempts };
      // Some gateways (Ceph's, seen here) answer CompleteMultipartUpload with an empty ETag: ask the object
      // itself, since later steps (verifying a copy or a move) compare ETags.
      const head = await this.head(bucket, key, options.signal);
      return { etag: head?.etag ?? '', attempts };
    } finally {
      options.signal?.removeEventListener('abort', abort);
    }
  }

  /**
   * A server-side copy (the bytes never pass through this computer). Above `multipartAbove` (5 GB, the limit of
   * one CopyObject) it copies in parts of `partSize` with UploadPartCopy, several at once (copy-in-parts.ts). Both
   * are parameters only so a test can run the parts path on megabytes; callers keep the defaults.
   */
  async copy(
    from: { bucket: string; key: string; size?: number },
    to: { bucket: string; key: string; acl?: 'private' | 'public-read' },
    signal?: AbortSignal,
    multipartAbove = COPY_SINGLE_MAX,
    partSize = COPY_PART_SIZE,
  ): Promise<{ etag: string; multipart: boolean } & Attempts> {
    const source = `${from.bucket}/${from.key.split('/').map(encodeURIComponent).join('/')}`;
    if (from.size !== undefined && from.size > multipartAbove) {
      return {
        ...(await copyInParts(
          { client: this.client, head: (b, k) => this.head(b, k) },
          { ...from, size: from.size },
          source,
          to,
          partSize,
          signal,
        )),
        multipart: true,
      };
    }
    const out = await this.client.send(
      new CopyObjectCommand({ Bucket: to.bucket, Key: to.key, CopySource: source, ACL: to.acl }),
      { abortSignal: signal },
    );
    return {
      etag: (out.CopyObjectResult?.ETag ?? '').replaceAll('"', ''),
      multipart: false,
      attempts: out.$metadata.attempts ?? 1,
    };
  }

  async delete(bucket: string, key: string, signal?: AbortSignal): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
  }

  /**
   * A pre-signed URL, signed at the storage server's idea of now (the measured offset). `query` adds signed
   * response overrides such as `response-content-disposition`.
   */
  presign(
    bucket: string,
    key: string,
    options: { expiresIn: number; method?: 'GET' | 'HEAD'; query?: Record<string, string> },
  ): string {
    const loc = objectLocation(this.account.settings, bucket, key);
    const query = this.signer.sign({
      method: options.method ?? 'GET',
      host: loc.host,
      path: loc.path,
      query: options.query ?? {},
      expiresIn: options.expiresIn,
      signingDate: this.signingClock.now(),
    });
    return locationUrl(loc, query);
  }

  /** The object's plain URL: what a stranger would use. */
  plainUrl(bucket: string, key: string): string {
    return locationUrl(objectLocation(this.account.settings, bucket, key));
  }

  /**
   * What a stranger gets: an unsigned GET of the plain URL. Only the status line is read; the body is cancelled,
   * so verifying a 4 GB file costs no more than a 4 kB one.
   */
  anonymousGet(bucket: string, key: string, signal?: AbortSignal): Promise<AnonymousAnswer> {
    return this.anonymous('GET', bucket, key, signal);
  }

  /**
   * A stranger's HEAD of the plain URL: the same answer as a GET for who may read the file (S3 checks HEAD as
   * GetObject), with no body at all. The sync and a job's proof ask this where the bucket's rule is unknown.
   */
  anonymousHead(bucket: string, key: string, signal?: AbortSignal): Promise<AnonymousAnswer> {
    return this.anonymous('HEAD', bucket, key, signal);
  }

  private async anonymous(
    method: 'GET' | 'HEAD',
    bucket: string,
    key: string,
    signal?: AbortSignal,
  ): Promise<AnonymousAnswer> {
    try {
      if (method === 'HEAD' && this.heads) {
        this.endpoint ??= resolveEndpoint(this.account.settings);
        const loc = locateObject(this.endpoint, bucket, key);
        const asked = this.heads.status(this.endpoint, loc);
        // Like fetch's HEAD below, it does not take the signal: the cancel answers at once, the request ends alone.
        return { status: await (signal ? Promise.race([asked, abortedPromise(signal)]) : asked) };
      }
      // A HEAD has no body to stop, so it does not take the signal: the cancel answers at once (the race below)
      // and the request ends on its own. Handing fetch the signal cost a sync of 5,000 stranger checks about
      // 0.8 s on the test Ceph (an abort listener per request); a GET's body must be stopped, so it keeps it.
      const res =
        method === 'HEAD' && signal
          ? await Promise.race([
              this.fetchImpl(this.plainUrl(bucket, key), { method, redirect: 'manual' }),
              abortedPromise(signal),
            ])
          : await this.fetchImpl(this.plainUrl(bucket, key), { method, redirect: 'manual', signal });
      await res.body?.cancel().catch(() => undefined);
      return { status: res.status };
    } catch (err) {
      if (signal?.aborted) throw err;
      return { status: 0 };
    }
  }

  destroy(): void {
    this.heads?.destroy();
    this.client.destroy();
  }
}
