/**
 * The command table of `signet` and its argument parsing (node:util parseArgs, strict). Flags may stand
 * anywhere after the command words; `--help` on any command prints its usage. Every mistake is a UsageError:
 * exit status 2 and a one-line message naming the flag or value, before anything is changed.
 */
import { parseArgs } from 'node:util';
import { ACCESS_TYPES, type AccessType } from '../shared/library/schemas';
import { PROVIDER_IDS } from '../shared/accounts/providers';
import {
  SHARE_ACTIONS,
  SHARE_NETWORKS_MAX,
  type ShareAction,
  WATCH_EVERY_MAX_MINUTES,
  WATCH_EVERY_MIN_MINUTES,
  WATCH_EVERY_OFF,
} from '../shared/settings';

/** Bad usage or bad input: exit status 2, one line on stderr, nothing changed. */
export class UsageError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface OptionSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
  /** Placeholder shown in the usage, e.g. DIR. */
  value?: string;
  help: string;
}

export type CommandName =
  | 'accounts add'
  | 'accounts list'
  | 'accounts test'
  | 'accounts remove'
  | 'accounts verifier-key'
  | 'settings get'
  | 'settings set'
  | 'sync'
  | 'ls'
  | 'verify'
  | 'keys new'
  | 'keys list'
  | 'keys retire'
  | 'verifier-config'
  | 'link'
  | 'links batch'
  | 'links list'
  | 'links revoke'
  | 'links reissue'
  | 'upload'
  | 'private'
  | 'public'
  | 'jobs list'
  | 'jobs resume'
  | 'jobs cancel'
  | 'backup'
  | 'restore'
  | 'watch';

export interface CommandSpec {
  name: CommandName;
  /** What follows the command words in the usage line, e.g. `ACCOUNT [--bucket B]`. */
  synopsis: string;
  summary: string;
  /** Lines printed after the options in `--help`. */
  details?: string[];
  options: Record<string, OptionSpec>;
  positionals: { min: number; max: number | null; missing: string };
}

/** Flags every command takes. */
export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  'data-dir': {
    type: 'string',
    value: 'DIR',
    help: "the data folder (default: $SIGNET_DATA_DIR, else the desktop app's own)",
  },
  json: { type: 'boolean', help: 'machine-readable output: JSON Lines for listings, else one JSON object' },
  help: { type: 'boolean', short: 'h', help: 'print this usage and exit' },
};

