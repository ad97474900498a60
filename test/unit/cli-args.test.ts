/**
 * `signet` argument parsing: flags anywhere after the command words, strict flags with one-line messages that
 * name the flag (exit status 2), durations and setting values, data folder and keychain defaults.
 */
import { describe, expect, it } from 'vitest';
import {
  parseAccess,
  parseCommandLine,
  parseDuration,
  parseLinkExpiryHours,
  parseMaxDownloads,
  UsageError,
  type ParseResult,
} from '../../src/cli/args';
import { issueToUsage } from '../../src/cli/commands/accounts';
import { settingsPatchFor } from '../../src/cli/commands/settings';
import { defaultDataDir, keychainService, resolveDataDir } from '../../src/cli/services';
import { AccountCreateSchema, type AccountCreate } from '../../src/shared/accounts/schemas';

function run(argv: string[]): Extract<ParseResult, { kind: 'run' }> {
  const r = parseCommandLine(argv);
  if (r.kind !== 'run') throw new Error(`expected a command, got ${r.kind}`);
  return r;
}

/** The UsageError a parse throws: exit status 2, one line. */
function usageError(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    const e = err as UsageError;
    expect(e.exitCode).toBe(2);
    expect(e.message).not.toContain('\n');
    return e;
  }
  throw new Error('expected a UsageError');
}

describe('signet command line parsing', () => {
  it('takes flags anywhere after the command words, with the same result', () => {
    const a = run(['ls', 'shop', '--json', '--data-dir', '/d']);
    const b = run(['ls', '--data-dir', '/d', 'shop', '--json']);
    const c = run(['ls', '--json', '--data-dir=/d', 'shop']);
    for (const r of [a, b, c]) {
      expect(r.command.name).toBe('ls');
      expect(r.positionals).toEqual(['shop']);
      expect(r.values).toMatchObject({ json: true, 'data-dir': '/d' });
    }
  });

  it('accepts the common flags before the command words too', () => {
    const r = run(['--data-dir', '/d', '--json', 'accounts', 'list']);
    expect(r.command.name).toBe('accounts list');
    expect(r.values).toMatchObject({ json: true, 'data-dir': '/d' });
    expect(run(['accounts', '--json', 'list']).values['json']).toBe(true);
  });

  it('collects a repeatable flag and refuses a single one given twice', () => {
    const r = run(['accounts', 'add', '--bucket', 'a', '--name', 'n', '--bucket', 'b']);
    expect(r.values['bucket']).toEqual(['a', 'b']);
    expect(usageError(() => run(['ls', 'shop', '--bucket', 'a', '--bucket', 'b'])).message).toMatch(
      /--bucket is given more than once/,
    );
  });

  it('passes keys that look like flags after --', () => {
    const r = run(['verify', 'shop', '--json', '--', '-odd-key.zip']);
    expect(r.positionals).toEqual(['shop', '-odd-key.zip']);
  });

  it('refuses an unknown flag, naming it', () => {
    expect(usageError(() => run(['ls', 'shop', '--bogus'])).message).toBe(
      'signet ls: unknown flag --bogus (--help lists the flags)',
    );
    // Secrets never come from argv: there is no flag for one.
    expect(usageError(() => run(['accounts', 'add', '--secret', 'abc'])).message).toMatch(
      /unknown flag --secret\b/,
    );
  });

  it('refuses a flag without its value, or a value for a switch, naming the flag', () => {
    expect(usageError(() => run(['ls', 'shop', '--bucket'])).message).toMatch(/--bucket needs a value/);
    expect(usageError(() => run(['ls', 'shop', '--bucket', '--json'])).message).toMatch(
      /--bucket needs a value/,
    );
    expect(usageError(() => run(['ls', 'shop', '--json=yes'])).message).toMatch(/--json takes no value/);
  });

  it('checks the number of arguments', () => {
    expect(usageError(() => run(['accounts', 'test'])).message).toMatch(
      /signet accounts test: needs ACCOUNT/,
    );
    expect(usageError(() => run(['ls', 'a', 'b'])).message).toMatch(/unexpected argument “b”/);
    expect(run(['verify', 'shop', 'k1', 'k2']).positionals).toEqual(['shop', 'k1', 'k2']);
    expect(usageError(() => run(['settings', 'set'])).message).toMatch(/needs KEY and VALUE/);
  });

  it('refuses unknown commands and subcommands in one line', () => {
    expect(usageError(() => parseCommandLine(['frobnicate', 'shop', 'f.zip'])).message).toMatch(
      /^signet: unknown command “frobnicate”/,
    );
    expect(usageError(() => parseCommandLine(['jobs', 'pause', '3'])).message).toMatch(
      /^signet jobs: unknown subcommand “pause”/,
    );
    expect(usageError(() => parseCommandLine(['accounts', 'rename'])).message).toMatch(
      /^signet accounts: unknown subcommand “rename”/,
    );
    expect(usageError(() => parseCommandLine(['accounts'])).message).toMatch(/give a subcommand/);
    expect(usageError(() => parseCommandLine([])).message).toMatch(/give a command/);
    expect(usageError(() => parseCommandLine(['--bucket', 'x', 'ls'])).message).toMatch(
      /--bucket stands after the command words/,
    );
  });

  it('prints usage for --help on any command, even with other mistakes on the line', () => {
    const ls = parseCommandLine(['ls', '--bogus', '--help']);
    expect(ls).toMatchObject({ kind: 'help' });
    expect((ls as { text: string }).text).toMatch(/^Usage: signet ls ACCOUNT/);
    expect((ls as { text: string }).text).toMatch(/--access A/);
    const add = parseCommandLine(['accounts', 'add', '-h']) as { text: string };
    expect(add.text).toMatch(/--secret-stdin/);
    const settingsSet = parseCommandLine(['settings', 'set', '--help']) as { text: string };
    expect(settingsSet.text).toMatch(/verifier-admin-url +where its admin API answers/);
    expect(settingsSet.text).toContain('("" to use verifier-url again)');
    expect((parseCommandLine(['accounts', '--help']) as { text: string }).text).toMatch(
      /signet accounts remove ACCOUNT/,
    );
    const main = parseCommandLine(['--help']) as { text: string };
    for (const c of [
      'accounts add',
      'settings set',
      'sync',
      'ls',
      'verify',
      'keys new',
      'verifier-config',
      'link',
    ]) {
      expect(main.text).toContain(c);
    }
    for (const c of ['links batch', 'links list', 'links revoke']) expect(main.text).toContain(c);
    for (const c of ['upload', 'private', 'public', 'jobs list', 'jobs resume', 'jobs cancel'])
      expect(main.text).toContain(c);
  });

  it('knows the five access words', () => {
    expect(parseAccess('public-bucket')).toBe('public-bucket');
    expect(parseAccess('Private')).toBe('private');
    expect(usageError(() => parseAccess('secret')).message).toMatch(
      /^--access must be one of public, authenticated, public-bucket, private, unknown/,
    );
  });
});

