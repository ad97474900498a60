/**
 * What is inside a backup once decrypted: gzip of JSON Lines. The first line holds everything but the ledger
 * (accounts, buckets, signing keys, the keychain entries that belong to them, the settings) and the number of
 * ledger rows; each further line is one ledger row. Lines keep a large ledger out of one giant string.
 *
 * Reading checks all of it with zod, and the rows against each other (unique ids, names and store names, buckets of
 * known accounts, keychain entries of known accounts and keys, the ledger's row count), before a restore writes
 * anything.
 */
import { constants as bufferConstants } from 'node:buffer';
import { gunzipSync, gzipSync } from 'node:zlib';
import { z } from 'zod';
import { PROVIDER_IDS } from '@shared/accounts/providers';
import { parseSecret } from '@shared-node/token';
import type {
  AccountRowData,
  BucketRowData,
  LinkRowData,
  RestoreRows,
  SettingRowData,
  SigningKeyRowData,
} from '../../repositories/backup-repository';
import { signingKeyEntry } from '../links/signing-key-service';
import { VERIFIER_ADMIN_TOKEN_ENTRY } from '../links/verifier-admin';
import { BackupFileError } from './backup-file';

export const CONTENTS_KIND = 'signet-backup';
/** The layout of the decrypted contents; a newer one is refused with "update Signet". */
export const CONTENTS_FORMAT = 1;
const MAX_PLAINTEXT = Math.min(bufferConstants.MAX_LENGTH, 4 * 1024 ** 3);

/** A keychain entry: its name in Signet's keychain service and its value. */
export interface SecretEntry {
  name: string;
  value: string;
}

export interface BackupContents {
  createdAt: string;
  appVersion: string;
  /** The database schema version (PRAGMA user_version) of the Signet that made it. */
  schemaVersion: number;
  rows: RestoreRows;
  secrets: SecretEntry[];
}

/** The keychain entries of one account (see account-credentials.ts): `account:<id>:<part>`. */
export function accountEntryPrefix(accountId: string): string {
  return `account:${accountId}:`;
}

const when = z
  .string()
  .min(1)
  .max(64)
  .refine((s) => !Number.isNaN(Date.parse(s)), 'not a date');
const text = (max: number) => z.string().max(max);
const accountId = z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'not an account id');
const kid = z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'not a key id');

const AccountSchema = z
  .object({
    id: accountId,
    name: z.string().min(1).max(200),
    provider: z.enum(PROVIDER_IDS),
    endpoint: text(2048),
    region: text(128),
    forcePathStyle: z.boolean(),
    clockOffsetMs: z.number().int(),
    verifierStore: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'not a store name'),
    lastTest: text(1_000_000).nullable(),
    lastTestedAt: when.nullable(),
    createdAt: when,
    updatedAt: when,
  })
  .strict() satisfies z.ZodType<AccountRowData>;

const BucketSchema = z
  .object({
    id: z.number().int().positive(),
    accountId,
    name: z.string().min(1).max(255),
    role: z.enum(['files', 'private']),
    configured: z.boolean(),
    position: z.number().int(),
    model: z.enum(['object-acl', 'acl-disabled', 'no-object-acl', 'unknown']).nullable(),
    exposure: z.enum(['private', 'public', 'unknown']),
    checkedAt: when.nullable(),
  })
  .strict() satisfies z.ZodType<BucketRowData>;

const SigningKeySchema = z
  .object({
    kid,
    createdAt: when,
    retiredAt: when.nullable(),
    active: z.boolean(),
    exportedAt: when.nullable(),
  })
  .strict()
  .refine(
    (k) => !(k.active && k.retiredAt !== null),
    'a retired key cannot be active',
  ) satisfies z.ZodType<SigningKeyRowData>;

const SettingSchema = z
  .object({
    key: z.string().min(1).max(200),
    value: text(100_000).refine(isJson, 'not JSON'),
    updatedAt: when,
  })
  .strict() satisfies z.ZodType<SettingRowData>;

const SecretSchema = z
  .object({ name: z.string().min(1).max(300), value: z.string().min(1).max(65_536) })
  .strict();

