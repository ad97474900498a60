/** `signet backup` and `signet restore` as the contract (../shared/spec/cli.md, Backup and restore) names them. */
import { describe, expect, it } from 'vitest';
import { parseCommandLine, UsageError, type ParseResult } from '../../src/cli/args';

function parse(argv: string[]): ParseResult {
  return parseCommandLine(argv);
}

function usageMessage(argv: string[]): string {
  const err = (() => {
    try {
      parse(argv);
      return null;
    } catch (e) {
      return e;
    }
  })();
  expect(err).toBeInstanceOf(UsageError);
  return (err as UsageError).message;
}

describe('signet backup and restore arguments', () => {
  it('parses the contract’s flags, anywhere after the command word', () => {
    expect(parse(['backup', '--out', 'shop.signetbackup', '--passphrase-stdin', '--json'])).toMatchObject({
      kind: 'run',
      command: { name: 'backup' },
      values: { out: 'shop.signetbackup', 'passphrase-stdin': true, json: true },
      positionals: [],
    });
    expect(parse(['restore', '--replace', 'shop.signetbackup', '--passphrase-stdin'])).toMatchObject({
      kind: 'run',
      command: { name: 'restore' },
      values: { replace: true, 'passphrase-stdin': true },
      positionals: ['shop.signetbackup'],
    });
  });

  it('refuses a missing FILE, a second FILE, and a passphrase on the command line', () => {
    expect(usageMessage(['restore', '--passphrase-stdin'])).toBe(
      'signet restore: needs FILE (the backup to restore)',
    );
    expect(usageMessage(['restore', 'a', 'b', '--passphrase-stdin'])).toMatch(/unexpected argument “b”/);
    expect(usageMessage(['backup', '--out', 'f', '--passphrase', 'hunter2hunter2'])).toMatch(
      /unknown flag --passphrase /,
    );
    expect(usageMessage(['backup', '--out', 'f', '--replace'])).toMatch(/unknown flag --replace/);
  });

  it('documents every flag in --help and lists both commands in the main usage', () => {
    const help = (argv: string[]) => {
      const r = parse(argv);
      expect(r.kind).toBe('help');
      return (r as Extract<ParseResult, { kind: 'help' }>).text;
    };
    const backup = help(['backup', '--help']);
    expect(backup).toContain('Usage: signet backup --out FILE --passphrase-stdin [--json] [--data-dir DIR]');
    expect(backup).toMatch(/--out FILE\s+where to write the backup \(mode 0600/);
    expect(backup).toMatch(/--passphrase-stdin\s+read the passphrase/);
    const restore = help(['restore', '--help']);
    expect(restore).toContain(
      'Usage: signet restore FILE --passphrase-stdin [--replace] [--json] [--data-dir DIR]',
    );
    expect(restore).toMatch(/--replace\s+replace the accounts/);
    const main = help(['--help']);
    expect(main).toMatch(/^ {2}backup {11}Writes an encrypted backup/m);
    expect(main).toMatch(/^ {2}restore {10}Restores a backup/m);
  });
});
