import { z } from 'zod';
import { AccountIdSchema, PrivacyModelSchema } from '../accounts/schemas';

/**
 * The media library as it crosses the IPC boundary: buckets, catalog pages by cursor (never a whole bucket),
 * one object's details, syncs and anonymous verification. The access vocabulary is the command line's
 * (../shared/spec/cli.md), so the window, the contract and `signet ls --json` say the same words.
 */

export const ACCESS_TYPES = ['public', 'authenticated', 'public-bucket', 'private', 'unknown'] as const;
export const AccessTypeSchema = z.enum(ACCESS_TYPES);
export type AccessType = z.output<typeof AccessTypeSchema>;

/** Access types that let a stranger read the file: anything else answering 200 to an anonymous GET is a leak. */
export const PUBLIC_ACCESS: ReadonlySet<AccessType> = new Set(['public', 'public-bucket']);

/** A leak: the catalog holds the object as not readable by strangers, yet an anonymous GET got it. */
export function isLeak(access: AccessType, status: number | null): boolean {
  return status === 200 && (access === 'private' || access === 'authenticated');
}

export const BucketRoleSchema = z.enum(['files', 'private']);
export type BucketRole = z.output<typeof BucketRoleSchema>;

export const BucketViewSchema = z.object({
  id: z.number().int(),
  accountId: z.string(),
  accountName: z.string(),
  name: z.string(),
  /** `files`: a bucket the shop works in; `private`: where protected files go when per-file access is absent. */
  role: BucketRoleSchema,
  /** False for a bucket synced once but no longer in the account's settings (its catalog is kept). */
  configured: z.boolean(),
  /** null until a connection test or sync checked it. */
  model: PrivacyModelSchema.nullable(),
  exposure: z.enum(['private', 'public', 'unknown']),
  checkedAt: z.string().nullable(),
  lastSyncAt: z.string().nullable(),
  lastSyncError: z.string().nullable(),
  objects: z.number().int().min(0),
  bytes: z.number().min(0),
  access: z.record(AccessTypeSchema, z.number().int().min(0)),
  leaks: z.number().int().min(0),
  /**
   * Why the access types here are not read from the bucket's rule, in plain words (e.g. its policy cannot be read
   * with these keys, so each file is checked as a stranger would), or null when they are.
   */
  accessNote: z.string().nullable(),
});
export type BucketView = z.output<typeof BucketViewSchema>;

export const VerificationSchema = z.object({ status: z.number().int(), at: z.string() }).nullable();

export const ObjectRowSchema = z.object({
  id: z.number().int(),
  key: z.string(),
  /** The key up to and including its last `/` ('' at the top of the bucket). */
  folder: z.string(),
  /** The key after its last `/`. */
  name: z.string(),
  size: z.number().min(0),
  lastModified: z.string(),
  etag: z.string(),
  contentType: z.string().nullable(),
  access: AccessTypeSchema,
  verified: VerificationSchema,
  leak: z.boolean(),
});
export type ObjectRow = z.output<typeof ObjectRowSchema>;

export const SORT_COLUMNS = ['name', 'size', 'lastModified', 'access', 'type'] as const;
export const SortSchema = z.object({
  column: z.enum(SORT_COLUMNS).default('name'),
  direction: z.enum(['asc', 'desc']).default('asc'),
});
export type Sort = z.output<typeof SortSchema>;

/**
 * Which objects: a folder's direct children (`recursive: false`, the table's folder view) or everything under
 * a prefix (`recursive: true`, `signet ls --prefix`). `search` matches any part of the key, case-insensitive,
 * across the whole bucket below `folder`.
 */
export const ObjectQuerySchema = z.object({
  bucketId: z.number().int().positive(),
  folder: z.string().max(1024).default(''),
  recursive: z.boolean().default(false),
  access: z.array(AccessTypeSchema).max(ACCESS_TYPES.length).default([]),
  search: z.string().trim().max(256).default(''),
  leaksOnly: z.boolean().default(false),
});
export type ObjectQuery = z.output<typeof ObjectQuerySchema>;
export type ObjectQueryInput = z.input<typeof ObjectQuerySchema>;

