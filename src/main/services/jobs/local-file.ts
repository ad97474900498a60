import { createHash } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';

/** A file as an upload was planned: its path, and its size and modification time then. */
export interface PlannedFile {
  path: string;
  size: number;
  /** null for items of jobs written before Signet recorded it (size is then the only check). */
  mtimeMs: number | null;
}

/** Opening without O_NONBLOCK would wait for a writer on a named pipe; on a regular file it changes nothing. */
const READ_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/** What a path is when it is not a regular file, in the owner's words. */
function kindOf(st: Stats): string | null {
  if (st.isFile()) return null;
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** Why the file cannot be uploaded as planned, or null when it is the same regular file. */
export function fileProblem(file: PlannedFile, st: Stats): string | null {
  const kind = kindOf(st);
  if (kind !== null) {
    return `“${file.path}” is ${kind} now, not a regular file, so Signet did not read it. Choose the file itself, then upload again.`;
  }
  if (st.size !== file.size || (file.mtimeMs !== null && st.mtimeMs !== file.mtimeMs)) {
    const what =
      st.size !== file.size
        ? `its size went from ${file.size.toLocaleString('en-US')} to ${st.size.toLocaleString('en-US')} bytes`
        : 'it was modified';
    return `“${file.path}” changed after the upload was planned (${what}), so it was not uploaded. Upload it again to send the version it has now.`;
  }
  return null;
}

/**
 * A planned file opened for upload, or the reason it cannot be: the path is stat-ed again (a named pipe, a device
 * or a folder is never opened), opened without blocking, and the open file checked once more (the path may have
 * been swapped in between). Only the planned number of bytes is ever read from it.
 */
export async function openPlanned(
  file: PlannedFile,
): Promise<{ ok: true; handle: FileHandle } | { ok: false; reason: string }> {
  const before = fileProblem(file, await stat(file.path));
  if (before) return { ok: false, reason: before };
  const handle = await open(file.path, READ_FLAGS);
  try {
    const now = fileProblem(file, await handle.stat());
    if (now) {
      await handle.close();
      return { ok: false, reason: now };
    }
  } catch (err) {
    await handle.close();
    throw err;
  }
  return { ok: true, handle };
}

/**
 * The file's bytes, exactly its planned size: a file that became shorter, or changed while it was read (size or
 * modification time), answers its reason instead.
 */
export async function readPlanned(
  handle: FileHandle,
  file: PlannedFile,
): Promise<{ ok: true; bytes: Buffer } | { ok: false; reason: string }> {
  const bytes = Buffer.allocUnsafe(file.size);
  let done = 0;
  while (done < file.size) {
    const { bytesRead } = await handle.read(bytes, done, file.size - done, done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  const after = fileProblem(file, await handle.stat());
  if (after) return { ok: false, reason: after };
  if (done !== file.size) {
    return {
      ok: false,
      reason: `“${file.path}” changed while Signet read it, so it was not uploaded. Upload it again.`,
    };
  }
  return { ok: true, bytes };
}

/** A stream of the file's planned bytes (no more, whatever is appended meanwhile); the handle stays open. */
export function streamPlanned(handle: FileHandle, file: PlannedFile): Readable {
  return handle.createReadStream({ start: 0, end: Math.max(0, file.size - 1), autoClose: false });
}

/**
 * The ETag S3 gives an upload of these bytes as Signet sends them: the MD5 of the content for one PutObject, else
 * the MD5 of the parts' MD5s and `-N` (parts of `partSize`). For telling an earlier upload of this very file from
 * another object at its key; read in parts, never whole.
 */
export async function uploadEtag(handle: FileHandle, size: number, partSize: number): Promise<string> {
  const chunk = Buffer.allocUnsafe(Math.min(partSize, Math.max(size, 1)));
  if (size <= partSize) {
    const whole = createHash('md5');
    for (let at = 0; at < size;) {
      const { bytesRead } = await handle.read(chunk, 0, Math.min(chunk.length, size - at), at);
      if (bytesRead === 0) break;
      whole.update(chunk.subarray(0, bytesRead));
      at += bytesRead;
    }
    return whole.digest('hex');
  }
  const parts = createHash('md5');
  let n = 0;
  for (let start = 0; start < size; start += partSize) {
    const part = createHash('md5');
    const end = Math.min(size, start + partSize);
    for (let at = start; at < end;) {
      const { bytesRead } = await handle.read(chunk, 0, Math.min(chunk.length, end - at), at);
      if (bytesRead === 0) break;
      part.update(chunk.subarray(0, bytesRead));
      at += bytesRead;
    }
    parts.update(part.digest());
    n++;
  }
  return `${parts.digest('hex')}-${n}`;
}
