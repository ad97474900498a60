import { z } from 'zod';
import { AccountIdSchema } from '../accounts/schemas';
import { hasBidiControl, hasControlCharacter, withoutControlCharacters } from '../text/unsafe-characters';

/**
 * Download links as they cross the IPC boundary: signing keys, one link's input, the ledger (pages by cursor),
 * batch CSV preview/issue and the verifier config export. The words are the command line's
 * (../shared/spec/cli.md) and the token spec's (download-token-v1.md). Pure: no Node, usable by the renderer.
 */

// ---------------------------------------------------------------------------------------------------------
// Signing keys

/** `kid = 1*32( ALPHA / DIGIT / "_" / "-" )` (token spec). */
export const KidSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,32}$/, 'must be 1–32 characters of [A-Za-z0-9_-]');

export const SigningKeyViewSchema = z.object({
  kid: KidSchema,
  createdAt: z.string(),
  /** The key new links are signed with (exactly one, once a key exists). */
  active: z.boolean(),
  /** null while the key still verifies (goes into verifier configs); set once retired. */
  retiredAt: z.string().nullable(),
  /** When a verifier config holding the key was last written; null: not yet, so the verifier refuses its links. */
  exportedAt: z.string().nullable(),
});
export type SigningKeyView = z.output<typeof SigningKeyViewSchema>;

// ---------------------------------------------------------------------------------------------------------
// Link kinds and expiry

export const LINK_KINDS = ['verifier', 'direct'] as const;
export const LinkKindSchema = z.enum(LINK_KINDS);
export type LinkKind = z.output<typeof LinkKindSchema>;

/** One line each, for the link generator. */
export const LINK_KIND_TRADEOFF: Readonly<Record<LinkKind, string>> = {
  verifier:
    'Checked by your verifier: can last longer than 7 days, be limited to N downloads and be revoked.',
  direct: 'A plain pre-signed storage URL: no verifier needed, but at most 7 days, no limit and no revoking.',
};

/** S3 SigV4 pre-signed URLs work for at most 7 days. */
export const DIRECT_MAX_SECONDS = 7 * 24 * 3600;
/** The shortest link anyone should make (also keeps clock offsets from making a link born expired). */
export const MIN_LINK_SECONDS = 60;
/** Verifier links: at most 10 years (a longer `expires` is almost surely a mistake). */
export const VERIFIER_MAX_SECONDS = 10 * 365 * 24 * 3600;

export const EXPIRY_PRESETS = ['15m', '1h', '24h', '7d', '30d', '1y'] as const;
export const ExpiryPresetSchema = z.enum(EXPIRY_PRESETS);
export type ExpiryPreset = z.output<typeof ExpiryPresetSchema>;

export const EXPIRY_PRESET_SECONDS: Readonly<Record<ExpiryPreset, number>> = {
  '15m': 15 * 60,
  '1h': 3600,
  '24h': 24 * 3600,
  '7d': 7 * 24 * 3600,
  '30d': 30 * 24 * 3600,
  '1y': 365 * 24 * 3600,
};

export const EXPIRY_PRESET_LABELS: Readonly<Record<ExpiryPreset, string>> = {
  '15m': '15 minutes',
  '1h': '1 hour',
  '24h': '24 hours',
  '7d': '7 days',
  '30d': '30 days',
  '1y': '1 year',
};

/** Presets a kind offers: 30 days and 1 year only for verifier links (pre-signed URLs stop at 7 days). */
export function expiryPresetsFor(kind: LinkKind): ExpiryPreset[] {
  return EXPIRY_PRESETS.filter((p) => kind === 'verifier' || EXPIRY_PRESET_SECONDS[p] <= DIRECT_MAX_SECONDS);
}

/** An ISO 8601 date-time with a time zone (`Z` or an offset), e.g. 2026-12-24T18:00:00Z. */
const ISO_DATE_TIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * When a link stops working: a preset, a duration in seconds from now, or an absolute date-time.
 * Main resolves it against its clock (`resolveExpiry`) and checks the kind's limits.
 */
