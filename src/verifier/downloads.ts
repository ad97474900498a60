/**
 * GET/HEAD /downloads/{product_slug}?token=… — the spec's "Answers" table.
 *
 * Order: token (signature, slug, expiry) → where the file is (so a broken source costs no download) →
 * revocation and limit (counting) → answer. When a request counts (spec: a 302, or a 200/206 whose
 * range starts at byte 0):
 *   GET, S3/URL source, no Range or     counts (consume: revocation + limit + count, one atomic step)
 *     a Range from byte 0
 *   GET, S3/URL, Range from byte > 0    a resume: redirected without counting only within
 *                                       REDIRECT_RESUME_WINDOW_SECONDS of the link's last counted
 *                                       download, REDIRECT_RESUMES_PER_DOWNLOAD times per counted download
 *   GET, file, no Range or from 0       counts, and charges the bytes it sends to the link
 *   GET, file, Range from byte > 0      a resume: does not count, but its bytes must fit the link's
 *                                       byte budget (counted downloads × file size × 1.25), else 410
 *   (a resume of a link with no counted download yet counts, as its first download)
 *   HEAD                                never counts; still refused when revoked or when the limit is used up
 *   304 / 416 answers                   never count; refused when revoked
 * Share guard (config `shareGuard`, spec "Share guard"): after revocation, limit and budget passed, a
 * counted request and a resume record the client's network in the same atomic step; with `block` one
 * from a network beyond the link's first N is refused 403 `link_shared` and counts nothing. A HEAD never
 * records its network but is refused likewise when a GET from there would be; 304 and 416 answers (no
 * bytes of the file) neither record nor check.
 * A file transfer that breaks off gives back the bytes it did not send (state.refund), so an interrupted
 * download can always be resumed; see BYTE_BUDGET_SLACK in state/types.ts.
 */
import type { OutgoingHttpHeaders } from 'node:http';
import { lookup as mimeLookup } from 'mime-types';
import parseRange from 'range-parser';
import { pipeline } from 'node:stream/promises';

import { verifyToken, type TokenKeys, type TokenPayload } from '@shared-node/token';
import type { ShareGuardConfig } from './config';
import type { ClientNetwork } from './http/client-network';
import { attachmentDisposition, baseName } from './http/content-disposition';
import type { Exchange } from './http/exchange';
import { errorFields, type Logger } from './log';
import { openInRoot, type OpenedFile } from './sources/file';
import type { S3UrlSigner } from './sources/s3';
import { allowedRedirect } from './sources/url';
import type { NetworkGuard, VerifierState } from './state/types';

export interface DownloadDeps {
  keys: TokenKeys;
  state: VerifierState;
  signers: ReadonlyMap<string, S3UrlSigner>;
  fileRoot: string | undefined;
  allowedHosts: ReadonlySet<string>;
  presignExpirySeconds: number;
  /** Absent: the share guard is off. `clientNetwork` applies the config's `trustProxy`. */
  shareGuard?: { config: ShareGuardConfig; clientNetwork: ClientNetwork };
  logger: Logger;
  /** Unix seconds. */
  now: () => number;
}

type Gate = 'count' | 'head' | 'resume' | 'revocation-only';

/**
 * Synchronous until it needs the state or the file system: a rejected token is answered without a
 * promise (returns undefined), the rest returns the promise of the answer.
 */
export function handleDownload(
  x: Exchange,
  slug: string,
  query: string,
  deps: DownloadDeps,
): void | Promise<void> {
  x.route = '/downloads/:slug';
  const method = x.req.method;
  if (method !== 'GET' && method !== 'HEAD')
    return x.error(405, 'method_not_allowed', { allow: 'GET, HEAD' });

  const token = tokenParam(query);
  if (token === undefined) return x.error(400, 'missing_token');
  if (token === null) return x.error(400, 'malformed');

  const verified = verifyToken(token, deps.keys, { now: deps.now(), productSlug: slug });
  if (!verified.ok) return x.error(verified.status, verified.code);
  const p = verified.payload;
  x.jti = p.jti;
  x.kid = verified.kid;

  const src = p.src;
  if (src.type === 's3') {
    const signer = deps.signers.get(src.store);
    if (signer === undefined) return x.error(404, 'unknown_store');
    // Signed before counting, so a count always comes with its 302 (signing is local and cheap). A HEAD
    // gets a URL signed for HEAD: it shows the file's size and type but cannot fetch the bytes, so an
    // uncounted HEAD never hands out a download.
    const url = signer.presign(src.bucket, src.key, {
      method: x.isHead ? 'HEAD' : 'GET',
      contentDisposition: attachmentDisposition(p.filename || baseName(src.key)),
      expiresIn: deps.presignExpirySeconds,
    });
    return admit(x, p, redirectGate(x), deps).then((ok) => {
      if (ok) x.redirect(url, 'redirect');
    });
  }
  if (src.type === 'url') {
    const location = allowedRedirect(src.url, deps.allowedHosts);
    if (location === null) return x.error(403, 'url_not_allowed');
    return admit(x, p, redirectGate(x), deps).then((ok) => {
      if (ok) x.redirect(location, 'redirect');
    });
  }
  const fileRoot = deps.fileRoot;
  if (fileRoot === undefined) return x.error(404, 'source_missing');
  return fromFile(x, p, fileRoot, src.path, deps);
}

