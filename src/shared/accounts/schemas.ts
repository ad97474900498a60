import { z } from 'zod';
import { endpointFor, PROVIDER_IDS, PROVIDERS } from './providers';

/**
 * Storage accounts as they cross the IPC boundary. Inputs carry credentials one way (renderer → main, into the
 * keychain); nothing that main sends back has a field that could hold one: the renderer learns only whether
 * credentials are stored.
 */

export const ProviderIdSchema = z.enum(PROVIDER_IDS);

/** Lenient on purpose (providers differ: GCS allows underscores and longer names); blocks only what is never valid. */
export const BucketNameSchema = z
  .string()
  .trim()
  .min(3, { message: 'A bucket name has at least 3 characters', abort: true })
  .max(222, 'A bucket name has at most 222 characters')
  .regex(
    /^[a-z0-9][a-z0-9._-]*[a-z0-9]$/,
    'Bucket names use lower-case letters, digits, dots, dashes and underscores',
  );

const endpointSchema = z
  .string()
  .trim()
  .max(2048)
  .refine((v) => v === '' || v.includes('<account-id>') || isHttpUrl(v), {
    message: 'Enter a full address starting with https:// (or http:// on your own network)',
  });

/** Everything about an account that is not secret: what SQLite stores. */
export const AccountSettingsSchema = z
  .object({
    name: z.string().trim().min(1, 'Give the account a name').max(80, 'At most 80 characters'),
    provider: ProviderIdSchema,
    /** Empty for Amazon S3's standard regional endpoint. */
    endpoint: endpointSchema,
    region: z
      .string()
      .trim()
      .min(1, { message: 'Enter the region (see the hint below the field)', abort: true })
      .max(64)
      .regex(/^[a-z0-9][a-z0-9-]*$/i, 'A region is one word such as eu-west-1 or auto'),
    forcePathStyle: z.boolean(),
    /** The buckets Signet works with; empty means every bucket the key can list. */
    buckets: z.array(BucketNameSchema).max(50, 'At most 50 buckets').default([]),
    /** Where protected files go when per-file access settings do not work (R2, B2, ACL-disabled AWS buckets). */
    privateBucket: BucketNameSchema.nullable().default(null),
  })
  .superRefine((value, ctx) => {
    if (value.provider !== 'aws' && value.endpoint === '') {
      ctx.addIssue({
        code: 'custom',
        path: ['endpoint'],
        message: 'Enter the endpoint address of your storage',
      });
    }
    if (isPlainHttpToTheInternet(value.endpoint)) {
      ctx.addIssue({
        code: 'custom',
        path: ['endpoint'],
        message:
          'http:// would send your requests unencrypted over the internet: use https:// for this address ' +
          '(http:// is only for storage on this computer or your own network)',
      });
    }
    if (value.endpoint.includes('<account-id>')) {
      ctx.addIssue({ code: 'custom', path: ['endpoint'], message: 'Fill in your Cloudflare account ID' });
    }
    if (new Set(value.buckets).size !== value.buckets.length) {
      ctx.addIssue({ code: 'custom', path: ['buckets'], message: 'A bucket is listed twice' });
    }
  });

const keyIdSchema = z
  .string()
  .trim()
  .min(1, { message: 'Enter the access key ID', abort: true })
  .max(256)
  .regex(/^\S+$/, 'An access key ID has no spaces');
const secretSchema = z
  .string()
  .trim()
  .min(1, { message: 'Enter the secret access key', abort: true })
  .max(1024)
  .regex(/^\S+$/, 'A secret access key has no spaces');
const sessionTokenSchema = z.string().trim().max(8192).regex(/^\S+$/, 'A session token has no spaces');

/** Empty text fields from a form mean "not given". */
const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

export const NewCredentialsSchema = z.object({
  accessKeyId: keyIdSchema,
  secretAccessKey: secretSchema,
  /** Temporary (STS) credentials: links signed with them stop working when the session ends. */
  sessionToken: z.preprocess(blankToUndefined, sessionTokenSchema.optional()),
});

export const AccountCreateSchema = z.object({
  settings: AccountSettingsSchema,
  credentials: NewCredentialsSchema,
});

