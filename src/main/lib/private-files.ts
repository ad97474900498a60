import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';

/**
 * The data folder holds the ledger (customer emails, orders) and the catalog of every file: on Unix it is the
 * owner's alone, whatever the umask or an older Signet left. Windows keeps files private through the profile
 * folder's ACLs, and chmod there changes only the read-only bit: nothing to do.
 */
const UNIX = process.platform !== 'win32';

/** Creates the data folder if needed and makes it 0700. */
export function preparePrivateFolder(folder: string): void {
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  if (UNIX) chmodSync(folder, 0o700);
}

/**
 * Before SQLite opens `file`: creates it empty with mode 0600 (SQLite gives its -wal and -shm files the mode of
 * the database), and makes an existing one 0600. In-memory databases have no file.
 */
export function createPrivateDatabaseFile(file: string): void {
  if (!UNIX || isInMemory(file)) return;
  if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
  chmodSync(file, 0o600);
}

/** After WAL is on: the -wal and -shm files an older Signet made with wider modes become 0600 too. */
export function restrictDatabaseSideFiles(file: string): void {
  if (!UNIX || isInMemory(file)) return;
  for (const side of [`${file}-wal`, `${file}-shm`]) {
    try {
      chmodSync(side, 0o600);
    } catch (err) {
      // Absent until SQLite needs it (a read-only open, or a checkpoint removed it): nothing to restrict.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}

function isInMemory(file: string): boolean {
  return file === '' || file === ':memory:' || file.startsWith('file::memory:');
}
