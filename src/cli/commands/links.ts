/**
 * `signet keys new|list|retire`, `signet verifier-config`, `signet link`, `signet links batch|list|revoke|reissue`:
 * the app's SigningKeyService, VerifierConfigExporter, LinkService and LinkBatchService.
 */
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { ZodError } from 'zod';
import {
  BATCH_MAX_CSV_CHARS,
  DIRECT_MAX_SECONDS,
  EmailSchema,
  FilenameSchema,
  ListenSchema,
  MAX_DOWNLOADS,
  MaxDownloadsSchema,
  NoteSchema,
  OrderIdSchema,
  parseExpiryText,
  ProductSlugSchema,
  suggestSlug,
  type ExpiryInput,
  type LinkView,
  type SigningKeyView,
} from '@shared/links/schemas';
import { LINK_STATUSES } from '@shared/links/schemas';
import { UserFacingError } from '../../main/services/errors';
import { tooLargeMessage } from '../../main/services/links/link-batch';
import { refuseSymlink, writePrivateFile } from '../../main/services/links/verifier-config';
import { showable } from '@shared/text/unsafe-characters';
import { flag, stringOption, UsageError, type CommandName } from '../args';
import { findAccount, type CommandContext, type CommandHandler } from '../context';
import { count } from '../output';

const keyRecord = (k: SigningKeyView) => ({
  kid: k.kid,
  createdAt: k.createdAt,
  active: k.active,
  retiredAt: k.retiredAt,
  // An addition to the contract: null until a verifier config holding the key was written.
  exportedAt: k.exportedAt,
});

/**
 * Which flag or argument each field of the services' inputs comes from (LinkCreateForKey, the batch CSV, a kid or
 * jti), so that a refusal the command did not foresee still names what to fix.
 */
const FLAG_OF_FIELD: Readonly<Record<string, string>> = {
  accountId: 'ACCOUNT',
  bucket: '--bucket',
  key: 'KEY',
  kind: '--direct',
  productSlug: '--slug',
  orderId: '--order',
  email: '--email',
  note: '--note',
  maxDownloads: '--max',
  filename: '--filename',
  expiry: '--expires',
  csv: '--csv',
  kid: 'KID',
  jti: 'JTI',
};

/**
 * Input the services refuse (a bad expiry, an unknown kid or jti) is bad input: exit status 2. A ZodError from
 * a service's own parse is too: the commands check every flag first, so this is the last resort that keeps a
 * raw multi-line zod dump (and exit status 1) from reaching a script.
 */
async function asUsage<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof UserFacingError && (err.code === 'invalid-input' || err.code === 'not-found')) {
      throw new UsageError(err.message);
    }
    if (err instanceof ZodError) {
      const issue = err.issues[0];
      const field = issue?.path[0];
      const name = typeof field === 'string' ? (FLAG_OF_FIELD[field] ?? field) : 'input';
      throw new UsageError(`${name}: ${issue?.message ?? 'not valid'}`);
    }
    throw err;
  }
}

/** A value as a usage message quotes it: a long one (a pasted note) by its length, so the line stays short. */
function quoted(value: string): string {
  return value.length <= 80 ? `“${showable(value)}”` : `${value.length} characters`;
}

function checked<T>(
  flagName: string,
  schema: {
    safeParse(
      v: unknown,
    ): { success: true; data: T } | { success: false; error: { issues: { message: string }[] } };
  },
  value: string,
): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new UsageError(`--${flagName}: ${r.error.issues[0]!.message} (got ${quoted(value)})`);
  return r.data;
}

const keysNew: CommandHandler = async (ctx) => {
  const key = await ctx.services().keys.create();
  ctx.out.object(keyRecord(key));
  ctx.out.say(`Made signing key ${key.kid}; new links are signed with it. Export the verifier config again.`);
  return 0;
};

const keysList: CommandHandler = async (ctx) => {
  const keys = ctx.services().keys.list();
  for (const k of keys) await ctx.out.record(keyRecord(k));
  if (keys.length === 0)
    ctx.out.say('No signing keys yet (signet keys new makes one; the first link does too).');
  else
    ctx.out.table(
      ['KID', 'CREATED', 'STATE', 'EXPORTED'],
      keys.map((k) => [
        k.kid,
        k.createdAt,
        k.active ? 'active' : k.retiredAt ? `retired ${k.retiredAt}` : 'verifies',
        k.retiredAt ? '' : (k.exportedAt ?? 'not yet: signet verifier-config'),
      ]),
    );
  return 0;
};

