/**
 * The command table of `signet`: every command with its usage line, summary, flags and positional arguments.
 * Parsing (parse.ts) and the usage texts (usage.ts) both read it, so a flag's help cannot drift from its parsing.
 */
import { ACCESS_TYPES } from '@shared/library/schemas';
import { PROVIDER_IDS } from '@shared/accounts/providers';
import {
  DEFAULT_MAX_DOWNLOADS_MAX,
  DEFAULT_MAX_DOWNLOADS_MIN,
  SHARE_NETWORKS_DEFAULT,
  SHARE_NETWORKS_MAX,
} from '@shared/settings';
import type { CommandSpec, OptionSpec } from './command-spec';

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
      `  max-downloads         default download limit: a number from ${DEFAULT_MAX_DOWNLOADS_MIN} to ${DEFAULT_MAX_DOWNLOADS_MAX}, or none`,
      `  share-networks        share guard: a link used from more than N networks is shared (0 to`,
      `                        ${SHARE_NETWORKS_MAX}; 0 = off; default ${SHARE_NETWORKS_DEFAULT}); export the verifier config afterwards`,
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

/** The command words that take a subcommand, with what each group holds (for their error messages). */
export const COMMAND_GROUPS: Record<string, string> = {
  accounts: 'storage accounts: add, list, test, remove, verifier-key',
  settings: 'settings: get, set',
  keys: 'signing keys: new, list, retire',
  links: 'the link ledger: batch, list, revoke, reissue',
  jobs: 'uploads and access changes: list, resume, cancel',
};
