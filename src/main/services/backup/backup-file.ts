/**
 * The encrypted container of a Signet backup, version 1. Everything after the header is AES-256-GCM ciphertext
 * under a key derived from the passphrase with scrypt; the header is authenticated as the cipher's additional
 * data, so a changed byte anywhere (header, ciphertext or tag) makes the file refuse to open.
 *
 *   offset  bytes  field
 *        0      8  magic "SIGNETBK"
 *        8      1  format version (1)
 *        9      1  key derivation: 1 = scrypt
 *       10      1  scrypt log2(N) (17: N = 131072)
 *       11      1  scrypt r (8)
 *       12      1  scrypt p (1)
 *       13      1  cipher: 1 = AES-256-GCM
 *       14     16  scrypt salt (random)
 *       30     12  GCM nonce (random, one per file)
 *       42      …  ciphertext
 *   end-16     16  GCM tag
 *
 * The passphrase is taken as UTF-8 of its NFC form, so the same words typed on macOS and Linux open the file.
 * Only Node's crypto is used. A header's KDF parameters are bounded before they are used (a crafted file cannot
 * make the restore allocate more than MAX_KDF_MEMORY).
 */
import { createCipheriv, createDecipheriv, randomBytes, scrypt, type ScryptOptions } from 'node:crypto';

export const BACKUP_MAGIC = 'SIGNETBK';
export const BACKUP_FILE_VERSION = 1;
const KDF_SCRYPT = 1;
const CIPHER_AES_256_GCM = 1;
const SALT_BYTES = 16;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
export const HEADER_BYTES = 8 + 1 + 1 + 3 + 1 + SALT_BYTES + NONCE_BYTES;

export interface KdfParams {
  /** log2 of scrypt's cost N. */
  log2N: number;
  r: number;
  p: number;
}

/** What a backup is written with: 128 · N · r = 128 MiB of memory, about half a second on a laptop. */
export const DEFAULT_KDF: Readonly<KdfParams> = { log2N: 17, r: 8, p: 1 };
/** The most memory a header may ask scrypt for (N = 2^20 at r = 8). */
const MAX_KDF_MEMORY = 1024 * 1024 * 1024;

export interface BackupHeader {
  version: number;
  kdf: KdfParams;
  salt: Buffer;
  nonce: Buffer;
}

/** Why a file does not open; `message` is a plain sentence for the shop owner. */
export type BackupFileProblem = 'not-a-backup' | 'newer-version' | 'damaged' | 'wrong-passphrase';

export class BackupFileError extends Error {
  constructor(
    readonly problem: BackupFileProblem,
    message: string,
  ) {
    super(message);
    this.name = 'BackupFileError';
  }
}

const NOTHING_CHANGED = 'Nothing was changed.';

/** Whether scrypt may run with these parameters (also what a header is checked against). */
export function kdfProblem(kdf: KdfParams): string | null {
  const { log2N, r, p } = kdf;
  if (!Number.isInteger(log2N) || log2N < 10 || log2N > 24) return `scrypt log2(N) ${log2N} is out of range`;
  if (!Number.isInteger(r) || r < 1 || r > 255) return `scrypt r ${r} is out of range`;
  if (!Number.isInteger(p) || p < 1 || p > 16) return `scrypt p ${p} is out of range`;
  if (kdfMemory(kdf) > MAX_KDF_MEMORY) return 'scrypt would need more than 1 GiB of memory';
  return null;
}

function kdfMemory({ log2N, r }: KdfParams): number {
  return 128 * 2 ** log2N * r;
}

export function encodeHeader(header: BackupHeader): Buffer {
  const out = Buffer.alloc(HEADER_BYTES);
  out.write(BACKUP_MAGIC, 0, 'ascii');
  out[8] = header.version;
  out[9] = KDF_SCRYPT;
  out[10] = header.kdf.log2N;
  out[11] = header.kdf.r;
  out[12] = header.kdf.p;
  out[13] = CIPHER_AES_256_GCM;
  header.salt.copy(out, 14);
  header.nonce.copy(out, 14 + SALT_BYTES);
  return out;
}

