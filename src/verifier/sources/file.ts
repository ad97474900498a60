/**
 * File sources: a path relative to the verifier's file root, opened only if its real location (all
 * symlinks resolved) is inside the real root. The token module already refuses absolute paths, `..`
 * segments, backslashes and control characters; this checks again (defence in depth) and adds what
 * only the file system knows: symlinks.
 *
 * The file is opened by its resolved path with O_NOFOLLOW, so a symlink swapped in after the check is
 * not followed either; the answer is then served from that open descriptor (size, ETag, bytes agree).
 */
import { constants, type BigIntStats } from 'node:fs';
import { open, realpath, type FileHandle } from 'node:fs/promises';
import { isAbsolute, resolve, sep } from 'node:path';

import { isSafeRelativePath } from '@shared-node/token';

export interface OpenedFile {
  handle: FileHandle;
  size: number;
  mtime: Date;
  /** Strong validator from size and modification time (nanoseconds). */
  etag: string;
}

export type OpenFileResult =
  | { ok: true; file: OpenedFile }
  | { ok: false; status: 403; code: 'path_outside_root' }
  | { ok: false; status: 404; code: 'source_missing' }
  | { ok: false; status: 502; code: 'source_unavailable'; error: NodeJS.ErrnoException };

const OUTSIDE = { ok: false, status: 403, code: 'path_outside_root' } as const;
const MISSING = { ok: false, status: 404, code: 'source_missing' } as const;
/** "Not there" as the file system says it; anything else (EACCES, EIO, EMFILE…) is the server's problem. */
const MISSING_CODES = new Set(['ENOENT', 'ENOTDIR', 'EISDIR', 'ENAMETOOLONG']);

function isInside(root: string, p: string): boolean {
  return p.startsWith(root.endsWith(sep) ? root : root + sep);
}

export function fileEtag(st: BigIntStats): string {
  return `"${st.size.toString(36)}-${st.mtimeNs.toString(36)}"`;
}

/** `root` must already be a real path (config does `realpath` at start). */
export async function openInRoot(root: string, relPath: string): Promise<OpenFileResult> {
  if (!isSafeRelativePath(relPath) || relPath.includes('\\') || isAbsolute(relPath)) return OUTSIDE;
  const joined = resolve(root, relPath);
  if (!isInside(root, joined)) return OUTSIDE;

  let real: string;
  try {
    real = await realpath(joined);
  } catch (err) {
    return failure(err as NodeJS.ErrnoException);
  }
  if (!isInside(root, real)) return OUTSIDE;

  let handle: FileHandle;
  try {
    handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (err) {
    // ELOOP: the last component became a symlink between realpath and open.
    if ((err as NodeJS.ErrnoException).code === 'ELOOP') return OUTSIDE;
    return failure(err as NodeJS.ErrnoException);
  }
  try {
    const st = await handle.stat({ bigint: true });
    if (!st.isFile()) {
      await handle.close();
      return MISSING;
    }
    return {
      ok: true,
      file: { handle, size: Number(st.size), mtime: new Date(Number(st.mtimeMs)), etag: fileEtag(st) },
    };
  } catch (err) {
    await handle.close().catch(() => undefined);
    return failure(err as NodeJS.ErrnoException);
  }
}

function failure(err: NodeJS.ErrnoException): OpenFileResult {
  // ELOOP here is a symlink loop: nothing to serve.
  if (err.code !== undefined && (MISSING_CODES.has(err.code) || err.code === 'ELOOP')) return MISSING;
  return { ok: false, status: 502, code: 'source_unavailable', error: err };
}