describe('durations and setting values', () => {
  it('reads 90s, 15m, 1h, 7d and ISO 8601 date-times', () => {
    expect(parseDuration('90s')).toEqual({ kind: 'relative', seconds: 90 });
    expect(parseDuration('15m')).toEqual({ kind: 'relative', seconds: 900 });
    expect(parseDuration('1h')).toEqual({ kind: 'relative', seconds: 3600 });
    expect(parseDuration('7d')).toEqual({ kind: 'relative', seconds: 604_800 });
    expect(parseDuration('2030-01-02T03:04:05Z')).toEqual({
      kind: 'absolute',
      at: new Date('2030-01-02T03:04:05Z'),
    });
    expect(parseDuration('2030-01-02T03:04+02:00')).toEqual({
      kind: 'absolute',
      at: new Date('2030-01-02T01:04:00Z'),
    });
    for (const bad of ['', '0h', '1.5h', '1w', 'h', '-1d', '7 days', '2030-01-02', '2030-13-45T99:99Z']) {
      expect(parseDuration(bad), bad).toBeNull();
    }
  });

  it('takes link-expiry in whole hours only', () => {
    expect(parseLinkExpiryHours('1h')).toBe(1);
    expect(parseLinkExpiryHours('7d')).toBe(168);
    expect(parseLinkExpiryHours('7200s')).toBe(2);
    expect(parseLinkExpiryHours('365d')).toBe(8760);
    expect(usageError(() => parseLinkExpiryHours('90s')).message).toMatch(
      /^link-expiry .*whole number of hours/,
    );
    expect(usageError(() => parseLinkExpiryHours('15m')).message).toMatch(/^link-expiry/);
    expect(usageError(() => parseLinkExpiryHours('2030-01-01T00:00Z')).message).toMatch(/^link-expiry/);
    expect(usageError(() => parseLinkExpiryHours('366d')).message).toMatch(/at most 365d/);
  });

  it('takes max-downloads as 1 to 1000 or none', () => {
    expect(parseMaxDownloads('5')).toBe(5);
    expect(parseMaxDownloads('none')).toBeNull();
    for (const bad of ['0', '1001', '2.5', 'many', '-1']) {
      expect(usageError(() => parseMaxDownloads(bad)).message).toMatch(/^max-downloads/);
    }
  });

  it('maps setting keys to the settings patch, naming the key when the value is wrong', () => {
    expect(settingsPatchFor('verifier-url', 'https://shop.example.com')).toEqual({
      verifierBaseUrl: 'https://shop.example.com',
    });
    expect(settingsPatchFor('verifier-url', '')).toEqual({ verifierBaseUrl: '' });
    expect(settingsPatchFor('verifier-admin-url', ' http://127.0.0.1:8788 ')).toEqual({
      verifierAdminUrl: 'http://127.0.0.1:8788',
    });
    expect(settingsPatchFor('verifier-admin-url', '')).toEqual({ verifierAdminUrl: '' });
    expect(usageError(() => settingsPatchFor('verifier-admin-url', '127.0.0.1:8788')).message).toBe(
      'verifier-admin-url: Enter a full address starting with https:// (got “127.0.0.1:8788”)',
    );
    expect(settingsPatchFor('link-expiry', '3d')).toEqual({ defaultLinkExpiryHours: 72 });
    expect(settingsPatchFor('max-downloads', 'none')).toEqual({ defaultMaxDownloads: null });
    expect(usageError(() => settingsPatchFor('verifier-url', 'ftp://x')).message).toMatch(/^verifier-url: /);
    expect(usageError(() => settingsPatchFor('theme', 'dark')).message).toMatch(/unknown setting “theme”/);
  });
});

