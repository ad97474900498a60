/** `signet sync|ls|verify`: the app's LibraryService (catalog in SQLite, syncs and anonymous checks). */
import {
  ACCESS_TYPES,
  ObjectQuerySchema,
  SyncSummarySchema,
  type AccessType,
  type BucketView,
  type ObjectQuery,
  type Selection,
} from '@shared/library/schemas';
import type { AccountView } from '@shared/accounts/schemas';
import { UserFacingError } from '../../main/services/errors';
import type { TaskProgress } from '../../main/services/tasks';
import { parseAccess, stringOption, UsageError } from '../args';
import { findAccount, type CommandContext, type CommandHandler } from '../context';
import { count, formatBytes, shellQuote, type Output } from '../output';

/**
 * The bucket a library command works on: `--bucket B`, else the account's first. For commands that read the
 * catalog (`ls`, `verify`), B must be one of the account's buckets or one already in the catalog.
 */
export async function bucketFor(ctx: CommandContext, opts: { catalogOnly: boolean }): Promise<BucketView> {
  const services = ctx.services();
  const account = await findAccount(services, ctx.positionals[0]!);
  const name = stringOption(ctx.values, 'bucket');
  if (name !== undefined && name.trim() === '') throw new UsageError('--bucket: give a bucket name');
  if (name !== undefined && opts.catalogOnly) {
    const known = knownBuckets(ctx, account);
    if (!known.includes(name)) {
      throw new UsageError(
        `--bucket: “${name}” is not a bucket of “${account.name}”` +
          (known.length ? ` (it has: ${known.join(', ')})` : ' (it names none yet)'),
      );
    }
  }
  try {
    return services.library.resolveBucket(account.id, name);
  } catch (err) {
    if (err instanceof UserFacingError && err.code === 'not-found') throw new UsageError(err.message);
    throw err;
  }
}

function knownBuckets(ctx: CommandContext, account: AccountView): string[] {
  const synced = ctx
    .services()
    .library.buckets()
    .filter((b) => b.accountId === account.id)
    .map((b) => b.name);
  return [
    ...new Set([...account.buckets, ...(account.privateBucket ? [account.privateBucket] : []), ...synced]),
  ];
}

