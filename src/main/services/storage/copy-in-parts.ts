/**
 * A server-side copy in parts, for objects above the 5 GB one CopyObject may copy: the storage gateway's copy()
 * hands such an object here. Parts go several at once; a failed copy aborts its multipart upload, so no parts
 * are left behind (and billed) on the storage.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  UploadPartCopyCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { forEachConcurrent } from '../../lib/async-queue';
import type { Attempts } from './storage-gateway';

/** What a copy in parts uses of its gateway: the account's client, and a HEAD for when no ETag comes back. */
export interface PartCopyGateway {
  client: S3Client;
  head(bucket: string, key: string): Promise<{ etag: string } | null>;
}

/**
 * UploadPartCopy copies bytes only: unlike CopyObject, the new object gets none of the source's headers. They
 * are read from the source first and given to the new upload, so a moved file keeps its Content-Type (what a
 * browser does with a download) and metadata.
 */
export async function copyInParts(
  gateway: PartCopyGateway,
  from: { bucket: string; key: string; size: number },
  source: string,
  to: { bucket: string; key: string; acl?: 'private' | 'public-read' },
  minPartSize: number,
  signal?: AbortSignal,
): Promise<{ etag: string } & Attempts> {
  const { client } = gateway;
  const { size } = from;
  const partSize = Math.max(minPartSize, Math.ceil(size / 10_000));
  const head = await client.send(new HeadObjectCommand({ Bucket: from.bucket, Key: from.key }), {
    abortSignal: signal,
  });
  const created = await client.send(
    new CreateMultipartUploadCommand({
      Bucket: to.bucket,
      Key: to.key,
      ACL: to.acl,
      ContentType: head.ContentType,
      ContentDisposition: head.ContentDisposition,
      ContentEncoding: head.ContentEncoding,
      ContentLanguage: head.ContentLanguage,
      CacheControl: head.CacheControl,
      Metadata: head.Metadata,
    }),
    { abortSignal: signal },
  );
  const uploadId = created.UploadId!;
  let attempts = 1;
  try {
    const ranges = Array.from({ length: Math.ceil(size / partSize) }, (_, i) => ({
      n: i + 1,
      from: i * partSize,
      to: Math.min(size, (i + 1) * partSize) - 1,
    }));
    const parts: { PartNumber: number; ETag: string }[] = [];
    await forEachConcurrent(
      ranges,
      4,
      async (r) => {
        const out = await client.send(
          new UploadPartCopyCommand({
            Bucket: to.bucket,
            Key: to.key,
            UploadId: uploadId,
            PartNumber: r.n,
            CopySource: source,
            CopySourceRange: `bytes=${r.from}-${r.to}`,
          }),
          { abortSignal: signal },
        );
        attempts += (out.$metadata.attempts ?? 1) - 1;
        parts.push({ PartNumber: r.n, ETag: out.CopyPartResult?.ETag ?? '' });
      },
      signal,
    );
    parts.sort((a, b) => a.PartNumber - b.PartNumber);
    const done = await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: to.bucket,
        Key: to.key,
        UploadId: uploadId,
        MultipartUpload: { Parts: parts },
      }),
      { abortSignal: signal },
    );
    const etag =
      (done.ETag ?? '').replaceAll('"', '') || ((await gateway.head(to.bucket, to.key))?.etag ?? '');
    return { etag, attempts };
  } catch (err) {
    await client
      .send(new AbortMultipartUploadCommand({ Bucket: to.bucket, Key: to.key, UploadId: uploadId }))
      .catch(() => undefined);
    throw err;
  }
}