/** S3 and URL sources: HEAD checks, a Range from after byte 0 is a resume, anything else counts. */
function redirectGate(x: Exchange): Gate {
  return x.isHead ? 'head' : rangeStartsAfterZero(x.req.headers.range) ? 'resume' : 'count';
}

async function fromFile(
  x: Exchange,
  p: TokenPayload,
  fileRoot: string,
  path: string,
  deps: DownloadDeps,
): Promise<void> {
  const opened = await openInRoot(fileRoot, path);
  if (!opened.ok) {
    if (opened.status === 502)
      deps.logger.error('file source unreadable', { jti: p.jti, ...errorFields(opened.error) });
    return x.error(opened.status, opened.code);
  }
  const file = opened.file;
  let streaming = false;
  try {
    streaming = await serveFile(x, p, file, deps);
  } finally {
    // Once streaming, the read stream owns the handle and closes it when done.
    if (!streaming) await file.handle.close().catch(() => undefined);
  }
}

/**
 * The token from the query string: undefined when absent, null when given more than once (which of
 * two tokens counts would be a guess).
 */
function tokenParam(query: string): string | null | undefined {
  if (query === '') return undefined;
  // Fast path, the usual link (`token=…` alone or among plain parameters): without '%' or '+' nothing
  // needs decoding (and no leading '?', which URLSearchParams drops), so splitting on '&' and '='
  // is exactly what URLSearchParams would do.
  if (query.indexOf('%') < 0 && query.indexOf('+') < 0 && query.charCodeAt(0) !== 0x3f) {
    let found: string | undefined;
    let from = 0;
    while (from <= query.length) {
      let end = query.indexOf('&', from);
      if (end < 0) end = query.length;
      const eq = query.indexOf('=', from);
      const nameEnd = eq >= 0 && eq < end ? eq : end;
      if (nameEnd - from === 5 && query.startsWith('token', from)) {
        if (found !== undefined) return null;
        found = nameEnd === end ? '' : query.slice(nameEnd + 1, end);
      }
      from = end + 1;
    }
    return found;
  }
  const params = new URLSearchParams(query);
  const all = params.getAll('token');
  if (all.length === 0) return undefined;
  if (all.length > 1) return null;
  return all[0];
}

/** The share guard's part of a state request (undefined when the guard is off). */
function networkGuard(x: Exchange, deps: DownloadDeps): NetworkGuard | undefined {
  const guard = deps.shareGuard;
  if (guard === undefined) return undefined;
  return {
    network: guard.clientNetwork(x.req.socket.remoteAddress, x.req.headers['x-forwarded-for']),
    blockBeyond: guard.config.action === 'block' ? guard.config.networks : undefined,
  };
}

/**
 * Revocation, limit, share guard and counting for one request. Returns true when the request may
 * proceed; otherwise it has already answered (403 revoked or link_shared, 410 limit_reached, 503
 * state_unavailable).
 */
async function admit(
  x: Exchange,
  p: TokenPayload,
  gate: Gate,
  deps: DownloadDeps,
  file?: { bytes: number; fileSize: number },
): Promise<boolean> {
  const state = deps.state;
  try {
    if (gate === 'count' || gate === 'resume') {
      const req = {
        jti: p.jti,
        licenseId: p.license_id,
        max: p.max,
        expires: p.expires,
        bytes: file?.bytes,
        fileSize: file?.fileSize,
        guard: networkGuard(x, deps),
      };
      const r = await (gate === 'count' ? state.consume(req) : state.resume(req));
      if (r.outcome === 'ok') return true;
      if (r.outcome === 'revoked') x.error(403, 'revoked');
      else if (r.outcome === 'shared') x.error(403, 'link_shared');
      else x.error(410, 'limit_reached');
      return false;
    }
    if (await state.isRevoked(p.jti, p.license_id)) {
      x.error(403, 'revoked');
      return false;
    }
    if (gate === 'head' && p.max !== undefined && (await state.downloads(p.jti)) >= p.max) {
      x.error(410, 'limit_reached');
      return false;
    }
    // A HEAD records nothing (as it counts nothing), but is refused where its GET would be.
    const guard =
      gate === 'head' && deps.shareGuard?.config.action === 'block' ? networkGuard(x, deps) : undefined;
    if (
      guard?.blockBeyond !== undefined &&
      !(await state.networkAllowed(p.jti, guard.network, guard.blockBeyond))
    ) {
      x.error(403, 'link_shared');
      return false;
    }
    return true;
  } catch (err) {
    deps.logger.error('state backend failed', { jti: p.jti, ...errorFields(err) });
    x.error(503, 'state_unavailable', { 'retry-after': '5' });
    return false;
  }
}