describe('accounts add validation messages', () => {
  const input = (over: Partial<AccountCreate['settings']>, secret = 'secret'): AccountCreate => ({
    settings: {
      name: 'shop',
      provider: 'custom',
      endpoint: 'http://127.0.0.1:7480',
      region: 'us-east-1',
      forcePathStyle: true,
      buckets: ['files'],
      privateBucket: null,
      ...over,
    },
    credentials: { accessKeyId: 'AKIA', secretAccessKey: secret },
  });
  const message = (i: AccountCreate, secretFlag = '--secret-stdin') => {
    const r = AccountCreateSchema.safeParse(i);
    if (r.success) throw new Error('expected a validation failure');
    return issueToUsage(r.error, secretFlag, i).message;
  };

  it('names the flag a field came from', () => {
    expect(message(input({ endpoint: 'not a url' }))).toMatch(/^--endpoint: /);
    expect(message(input({ name: ' ' }))).toBe('--name: Give the account a name');
    expect(message(input({ buckets: ['ok-bucket', 'Bad_Bucket'] }))).toMatch(/^--bucket “Bad_Bucket”: /);
    expect(message(input({ privateBucket: 'x' }))).toMatch(/^--private-bucket: /);
    expect(message(input({ region: 'eu west' }))).toMatch(/^--region: /);
    expect(message(input({}, 'two words'), '--secret-env')).toMatch(/^--secret-env: /);
  });
});