export const ExpiryInputSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('preset'), preset: ExpiryPresetSchema }),
  z.object({
    type: z.literal('seconds'),
    seconds: z.number().int().min(MIN_LINK_SECONDS).max(VERIFIER_MAX_SECONDS),
  }),
  z.object({
    type: z.literal('at'),
    at: z
      .string()
      .regex(ISO_DATE_TIME_RE, 'must be an ISO date-time with a time zone, like 2026-12-24T18:00:00Z')
      .refine((s) => !Number.isNaN(Date.parse(s)), 'must be a real date and time'),
  }),
]);
export type ExpiryInput = z.output<typeof ExpiryInputSchema>;

/** The absolute end of a link made at `now` (whole seconds, rounded down). */
export function resolveExpiry(expiry: ExpiryInput, now: Date): Date {
  const nowSeconds = Math.floor(now.getTime() / 1000);
  switch (expiry.type) {
    case 'preset':
      return new Date((nowSeconds + EXPIRY_PRESET_SECONDS[expiry.preset]) * 1000);
    case 'seconds':
      return new Date((nowSeconds + expiry.seconds) * 1000);
    case 'at':
      return new Date(Math.floor(Date.parse(expiry.at) / 1000) * 1000);
  }
}

/**
 * Why an expiry cannot be used for a kind of link, in plain words, or null when it is fine.
 * (Temporary credentials are checked by main, which knows them.)
 */
export function expiryProblem(kind: LinkKind, expiresAt: Date, now: Date): string | null {
  const seconds = Math.floor(expiresAt.getTime() / 1000) - Math.floor(now.getTime() / 1000);
  if (seconds < MIN_LINK_SECONDS) return 'The expiry must be at least one minute from now.';
  if (kind === 'direct' && seconds > DIRECT_MAX_SECONDS) {
    return 'A direct storage link works for at most 7 days; choose a shorter expiry or a verifier link.';
  }
  if (seconds > VERIFIER_MAX_SECONDS) return 'The expiry must be within 10 years.';
  return null;
}

/**
 * The command line's durations (`90s`, `15m`, `1h`, `7d`) or an ISO 8601 date-time; null when not one.
 */
export function parseExpiryText(text: string): ExpiryInput | null {
  const t = text.trim();
  const m = /^(\d{1,9})([smhd])$/.exec(t);
  if (m) {
    const seconds = Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[m[2] as 's' | 'm' | 'h' | 'd'];
    return seconds >= MIN_LINK_SECONDS && seconds <= VERIFIER_MAX_SECONDS
      ? { type: 'seconds', seconds }
      : null;
  }
  const at = ExpiryInputSchema.safeParse({ type: 'at', at: t });
  return at.success ? at.data : null;
}

// ---------------------------------------------------------------------------------------------------------
// Link fields

export const PRODUCT_SLUG_RE = /^[a-z0-9][a-z0-9._-]*$/;
export const ProductSlugSchema = z
  .string()
  .trim()
  .min(1, 'Enter a product slug')
  .max(200, 'At most 200 characters')
  .regex(PRODUCT_SLUG_RE, 'Lower-case letters, digits, ".", "_" and "-", starting with a letter or digit');

/**
 * A product slug suggested from a file name or key: `Products/My Plugin v2.ZIP` → `my-plugin-v2`. The
 * extension goes, letters lose accents and case, anything else becomes `-`. Falls back to `download`.
 */
export function suggestSlug(fileName: string): string {
  const base = fileName.split('/').filter(Boolean).pop() ?? '';
  const withoutExt = base.replace(/\.(tar\.(gz|bz2|xz|zst)|[A-Za-z0-9]{1,8})$/, '');
  const slug = (withoutExt || base)
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .replace(/[-._]+$/, '')
    .slice(0, 200)
    .replace(/[-._]+$/, '');
  return slug === '' ? 'download' : slug;
}

/** The download name a link suggests by default: the key's last part, without control or bidi characters. */
export function defaultFilename(key: string): string {
  return withoutControlCharacters(key.split('/').filter(Boolean).pop() ?? key);
}

