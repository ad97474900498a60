import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../src/main/services/backup/atomic-file';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'signet-atomic-'));
  dirs.push(dir);
  return dir;
}

describe('writeFileAtomic (Unix modes)', () => {
  it('writes the bytes with mode 0600 and leaves no temporary file', () => {
    const dir = folder();
    const file = join(dir, 'backup.signetbackup');
    const bytes = Buffer.from('0123456789'.repeat(100_000));
    writeFileAtomic(file, bytes);
    expect(readFileSync(file).equals(bytes)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['backup.signetbackup']);
  });

  it('replaces a file that was readable by others with a 0600 one', () => {
    const dir = folder();
    const file = join(dir, 'backup.signetbackup');
    writeFileSync(file, 'old', { mode: 0o644 });
    writeFileAtomic(file, Buffer.from('new'));
    expect(readFileSync(file, 'utf8')).toBe('new');
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('replaces a symlink at the path instead of writing through it', () => {
    const dir = folder();
    const elsewhere = join(dir, 'elsewhere.txt');
    writeFileSync(elsewhere, 'do not touch', { mode: 0o644 });
    const file = join(dir, 'backup.signetbackup');
    symlinkSync(elsewhere, file);
    writeFileAtomic(file, Buffer.from('backup'));
    expect(lstatSync(file).isSymbolicLink()).toBe(false);
    expect(readFileSync(file, 'utf8')).toBe('backup');
    expect(readFileSync(elsewhere, 'utf8')).toBe('do not touch');
    expect(statSync(elsewhere).mode & 0o777).toBe(0o644);
  });

  it('on failure leaves what was there and removes its temporary file', () => {
    const dir = folder();
    const target = join(dir, 'taken');
    mkdirSync(target);
    writeFileSync(join(target, 'inside'), 'x');
    expect(() => writeFileAtomic(target, Buffer.from('backup'))).toThrow();
    expect(readdirSync(dir)).toEqual(['taken']);
    expect(readdirSync(target)).toEqual(['inside']);
    expect(() => writeFileAtomic(join(dir, 'missing', 'backup'), Buffer.from('x'))).toThrow(/ENOENT/);
  });
});