/** On edit every credential field is optional: what is left out stays as stored in the keychain. */
export const CredentialsChangeSchema = z
  .object({
    accessKeyId: z.preprocess(blankToUndefined, keyIdSchema.optional()),
    secretAccessKey: z.preprocess(blankToUndefined, secretSchema.optional()),
    /**
     * A new token; null removes the stored one (the key became a permanent one); absent keeps it, unless a new
     * access key ID or secret is given: a token belongs to one key pair, so main removes the stored one then.
     */
    sessionToken: z.preprocess(blankToUndefined, sessionTokenSchema.nullable().optional()),
  })
  .superRefine((value, ctx) => {
    if (value.accessKeyId !== undefined && value.secretAccessKey === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['secretAccessKey'],
        message: 'A new access key ID comes with its own secret: enter it too',
      });
    }
  });

export const AccountIdSchema = z.uuid();

/**
 * A read-only key for the verifier (it needs only GetObject), kept in the keychain and written into verifier
 * configs instead of the account's own key; null clears it.
 */
export const VerifierKeyInputSchema = z.object({
  id: AccountIdSchema,
  key: z.object({ accessKeyId: keyIdSchema, secretAccessKey: secretSchema }).nullable(),
});
export type VerifierKeyInput = z.input<typeof VerifierKeyInputSchema>;

export const AccountUpdateSchema = z.object({
  id: AccountIdSchema,
  settings: AccountSettingsSchema,
  credentials: CredentialsChangeSchema.default({}),
});

// ---------------------------------------------------------------------------------------------------------
// Connection test results

export const PRIVACY_MODELS = ['object-acl', 'acl-disabled', 'no-object-acl', 'unknown'] as const;
export const PrivacyModelSchema = z.enum(PRIVACY_MODELS);
export type PrivacyModel = z.output<typeof PrivacyModelSchema>;

export const PROBLEM_KINDS = [
  'wrong-key', // the access key ID is unknown
  'wrong-secret', // the signature does not match: wrong secret
  'wrong-region',
  'clock-skew',
  'expired-session', // temporary credentials ran out
  'access-denied', // the key works but may not do this
  'no-such-bucket',
  'network', // nothing answered, DNS failed, timed out
  'tls', // the certificate was not accepted
  'not-s3', // something answered, but not an S3 API
  'not-implemented',
  'unknown',
] as const;
export const ProblemKindSchema = z.enum(PROBLEM_KINDS);
export type ProblemKind = z.output<typeof ProblemKindSchema>;

/** A failure explained: the provider's exact answer plus what it means and what to do. */
export const ProblemSchema = z.object({
  kind: ProblemKindSchema,
  /** The provider's error code (e.g. SignatureDoesNotMatch) or the network error (ECONNREFUSED). */
  code: z.string().nullable(),
  httpStatus: z.number().int().nullable(),
  /** The provider's own message, when it sent a useful one. */
  providerMessage: z.string().nullable(),
  /** What happened, in one sentence. */
  title: z.string(),
  /** What to do about it. */
  advice: z.string(),
});
export type Problem = z.output<typeof ProblemSchema>;

export const NoteSchema = z.object({ level: z.enum(['info', 'warning']), text: z.string() });
export type Note = z.output<typeof NoteSchema>;

export const ExposureFindingSchema = z.object({
  source: z.enum(['policy', 'policy-status', 'acl', 'block-public-access', 'provider']),
  /**
   * What the finding lets strangers do; `none` for findings that only inform (e.g. Block Public Access is on).
   * `read-some-objects`: download the files under some prefixes only (then each file is asked as a stranger).
   */
  effect: z.enum(['read-objects', 'read-some-objects', 'list-objects', 'write-objects', 'other', 'none']),
  /** True when a Block Public Access setting the provider enforces cancels it. */
  neutralized: z.boolean(),
  text: z.string(),
});
export type ExposureFinding = z.output<typeof ExposureFindingSchema>;

export const BucketReportSchema = z.object({
  name: z.string(),
  reachable: z.boolean(),
  problem: ProblemSchema.nullable(),
  privacy: z.object({
    model: PrivacyModelSchema,
    /** `detected`: from the bucket's own answers; `provider`: from what the provider documents. */
    source: z.enum(['detected', 'provider', 'unknown']),
    /** What each check answered, e.g. "GetBucketOwnershipControls: BucketOwnerEnforced". */
    evidence: z.array(z.string()),
  }),
  exposure: z.object({
    level: z.enum(['private', 'public', 'unknown']),
    findings: z.array(ExposureFindingSchema),
  }),
  isPrivateBucket: z.boolean(),
  /** What this means for protected files, and what to do. */
  advice: z.array(z.string()),
});
export type BucketReport = z.output<typeof BucketReportSchema>;