export const ObjectPageInputSchema = ObjectQuerySchema.extend({
  sort: SortSchema.default({ column: 'name', direction: 'asc' }),
  /** Opaque: the `next` of the previous page. */
  cursor: z.string().max(4096).nullable().default(null),
  limit: z.number().int().min(1).max(1000).default(200),
});
export type ObjectPageInput = z.input<typeof ObjectPageInputSchema>;

export const ObjectPageSchema = z.object({
  rows: z.array(ObjectRowSchema),
  next: z.string().nullable(),
  /** Sub-folders of `folder` (first page of a non-recursive, unsearched query only). */
  folders: z.array(z.object({ path: z.string(), name: z.string() })),
  /** How many objects match the whole query (for "select all N matching"); first page only, else null. */
  total: z.number().int().min(0).nullable(),
  /**
   * True when more objects match than `total` says: a search's count stops there (the window shows "10,000+").
   * An action on all of them (a job's plan, a verify) counts them exactly, before anything changes.
   */
  totalCapped: z.boolean(),
});
export type ObjectPage = z.output<typeof ObjectPageSchema>;

export const GrantSchema = z.object({
  grantee: z.string(),
  permission: z.string(),
});

export const ObjectDetailsSchema = ObjectRowSchema.extend({
  bucket: z.string(),
  storageClass: z.string().nullable(),
  accessCheckedAt: z.string().nullable(),
  /** Why the access type is what it is, in plain words. */
  accessReason: z.string(),
  grants: z.array(GrantSchema).nullable(),
  url: z.string(),
  history: z.array(z.object({ status: z.number().int(), at: z.string(), leak: z.boolean() })),
});
export type ObjectDetails = z.output<typeof ObjectDetailsSchema>;

export const SyncInputSchema = z.object({
  accountId: AccountIdSchema,
  bucket: z.string().min(1).max(222),
  prefix: z.string().max(1024).default(''),
});
export type SyncInput = z.input<typeof SyncInputSchema>;

export const SyncSummarySchema = z.object({
  bucket: z.string(),
  objects: z.number().int(),
  added: z.number().int(),
  updated: z.number().int(),
  removed: z.number().int(),
  access: z.record(AccessTypeSchema, z.number().int()),
  seconds: z.number(),
});
export type SyncSummary = z.output<typeof SyncSummarySchema>;

/**
 * A selection the next actions work on (verify now; make private/public and links later): some rows picked by
 * id, or "all N matching" a query, which stays a query so it can cover a million objects without listing them.
 */
export const SelectionSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('ids'),
    bucketId: z.number().int().positive(),
    ids: z.array(z.number().int().positive()).min(1).max(100_000),
  }),
  z.object({ kind: z.literal('query'), query: ObjectQuerySchema }),
]);
export type Selection = z.output<typeof SelectionSchema>;
export type SelectionInput = z.input<typeof SelectionSchema>;

export const VerifySummarySchema = z.object({
  checked: z.number().int(),
  readable: z.number().int(),
  refused: z.number().int(),
  failed: z.number().int(),
  leaks: z.array(z.object({ key: z.string(), access: AccessTypeSchema, status: z.number().int() })),
  seconds: z.number(),
});
export type VerifySummary = z.output<typeof VerifySummarySchema>;

/** One file the leak watch asked for (the JSON Lines of `signet watch`). */
export const WatchResultSchema = z.object({
  account: z.string(),
  bucket: z.string(),
  key: z.string(),
  access: AccessTypeSchema,
  status: z.number().int(),
  leak: z.boolean(),
});

/** One pass of the leak watch. */
export const WatchSummarySchema = z.object({
  checked: z.number().int().min(0),
  leaks: z.array(WatchResultSchema),
  problems: z.array(z.string()),
  unreachable: z.number().int().min(0),
  seconds: z.number().min(0),
  at: z.string(),
});
export type WatchSummaryView = z.output<typeof WatchSummarySchema>;