export const OrderIdSchema = z.string().trim().max(128, 'At most 128 characters');
export const EmailSchema = z
  .string()
  .trim()
  .max(320)
  .refine((s) => s === '' || /^[^\s@]+@[^\s@]+$/.test(s), 'Enter an email address like name@example.com');
export const NoteSchema = z.string().trim().max(2000);
/** The most downloads a verifier link can allow: one bound for the form, the IPC schema and a CSV's max column. */
export const MAX_DOWNLOADS = 1_000_000;
export const MaxDownloadsSchema = z.number().int().min(1).max(MAX_DOWNLOADS).nullable();
export const FilenameSchema = z
  .string()
  .trim()
  .max(255, 'At most 255 characters')
  // Control characters break Content-Disposition; bidi controls disguise a name (`invoice<U+202E>fdp.exe`).
  .refine(
    (s) => !hasControlCharacter(s) && !hasBidiControl(s) && !/[/\\]/.test(s),
    'No control characters (text-direction controls included), "/" or "\\"',
  );

const linkFields = {
  kind: LinkKindSchema,
  productSlug: ProductSlugSchema,
  /** The order or licence id: the token's `license_id` (verifier links); '' for none. */
  orderId: OrderIdSchema.default(''),
  /** Ledger only, never in a token. */
  email: EmailSchema.default(''),
  /** Ledger only, never in a token. */
  note: NoteSchema.default(''),
  /** Verifier links only (a direct URL cannot count); null = no limit. */
  maxDownloads: MaxDownloadsSchema.default(null),
  /** The name the customer's browser saves; '' = the key's last part. */
  filename: FilenameSchema.default(''),
  expiry: ExpiryInputSchema,
};

function directHasNoLimit(v: { kind: LinkKind; maxDownloads: number | null }, ctx: z.RefinementCtx): void {
  if (v.kind === 'direct' && v.maxDownloads !== null) {
    ctx.addIssue({
      code: 'custom',
      path: ['maxDownloads'],
      message: 'A direct storage link cannot limit downloads; use a verifier link or no limit.',
    });
  }
}

/** A link for a catalog object (the library table's row id). */
export const LinkCreateSchema = z
  .object({ objectId: z.number().int().positive(), ...linkFields })
  .superRefine(directHasNoLimit);
export type LinkCreate = z.output<typeof LinkCreateSchema>;
export type LinkCreateInput = z.input<typeof LinkCreateSchema>;

/** The same for an object named by account, bucket and key (the command line: `signet link ACCOUNT KEY`). */
export const LinkCreateForKeySchema = z
  .object({
    accountId: AccountIdSchema,
    bucket: z.string().min(1).max(255),
    key: z.string().min(1).max(1024),
    ...linkFields,
  })
  .superRefine(directHasNoLimit);
export type LinkCreateForKey = z.output<typeof LinkCreateForKeySchema>;
export type LinkCreateForKeyInput = z.input<typeof LinkCreateForKeySchema>;

// ---------------------------------------------------------------------------------------------------------
// Ledger

/**
 * `replaced`: a reissue made a new link for it and it was not revoked (a direct link, which cannot be). A reissued
 * verifier link is revoked first, so it shows `revoked` (and `replacedBy` names its successor).
 */
export const LINK_STATUSES = ['active', 'revoked', 'expired', 'replaced'] as const;
export const LinkStatusSchema = z.enum(LINK_STATUSES);
export type LinkStatus = z.output<typeof LinkStatusSchema>;

export const LinkViewSchema = z.object({
  jti: z.string(),
  kind: LinkKindSchema,
  accountId: z.string(),
  accountName: z.string(),
  bucket: z.string(),
  key: z.string(),
  productSlug: z.string(),
  orderId: z.string(),
  email: z.string(),
  note: z.string(),
  maxDownloads: z.number().int().nullable(),
  filename: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  revokedAt: z.string().nullable(),
  status: LinkStatusSchema,
  /** Downloads counted by the verifier at the last usage check; null when never checked (or direct). */
  downloads: z.number().int().min(0).nullable(),
  /** Networks the verifier's share guard saw the link used from, at the last check; null when not known. */
  networks: z.number().int().min(0).nullable(),
  /** Whether the verifier called the link shared at the last check; null when not known. */
  shared: z.boolean().nullable(),
  /** When Signet first saw the link shared (it stays marked even if the guard is later turned off). */
  sharedAt: z.string().nullable(),
  usageCheckedAt: z.string().nullable(),
  /** The link this one was reissued for (null: an original). */
  replaces: z.string().nullable(),
  /** The link reissued in its place (null: not replaced). */
  replacedBy: z.string().nullable(),
  /** The link itself (a bearer link, as in the order email): "copy again". */
  url: z.string(),
});
export type LinkView = z.output<typeof LinkViewSchema>;