const ACCOUNT_MISSING = 'needs ACCOUNT (an account name or id; signet accounts list shows them)';
const libraryOptions: Record<string, OptionSpec> = {
  bucket: { type: 'string', value: 'B', help: "the bucket (default: the account's first bucket)" },
  prefix: { type: 'string', value: 'P', help: 'only keys starting with P' },
};

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'accounts add',
    synopsis:
      '--name N --provider ' +
      PROVIDER_IDS.join('|') +
      ' [--endpoint URL] [--region R] [--path-style | --virtual-hosted] --access-key-id ID (--secret-stdin | --secret-env NAME) [--bucket B]… [--private-bucket B]',
    summary: 'Adds a storage account; its keys go to the system keychain.',
    options: {
      name: { type: 'string', value: 'N', help: 'a name for the account (unique)' },
      provider: { type: 'string', value: 'P', help: `the storage provider: ${PROVIDER_IDS.join(', ')}` },
      endpoint: {
        type: 'string',
        value: 'URL',
        help: "the S3 endpoint address (default: the provider's, when it has one)",
      },
      region: { type: 'string', value: 'R', help: "the region (default: the provider's usual one)" },
      'path-style': { type: 'boolean', help: 'path-style addressing (default for custom)' },
      'virtual-hosted': { type: 'boolean', help: 'virtual-hosted addressing (default for the others)' },
      'access-key-id': { type: 'string', value: 'ID', help: 'the access key ID' },
      'secret-stdin': { type: 'boolean', help: 'read the secret access key from standard input' },
      'secret-env': {
        type: 'string',
        value: 'NAME',
        help: 'read the secret access key from the environment variable NAME',
      },
      bucket: { type: 'string', multiple: true, value: 'B', help: 'a bucket to work with (repeatable)' },
      'private-bucket': {
        type: 'string',
        value: 'B',
        help: 'where protected files go when per-file access settings do not work',
      },
    },
    details: ['Secrets are never taken from the command line.'],
    positionals: { min: 0, max: 0, missing: '' },
  },
  {
    name: 'accounts list',
    synopsis: '',
    summary: 'Lists the storage accounts (JSON Lines with --json).',
    options: {},
    positionals: { min: 0, max: 0, missing: '' },
  },
  {
    name: 'accounts test',
    synopsis: 'ACCOUNT',
    summary:
      'Tests the connection: sign-in, clock offset, and per bucket its privacy model and exposure. Exit status 1 when the test failed or found a problem.',
    options: {},
    positionals: { min: 1, max: 1, missing: ACCOUNT_MISSING },
  },
  {
    name: 'accounts remove',
    synopsis: 'ACCOUNT',
    summary: 'Removes a storage account and deletes its keys from the system keychain.',
    options: {},
    positionals: { min: 1, max: 1, missing: ACCOUNT_MISSING },
  },
  {
    name: 'accounts verifier-key',
    synopsis: 'ACCOUNT (--access-key-id ID (--secret-stdin | --secret-env NAME) | --clear)',
    summary:
      'Stores a read-only key for the verifier (it needs only GetObject) in the system keychain; verifier configs carry it instead of the account’s own key. --clear removes it.',
    options: {
      'access-key-id': { type: 'string', value: 'ID', help: 'the read-only key’s access key ID' },
      'secret-stdin': { type: 'boolean', help: 'read its secret access key from standard input' },
      'secret-env': {
        type: 'string',
        value: 'NAME',
        help: 'read its secret access key from the environment variable NAME',
      },
      clear: { type: 'boolean', help: 'remove the verifier key: configs carry the account’s own key again' },
    },
    details: [
      'Amazon S3: an IAM user whose only policy allows s3:GetObject on arn:aws:s3:::BUCKET/*.',
      'Cloudflare R2: an API token with “Object Read only” for the buckets. Backblaze B2: a “Read Only” key.',
    ],
    positionals: { min: 1, max: 1, missing: ACCOUNT_MISSING },
  },
  {
    name: 'settings get',
    synopsis: '',
    summary: 'Prints the settings (the verifier admin token only as set or not set).',
    options: {},
    positionals: { min: 0, max: 0, missing: '' },
  },
  {
    name: 'settings set',
    synopsis: 'KEY VALUE | verifier-admin-token (--secret-stdin | --secret-env NAME)',
    summary: 'Changes one setting.',
    details: [
      'Keys:',
      '  verifier-url          where the verifier answers, e.g. https://shop.example.com ("" to clear)',
      '  verifier-admin-url    where its admin API answers, only if it has an address of its own',
      '                        (adminListen), e.g. http://127.0.0.1:8788 ("" to use verifier-url again)',
      '  link-expiry           default link lifetime in whole hours: 1h, 72h, 7d',
      '  max-downloads         default download limit: a number from 1 to 1000, or none',
      `  share-networks        share guard: a link used from more than N networks is shared (0 to`,
      `                        ${SHARE_NETWORKS_MAX}; 0 = off; default 3); export the verifier config afterwards`,
      '  share-action          share guard: flag (the link keeps working, it is marked shared) or block',
      '                        (the verifier refuses it from further networks)',
      '  watch-every           how often the desktop app runs the leak watch while open: off, or 15m to 7d',
      '                        (default 6h); signet watch runs one pass from cron',
      '  verifier-admin-token  kept in the system keychain; read from standard input or an env variable',
    ],
    options: {
      'secret-stdin': { type: 'boolean', help: 'read the secret value from standard input' },
      'secret-env': {
        type: 'string',
        value: 'NAME',
        help: 'read the secret value from the environment variable NAME',
      },
    },
    positionals: { min: 1, max: 2, missing: 'needs KEY and VALUE' },
  },
  {
    name: 'sync',
    synopsis: 'ACCOUNT [--bucket B] [--prefix P]',
    summary:
      'Lists a bucket into the catalog, resolves each object’s access and drops deleted objects. Ctrl-C stops it; the catalog keeps what was listed.',
    options: libraryOptions,
    positionals: { min: 1, max: 1, missing: ACCOUNT_MISSING },
  },
  {
    name: 'ls',
    synopsis: 'ACCOUNT [--bucket B] [--prefix P] [--access A] [--search TEXT]',
    summary: 'Lists objects from the catalog, without network (JSON Lines with --json).',
    options: {
      ...libraryOptions,
      access: { type: 'string', value: 'A', help: `only this access type: ${ACCESS_TYPES.join(', ')}` },
      search: { type: 'string', value: 'TEXT', help: 'only keys containing TEXT (any case)' },
    },
    positionals: { min: 1, max: 1, missing: ACCOUNT_MISSING },
  },
  {
    name: 'verify',
    synopsis: 'ACCOUNT [--bucket B] [--prefix P | KEY…]',
    summary:
      "Fetches each object's plain URL without credentials. A leak is an object the catalog holds as not public that answered 200; exit status 1 when any leak was found or an object could not be reached.",
    options: libraryOptions,
    positionals: { min: 1, max: null, missing: ACCOUNT_MISSING },
  },
  {
    name: 'keys new',
    synopsis: '',
    summary:
      'Makes a new token signing key (32 random bytes, kept in the system keychain) and makes it the active one. Export the verifier config again afterwards.',
    options: {},
    positionals: { min: 0, max: 0, missing: '' },
  },
  {
    name: 'keys list',
    synopsis: '',
    summary: 'Lists the signing keys: kid, created, active, retired (JSON Lines with --json).',
    options: {},
    positionals: { min: 0, max: 0, missing: '' },
  },
  {
    name: 'keys retire',
    synopsis: 'KID',
    summary:
      'Retires a signing key: it no longer goes into verifier configs, so links signed with it stop working there.',
    options: {},
    positionals: { min: 1, max: 1, missing: 'needs KID (signet keys list shows them)' },
  },
  {
    name: 'verifier-config',
    synopsis: '--out FILE [--listen HOST:PORT] [--admin-listen HOST:PORT] [--state-sqlite PATH]',
    summary:
      'Writes a complete config file for the verifier (npm run verifier -- --config FILE): the keys that still verify, one store per account, the admin token. It holds secrets: mode 0600.',
    options: {
      out: { type: 'string', value: 'FILE', help: 'where to write the config (replaced if it exists)' },
      listen: {
        type: 'string',
        value: 'HOST:PORT',
        help: 'where the verifier listens (default 127.0.0.1:8787)',
      },
      'admin-listen': {
        type: 'string',
        value: 'HOST:PORT',
        help: 'where its admin API and /metrics listen, apart from the links (keep it on loopback or a private address)',
      },
      'state-sqlite': {
        type: 'string',
        value: 'PATH',
        help: 'the verifier’s state database, relative to the config file (default state.sqlite)',
      },
    },
    details: [
      'The admin token is made on the first export when none is set, and kept in the system keychain.',
      'Each account’s store carries its read-only verifier key (signet accounts verifier-key), else its own key:',
      'then a note on stderr (and fullPermissionKeys in --json) says a full-permission key is going to the server.',
      'The file is written atomically (a temporary file in the same folder, then renamed); a symbolic link at',
      'FILE is refused.',
    ],
    positionals: { min: 0, max: 0, missing: '' },
  },
  {
    name: 'link',
    synopsis:
      'ACCOUNT KEY [--bucket B] [--slug S] [--order ID] [--email E] [--note TEXT] [--expires D] [--max N] [--filename F] [--direct]',
    summary:
      'Makes a download link for one object: a verifier link (default), or with --direct a pre-signed storage URL (at most 7 days, no limit, not revocable).',
    options: {
      bucket: { type: 'string', value: 'B', help: "the bucket (default: the account's first bucket)" },
      slug: { type: 'string', value: 'S', help: 'the product slug (default: from the file name)' },
      order: { type: 'string', value: 'ID', help: 'the order or licence id (the token’s license_id)' },
      email: { type: 'string', value: 'E', help: 'the customer’s email (kept in the local ledger only)' },
      note: { type: 'string', value: 'TEXT', help: 'a note (kept in the local ledger only)' },
      expires: {
        type: 'string',
        value: 'D',
        help: 'how long it works: 90s, 15m, 1h, 7d, or an ISO date-time (default: the settings)',
      },
      max: {
        type: 'string',
        value: 'N',
        help: 'how many downloads (default: the settings; none for no limit)',
      },
      filename: {
        type: 'string',
        value: 'F',
        help: 'the name the browser saves (default: the key’s last part)',
      },
      direct: { type: 'boolean', help: 'a direct pre-signed storage URL instead of a verifier link' },
    },
    positionals: { min: 2, max: 2, missing: 'needs ACCOUNT and KEY' },
  },
  {
    name: 'links batch',
    synopsis: '--csv IN --out OUT [--account A]',
    summary:
      'Makes a verifier link for each row of a CSV of orders (order,email,product,max,expires) and writes the CSV with url,jti,expires_at,error columns. Exit status 1 when a row failed (the others are still issued).',
    options: {
      csv: { type: 'string', value: 'IN', help: 'the orders CSV (a header row, then one order per row)' },
      out: { type: 'string', value: 'OUT', help: 'where to write the CSV with the links' },
      account: {
        type: 'string',
        value: 'A',
        help: 'the account whose files the products are (default: the first)',
      },
    },
    details: ['product: a product slug (from earlier links or a file name) or an object key.'],
    positionals: { min: 0, max: 0, missing: '' },
  },
  {
    name: 'links list',
    synopsis: '[--search TEXT] [--status active|revoked|expired|replaced] [--shared]',
    summary:
      'Lists the link ledger, newest first (JSON Lines with --json); downloads, networks and shared come from the verifier when it answers.',
    options: {
      search: {
        type: 'string',
        value: 'TEXT',
        help: 'only links whose key, slug, order, email or jti contains TEXT',
      },
      status: {
        type: 'string',
        value: 'S',
        help: 'only links that are active, revoked, expired or replaced',
      },
      shared: { type: 'boolean', help: 'only links Signet has seen shared (used from too many networks)' },
    },
    positionals: { min: 0, max: 0, missing: '' },
  },
  {
    name: 'links revoke',
    synopsis: 'JTI',
    summary:
      'Revokes a link through the verifier’s admin API, then marks it in the ledger. Exit status 1 when the verifier cannot be reached.',
    options: {},
    positionals: { min: 1, max: 1, missing: 'needs JTI (signet links list shows them)' },
  },
  {
    name: 'links reissue',
    synopsis: 'JTI [--expires D] [--max N]',
    summary:
      'Makes a new link for the same file, order, customer and note, and revokes the old one through the verifier’s admin API (a direct link, which cannot be revoked, is marked replaced). Exit status 1 when the verifier cannot be reached: then the old link stays active and no new link is made.',
    options: {
      expires: {
        type: 'string',
        value: 'D',
        help: 'how long the new link works: 90s, 15m, 1h, 7d, or an ISO date-time (default: the settings)',
      },
      max: {
        type: 'string',
        value: 'N',
        help: 'how many downloads (default: the old link’s limit; none for no limit)',
      },
    },
    details: [
      'The ledger records which link replaced which (links list shows the old one as revoked or replaced).',
    ],
    positionals: { min: 1, max: 1, missing: 'needs JTI (signet links list shows them)' },
  },
  {
    name: 'upload',
    synopsis: 'ACCOUNT FILE… [--bucket B] [--prefix P] [--public] [--overwrite]',
    summary:
      'Uploads files as one job, private by default: ACL private where files have their own access setting, else into the account’s private bucket. A key that already exists is refused (its item fails, exit status 1) unless --overwrite.',
    options: {
      bucket: libraryOptions['bucket']!,
      prefix: { type: 'string', value: 'P', help: 'the folder to upload into (ends with /)' },
      public: { type: 'boolean', help: 'readable by anyone (shop images), a deliberate choice' },
      overwrite: { type: 'boolean', help: 'replace files that already exist' },
    },
    positionals: { min: 2, max: null, missing: 'needs ACCOUNT and at least one FILE' },
  },
  {
    name: 'private',
    synopsis: 'ACCOUNT [--bucket B] (--prefix P | KEY…) [--verify]',
    summary:
      'Makes files private as one job (per-file ACL, or a checked move into the account’s private bucket), then re-reads each one. Exit status 1 when any item failed or is still public.',
    options: {
      ...libraryOptions,
      verify: { type: 'boolean', help: 'also fetch each file anonymously afterwards' },
    },
    positionals: { min: 1, max: null, missing: ACCOUNT_MISSING },
  },
  {
    name: 'public',
    synopsis: 'ACCOUNT [--bucket B] (--prefix P | KEY…) [--verify]',
    summary:
      'Makes files public as one job (per-file ACL public-read, or a move out of the private bucket), then re-reads each one. Exit status 1 when any item failed.',
    options: {
      ...libraryOptions,
      verify: { type: 'boolean', help: 'also fetch each file anonymously afterwards' },
    },
    positionals: { min: 1, max: null, missing: ACCOUNT_MISSING },
  },
  {
    name: 'jobs list',
    synopsis: '',
    summary: 'Lists recent jobs: id, kind, state, counts (JSON Lines with --json).',
    options: {},
    positionals: { min: 0, max: 0, missing: '' },
  },
  {
    name: 'jobs resume',
    synopsis: '[JOB]',
    summary:
      'Resumes interrupted jobs (or JOB, also when paused or failed: its failed items are tried again), waits, and prints the summary of each. Exit status 1 when any item failed.',
    options: {},
    positionals: { min: 0, max: 1, missing: '' },
  },
  {
    name: 'jobs cancel',
    synopsis: 'JOB',
    summary:
      'Cancels a job: items not done yet are left as they were. A run in another process stops within a second.',
    options: {},
    positionals: { min: 1, max: 1, missing: 'needs JOB (signet jobs list shows them)' },
  },
  {
    name: 'backup',
    synopsis: '--out FILE --passphrase-stdin',
    summary:
      'Writes an encrypted backup of everything needed to carry on on another computer: the accounts with their keys, every signing key (retired ones too), the verifier admin token, the settings and the link ledger. Not the catalog (a sync rebuilds it) and not jobs.',
    options: {
      out: {
        type: 'string',
        value: 'FILE',
        help: 'where to write the backup (mode 0600, written atomically; replaced if it exists)',
      },
      'passphrase-stdin': {
        type: 'boolean',
        help: 'read the passphrase (at least 8 characters) from standard input',
      },
    },
    details: [
      'The backup is encrypted with a key derived from the passphrase (scrypt, AES-256-GCM). Without the',
      'passphrase it cannot be opened: keep the two apart. The passphrase is never taken from the command line.',
    ],
    positionals: { min: 0, max: 0, missing: '' },
  },
  {
    name: 'restore',
    synopsis: 'FILE --passphrase-stdin [--replace]',
    summary:
      'Restores a backup into this data folder and the keychain of this computer. Refused (exit status 2) when the folder already has accounts or signing keys, unless --replace. A wrong passphrase or a damaged file is exit status 1 and changes nothing.',
    options: {
      'passphrase-stdin': { type: 'boolean', help: 'read the backup’s passphrase from standard input' },
      replace: {
        type: 'boolean',
        help: 'replace the accounts, signing keys, settings and ledger this data folder has (its catalog and jobs go too)',
      },
    },
    details: [
      'Accounts keep their ids and store names, so links sent before the backup keep working with a verifier',
      'config exported after the restore. Sync each account afterwards to rebuild the library.',
    ],
    positionals: { min: 1, max: 1, missing: 'needs FILE (the backup to restore)' },
  },
  {
    name: 'watch',
    synopsis: '[ACCOUNT…] [--all]',
    summary:
      'One pass of the leak watch: reads each bucket’s rule again and asks, as a stranger, for every file an active link points to. A leak is a file the catalog holds as not public that a stranger got; exit status 1 when any leak was found or a bucket could not be checked. Suits cron and systemd timers.',
    options: {
      all: { type: 'boolean', help: 'every file the catalog holds as not public, not only linked ones' },
    },
    details: ['Without ACCOUNT, every account. The answers are recorded in the catalog, as Verify does.'],
    positionals: { min: 0, max: null, missing: '' },
  },
];

