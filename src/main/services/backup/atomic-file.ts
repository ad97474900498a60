import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  fchmodSync,
  fsyncSync,
  openSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';

const UNIX = process.platform !== 'win32';

/**
 * Writes `bytes` to `file` so that the file is either the old one or the complete new one, readable by its owner
 * only: a temporary file in the same folder, created exclusively (O_EXCL, so never through a symlink or into a file
 * someone else made) with mode 0600, written, flushed to disk, then renamed over `file`. A rename replaces a
 * symlink at `file` itself and never writes to where it points. The folder is flushed too (Unix), so the new name
 * survives a power cut. On any failure the temporary file is removed and `file` is as it was.
 */
export function writeFileAtomic(file: string, bytes: Uint8Array): void {
  const folder = dirname(file);
  const temp = join(folder, `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (UNIX ? constants.O_NOFOLLOW : 0);
  const fd = openSync(temp, flags, 0o600);
  let renamed = false;
  try {
    try {
      // The umask may have narrowed the mode; make it exactly owner read/write.
      if (UNIX) fchmodSync(fd, 0o600);
      for (let done = 0; done < bytes.byteLength;) {
        done += writeSync(fd, bytes, done, bytes.byteLength - done);
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
    renamed = true;
    if (UNIX) syncFolder(folder);
  } finally {
    if (!renamed) {
      try {
        unlinkSync(temp);
      } catch {
        // Already gone: nothing to clean up.
      }
    }
  }
}

function syncFolder(folder: string): void {
  const fd = openSync(folder, constants.O_RDONLY);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