export const ClockCheckSchema = z.object({
  /** Storage server time minus local time, in milliseconds (positive: this computer is behind). */
  offsetMs: z.number().int(),
  serverTime: z.string(),
  /** More than a minute apart: links would expire early or late without correction. */
  skewed: z.boolean(),
  /** The offset Signet applies when signing requests and links for this account. */
  appliedOffsetMs: z.number().int(),
});
export type ClockCheck = z.output<typeof ClockCheckSchema>;

export const TestResultSchema = z.object({
  testedAt: z.string(),
  status: z.enum(['ok', 'warning', 'failed']),
  /** One line for the list: "Connected: 2 buckets reachable". */
  headline: z.string(),
  /** Why the connection failed as a whole (wrong key, network…); null when it connected. */
  problem: ProblemSchema.nullable(),
  clock: ClockCheckSchema.nullable(),
  temporaryCredentials: z.boolean(),
  /** Whether the key may list buckets, and the names it saw. */
  listing: z.object({ allowed: z.boolean(), names: z.array(z.string()) }),
  buckets: z.array(BucketReportSchema),
  notes: z.array(NoteSchema),
});
export type TestResult = z.output<typeof TestResultSchema>;

/** An account as the renderer sees it: settings, whether credentials are stored, the last test. Never a secret. */
export const AccountViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  provider: ProviderIdSchema,
  endpoint: z.string(),
  region: z.string(),
  forcePathStyle: z.boolean(),
  buckets: z.array(z.string()),
  privateBucket: z.string().nullable(),
  credentials: z.object({
    /** null when the keychain could not be asked (locked or not running). */
    hasCredentials: z.boolean().nullable(),
    /** A session token is stored: the credentials are temporary. */
    temporary: z.boolean().nullable(),
  }),
  clockOffsetMs: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
  lastTest: TestResultSchema.nullable(),
  /** A read-only verifier key is stored (it goes into verifier configs); null when the keychain could not be asked. */
  verifierKey: z.boolean().nullable().default(null),
});

export type AccountSettings = z.output<typeof AccountSettingsSchema>;
export type AccountSettingsInput = z.input<typeof AccountSettingsSchema>;
export type NewCredentials = z.output<typeof NewCredentialsSchema>;
export type CredentialsChange = z.output<typeof CredentialsChangeSchema>;
export type AccountCreate = z.output<typeof AccountCreateSchema>;
export type AccountCreateInput = z.input<typeof AccountCreateSchema>;
export type AccountUpdate = z.output<typeof AccountUpdateSchema>;
export type AccountUpdateInput = z.input<typeof AccountUpdateSchema>;
export type AccountView = z.output<typeof AccountViewSchema>;

/** Settings a preset fills in for a new account. */
export function defaultSettingsFor(provider: (typeof PROVIDER_IDS)[number]): Omit<AccountSettings, 'name'> {
  const p = PROVIDERS[provider];
  return {
    provider,
    endpoint: endpointFor(provider, p.defaultRegion),
    region: p.defaultRegion,
    forcePathStyle: p.forcePathStyle,
    buckets: [],
    privateBucket: null,
  };
}

/**
 * True for a host on this computer or a private network: loopback, RFC 1918 and link-local IPv4, IPv6 loopback,
 * unique-local and link-local, `localhost`, `*.local` (mDNS) and single-label names (a LAN's own).
 */
export function isLocalNetworkHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host)?.slice(1).map(Number);
  if (v4) {
    const [a, b] = v4 as [number, number];
    return (
      a === 127 ||
      a === 10 ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 169 && b === 254)
    );
  }
  if (host.includes(':')) return host === '::1' || /^f[cd]/.test(host) || /^fe[89ab]/.test(host);
  return (
    host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.local') || !host.includes('.')
  );
}

/** An http:// endpoint whose host is not on this computer or a private network. */
export function isPlainHttpToTheInternet(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' && !isLocalNetworkHost(url.hostname);
  } catch {
    return false;
  }
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '';
  } catch {
    return false;
  }
}