/** A new link, with warnings for the shop owner (e.g. the file is public anyway). */
export const LinkCreatedSchema = LinkViewSchema.extend({ warnings: z.array(z.string()) });
export type LinkCreated = z.output<typeof LinkCreatedSchema>;

export const LinksPageInputSchema = z.object({
  /** Any part of the key, slug, order, email, note or jti; case-insensitive. */
  search: z.string().trim().max(256).default(''),
  status: z.enum(['all', ...LINK_STATUSES]).default('all'),
  kind: z.enum(['all', ...LINK_KINDS]).default('all'),
  /** Only links Signet has seen shared (`sharedAt` set). */
  shared: z.boolean().default(false),
  /** Opaque: the `next` of the previous page. Newest first. */
  cursor: z.string().max(512).nullable().default(null),
  limit: z.number().int().min(1).max(1000).default(100),
});
export type LinksPageInput = z.input<typeof LinksPageInputSchema>;
export type LinksQuery = z.output<typeof LinksPageInputSchema>;

export const LinksPageSchema = z.object({
  rows: z.array(LinkViewSchema),
  next: z.string().nullable(),
});
export type LinksPage = z.output<typeof LinksPageSchema>;

export const JtiSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{16,64}$/, 'must be 16–64 characters of [A-Za-z0-9_-]');

export const LinkUsageInputSchema = z.object({ jtis: z.array(JtiSchema).min(1).max(500) });
export const LinkUsageSchema = z.object({
  /** The links after the check (downloads and usageCheckedAt filled in for verifier links). */
  rows: z.array(LinkViewSchema),
});
export type LinkUsage = z.output<typeof LinkUsageSchema>;

/**
 * A new link for the same file, order, customer, note and download name as `jti`; the old one is revoked (a
 * direct link is marked replaced). Without `expiry` the settings' default lifetime applies; without
 * `maxDownloads` the old link's limit.
 */
export const LinkReissueSchema = z.object({
  jti: JtiSchema,
  expiry: ExpiryInputSchema.optional(),
  maxDownloads: MaxDownloadsSchema.optional(),
});
export type LinkReissueInput = z.input<typeof LinkReissueSchema>;

// ---------------------------------------------------------------------------------------------------------
// Batch (CSV of orders: order,email,product,max,expires)

export const BATCH_COLUMNS = ['order', 'email', 'product', 'max', 'expires'] as const;
export const BATCH_OUTPUT_COLUMNS = ['url', 'jti', 'expires_at', 'error'] as const;
/**
 * A CSV of 10,000 orders is well under 2 MB. The bounds keep a wrong file from freezing the app: its size is
 * checked before it is read (a file of at most this many bytes has at most this many characters), and parsing
 * stops past BATCH_MAX_ROWS.
 */
export const BATCH_MAX_CSV_CHARS = 20_000_000;
export const BATCH_MAX_ROWS = 100_000;

export const BatchInputSchema = z.object({
  csv: z
    .string()
    .max(
      BATCH_MAX_CSV_CHARS,
      'The CSV is too large (Signet takes at most 20 MB): split it into smaller files.',
    ),
  /** The account whose catalog `product` is looked up in; default: the only account, or the first. */
  accountId: AccountIdSchema.optional(),
});
export type BatchInput = z.input<typeof BatchInputSchema>;