const LinkSchema = z
  .object({
    jti: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, 'not a link id'),
    kind: z.enum(['verifier', 'direct']),
    bucketId: z.number().int().positive().nullable(),
    accountId: z.string().min(1).max(64),
    accountName: text(200),
    bucket: text(255),
    key: text(4096),
    kid: kid.nullable(),
    productSlug: text(200),
    orderId: text(1000),
    email: text(1000),
    note: text(10_000),
    maxDownloads: z.number().int().min(1).nullable(),
    filename: text(1000),
    createdAt: when,
    expiresAt: when,
    revokedAt: when.nullable(),
    url: text(65_536),
    lastDownloads: z.number().int().min(0).nullable(),
    usageCheckedAt: when.nullable(),
    // Reissue (written since migration 012): absent from older backups, which had none.
    replaces: z
      .string()
      .regex(/^[A-Za-z0-9_-]{16,64}$/, 'not a link id')
      .nullable()
      .default(null),
    replacedBy: z
      .string()
      .regex(/^[A-Za-z0-9_-]{16,64}$/, 'not a link id')
      .nullable()
      .default(null),
  })
  .strict() satisfies z.ZodType<LinkRowData, unknown>;

const HeadSchema = z
  .object({
    kind: z.literal(CONTENTS_KIND),
    format: z.literal(CONTENTS_FORMAT),
    createdAt: when,
    app: z.object({ version: text(64) }).strict(),
    schemaVersion: z.number().int().min(0),
    accounts: z.array(AccountSchema).max(100_000),
    buckets: z.array(BucketSchema).max(1_000_000),
    signingKeys: z.array(SigningKeySchema).max(100_000),
    secrets: z.array(SecretSchema).max(1_000_000),
    settings: z.array(SettingSchema).max(10_000),
    links: z.number().int().min(0),
  })
  .strict()
  .superRefine((head, ctx) => {
    const problem = crossCheck(head);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

type Head = z.output<typeof HeadSchema>;

function isJson(value: string): boolean {
  try {
    JSON.parse(value);
    return true;
  } catch {
    return false;
  }
}

/** The account store names as the verifier's environment sees them (migration 008's unique index). */
function storeKey(store: string): string {
  return store.replace(/[-.]/g, '_').toUpperCase();
}

function duplicate(values: readonly string[]): string | undefined {
  const seen = new Set<string>();
  for (const v of values) {
    if (seen.has(v)) return v;
    seen.add(v);
  }
  return undefined;
}

/** What the tables' keys and unique indexes would refuse, said before anything is written; null when none. */
function crossCheck(head: Omit<Head, 'kind' | 'format'>): string | null {
  const ids = new Set(head.accounts.map((a) => a.id));
  const kids = new Set(head.signingKeys.map((k) => k.kid));
  const checks: [string | undefined, string][] = [
    [duplicate(head.accounts.map((a) => a.id)), 'account id'],
    [duplicate(head.accounts.map((a) => a.name.toLowerCase())), 'account name'],
    [duplicate(head.accounts.map((a) => storeKey(a.verifierStore))), 'store name'],
    [duplicate(head.buckets.map((b) => String(b.id))), 'bucket id'],
    [duplicate(head.buckets.map((b) => `${b.accountId}\n${b.name}`)), 'bucket'],
    [duplicate(head.signingKeys.map((k) => k.kid)), 'signing key'],
    [duplicate(head.secrets.map((s) => s.name)), 'keychain entry'],
    [duplicate(head.settings.map((s) => s.key)), 'setting'],
  ];
  for (const [dup, what] of checks) if (dup !== undefined) return `the ${what} “${dup}” appears twice`;
  if (head.signingKeys.filter((k) => k.active).length > 1) return 'more than one signing key is active';
  const orphan = head.buckets.find((b) => !ids.has(b.accountId));
  if (orphan) return `the bucket “${orphan.name}” belongs to no account in the backup`;
  for (const s of head.secrets) {
    const problem = secretProblem(s, ids, kids);
    if (problem) return problem;
  }
  return null;
}

const ACCOUNT_ENTRY = /^account:([A-Za-z0-9-]{1,64}):[a-z][a-z0-9-]{0,63}$/;

/** Only entries that belong to what the backup restores, and signing keys that parse. */
function secretProblem(s: SecretEntry, ids: Set<string>, kids: Set<string>): string | null {
  if (s.name === VERIFIER_ADMIN_TOKEN_ENTRY) return null;
  const account = ACCOUNT_ENTRY.exec(s.name);
  if (account) return ids.has(account[1]!) ? null : `the keychain entry ${s.name} belongs to no account`;
  const key = [...kids].find((k) => signingKeyEntry(k) === s.name);
  if (key !== undefined) {
    try {
      parseSecret(s.value);
      return null;
    } catch {
      return `the secret of signing key ${key} is not a valid key`;
    }
  }
  return `the keychain entry ${s.name} is not one Signet writes`;
}

/** Builds the contents: the ledger rows first, one by one, then the head; `finish` answers the gzip bytes. */
export class ContentsWriter {
  private readonly lines: Buffer[] = [];
  private links = 0;

  addLink(row: LinkRowData): void {
    this.lines.push(Buffer.from(`${JSON.stringify(row)}\n`, 'utf8'));
    this.links++;
  }

  finish(contents: Omit<BackupContents, 'rows'> & { rows: Omit<RestoreRows, 'links'> }): Buffer {
    const head = {
      kind: CONTENTS_KIND,
      format: CONTENTS_FORMAT,
      createdAt: contents.createdAt,
      app: { version: contents.appVersion },
      schemaVersion: contents.schemaVersion,
      accounts: contents.rows.accounts,
      buckets: contents.rows.buckets,
      signingKeys: contents.rows.signingKeys,
      secrets: contents.secrets,
      settings: contents.rows.settings,
      links: this.links,
    } satisfies z.input<typeof HeadSchema>;
    const plain = Buffer.concat([Buffer.from(`${JSON.stringify(head)}\n`, 'utf8'), ...this.lines]);
    try {
      return gzipSync(plain);
    } finally {
      plain.fill(0);
    }
  }
}

function unreadable(why: string): BackupFileError {
  return new BackupFileError('damaged', `The backup file could not be read (${why}). Nothing was changed.`);
}

function issueText(error: z.ZodError): string {
  const issue = error.issues[0];
  const path = issue?.path.length ? `${issue.path.join('.')}: ` : '';
  return `${path}${issue?.message ?? 'not valid'}`;
}

/**
 * Reads decrypted contents, checking everything; throws BackupFileError ('damaged' or 'newer-version'). The
 * decompressed bytes are wiped once read (they hold the secrets).
 */
export function readContents(compressed: Uint8Array): BackupContents {
  let plain: Buffer;
  try {
    plain = gunzipSync(compressed, { maxOutputLength: MAX_PLAINTEXT });
  } catch {
    throw unreadable('its contents do not decompress');
  }
  try {
    let start = 0;
    const nextLine = (): string | null => {
      if (start >= plain.length) return null;
      let end = plain.indexOf(0x0a, start);
      if (end < 0) end = plain.length;
      const line = plain.toString('utf8', start, end);
      start = end + 1;
      return line;
    };
    const head = parseHead(nextLine());
    const links: LinkRowData[] = [];
    const jtis = new Set<string>();
    for (let line = nextLine(); line !== null; line = nextLine()) {
      const parsed = LinkSchema.safeParse(parseJson(line, `ledger row ${links.length + 1}`));
      if (!parsed.success) throw unreadable(`ledger row ${links.length + 1}: ${issueText(parsed.error)}`);
      if (jtis.has(parsed.data.jti)) throw unreadable(`the link ${parsed.data.jti} appears twice`);
      jtis.add(parsed.data.jti);
      links.push(parsed.data);
    }
    if (links.length !== head.links) {
      throw unreadable(`it should hold ${head.links} ledger rows and holds ${links.length}`);
    }
    return {
      createdAt: head.createdAt,
      appVersion: head.app.version,
      schemaVersion: head.schemaVersion,
      rows: {
        accounts: head.accounts,
        buckets: head.buckets,
        signingKeys: head.signingKeys,
        settings: head.settings,
        links,
      },
      secrets: head.secrets,
    };
  } finally {
    plain.fill(0);
  }
}

function parseJson(line: string, what: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    throw unreadable(`${what} is not JSON`);
  }
}

function parseHead(line: string | null): Head {
  if (line === null) throw unreadable('it is empty');
  const raw = parseJson(line, 'its first line');
  const format = (raw as { format?: unknown } | null)?.format;
  if (typeof format === 'number' && format > CONTENTS_FORMAT) {
    throw new BackupFileError(
      'newer-version',
      `This backup was made by a newer version of Signet (contents format ${format}; this one reads ${CONTENTS_FORMAT}). Update Signet, then restore it. Nothing was changed.`,
    );
  }
  const parsed = HeadSchema.safeParse(raw);
  if (!parsed.success) throw unreadable(issueText(parsed.error));
  return parsed.data;
}