const GROUPS: Record<string, string> = {
  accounts: 'storage accounts: add, list, test, remove, verifier-key',
  settings: 'settings: get, set',
  keys: 'signing keys: new, list, retire',
  links: 'the link ledger: batch, list, revoke, reissue',
  jobs: 'uploads and access changes: list, resume, cancel',
};

export type OptionValues = Record<string, string | boolean | string[] | undefined>;

export type ParseResult =
  | { kind: 'help'; text: string }
  | { kind: 'version' }
  | { kind: 'run'; command: CommandSpec; values: OptionValues; positionals: string[] };

function isFlag(token: string): boolean {
  return token.startsWith('-') && token !== '-';
}

function isHelp(token: string): boolean {
  return token === '--help' || token === '-h';
}

/** Skips leading global flags (and --data-dir's value); returns the index of the next word, or -1. */
function nextWord(argv: readonly string[], from: number, context: string): number {
  let i = from;
  while (i < argv.length) {
    const t = argv[i]!;
    if (t === '--') return i + 1 < argv.length ? i + 1 : -1;
    if (!isFlag(t)) return i;
    if (t === '--data-dir') i += 2;
    else if (t.startsWith('--data-dir=') || t === '--json' || isHelp(t)) i += 1;
    else throw new UsageError(`${context}: ${t.split('=')[0]} stands after the command words`);
  }
  return -1;
}