/** Reads and checks the header; throws BackupFileError saying what is wrong with the file. */
export function parseHeader(file: Uint8Array): BackupHeader {
  const bytes = Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  if (bytes.length < BACKUP_MAGIC.length || bytes.toString('ascii', 0, 8) !== BACKUP_MAGIC) {
    throw new BackupFileError(
      'not-a-backup',
      `This file is not a Signet backup (it does not start the way Signet writes backups). ${NOTHING_CHANGED}`,
    );
  }
  if (bytes.length < HEADER_BYTES + TAG_BYTES) throw damaged('it ends before its header does');
  const version = bytes[8]!;
  if (version > BACKUP_FILE_VERSION) {
    throw new BackupFileError(
      'newer-version',
      `This backup was made by a newer version of Signet (file format ${version}; this one reads ${BACKUP_FILE_VERSION}). Update Signet, then restore it. ${NOTHING_CHANGED}`,
    );
  }
  if (version < 1) throw damaged(`its format number ${version} does not exist`);
  if (bytes[9] !== KDF_SCRYPT) throw damaged(`its key derivation ${bytes[9]} is not one Signet knows`);
  if (bytes[13] !== CIPHER_AES_256_GCM) throw damaged(`its cipher ${bytes[13]} is not one Signet knows`);
  const kdf = { log2N: bytes[10]!, r: bytes[11]!, p: bytes[12]! };
  const problem = kdfProblem(kdf);
  if (problem) throw damaged(`its header is not valid: ${problem}`);
  return {
    version,
    kdf,
    salt: Buffer.from(bytes.subarray(14, 14 + SALT_BYTES)),
    nonce: Buffer.from(bytes.subarray(14 + SALT_BYTES, HEADER_BYTES)),
  };
}

function damaged(why: string): BackupFileError {
  return new BackupFileError('damaged', `The backup file is damaged: ${why}. ${NOTHING_CHANGED}`);
}

/** scrypt with the header's parameters; maxmem leaves room above 128 · N · r, which Node checks against. */
function deriveKey(passphrase: string, salt: Buffer, kdf: KdfParams): Promise<Buffer> {
  const options: ScryptOptions = {
    N: 2 ** kdf.log2N,
    r: kdf.r,
    p: kdf.p,
    maxmem: 2 * kdfMemory(kdf) + 1024 * 1024,
  };
  const secret = Buffer.from(passphrase.normalize('NFC'), 'utf8');
  return new Promise((resolve, reject) =>
    scrypt(secret, salt, KEY_BYTES, options, (err, key) => {
      secret.fill(0);
      if (err) reject(err);
      else resolve(key);
    }),
  );
}

/** Encrypts a backup's contents into the file's bytes (a fresh salt and nonce every time). */
export async function sealBackup(
  plaintext: Uint8Array,
  passphrase: string,
  kdf: KdfParams = DEFAULT_KDF,
): Promise<Buffer> {
  const problem = kdfProblem(kdf);
  if (problem) throw new Error(`Backup key derivation: ${problem}`);
  const salt = randomBytes(SALT_BYTES);
  const nonce = randomBytes(NONCE_BYTES);
  const header = encodeHeader({ version: BACKUP_FILE_VERSION, kdf, salt, nonce });
  const key = await deriveKey(passphrase, salt, kdf);
  try {
    const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
    cipher.setAAD(header);
    const body = [cipher.update(plaintext), cipher.final()];
    return Buffer.concat([header, ...body, cipher.getAuthTag()]);
  } finally {
    key.fill(0);
  }
}

/**
 * Checks the header, derives the key and decrypts; the plaintext is returned only once the tag has been
 * verified. Throws BackupFileError: not a backup, a newer format, a damaged header, or (the tag does not match)
 * a wrong passphrase or a file changed after it was written, which GCM cannot tell apart.
 */
export async function openBackupFile(file: Uint8Array, passphrase: string): Promise<Buffer> {
  const header = parseHeader(file);
  const bytes = Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  const key = await deriveKey(passphrase, header.salt, header.kdf);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, header.nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(bytes.subarray(0, HEADER_BYTES));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    const head = decipher.update(bytes.subarray(HEADER_BYTES, bytes.length - TAG_BYTES));
    let tail: Buffer;
    try {
      tail = decipher.final();
    } catch {
      head.fill(0);
      throw new BackupFileError(
        'wrong-passphrase',
        `The passphrase is wrong, or the backup file was changed or damaged after it was written. ${NOTHING_CHANGED}`,
      );
    }
    return tail.length === 0 ? head : Buffer.concat([head, tail]);
  } finally {
    key.fill(0);
  }
}