/** A catalog query from the flags; zod's limits reported against the flag they came from. */
export function queryFor(
  bucket: BucketView,
  folder: string,
  extra: { access?: AccessType; search?: string },
): ObjectQuery {
  const parsed = ObjectQuerySchema.safeParse({
    bucketId: bucket.id,
    folder,
    recursive: true,
    access: extra.access ? [extra.access] : [],
    search: extra.search ?? '',
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const flagName = issue.path[0] === 'search' ? '--search' : issue.path[0] === 'folder' ? '--prefix' : '';
    throw new UsageError(`${flagName || String(issue.path[0])}: ${issue.message}`);
  }
  return parsed.data;
}

function showProgress(out: Output): (p: TaskProgress) => void {
  return (p) => {
    const total = p.total === null ? '' : ` of ${p.total}`;
    const rate = p.rate ? `, ${Math.round(p.rate)}/s` : '';
    out.progress(`${p.label}: ${p.message ?? `${p.done}${total}`}${p.message ? '' : rate}`);
  };
}

function accessSentence(access: Partial<Record<AccessType, number>>): string {
  const parts = ACCESS_TYPES.filter((a) => (access[a] ?? 0) > 0).map((a) => `${access[a]} ${a}`);
  return parts.length ? parts.join(', ') : 'none';
}

const sync: CommandHandler = async (ctx) => {
  const prefix = stringOption(ctx.values, 'prefix') ?? '';
  if (prefix.length > 1024) throw new UsageError('--prefix: at most 1024 characters');
  const bucket = await bucketFor(ctx, { catalogOnly: false });
  ctx.out.progress(`Syncing ${bucket.name}…`);
  try {
    const result = await ctx
      .services()
      .library.sync(
        { accountId: bucket.accountId, bucket: bucket.name, prefix },
        { signal: ctx.signal, onProgress: showProgress(ctx.out) },
      );
    ctx.out.clearProgress();
    const summary = SyncSummarySchema.parse(result);
    ctx.out.object(summary);
    ctx.out.say(
      `Synced “${summary.bucket}”${prefix ? ` under “${prefix}”` : ''}: ${count(summary.objects, 'object')} ` +
        `(${summary.added} new, ${summary.updated} changed, ${summary.removed} removed) in ${summary.seconds.toFixed(1)} s.\n` +
        `Access: ${accessSentence(summary.access)}.`,
    );
    return 0;
  } catch (err) {
    if (!ctx.signal.aborted) throw err;
    ctx.out.note('Stopped. The catalog keeps what was listed so far; sync again to finish.');
    return 1;
  }
};

const ls: CommandHandler = async (ctx) => {
  const accessText = stringOption(ctx.values, 'access');
  const access = accessText === undefined ? undefined : parseAccess(accessText);
  const search = stringOption(ctx.values, 'search');
  const bucket = await bucketFor(ctx, { catalogOnly: true });
  const query = queryFor(bucket, stringOption(ctx.values, 'prefix') ?? '', {
    ...(access ? { access } : {}),
    ...(search !== undefined ? { search } : {}),
  });
  const { out } = ctx;
  if (!out.json)
    await out.row(`${'ACCESS'.padEnd(13)}  ${'SIZE'.padStart(8)}  ${'MODIFIED'.padEnd(16)}  VERIFIED  KEY`);
  let n = 0;
  for (const r of ctx.services().library.rows(query)) {
    n++;
    await out.record({
      bucket: r.bucket,
      key: r.key,
      size: r.size,
      lastModified: r.lastModified,
      etag: r.etag,
      access: r.access,
      verified: r.verified,
    });
    if (!out.json) {
      const verified = r.verified ? String(r.verified.status) + (r.leak ? ' LEAK' : '') : '-';
      await out.row(
        `${r.access.padEnd(13)}  ${formatBytes(r.size).padStart(8)}  ${r.lastModified.slice(0, 16).replace('T', ' ').padEnd(16)}  ${verified.padEnd(8)}  ${r.key}`,
      );
    }
  }
  if (!bucket.lastSyncAt) {
    out.note(
      `“${bucket.name}” has not been synced yet: signet sync ${shellQuote(bucket.accountName)} --bucket ${bucket.name}`,
    );
  } else if (!out.json) {
    out.note(`${count(n, 'object')} in “${bucket.name}” (catalog as of ${bucket.lastSyncAt}).`);
  }
  return 0;
};

/**
 * What `KEY…` or `--prefix P` select in the catalog: the keys' ids (each must be in the catalog: a usage error
 * names the first that is not), else every object under the prefix.
 */
export function selectionFor(
  ctx: CommandContext,
  bucket: BucketView,
  keys: readonly string[],
  prefix: string | undefined,
): Selection {
  if (keys.length === 0) return { kind: 'query', query: queryFor(bucket, prefix ?? '', {}) };
  const { ids, missing } = ctx.services().library.idsOf(bucket.id, keys);
  if (missing.length) {
    throw new UsageError(
      `KEY “${missing[0]}” is not in the catalog of “${bucket.name}”` +
        (missing.length > 1 ? ` (nor ${missing.length - 1} more)` : '') +
        ' (signet sync first, or check the key)',
    );
  }
  return { kind: 'ids', bucketId: bucket.id, ids };
}

const verify: CommandHandler = async (ctx) => {
  const keys = ctx.positionals.slice(1);
  const prefix = stringOption(ctx.values, 'prefix');
  if (prefix !== undefined && keys.length) {
    throw new UsageError('--prefix and KEY… exclude each other: verify a prefix or some keys');
  }
  const bucket = await bucketFor(ctx, { catalogOnly: true });
  const { library } = ctx.services();
  const selection = selectionFor(ctx, bucket, keys, prefix);
  const { out } = ctx;
  if (!out.json) out.say(`${'STATUS'.padEnd(6)}  ${'ACCESS'.padEnd(13)}  KEY`);
  let aborted = false;
  let summary;
  try {
    summary = await library.verify(selection, {
      signal: ctx.signal,
      onProgress: showProgress(out),
      onResult: (r) => {
        if (out.json) void out.record({ key: r.key, access: r.access, status: r.status, leak: r.leak });
        else {
          const status = r.status === 0 ? 'failed' : String(r.status);
          out.say(
            `${status.padEnd(6)}  ${r.access.padEnd(13)}  ${r.key}${r.leak ? '   <- LEAK: readable by anyone' : ''}`,
          );
        }
      },
    });
  } catch (err) {
    if (!ctx.signal.aborted) throw err;
    aborted = true;
  }
  out.clearProgress();
  if (aborted || !summary) {
    out.note('Stopped. The answers so far are recorded in the catalog.');
    return 1;
  }
  if (summary.checked === 0) {
    out.note(`Nothing to verify: the catalog holds no objects there (signet sync first).`);
    return 0;
  }
  const leaks = summary.leaks.length;
  out.say(
    `Checked ${count(summary.checked, 'object')} in ${summary.seconds.toFixed(1)} s: ${summary.readable} readable, ` +
      `${summary.refused} refused${summary.failed ? `, ${summary.failed} could not be reached` : ''}` +
      (leaks
        ? `. ${leaks === 1 ? '1 LEAK' : `${leaks} LEAKS`}: held as not public, yet anyone can read ${leaks === 1 ? 'it' : 'them'}.`
        : '; no leaks.'),
  );
  return leaks > 0 || summary.failed > 0 ? 1 : 0;
};

const watch: CommandHandler = async (ctx) => {
  const services = ctx.services();
  const accounts = [];
  for (const name of ctx.positionals) accounts.push((await findAccount(services, name)).id);
  const { out } = ctx;
  if (!out.json) out.say(`${'STATUS'.padEnd(6)}  ${'ACCESS'.padEnd(13)}  FILE`);
  let summary;
  try {
    summary = await services.watch.pass({
      accounts,
      all: ctx.values['all'] === true,
      signal: ctx.signal,
      onProgress: showProgress(out),
      onResult: (r) => {
        if (out.json) void out.record({ ...r });
        else {
          const status = r.status === 0 ? 'failed' : String(r.status);
          out.say(
            `${status.padEnd(6)}  ${r.access.padEnd(13)}  ${r.account}/${r.bucket}/${r.key}${r.leak ? '   <- LEAK: readable by anyone' : ''}`,
          );
        }
      },
    });
  } catch (err) {
    if (!ctx.signal.aborted) throw err;
    out.clearProgress();
    out.note('Stopped. The answers so far are recorded in the catalog.');
    return 1;
  }
  out.clearProgress();
  for (const p of summary.problems) out.note(`Could not read the bucket’s rule again: ${p}`);
  const leaks = summary.leaks.length;
  out.note(
    summary.checked === 0
      ? 'Nothing to watch: no active link points at a file in the catalog (--all watches every file held as not public).'
      : `Asked for ${count(summary.checked, 'file')} as a stranger in ${summary.seconds.toFixed(1)} s: ` +
          (leaks
            ? `${leaks === 1 ? '1 LEAK' : `${leaks} LEAKS`}: held as not public, yet anyone can read ${leaks === 1 ? 'it' : 'them'}. Make ${leaks === 1 ? 'it' : 'them'} private (signet private) and check the bucket’s policy.`
            : 'no leaks.'),
  );
  return leaks > 0 || summary.problems.length > 0 || summary.unreachable > 0 ? 1 : 0;
};

export const libraryCommands = {
  sync,
  ls,
  verify,
  watch,
} as const;
