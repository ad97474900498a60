import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  BACKUP_FILE_VERSION,
  BackupFileError,
  DEFAULT_KDF,
  encodeHeader,
  HEADER_BYTES,
  openBackupFile,
  parseHeader,
  sealBackup,
  type KdfParams,
} from '../../src/main/services/backup/backup-file';

/** Cheap parameters: the format is the same, scrypt just does less work. */
const FAST: KdfParams = { log2N: 10, r: 8, p: 1 };
const PASS = 'correct horse battery staple';
const TAG_BYTES = 16;

async function problemOf(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BackupFileError);
  return (err as BackupFileError).problem;
}

function flipped(bytes: Buffer, at: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[at] = copy[at]! ^ 0x01;
  return copy;
}

describe('backup file format (version 1)', () => {
  it('writes the stated header: magic, version, scrypt N/r/p, AES-256-GCM, a 16-byte salt and a 12-byte nonce', async () => {
    const file = await sealBackup(Buffer.from('hello'), PASS);
    expect(file.toString('ascii', 0, 8)).toBe('SIGNETBK');
    expect([...file.subarray(8, 14)]).toEqual([1, 1, 17, 8, 1, 1]);
    expect(DEFAULT_KDF).toEqual({ log2N: 17, r: 8, p: 1 });
    const header = parseHeader(file);
    expect(header).toMatchObject({ version: BACKUP_FILE_VERSION, kdf: DEFAULT_KDF });
    expect(header.salt).toHaveLength(16);
    expect(header.nonce).toHaveLength(12);
    expect(HEADER_BYTES).toBe(42);
    // Header, then the 5 bytes of ciphertext, then the tag.
    expect(file).toHaveLength(HEADER_BYTES + 5 + TAG_BYTES);
    expect(await openBackupFile(file, PASS)).toEqual(Buffer.from('hello'));
  });

  it('round-trips any bytes, with a fresh salt and nonce every time', async () => {
    const plain = randomBytes(100_000);
    const a = await sealBackup(plain, PASS, FAST);
    const b = await sealBackup(plain, PASS, FAST);
    expect(parseHeader(a).salt.equals(parseHeader(b).salt)).toBe(false);
    expect(parseHeader(a).nonce.equals(parseHeader(b).nonce)).toBe(false);
    expect(a.subarray(HEADER_BYTES).equals(b.subarray(HEADER_BYTES))).toBe(false);
    expect((await openBackupFile(a, PASS)).equals(plain)).toBe(true);
    expect((await openBackupFile(b, PASS)).equals(plain)).toBe(true);
  });

  it('keeps the plaintext out of the file', async () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    const file = await sealBackup(Buffer.from(secret.repeat(20)), PASS, FAST);
    expect(file.includes(Buffer.from(secret))).toBe(false);
    expect(file.includes(Buffer.from(secret.slice(0, 12)))).toBe(false);
  });

  it('refuses a wrong passphrase', async () => {
    const file = await sealBackup(Buffer.from('data'), PASS, FAST);
    expect(await problemOf(openBackupFile(file, 'correct horse battery stapler'))).toBe('wrong-passphrase');
    expect(await problemOf(openBackupFile(file, ''))).toBe('wrong-passphrase');
  });

  it('takes the passphrase in its NFC form (é typed as one character or as e + accent)', async () => {
    const composed = 'caf\u00e9 au lait';
    const decomposed = 'cafe\u0301 au lait';
    const file = await sealBackup(Buffer.from('data'), composed, FAST);
    expect((await openBackupFile(file, decomposed)).toString()).toBe('data');
  });

  it('detects a changed byte anywhere: every header field (authenticated as AAD), the ciphertext, the tag', async () => {
    const file = await sealBackup(randomBytes(64), PASS, FAST);
    // A flipped magic byte is "not a backup"; everything else either fails the header check or the tag.
    expect(await problemOf(openBackupFile(flipped(file, 0), PASS))).toBe('not-a-backup');
    for (let at = 8; at < file.length; at++) {
      const problem = await problemOf(openBackupFile(flipped(file, at), PASS));
      expect(['damaged', 'wrong-passphrase'], `byte ${at}`).toContain(problem);
    }
    // The nonce and salt are only checked by the tag: a changed one must still be refused.
    expect(await problemOf(openBackupFile(flipped(file, 14), PASS))).toBe('wrong-passphrase');
    expect(await problemOf(openBackupFile(flipped(file, 30), PASS))).toBe('wrong-passphrase');
    // r = 8 → 9 is a valid header: only the AAD catches it.
    expect(await problemOf(openBackupFile(flipped(file, 11), PASS))).toBe('wrong-passphrase');
  });

  it('refuses a truncated or extended file', async () => {
    const file = await sealBackup(randomBytes(64), PASS, FAST);
    expect(await problemOf(openBackupFile(file.subarray(0, file.length - 1), PASS))).toBe('wrong-passphrase');
    expect(await problemOf(openBackupFile(file.subarray(0, HEADER_BYTES + 3), PASS))).toBe('damaged');
    expect(await problemOf(openBackupFile(Buffer.concat([file, Buffer.from([0])]), PASS))).toBe(
      'wrong-passphrase',
    );
  });

  it('says what is wrong with a file that is not a backup, or from a newer Signet', async () => {
    expect(await problemOf(openBackupFile(Buffer.from('{"keys":{}}'), PASS))).toBe('not-a-backup');
    expect(await problemOf(openBackupFile(Buffer.alloc(0), PASS))).toBe('not-a-backup');
    const file = await sealBackup(Buffer.from('x'), PASS, FAST);
    const newer = Buffer.from(file);
    newer[8] = 2;
    const err = await openBackupFile(newer, PASS).catch((e: unknown) => e as BackupFileError);
    expect(err).toBeInstanceOf(BackupFileError);
    expect((err as BackupFileError).problem).toBe('newer-version');
    expect((err as BackupFileError).message).toMatch(/newer version of Signet.*Update Signet/);
    const zero = Buffer.from(file);
    zero[8] = 0;
    expect(await problemOf(openBackupFile(zero, PASS))).toBe('damaged');
  });

  it('refuses a header asking scrypt for too much memory, or for unknown algorithms, before deriving a key', async () => {
    const header = (kdf: KdfParams, kdfId = 1, cipherId = 1) => {
      const h = encodeHeader({
        version: 1,
        kdf,
        salt: randomBytes(16),
        nonce: randomBytes(12),
      });
      h[9] = kdfId;
      h[13] = cipherId;
      return Buffer.concat([h, randomBytes(40)]);
    };
    const started = Date.now();
    // 128 · 2^24 · 8 = 16 GiB: refused at once, not attempted.
    expect(() => parseHeader(header({ log2N: 24, r: 8, p: 1 }))).toThrow(/more than 1 GiB/);
    expect(() => parseHeader(header({ log2N: 30, r: 8, p: 1 }))).toThrow(/log2\(N\) 30 is out of range/);
    expect(() => parseHeader(header({ log2N: 17, r: 0, p: 1 }))).toThrow(/r 0 is out of range/);
    expect(() => parseHeader(header({ log2N: 17, r: 8, p: 200 }))).toThrow(/p 200 is out of range/);
    expect(() => parseHeader(header(DEFAULT_KDF, 2))).toThrow(/key derivation 2/);
    expect(() => parseHeader(header(DEFAULT_KDF, 1, 7))).toThrow(/cipher 7/);
    expect(await problemOf(openBackupFile(header({ log2N: 24, r: 8, p: 1 }), PASS))).toBe('damaged');
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
