/**
 * The verifier's configuration: one JSON file, checked with zod at start. A bad file is refused with
 * a message naming the field (`config: keys.k1: must be 43 characters of base64url (32 bytes)`), so a
 * typo never turns into a running service that refuses every customer.
 *
 * Secrets may come from the environment instead of the file (then they win over the file):
 *   SIGNET_VERIFIER_KEYS                      JSON object {"kid": "<43 B64U chars>", …}: the whole key set
 *   SIGNET_VERIFIER_ADMIN_TOKEN               the admin API bearer token
 *   SIGNET_VERIFIER_REDIS_URL                 state in Redis at this URL (may hold a password)
 *   SIGNET_STORE_<NAME>_ACCESS_KEY_ID         credentials of store <NAME> (upper case, other characters
 *   SIGNET_STORE_<NAME>_SECRET_ACCESS_KEY     than A-Z and 0-9 become "_": store "eu-main" → EU_MAIN)
 *   SIGNET_STORE_<NAME>_SESSION_TOKEN         (optional, temporary credentials)
 */
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';

import { isCanonicalB64u, isValidKid, parseKeys, type TokenKeys } from '@shared-node/token';
import { parseIpRange } from './http/client-network';
import { ADMIN_TOKEN_MIN_CHARS } from '@shared/links/schemas';
import { NETWORKS_PER_LINK } from './state/networks';

export const PRESIGN_EXPIRY_MIN_SECONDS = 60;
export const PRESIGN_EXPIRY_MAX_SECONDS = 3600;
export const PRESIGN_EXPIRY_DEFAULT_SECONDS = 300;
/** The app's own rule (the window and `signet settings set` check the same before they store a token). */
export const ADMIN_TOKEN_MIN_LENGTH = ADMIN_TOKEN_MIN_CHARS;