/** Parses `signet …` arguments (without the node and script paths). Throws UsageError. */
export function parseCommandLine(argv: readonly string[]): ParseResult {
  const helpBeforeWords = (end: number) => argv.slice(0, end < 0 ? argv.length : end).some(isHelp);
  if (argv.length === 1 && argv[0] === '--version') return { kind: 'version' };
  const first = nextWord(argv, 0, 'signet');
  if (first < 0) {
    if (helpBeforeWords(first)) return { kind: 'help', text: mainUsage() };
    throw new UsageError('signet: give a command (signet --help lists them)');
  }
  const word = argv[first]!;
  let command: CommandSpec | undefined;
  let words = [first];
  if (word in GROUPS) {
    const second = nextWord(argv, first + 1, `signet ${word}`);
    const sub = second < 0 ? undefined : argv[second];
    if (sub === undefined) {
      if (argv.slice(first + 1).some(isHelp)) return { kind: 'help', text: groupUsage(word) };
      throw new UsageError(`signet ${word}: give a subcommand (${GROUPS[word]})`);
    }
    command = COMMANDS.find((c) => c.name === `${word} ${sub}`);
    if (!command) {
      throw new UsageError(`signet ${word}: unknown subcommand “${sub}” (${GROUPS[word]})`);
    }
    words = [first, second];
  } else {
    command = COMMANDS.find((c) => c.name === word);
    if (!command)
      throw new UsageError(`signet: unknown command “${word}” (signet --help lists the commands)`);
  }
  const rest = argv.filter((_, i) => !words.includes(i));
  const dashDash = rest.indexOf('--');
  if ((dashDash < 0 ? rest : rest.slice(0, dashDash)).some(isHelp)) {
    return { kind: 'help', text: commandUsage(command) };
  }
  return { kind: 'run', command, ...parseCommandArgs(command, rest) };
}