function etagMatches(header: string, etag: string): boolean {
  // If-None-Match uses the weak comparison: W/"x" matches "x".
  for (const raw of header.split(',')) {
    const tag = raw.trim();
    if (tag === '*' || tag === etag || (tag.startsWith('W/') && tag.slice(2) === etag)) return true;
  }
  return false;
}

/** Answers from an open file; true when a read stream took over the file handle. */
async function serveFile(
  x: Exchange,
  p: TokenPayload,
  file: OpenedFile,
  deps: DownloadDeps,
): Promise<boolean> {
  const src = p.src as { type: 'file'; path: string };
  const headers: OutgoingHttpHeaders = {
    etag: file.etag,
    'last-modified': file.mtime.toUTCString(),
    'accept-ranges': 'bytes',
    // Revalidate every time: the token is checked on each request, the ETag saves the bytes.
    'cache-control': 'private, no-cache',
  };

  const inm = x.req.headers['if-none-match'];
  if (inm !== undefined && etagMatches(inm, file.etag)) {
    if (await admit(x, p, 'revocation-only', deps)) {
      x.head(304, 'not_modified', headers);
      x.res.end();
    }
    return false;
  }

  let start = 0;
  let end = file.size - 1;
  let partial = false;
  const rangeHeader = x.req.headers.range;
  const ifRange = x.req.headers['if-range'];
  if (rangeHeader !== undefined && ifRangeHolds(Array.isArray(ifRange) ? ifRange[0] : ifRange, file)) {
    const ranges = parseRange(file.size, rangeHeader, { combine: true });
    if (ranges === -1) {
      if (await admit(x, p, 'revocation-only', deps)) {
        x.error(416, 'range_not_satisfiable', { ...headers, 'content-range': `bytes */${file.size}` });
      }
      return false;
    }
    // Malformed (-2), not bytes, or several ranges: RFC 9110 lets us ignore Range and send it all.
    if (ranges !== -2 && ranges.type === 'bytes' && ranges.length === 1) {
      const r = ranges[0] as parseRange.Range;
      start = r.start;
      end = r.end;
      partial = true;
    }
  }

  const gate: Gate = x.isHead ? 'head' : start > 0 ? 'resume' : 'count';
  const bytes = x.isHead || file.size === 0 ? 0 : end - start + 1;
  if (!(await admit(x, p, gate, deps, { bytes, fileSize: file.size }))) return false;

  headers['content-type'] = mimeLookup(src.path) || 'application/octet-stream';
  headers['content-disposition'] = attachmentDisposition(p.filename || baseName(src.path));
  headers['content-length'] = file.size === 0 ? 0 : end - start + 1;
  if (partial) headers['content-range'] = `bytes ${start}-${end}/${file.size}`;
  x.head(partial ? 206 : 200, partial ? 'partial' : 'file', headers);
  if (x.isHead || file.size === 0) {
    x.res.end();
    return false;
  }
  const stream = file.handle.createReadStream({ start, end, autoClose: true });
  // Not awaited by the request handler's latency measure: the transfer runs at the client's pace.
  pipeline(stream, x.res)
    .catch((err: NodeJS.ErrnoException) => {
      // A client that goes away mid-download (or is cut off by the send timeout) is normal; anything
      // else is worth a line.
      if (err.code !== 'ERR_STREAM_PREMATURE_CLOSE') {
        deps.logger.warn('file transfer failed', { jti: p.jti, ...errorFields(err) });
      }
    })
    .finally(() => {
      // Give back what was charged but never read from the file (so never sent): the client may resume.
      // Bytes read but stuck in buffers count as sent, which errs on the side of the budget.
      const unsent = bytes - stream.bytesRead;
      if (unsent > 0) {
        deps.state.refund(p.jti, unsent).catch((err: unknown) => {
          deps.logger.warn('state backend failed (refund)', { jti: p.jti, ...errorFields(err) });
        });
      }
    });
  return true;
}

/**
 * Whether a Range header asks for bytes from after byte 0 (a resume). Only its first range counts, as
 * for files; a header that is not `bytes=<first>-…` is no resume (S3 and URL sources would ignore or
 * refuse it themselves).
 */
export function rangeStartsAfterZero(range: string | undefined): boolean {
  if (range === undefined) return false;
  const m = /^\s*bytes\s*=\s*(\d+)\s*-/i.exec(range);
  return m !== null && /[1-9]/.test(m[1] as string);
}

/** If-Range: honour Range only while the client's copy is current (same ETag or same date). */
function ifRangeHolds(ifRange: string | undefined, file: OpenedFile): boolean {
  if (ifRange === undefined) return true;
  const v = ifRange.trim();
  if (v.startsWith('"') || v.startsWith('W/')) return v === file.etag;
  return v === file.mtime.toUTCString();
}