const keysRetire: CommandHandler = async (ctx) => {
  const kid = ctx.positionals[0]!;
  const key = await asUsage(() => ctx.services().keys.retire(kid));
  ctx.out.object(keyRecord(key));
  ctx.out.say(
    `Retired ${key.kid}. Export the verifier config again: links signed with it then stop working.` +
      (ctx
        .services()
        .keys.list()
        .some((k) => k.active)
        ? ''
        : ' No key is active now: signet keys new makes one.'),
  );
  return 0;
};

const verifierConfig: CommandHandler = async (ctx) => {
  const out = stringOption(ctx.values, 'out');
  if (!out) throw new UsageError('--out FILE is required: where to write the config');
  const listen = stringOption(ctx.values, 'listen');
  if (listen !== undefined) checked('listen', ListenSchema, listen);
  const adminListen = stringOption(ctx.values, 'admin-listen');
  if (adminListen !== undefined) checked('admin-listen', ListenSchema, adminListen);
  const stateSqlite = stringOption(ctx.values, 'state-sqlite');
  if (stateSqlite !== undefined && stateSqlite.trim() === '')
    throw new UsageError('--state-sqlite: give a path');
  try {
    refuseSymlink(resolve(out));
  } catch (err) {
    throw new UsageError(`--out: ${(err as Error).message}`);
  }
  const result = await ctx.services().verifierConfig.write(resolve(out), {
    ...(listen !== undefined ? { listen } : {}),
    ...(adminListen !== undefined ? { adminListen } : {}),
    ...(stateSqlite !== undefined ? { stateSqlite } : {}),
  });
  for (const w of result.warnings) ctx.out.note(w);
  // Also with --json (the note goes to stderr; the JSON has fullPermissionKeys): a key that can delete is leaving.
  for (const f of result.fullPermissionKeys) ctx.out.note(`Warning: ${f.warning}`);
  ctx.out.object(result);
  ctx.out.say(
    `Wrote ${result.file} (${count(result.kids.length, 'key')}, ${count(result.stores.length, 'store')}` +
      `${result.adminTokenCreated ? ', a new admin token' : ''}). It holds secrets: keep it readable by the verifier only.`,
  );
  return 0;
};

function expiryFlag(ctx: CommandContext, fallbackSeconds: number): ExpiryInput {
  const text = stringOption(ctx.values, 'expires');
  if (text === undefined) return { type: 'seconds', seconds: fallbackSeconds };
  const expiry = parseExpiryText(text);
  if (!expiry)
    throw new UsageError(
      `--expires: a duration such as 90s, 15m, 1h, 7d, or an ISO date-time (got “${text}”)`,
    );
  return expiry;
}

function maxFlag(ctx: CommandContext, fallback: number | null): number | null {
  const text = stringOption(ctx.values, 'max');
  if (text === undefined) return fallback;
  const t = text.trim().toLowerCase();
  if (t === 'none') return null;
  // Digits only: Number() would also take "1e3", "0x10" or " ".
  const parsed = /^\d+$/.test(t) ? MaxDownloadsSchema.safeParse(Number(t)) : null;
  if (!parsed?.success || parsed.data === null) {
    throw new UsageError(
      `--max: a number of downloads from 1 to ${MAX_DOWNLOADS}, or none (got ${quoted(text)})`,
    );
  }
  return parsed.data;
}

const link: CommandHandler = async (ctx) => {
  const [accountText, key] = ctx.positionals as [string, string];
  if (key.trim() === '') throw new UsageError('KEY: give an object key');
  const direct = flag(ctx.values, 'direct');
  if (direct && stringOption(ctx.values, 'max') !== undefined) {
    throw new UsageError('--max cannot go with --direct: a pre-signed URL cannot count downloads');
  }
  const slug = checked('slug', ProductSlugSchema, stringOption(ctx.values, 'slug') ?? suggestSlug(key));
  const orderId = checked('order', OrderIdSchema, stringOption(ctx.values, 'order') ?? '');
  const email = checked('email', EmailSchema, stringOption(ctx.values, 'email') ?? '');
  const note = checked('note', NoteSchema, stringOption(ctx.values, 'note') ?? '');
  const filename = checked('filename', FilenameSchema, stringOption(ctx.values, 'filename') ?? '');
  const bucketFlag = stringOption(ctx.values, 'bucket');
  if (bucketFlag !== undefined && bucketFlag.trim() === '')
    throw new UsageError('--bucket: give a bucket name');
  const services = ctx.services();
  const settings = services.settings.get();
  const defaultSeconds = settings.defaultLinkExpiryHours * 3600;
  const expiry = expiryFlag(ctx, direct ? Math.min(defaultSeconds, DIRECT_MAX_SECONDS) : defaultSeconds);
  const maxDownloads = direct ? null : maxFlag(ctx, settings.defaultMaxDownloads);
  const account = await findAccount(services, accountText);
  const bucket = bucketFlag ?? account.buckets[0];
  if (!bucket) throw new UsageError(`--bucket: “${account.name}” names no bucket; give one`);
  const created = await asUsage(() =>
    services.links.createForKey({
      accountId: account.id,
      bucket,
      key,
      kind: direct ? 'direct' : 'verifier',
      productSlug: slug,
      orderId,
      email,
      note,
      maxDownloads,
      filename,
      expiry,
    }),
  );
  // On stderr in both modes (stdout stays the one JSON object); one line each, as scripts read stderr by line.
  for (const w of created.warnings) ctx.out.note(`Warning: ${w.replace(/\s*\n\s*/g, ' ').trim()}`);
  ctx.out.object({ url: created.url, kind: created.kind, jti: created.jti, expiresAt: created.expiresAt });
  ctx.out.say(created.url);
  return 0;
};