describe('data folder and keychain', () => {
  it('defaults to the desktop app’s userData folder per platform', () => {
    expect(defaultDataDir({}, 'linux', '/home/u')).toBe('/home/u/.config/Signet');
    expect(defaultDataDir({ XDG_CONFIG_HOME: '/cfg' }, 'linux', '/home/u')).toBe('/cfg/Signet');
    expect(defaultDataDir({}, 'darwin', '/Users/u')).toBe('/Users/u/Library/Application Support/Signet');
    expect(defaultDataDir({ APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, 'win32', 'C:\\Users\\u')).toMatch(
      /AppData.Roaming.Signet$/,
    );
  });

  it('prefers --data-dir, then SIGNET_DATA_DIR', () => {
    expect(resolveDataDir('/flag', { SIGNET_DATA_DIR: '/env' })).toBe('/flag');
    expect(resolveDataDir(undefined, { SIGNET_DATA_DIR: '/env' })).toBe('/env');
    expect(resolveDataDir(undefined, { XDG_CONFIG_HOME: '/cfg' })).toMatch(/Signet$/);
  });

  it('uses the app’s keychain service name unless SIGNET_KEYCHAIN_SERVICE overrides it', () => {
    expect(keychainService({})).toBe('Signet');
    expect(keychainService({ SIGNET_KEYCHAIN_SERVICE: 'signet-test-1' })).toBe('signet-test-1');
  });
});

describe('keys, verifier-config, link and links commands', () => {
  it('parses each command of the links contract with its flags anywhere', () => {
    expect(run(['keys', 'new', '--json']).command.name).toBe('keys new');
    expect(run(['keys', 'list']).command.name).toBe('keys list');
    expect(run(['keys', 'retire', 'k1']).positionals).toEqual(['k1']);
    const cfg = run([
      'verifier-config',
      '--listen',
      '0.0.0.0:8787',
      '--out',
      'v.json',
      '--state-sqlite',
      's.db',
    ]);
    expect(cfg.values).toMatchObject({ out: 'v.json', listen: '0.0.0.0:8787', 'state-sqlite': 's.db' });
    const a = run([
      'link',
      'shop',
      'products/a.zip',
      '--bucket',
      'b',
      '--slug',
      'a',
      '--order',
      '42',
      '--email',
      'e@x.io',
      '--expires',
      '7d',
      '--max',
      '3',
      '--filename',
      'A.zip',
      '--json',
    ]);
    const b = run(['link', '--json', '--max', '3', 'shop', '--order', '42', 'products/a.zip', '--direct']);
    expect(a.command.name).toBe('link');
    expect(a.positionals).toEqual(['shop', 'products/a.zip']);
    expect(b.positionals).toEqual(['shop', 'products/a.zip']);
    expect(a.values).toMatchObject({
      bucket: 'b',
      slug: 'a',
      order: '42',
      expires: '7d',
      max: '3',
      json: true,
    });
    expect(b.values['direct']).toBe(true);
    expect(
      run(['links', 'batch', '--csv', 'in.csv', '--out', 'out.csv', '--account', 'shop']).values,
    ).toMatchObject({
      csv: 'in.csv',
      out: 'out.csv',
      account: 'shop',
    });
    expect(run(['links', 'list', '--json']).command.name).toBe('links list');
    expect(run(['links', 'revoke', 'AAAAAAAAAAAAAAAAAAAAAA']).positionals).toEqual([
      'AAAAAAAAAAAAAAAAAAAAAA',
    ]);
  });

  it('refuses missing arguments and unknown flags in one line naming them', () => {
    expect(usageError(() => parseCommandLine(['link', 'shop'])).message).toMatch(/needs ACCOUNT and KEY/);
    expect(usageError(() => parseCommandLine(['links', 'revoke'])).message).toMatch(/needs JTI/);
    expect(usageError(() => parseCommandLine(['keys', 'retire'])).message).toMatch(/needs KID/);
    expect(usageError(() => parseCommandLine(['links', 'export'])).message).toMatch(
      /unknown subcommand “export”/,
    );
    expect(usageError(() => parseCommandLine(['keys'])).message).toMatch(/new, list, retire/);
    expect(usageError(() => parseCommandLine(['link', 'a', 'b', '--secret', 'x'])).message).toMatch(
      /unknown flag --secret/,
    );
    expect(usageError(() => parseCommandLine(['link', 'a', 'b', '--direct=yes'])).message).toMatch(
      /--direct takes no value/,
    );
  });

  it('prints usage for the new commands', () => {
    const help = parseCommandLine(['links', 'batch', '--help']);
    expect(help.kind === 'help' && help.text).toMatch(/^Usage: signet links batch --csv IN --out OUT/);
    const group = parseCommandLine(['keys', '--help']);
    expect(group.kind === 'help' && group.text).toContain('signet keys retire KID');
  });
});