export const BatchRowSchema = z.object({
  /** 1-based line of the CSV (the header is line 1). */
  line: z.number().int().min(2),
  order: z.string(),
  email: z.string(),
  product: z.string(),
  /** The file the row resolves to (null when it does not). */
  bucket: z.string().nullable(),
  key: z.string().nullable(),
  productSlug: z.string().nullable(),
  maxDownloads: z.number().int().nullable(),
  expiresAt: z.string().nullable(),
  /** Why this row will not be issued, in plain words; null when it is fine. */
  error: z.string().nullable(),
  /**
   * Issued anyway, but worth knowing: the file is public, so anyone can download it without the link (what to
   * do, in plain words); null when there is nothing to say.
   */
  warning: z.string().nullable(),
});
export type BatchRow = z.output<typeof BatchRowSchema>;

export const BatchPreviewSchema = z.object({
  accountId: z.string().nullable(),
  accountName: z.string().nullable(),
  rows: z.array(BatchRowSchema),
  valid: z.number().int().min(0),
  invalid: z.number().int().min(0),
});
export type BatchPreview = z.output<typeof BatchPreviewSchema>;

export const BatchIssueSchema = z.object({
  /** The input CSV plus `url,jti,expires_at,error` columns. */
  csv: z.string(),
  issued: z.number().int().min(0),
  failed: z.number().int().min(0),
});
export type BatchIssue = z.output<typeof BatchIssueSchema>;

// ---------------------------------------------------------------------------------------------------------
// Verifier config export and admin token

export const ListenSchema = z
  .string()
  .regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'must be HOST:PORT, like 127.0.0.1:8787')
  .refine((s) => Number(s.slice(s.lastIndexOf(':') + 1)) <= 65535, 'the port must be 0–65535');

export const VerifierExportInputSchema = z.object({
  listen: ListenSchema.default('127.0.0.1:8787'),
  /**
   * Where the admin API and /metrics listen, apart from the download links (a public verifier should keep them
   * on loopback or a private address). Absent: on the same address as the links.
   */
  adminListen: ListenSchema.optional(),
  stateSqlite: z.string().min(1).max(4096).default('state.sqlite'),
});
export type VerifierExportInput = z.input<typeof VerifierExportInputSchema>;

export const VerifierExportSchema = z.object({
  /** Where the file was written; null when the save dialog was cancelled. */
  file: z.string().nullable(),
  kids: z.array(z.string()),
  stores: z.array(z.string()),
  /** True when this export generated the admin token (it is now in the keychain). */
  adminTokenCreated: z.boolean(),
  /** E.g. an account left out because its keys are not in the keychain. */
  warnings: z.array(z.string()),
  /**
   * Accounts whose own key (full permission: it can also write and delete) went into the file because they have no
   * read-only verifier key; `warning` says so and how to make one.
   */
  fullPermissionKeys: z
    .array(z.object({ account: z.string(), store: z.string(), warning: z.string() }))
    .default([]),
});
export type VerifierExport = z.output<typeof VerifierExportSchema>;

/** The warning shown with every export. */
export const VERIFIER_CONFIG_WARNING =
  'This file holds secrets: your signing keys, the verifier admin token and the storage keys of each ' +
  'account. Copy it only to your shop’s server, readable by the verifier alone, and delete other copies.';

export const ADMIN_TOKEN_MIN_CHARS = 32;
export const AdminTokenSchema = z
  .string()
  .trim()
  .min(ADMIN_TOKEN_MIN_CHARS, `At least ${ADMIN_TOKEN_MIN_CHARS} characters`)
  .max(512)
  .regex(/^\S+$/, 'No spaces');

export const AdminTokenStatusSchema = z.object({ set: z.boolean() });

/**
 * The verifier store name derived from an account name, picked once when the account is created (and by migration
 * 008 for older accounts) and kept in `accounts.verifier_store`: a rename never changes it, so links already sent
 * keep naming a store the verifier knows. Store names are 1–64 characters of [A-Za-z0-9._-]: other
 * characters become `-`; an empty result becomes `store`.
 */
export function verifierStoreName(accountName: string): string {
  const name = accountName
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .trim()
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64);
  return name === '' ? 'store' : name;
}