const linksBatch: CommandHandler = async (ctx) => {
  const csvPath = stringOption(ctx.values, 'csv');
  const outPath = stringOption(ctx.values, 'out');
  if (!csvPath) throw new UsageError('--csv IN is required: the orders CSV');
  if (!outPath) throw new UsageError('--out OUT is required: where to write the CSV with the links');
  let csv: string;
  try {
    // The size before reading: a wrong file (a whole shop's export) is refused without loading it.
    const size = statSync(resolve(csvPath)).size;
    if (size > BATCH_MAX_CSV_CHARS) throw new UsageError(`--csv: ${csvPath}: ${tooLargeMessage(size)}`);
    csv = readFileSync(resolve(csvPath), 'utf8');
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`--csv: cannot read ${csvPath} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const services = ctx.services();
  const accountText = stringOption(ctx.values, 'account');
  const accountId = accountText !== undefined ? (await findAccount(services, accountText)).id : undefined;
  // What the service refuses is the CSV itself (no header, too many rows): the message names --csv.
  const result = await asUsage(() => services.linkBatch.issue(csv, accountId)).catch((err: unknown) => {
    throw err instanceof UsageError ? new UsageError(`--csv: ${csvPath}: ${err.message}`) : err;
  });
  // The links are bearer secrets and the rows carry customers' emails: readable by the owner only.
  writePrivateFile(resolve(outPath), result.csv);
  ctx.out.object({ out: resolve(outPath), issued: result.issued, failed: result.failed });
  ctx.out.say(
    `Made ${count(result.issued, 'link')} into ${outPath}` +
      (result.failed ? `; ${count(result.failed, 'row')} failed (see the error column).` : '.'),
  );
  return result.failed > 0 ? 1 : 0;
};

const linksList: CommandHandler = async (ctx) => {
  const services = ctx.services();
  const status = stringOption(ctx.values, 'status');
  if (status !== undefined && !(LINK_STATUSES as readonly string[]).includes(status)) {
    throw new UsageError(`--status must be one of ${LINK_STATUSES.join(', ')} (got “${status}”)`);
  }
  let verifierAnswers = services.settings.get().verifierBaseUrl !== '';
  let cursor: string | null = null;
  const human: string[][] = [];
  do {
    const page = services.links.list({
      cursor,
      limit: 500,
      search: stringOption(ctx.values, 'search') ?? '',
      status: (status as (typeof LINK_STATUSES)[number] | undefined) ?? 'all',
      shared: flag(ctx.values, 'shared'),
    });
    let rows: LinkView[] = page.rows;
    const fresh = new Set<string>();
    const verifierRows = rows.filter((r) => r.kind === 'verifier');
    if (verifierAnswers && verifierRows.length > 0) {
      try {
        const usage = await services.links.usage(verifierRows.map((r) => r.jti));
        const byJti = new Map(usage.rows.map((r) => [r.jti, r]));
        rows = rows.map((r) => byJti.get(r.jti) ?? r);
        for (const r of verifierRows) fresh.add(r.jti);
      } catch (err) {
        if (!(err instanceof UserFacingError)) throw err;
        verifierAnswers = false;
        ctx.out.note(`Downloads and networks unknown: ${err.message}`);
      }
    }
    for (const r of rows) {
      // Only this run's answers: a count stored earlier is not the verifier's word now.
      const downloads = fresh.has(r.jti) ? r.downloads : null;
      const networks = fresh.has(r.jti) ? r.networks : null;
      const shared = fresh.has(r.jti) ? r.shared : null;
      await ctx.out.record({
        jti: r.jti,
        kind: r.kind,
        account: r.accountName,
        bucket: r.bucket,
        key: r.key,
        order: r.orderId,
        email: r.email,
        expiresAt: r.expiresAt,
        max: r.maxDownloads,
        status: r.status,
        downloads,
        networks,
        shared,
        // Additions to the contract: the ledger's own record of a reissue, and when Signet first saw it shared.
        replaces: r.replaces,
        replacedBy: r.replacedBy,
        sharedAt: r.sharedAt,
      });
      if (!ctx.out.json) {
        human.push([
          r.jti,
          r.kind,
          r.status,
          r.orderId || '-',
          r.email || '-',
          r.expiresAt,
          `${downloads ?? '?'}/${r.maxDownloads ?? '∞'}`,
          networks === null ? '?' : `${networks}${shared || r.sharedAt !== null ? ' shared' : ''}`,
          `${r.accountName}:${r.bucket}/${r.key}`,
        ]);
      }
    }
    cursor = page.next;
  } while (cursor !== null);
  if (human.length === 0) ctx.out.say('No links yet.');
  else ctx.out.table(['JTI', 'KIND', 'STATUS', 'ORDER', 'EMAIL', 'EXPIRES', 'USED', 'PLACES', 'FILE'], human);
  return 0;
};

const linksRevoke: CommandHandler = async (ctx) => {
  const jti = ctx.positionals[0]!;
  if (!/^[A-Za-z0-9_-]{16,64}$/.test(jti)) throw new UsageError(`JTI: not a link id (got “${jti}”)`);
  const services = ctx.services();
  await asUsage(async () => services.links.get(jti)); // an unknown jti is bad input (exit 2), before any network
  const link = await (async () => {
    try {
      return await services.links.revoke(jti);
    } catch (err) {
      if (err instanceof UserFacingError && err.code === 'conflict') throw new UsageError(err.message);
      throw err;
    }
  })();
  ctx.out.object({ jti: link.jti, status: link.status, revokedAt: link.revokedAt });
  ctx.out.say(`Revoked ${link.jti}: the verifier refuses it from now on.`);
  return 0;
};

/**
 * `links reissue JTI`: a new link in place of an old one. The verifier is asked to revoke the old link before
 * anything is written; when it cannot be reached that is exit 1, the old link stays active and no link is made.
 */
const linksReissue: CommandHandler = async (ctx) => {
  const jti = ctx.positionals[0]!;
  if (!/^[A-Za-z0-9_-]{16,64}$/.test(jti)) throw new UsageError(`JTI: not a link id (got “${jti}”)`);
  const services = ctx.services();
  const old = await asUsage(async () => services.links.get(jti)); // unknown jti: exit 2, before any network
  if (old.kind === 'direct' && stringOption(ctx.values, 'max') !== undefined) {
    throw new UsageError('--max cannot go with a direct link: a pre-signed URL cannot count downloads');
  }
  const expiry = stringOption(ctx.values, 'expires') === undefined ? undefined : expiryFlag(ctx, 0);
  const maxDownloads = stringOption(ctx.values, 'max') === undefined ? undefined : maxFlag(ctx, null);
  const created = await asUsage(async () => {
    try {
      return await services.links.reissue({
        jti,
        ...(expiry !== undefined ? { expiry } : {}),
        ...(maxDownloads !== undefined ? { maxDownloads } : {}),
      });
    } catch (err) {
      // Already reissued: bad input for this command (exit 2), nothing changed.
      if (err instanceof UserFacingError && err.code === 'conflict') throw new UsageError(err.message);
      throw err;
    }
  });
  for (const w of created.warnings) ctx.out.note(`Warning: ${w.replace(/\s*\n\s*/g, ' ').trim()}`);
  ctx.out.object({
    url: created.url,
    kind: created.kind,
    jti: created.jti,
    expiresAt: created.expiresAt,
    replaces: created.replaces,
  });
  ctx.out.say(created.url);
  return 0;
};

export const linkCommands = {
  'keys new': keysNew,
  'keys list': keysList,
  'keys retire': keysRetire,
  'verifier-config': verifierConfig,
  link,
  'links batch': linksBatch,
  'links list': linksList,
  'links revoke': linksRevoke,
  'links reissue': linksReissue,
} satisfies Partial<Record<CommandName, CommandHandler>>;