/** Parses what follows the command words, strictly, against the command's flags plus the global ones. */
export function parseCommandArgs(
  command: CommandSpec,
  args: readonly string[],
): { values: OptionValues; positionals: string[] } {
  const specs = { ...GLOBAL_OPTIONS, ...command.options };
  const options = Object.fromEntries(
    Object.entries(specs).map(([name, s]) => [
      name,
      { type: s.type, ...(s.multiple ? { multiple: true } : {}), ...(s.short ? { short: s.short } : {}) },
    ]),
  );
  const where = `signet ${command.name}`;
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], options, allowPositionals: true, strict: true, tokens: true });
  } catch (err) {
    throw new UsageError(`${where}: ${describeParseError(err as Error & { code?: string })}`);
  }
  const seen = new Map<string, number>();
  for (const token of parsed.tokens) {
    if (token.kind !== 'option') continue;
    const n = (seen.get(token.name) ?? 0) + 1;
    seen.set(token.name, n);
    if (n > 1 && !specs[token.name]?.multiple) {
      throw new UsageError(`${where}: --${token.name} is given more than once`);
    }
  }
  const { positionals } = parsed;
  const { min, max } = command.positionals;
  if (positionals.length < min) throw new UsageError(`${where}: ${command.positionals.missing}`);
  if (max !== null && positionals.length > max) {
    throw new UsageError(`${where}: unexpected argument “${positionals[max]}”`);
  }
  return { values: parsed.values as OptionValues, positionals };
}

