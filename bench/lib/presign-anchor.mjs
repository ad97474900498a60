/**
 * Why the verifier pre-signs the way it does, measured: `getSignedUrl` (runs the whole client
 * middleware stack, endpoint resolution included, per URL) versus `S3RequestPresigner.presign()` on a
 * request prepared once per object (only the SigV4 query signing per URL). In-process, no network:
 * pre-signing is local.
 */
import { createHash, createHmac } from 'node:crypto';

import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl, S3RequestPresigner } from '@aws-sdk/s3-request-presigner';
import { HttpRequest } from '@smithy/protocol-http';
import { pathAliases } from '../../path-aliases.mjs';

/** SigV4 needs a sha256/hmac-sha256 constructor (the smithy Checksum shape): node:crypto behind it. */
class NodeSha256 {
  constructor(secret) {
    this.secret = secret;
    this.reset();
  }
  update(data) {
    this.hash.update(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
  }
  async digest() {
    return new Uint8Array(this.hash.digest());
  }
  reset() {
    this.hash = this.secret ? createHmac('sha256', Buffer.from(this.secret)) : createHash('sha256');
  }
}

/** The URL for a signed HttpRequest (query values escaped as SigV4 canonicalised them). */
function toUrl(req) {
  const query = Object.entries(req.query)
    .map(([k, v]) => `${encodeRfc3986(k)}=${encodeRfc3986(String(v))}`)
    .join('&');
  const port = req.port ? `:${req.port}` : '';
  return `${req.protocol}//${req.hostname}${port}${req.path}?${query}`;
}

const encodeRfc3986 = (s) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** Config shared by both ways; the endpoint is never contacted. */
export function fakeStore(endpoint) {
  return {
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'BENCHACCESSKEY', secretAccessKey: 'bench-secret-key-never-used-online' },
  };
}

export function makePreparedPresigner(store) {
  const url = new URL(store.endpoint);
  const presigner = new S3RequestPresigner({
    credentials: store.credentials,
    region: store.region,
    sha256: NodeSha256,
  });
  return async (bucket, key, filename, expiresIn) => {
    const request = new HttpRequest({
      method: 'GET',
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: `/${bucket}/${key.split('/').map(encodeRfc3986).join('/')}`,
      query: { 'response-content-disposition': `attachment; filename="${filename}"` },
      headers: { host: url.host },
    });
    return toUrl(await presigner.presign(request, { expiresIn }));
  };
}

export function makeNaivePresigner(store) {
  const client = new S3Client({
    ...store,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return (bucket, key, filename, expiresIn) =>
    getSignedUrl(
      client,
      new GetObjectCommand({
        Bucket: bucket,
        Key: key,
        ResponseContentDisposition: `attachment; filename="${filename}"`,
      }),
      { expiresIn },
    );
}

/**
 * The verifier's own signer (S3UrlSigner in src/verifier/sources/s3.ts, over objectLocation and
 * SigV4QuerySigner from src/shared-node/s3/), bundled from source into a temp folder with Vite so the bench
 * measures the code as it is now, path building included.
 */
export async function makeSignetPresigner(store, outDir) {
  const { build } = await import('vite');
  const root = new URL('../../', import.meta.url).pathname;
  await build({
    configFile: false,
    resolve: { alias: pathAliases },
    logLevel: 'silent',
    publicDir: false,
    build: {
      ssr: `${root}src/verifier/sources/s3.ts`,
      outDir,
      emptyOutDir: true,
      target: 'node22',
      rollupOptions: { output: { format: 'esm', entryFileNames: 's3.mjs' } },
    },
  });
  const { S3UrlSigner } = await import(`${outDir}/s3.mjs`);
  const signer = new S3UrlSigner({
    name: 'bench',
    endpoint: store.endpoint,
    region: store.region,
    forcePathStyle: true,
    ...store.credentials,
  });
  return async (bucket, key, filename, expiresIn) =>
    signer.presign(bucket, key, { contentDisposition: `attachment; filename="${filename}"`, expiresIn });
}

/** URLs per second for `n` sequential pre-signs (after a short warm-up), plus one sample URL. */
export async function measurePresign(presign, n = 2000) {
  for (let i = 0; i < 200; i++) await presign('shop', `warm/${i}.zip`, 'warm.zip', 300);
  const started = process.hrtime.bigint();
  let sample = '';
  for (let i = 0; i < n; i++) sample = await presign('shop', `products/file-${i}.zip`, `file-${i}.zip`, 300);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { perSec: n / seconds, sample };
}