export interface StoreConfig {
  name: string;
  /** Absent for Amazon S3 itself (then `https://s3.<region>.amazonaws.com`). */
  endpoint?: string;
  region: string;
  forcePathStyle: boolean;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export type StateConfig = { kind: 'sqlite'; path: string } | { kind: 'redis'; url: string };

/** The configuration after checking: paths absolute, secrets decoded, values clamped. */
export interface ConnectionLimits {
  /** Open connections per process; past it new ones are closed at once. */
  maxConnections: number;
  /** A socket with nothing received and nothing accepted by the client for this long is closed. */
  sendTimeoutSeconds: number;
  /** How long an idle keep-alive connection waits for its next request. */
  keepAliveTimeoutSeconds: number;
  /** Requests per keep-alive connection; the last answer closes it. */
  maxRequestsPerConnection: number;
  /** The request headers must arrive within this time… */
  headersTimeoutSeconds: number;
  /** …and the whole request within this one. */
  requestTimeoutSeconds: number;
}

export const DEFAULT_LIMITS: Readonly<ConnectionLimits> = Object.freeze({
  maxConnections: 10_000,
  sendTimeoutSeconds: 60,
  keepAliveTimeoutSeconds: 5,
  maxRequestsPerConnection: 1000,
  headersTimeoutSeconds: 10,
  requestTimeoutSeconds: 30,
});

/**
 * The share guard (spec "Share guard"): a link is shared once asked for from more than `networks`
 * networks; `flag` only reports it (admin API), `block` refuses networks beyond the first `networks`.
 */
export interface ShareGuardConfig {
  networks: number;
  action: 'flag' | 'block';
}

/** `shareGuard.networks` at most: one less than the networks a link keeps, so "more than N" can be seen. */
export const SHARE_GUARD_MAX_NETWORKS = NETWORKS_PER_LINK - 1;

export const ADMIN_LISTEN_DEFAULT_HOST = '127.0.0.1';
export const ADMIN_LISTEN_DEFAULT_PORT = 8788;

export interface VerifierConfig {
  /** The file it came from (absent when built in code, as tests do). */
  file?: string;
  listen: { host: string; port: number };
  /**
   * A second listener for the admin API and /metrics (then not served on `listen`); absent: one
   * listener serves everything.
   */
  adminListen?: { host: string; port: number };
  limits: ConnectionLimits;
  keys: TokenKeys;
  stores: ReadonlyMap<string, StoreConfig>;
  /** Real (symlink-free) absolute path of the file root, when file sources are enabled. */
  fileRoot?: string;
  /** Lower-case `host` or `host:port` entries (port only when not 443). */
  allowedHosts: ReadonlySet<string>;
  presignExpirySeconds: number;
  state: StateConfig;
  adminToken: string;
  /** Absent: the guard is off (no network is looked at or recorded). */
  shareGuard?: ShareGuardConfig;
  /**
   * Proxies (addresses or CIDR ranges, as written in the config) whose `X-Forwarded-For` names the client;
   * empty: the socket's peer is the client.
   */
  trustProxy: readonly string[];
  /** Human notes about the config (e.g. a clamped value), printed at start. */
  warnings: string[];
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const B64U_SECRET_MESSAGE = 'must be 43 characters of base64url (32 bytes)';
const HOST_RE =
  /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/;

const secretSchema = z
  .string({ error: B64U_SECRET_MESSAGE })
  .refine((s) => s.length === 43 && isCanonicalB64u(s), B64U_SECRET_MESSAGE);

const storeSchema = z.strictObject({
  endpoint: z
    .string()
    .refine(
      (s) => /^https?:\/\/[^/?#\s]+\/?[^?#\s]*$/.test(s) && URL.canParse(s),
      'must be an http(s) URL like http://127.0.0.1:7480',
    )
    .optional(),
  region: z.string().min(1, 'must not be empty').default('us-east-1'),
  forcePathStyle: z.boolean().default(false),
  accessKeyId: z.string().min(1, 'must not be empty').optional(),
  secretAccessKey: z.string().min(1, 'must not be empty').optional(),
  sessionToken: z.string().min(1, 'must not be empty').optional(),
});

const stateSchema = z
  .strictObject({
    sqlite: z.string().min(1, 'must be a file path').optional(),
    redis: z
      .string()
      .refine((s) => /^rediss?:\/\//.test(s) && URL.canParse(s), 'must be a redis:// or rediss:// URL')
      .optional(),
  })
  .refine(
    (s) => (s.sqlite === undefined) !== (s.redis === undefined),
    'must have exactly one of "sqlite" or "redis"',
  );

const seconds = (max: number) =>
  z
    .number('must be a number of seconds')
    .positive('must be more than 0 seconds')
    .max(max, `must be at most ${max} seconds`);

const limitsSchema = z
  .strictObject({
    maxConnections: z
      .int('must be an integer')
      .min(1, 'must be at least 1')
      .default(DEFAULT_LIMITS.maxConnections),
    sendTimeoutSeconds: seconds(3600).default(DEFAULT_LIMITS.sendTimeoutSeconds),
    keepAliveTimeoutSeconds: seconds(600).default(DEFAULT_LIMITS.keepAliveTimeoutSeconds),
    maxRequestsPerConnection: z
      .int('must be an integer')
      .min(0, 'must be 0 (no limit) or more')
      .default(DEFAULT_LIMITS.maxRequestsPerConnection),
    headersTimeoutSeconds: seconds(600).default(DEFAULT_LIMITS.headersTimeoutSeconds),
    requestTimeoutSeconds: seconds(3600).default(DEFAULT_LIMITS.requestTimeoutSeconds),
  })
  .refine(
    (l) => l.headersTimeoutSeconds <= l.requestTimeoutSeconds,
    'headersTimeoutSeconds must not be more than requestTimeoutSeconds',
  )
  .default({ ...DEFAULT_LIMITS });

const configSchema = z.strictObject({
  adminListen: z
    .strictObject({
      host: z.string().min(1, 'must not be empty').default(ADMIN_LISTEN_DEFAULT_HOST),
      port: z
        .int('must be an integer')
        .min(0, 'must be 0–65535')
        .max(65535, 'must be 0–65535')
        .default(ADMIN_LISTEN_DEFAULT_PORT),
    })
    .optional(),
  limits: limitsSchema,
  listen: z
    .strictObject({
      host: z.string().min(1, 'must not be empty').default('127.0.0.1'),
      port: z.int('must be an integer').min(0, 'must be 0–65535').max(65535, 'must be 0–65535').default(8787),
    })
    .default({ host: '127.0.0.1', port: 8787 }),
  keys: z
    .record(z.string().refine(isValidKid, 'key ids must be 1–32 characters of [A-Za-z0-9_-]'), secretSchema)
    .refine((k) => Object.keys(k).length > 0, 'needs at least one key (or set SIGNET_VERIFIER_KEYS)'),
  stores: z
    .record(
      z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'store names must be 1–64 characters of [A-Za-z0-9._-]'),
      storeSchema,
    )
    .default({}),
  fileRoot: z.string().min(1, 'must be a directory path').optional(),
  allowedHosts: z
    .array(
      z
        .string()
        .transform((h) => h.toLowerCase())
        .refine(
          (h) => HOST_RE.test(h),
          'must be a host name like cdn.example.com (optionally :port), without scheme or path',
        ),
    )
    .default([]),
  // Any integer is accepted and clamped to 60–3600 below (with a warning at start).
  presignExpirySeconds: z.int('must be an integer number of seconds').default(PRESIGN_EXPIRY_DEFAULT_SECONDS),
  state: stateSchema.default({ sqlite: './verifier.db' }),
  adminToken: z.string().min(ADMIN_TOKEN_MIN_LENGTH, `must be at least ${ADMIN_TOKEN_MIN_LENGTH} characters`),
  shareGuard: z
    .strictObject({
      networks: z
        .int(`must be a whole number from 1 to ${SHARE_GUARD_MAX_NETWORKS}`)
        .min(1, `must be a whole number from 1 to ${SHARE_GUARD_MAX_NETWORKS}`)
        .max(SHARE_GUARD_MAX_NETWORKS, `must be a whole number from 1 to ${SHARE_GUARD_MAX_NETWORKS}`),
      action: z.enum(['flag', 'block'], 'must be "flag" (report only) or "block" (refuse further networks)'),
    })
    .optional(),
  trustProxy: z
    .array(
      z
        .string('must be an IP address or a CIDR range like 10.0.0.0/8 or fd00::/8')
        .refine(
          (s) => parseIpRange(s) !== null,
          'must be an IP address or a CIDR range like 10.0.0.0/8 or fd00::/8',
        ),
      'must be a list of IP addresses or CIDR ranges, like ["127.0.0.1", "10.0.0.0/8"]',
    )
    .default([]),
});

type Env = Readonly<Record<string, string | undefined>>;

/** The environment variable prefix of a store's credentials. */
export function storeEnvPrefix(name: string): string {
  return `SIGNET_STORE_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_`;
}

/** Reads, checks and resolves a config file. Throws ConfigError with a message naming the field. */
export function loadConfigFile(file: string, env: Env = process.env): VerifierConfig {
  const path = resolve(file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(
      `config: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    // Never V8's message: it quotes the text around the error, which may be a secret (the admin token
    // or a key on that line). Only where it is, when the message says.
    throw new ConfigError(`config: ${path} is not valid JSON${jsonErrorPlace(text, (err as Error).message)}`);
  }
  return parseConfig(raw, { baseDir: dirname(path), env, file: path });
}

/** ` (line L, column C)` from the "at position N" of a JSON.parse message, else a hint. */
export function jsonErrorPlace(text: string, message: string): string {
  const m = /\bposition (\d+)/.exec(message);
  if (m === null) {
    if (/end of (JSON|data)/i.test(message)) return ' (it ends too early: a missing "}", "]" or quote?)';
    return ' (check quotes, commas and brackets; `jq . FILE` shows where)';
  }
  const pos = Math.min(Number(m[1]), text.length);
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < pos; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return ` (line ${line}, column ${pos - lineStart + 1})`;
}

/**
 * Checks a parsed config object. `baseDir` anchors relative paths (the config file's folder).
 * Environment secrets are merged in first; an error in one of them names the variable too.
 */
export function parseConfig(
  raw: unknown,
  opts: { baseDir: string; env?: Env; file?: string },
): VerifierConfig {
  const env = opts.env ?? {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError('config: must be a JSON object');
  }
  const { merged, fromEnv } = mergeEnv(raw as Record<string, unknown>, env);
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => formatIssue(i, merged, fromEnv)).join('\n'));
  }
  const c = parsed.data;
  const warnings: string[] = [];

  const stores = new Map<string, StoreConfig>();
  for (const [name, s] of Object.entries(c.stores)) {
    const prefix = storeEnvPrefix(name);
    for (const field of ['accessKeyId', 'secretAccessKey'] as const) {
      if (!s[field]) {
        const variable = `${prefix}${field === 'accessKeyId' ? 'ACCESS_KEY_ID' : 'SECRET_ACCESS_KEY'}`;
        throw new ConfigError(`config: stores.${name}.${field}: required (or set ${variable})`);
      }
    }
    stores.set(name, {
      name,
      endpoint: s.endpoint,
      region: s.region,
      forcePathStyle: s.forcePathStyle,
      accessKeyId: s.accessKeyId as string,
      secretAccessKey: s.secretAccessKey as string,
      sessionToken: s.sessionToken,
    });
  }

  // The schema already named any bad kid or secret; this decodes them.
  const keys = parseKeys(c.keys);

  let fileRoot: string | undefined;
  if (c.fileRoot !== undefined) {
    const abs = resolve(opts.baseDir, c.fileRoot);
    try {
      if (!statSync(abs).isDirectory()) throw new ConfigError(`config: fileRoot: ${abs} is not a directory`);
      fileRoot = realpathSync(abs);
    } catch (err) {
      if (err instanceof ConfigError) throw err;
      throw new ConfigError(
        `config: fileRoot: ${abs}: ${(err as NodeJS.ErrnoException).code ?? 'cannot be read'}`,
      );
    }
  }

  const presignExpirySeconds = Math.min(
    PRESIGN_EXPIRY_MAX_SECONDS,
    Math.max(PRESIGN_EXPIRY_MIN_SECONDS, c.presignExpirySeconds),
  );
  if (presignExpirySeconds !== c.presignExpirySeconds) {
    warnings.push(
      `presignExpirySeconds ${c.presignExpirySeconds} clamped to ${presignExpirySeconds} ` +
        `(allowed ${PRESIGN_EXPIRY_MIN_SECONDS}–${PRESIGN_EXPIRY_MAX_SECONDS})`,
    );
  }

  if (
    c.adminListen !== undefined &&
    c.adminListen.port === c.listen.port &&
    c.adminListen.port !== 0 &&
    c.adminListen.host === c.listen.host
  ) {
    throw new ConfigError('config: adminListen: must be another address or port than listen');
  }

  const state: StateConfig =
    c.state.redis !== undefined
      ? { kind: 'redis', url: c.state.redis }
      : { kind: 'sqlite', path: resolveSqlitePath(opts.baseDir, c.state.sqlite as string) };

  return {
    file: opts.file,
    listen: c.listen,
    adminListen: c.adminListen,
    limits: c.limits,
    keys,
    stores,
    fileRoot,
    // "cdn.example.com:443" and "cdn.example.com" are one host for https.
    allowedHosts: new Set(c.allowedHosts.map((h) => h.replace(/:443$/, ''))),
    presignExpirySeconds,
    state,
    adminToken: c.adminToken,
    shareGuard: c.shareGuard,
    trustProxy: c.trustProxy,
    warnings,
  };
}

function resolveSqlitePath(baseDir: string, p: string): string {
  return p === ':memory:' || isAbsolute(p) ? p : resolve(baseDir, p);
}

/** Overlays the environment secrets; returns which top-level paths came from which variable. */
function mergeEnv(
  raw: Record<string, unknown>,
  env: Env,
): { merged: Record<string, unknown>; fromEnv: Map<string, string> } {
  const merged: Record<string, unknown> = { ...raw };
  const fromEnv = new Map<string, string>();

  const keys = env.SIGNET_VERIFIER_KEYS;
  if (keys !== undefined && keys !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(keys);
    } catch {
      parsed = undefined;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      // Never echo the value: it is a secret.
      throw new ConfigError(
        'config: SIGNET_VERIFIER_KEYS: must be a JSON object {"kid": "<43 base64url characters>"}',
      );
    }
    merged.keys = parsed;
    fromEnv.set('keys', 'SIGNET_VERIFIER_KEYS');
  }
  if (env.SIGNET_VERIFIER_ADMIN_TOKEN) {
    merged.adminToken = env.SIGNET_VERIFIER_ADMIN_TOKEN;
    fromEnv.set('adminToken', 'SIGNET_VERIFIER_ADMIN_TOKEN');
  }
  if (env.SIGNET_VERIFIER_REDIS_URL) {
    merged.state = { redis: env.SIGNET_VERIFIER_REDIS_URL };
    fromEnv.set('state', 'SIGNET_VERIFIER_REDIS_URL');
  }
  const stores = raw.stores;
  if (typeof stores === 'object' && stores !== null && !Array.isArray(stores)) {
    const out: Record<string, unknown> = {};
    for (const [name, store] of Object.entries(stores as Record<string, unknown>)) {
      if (typeof store !== 'object' || store === null || Array.isArray(store)) {
        out[name] = store;
        continue;
      }
      const s: Record<string, unknown> = { ...(store as Record<string, unknown>) };
      const prefix = storeEnvPrefix(name);
      for (const [field, suffix] of [
        ['accessKeyId', 'ACCESS_KEY_ID'],
        ['secretAccessKey', 'SECRET_ACCESS_KEY'],
        ['sessionToken', 'SESSION_TOKEN'],
      ] as const) {
        const v = env[prefix + suffix];
        if (v) {
          s[field] = v;
          fromEnv.set(`stores.${name}.${field}`, prefix + suffix);
        }
      }
      out[name] = s;
    }
    merged.stores = out;
  }
  return { merged, fromEnv };
}

/** The value at an issue's path in the checked object (zod 4 issues do not carry their input). */
function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const k of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

function formatIssue(
  issue: z.core.$ZodIssue,
  checked: unknown,
  fromEnv: ReadonlyMap<string, string>,
): string {
  const path = issue.path.map(String).join('.');
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') {
    const names = issue.keys.map((k) => (path ? `${path}.${k}` : k));
    return `config: ${names.join(', ')}: unknown field${names.length > 1 ? 's' : ''}`;
  }
  const missing = valueAt(checked, issue.path) === undefined;
  if (issue.code === 'invalid_type' && missing) {
    message = REQUIRED_HINT[path] ? `required (or set ${REQUIRED_HINT[path]})` : 'required';
  } else if (issue.code === 'invalid_type' && message.startsWith('Invalid input')) {
    message = `must be ${article(issue.expected)}`;
  } else if (issue.code === 'invalid_key') message = issue.issues[0]?.message ?? message;
  const source = [...fromEnv].find(([p]) => path === p || path.startsWith(`${p}.`))?.[1];
  return `config: ${path || '(top level)'}: ${message}${source ? ` (from ${source})` : ''}`;
}

/** Required fields that can come from the environment instead. */
const REQUIRED_HINT: Readonly<Record<string, string>> = {
  keys: 'SIGNET_VERIFIER_KEYS',
  adminToken: 'SIGNET_VERIFIER_ADMIN_TOKEN',
};

function article(expected: string): string {
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}