function describeParseError(err: Error & { code?: string }): string {
  const flag = /'(-{1,2}[^'\s<]+)/.exec(err.message)?.[1] ?? '';
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown flag ${flag} (--help lists the flags)`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (/does not take an argument/.test(err.message)) return `${flag} takes no value`;
      return `${flag} needs a value (for a value starting with "-" write ${flag}=VALUE)`;
    default:
      return err.message.split('\n')[0]!;
  }
}

// ---- Typed access to parsed values ----

export function stringOption(values: OptionValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

export function listOption(values: OptionValues, name: string): string[] {
  const v = values[name];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}

export function flag(values: OptionValues, name: string): boolean {
  return values[name] === true;
}

/** `--access A`: one of the catalog's access words. */
export function parseAccess(text: string): AccessType {
  const found = ACCESS_TYPES.find((a) => a === text.trim().toLowerCase());
  if (!found) throw new UsageError(`--access must be one of ${ACCESS_TYPES.join(', ')} (got “${text}”)`);
  return found;
}

// ---- Durations and setting values ----

export type Duration = { kind: 'relative'; seconds: number } | { kind: 'absolute'; at: Date };

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/** `90s`, `15m`, `1h`, `7d`, or an ISO 8601 date-time for an absolute end; null when it is neither. */
export function parseDuration(text: string): Duration | null {
  const t = text.trim();
  const rel = /^(\d{1,9})([smhd])$/i.exec(t);
  if (rel) {
    const seconds = Number(rel[1]) * UNIT_SECONDS[rel[2]!.toLowerCase()]!;
    return seconds > 0 ? { kind: 'relative', seconds } : null;
  }
  if (ISO_DATE_TIME.test(t)) {
    const at = new Date(t.replace(' ', 'T'));
    return Number.isNaN(at.getTime()) ? null : { kind: 'absolute', at };
  }
  return null;
}

export const MAX_LINK_EXPIRY_HOURS = 24 * 365;

/** `settings set link-expiry D`: a length of time in whole hours, from 1h to 365d. */
export function parseLinkExpiryHours(text: string): number {
  const d = parseDuration(text);
  const hint = 'link-expiry is a length of time in whole hours, such as 1h, 72h or 7d';
  if (!d || d.kind !== 'relative') throw new UsageError(`${hint} (got “${text}”)`);
  if (d.seconds % 3600 !== 0) throw new UsageError(`${hint}; “${text}” is not a whole number of hours`);
  const hours = d.seconds / 3600;
  if (hours > MAX_LINK_EXPIRY_HOURS) throw new UsageError(`link-expiry is at most 365d (got “${text}”)`);
  return hours;
}

/** `settings set max-downloads N`: 1 to 1000, or `none` for no limit. */
export function parseMaxDownloads(text: string): number | null {
  const t = text.trim().toLowerCase();
  if (t === 'none') return null;
  const n = /^\d{1,4}$/.test(t) ? Number(t) : NaN;
  if (!(n >= 1 && n <= 1000)) {
    throw new UsageError(`max-downloads is a number from 1 to 1000, or none (got “${text}”)`);
  }
  return n;
}

/** `settings set share-networks N`: 0 (off, also `off`) to SHARE_NETWORKS_MAX. */
export function parseShareNetworks(text: string): number {
  const t = text.trim().toLowerCase();
  if (t === 'off') return 0;
  const n = /^\d{1,3}$/.test(t) ? Number(t) : NaN;
  if (!(n >= 0 && n <= SHARE_NETWORKS_MAX)) {
    throw new UsageError(
      `share-networks is a whole number from 0 (off) to ${SHARE_NETWORKS_MAX} (got “${text}”)`,
    );
  }
  return n;
}

/** `settings set watch-every off|D`: minutes between the desktop app's leak-watch passes (0 = off). */
export function parseWatchEvery(text: string): number {
  const t = text.trim().toLowerCase();
  if (t === 'off') return WATCH_EVERY_OFF;
  const d = parseDuration(t);
  const hint = `watch-every is off, or a length of time from ${WATCH_EVERY_MIN_MINUTES}m to 7d such as 6h`;
  if (!d || d.kind !== 'relative' || d.seconds % 60 !== 0) throw new UsageError(`${hint} (got “${text}”)`);
  const minutes = d.seconds / 60;
  if (minutes < WATCH_EVERY_MIN_MINUTES || minutes > WATCH_EVERY_MAX_MINUTES) {
    throw new UsageError(`${hint} (got “${text}”)`);
  }
  return minutes;
}

/** `settings set share-action flag|block`. */
export function parseShareAction(text: string): ShareAction {
  const found = SHARE_ACTIONS.find((a) => a === text.trim().toLowerCase());
  if (!found) throw new UsageError(`share-action is ${SHARE_ACTIONS.join(' or ')} (got “${text}”)`);
  return found;
}

// ---- Usage texts ----

function optionLines(options: Record<string, OptionSpec>): string[] {
  const rows = Object.entries(options).map(([name, s]) => [
    `${s.short ? `-${s.short}, ` : ''}--${name}${s.value ? ` ${s.value}` : ''}`,
    s.help,
  ]);
  const width = Math.max(...rows.map(([a]) => a!.length));
  return rows.map(([a, b]) => `  ${a!.padEnd(width)}  ${b}`);
}

export function commandUsage(c: CommandSpec): string {
  return [
    `Usage: signet ${c.name}${c.synopsis ? ` ${c.synopsis}` : ''} [--json] [--data-dir DIR]`,
    '',
    c.summary,
    '',
    ...(Object.keys(c.options).length ? ['Options:', ...optionLines(c.options), ''] : []),
    'Common options:',
    ...optionLines(GLOBAL_OPTIONS),
    ...(c.details ? ['', ...c.details] : []),
    '',
  ].join('\n');
}

export function groupUsage(group: string): string {
  const cmds = COMMANDS.filter((c) => c.name.startsWith(`${group} `));
  return [
    `Usage: signet ${group} <${cmds.map((c) => c.name.split(' ')[1]).join('|')}> …`,
    '',
    ...cmds.map((c) => `  signet ${c.name}${c.synopsis ? ` ${c.synopsis}` : ''}`),
    '',
    `signet ${group} <subcommand> --help describes each.`,
    '',
  ].join('\n');
}

export function mainUsage(): string {
  return [
    'Usage: signet <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(16)} ${c.summary.split('. ')[0]!.replace(/\.$/, '')}`),
    '',
    'Common options:',
    ...optionLines(GLOBAL_OPTIONS),
    '',
    'signet <command> --help describes each command. Exit status: 0 ok, 1 something failed or a check',
    'found a problem, 2 bad usage.',
    '',
  ].join('\n');
}
