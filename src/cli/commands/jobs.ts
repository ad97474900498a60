/** `signet upload|private|public|jobs …`: the app's JobService (durable jobs in SQLite, resumed after a crash). */
import { statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { UserFacingError } from '../../main/services/errors';
import type { JobView } from '@shared/jobs/schemas';
import { uploadFolderProblem, uploadKey, uploadNameProblem } from '@shared/library/object-key';
import { showable } from '@shared/text/unsafe-characters';
import { flag, stringOption, UsageError } from '../args';
import type { CommandContext, CommandHandler } from '../context';
import { formatBytes, type Output } from '../output';
import { bucketFor, selectionFor } from './library';

/** The `private` / `public` JSON of the contract. */
function summaryJson(v: JobView) {
  return {
    job: v.id,
    state: v.state,
    total: v.total,
    done: v.done,
    failed: v.failed,
    stillPublic: v.stillPublic,
  };
}

function progress(out: Output) {
  return (v: JobView, p: { phase: string; active: { key: string; loaded: number; total: number }[] }) => {
    const bytes = v.kind === 'upload' ? `, ${formatBytes(v.bytesDone)} of ${formatBytes(v.bytesTotal)}` : '';
    const phase = p.phase === 'proof' ? ' (checking)' : '';
    out.progress(`Job ${v.id}: ${v.done + v.failed} of ${v.total}${bytes}${phase}`);
  };
}

/**
 * Waits for a job; Ctrl-C pauses it (items in flight finish), so `signet jobs resume` goes on where it stopped.
 */
async function wait(ctx: CommandContext, id: number, done: Promise<JobView>): Promise<JobView> {
  const { jobs } = ctx.services();
  const onAbort = () => jobs.pause(id);
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await done;
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    ctx.out.clearProgress();
  }
}

function report(ctx: CommandContext, v: JobView): number {
  const { out } = ctx;
  out.object(summaryJson(v));
  out.say(`Job ${v.id} (${v.title}): ${v.summary}`);
  if (v.failed > 0) {
    for (const item of ctx.services().jobs.details(v.id, 20).items) {
      if (item.state === 'failed') out.say(`  failed  ${item.key}: ${item.error ?? ''}`);
    }
    if (v.failed > 20)
      out.say(`  … and ${v.failed - 20} more (the Activity page of the app lists them all).`);
  }
  if (v.state === 'paused') out.say(`Resume it with: signet jobs resume ${v.id}`);
  return v.state === 'done' ? 0 : 1;
}

/**
 * Every FILE must be a readable regular file with a name of its own: the service would otherwise leave such a
 * path out of the job (the window shows it as a problem beside the others), and a script would take a partial
 * upload for a complete one. Bad input, so exit status 2 before anything is uploaded.
 */
function checkedFiles(files: readonly string[], prefix: string): string[] {
  const byKey = new Map<string, string>();
  return files.map((f) => {
    // As messages quote it: a control character in a path would otherwise break the one line.
    const shown = showable(f);
    let isFile: boolean;
    try {
      isFile = statSync(f).isFile();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new UsageError(
        `FILE “${shown}”: ${code === 'ENOENT' ? 'no such file' : `cannot be read (${code})`}`,
      );
    }
    if (!isFile)
      throw new UsageError(`FILE “${shown}”: not a file (give the files of a folder, not the folder)`);
    const nameProblem = uploadNameProblem(basename(f));
    if (nameProblem !== null) throw new UsageError(`FILE “${shown}”: ${nameProblem}`);
    const key = uploadKey(prefix, basename(f));
    const other = byKey.get(key);
    if (other !== undefined) {
      throw new UsageError(`FILE “${shown}”: “${showable(other)}” would also be uploaded as “${key}”`);
    }
    byKey.set(key, f);
    return resolve(f);
  });
}

/**
 * A job number that names no job is bad input (exit status 2), like an unknown key or link id. The service's
 * sentence is the window's too; the hint of where job numbers are is the command line's own.
 */
function knownJob<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof UserFacingError && err.code === 'not-found') {
      throw new UsageError(`${err.message} See \`signet jobs list\`.`);
    }
    throw err;
  }
}

const upload: CommandHandler = async (ctx) => {
  const prefix = (stringOption(ctx.values, 'prefix') ?? '').normalize('NFC');
  const prefixProblem = uploadFolderProblem(prefix);
  if (prefixProblem !== null) throw new UsageError(`--prefix: ${prefixProblem} (got “${showable(prefix)}”)`);
  const files = checkedFiles(ctx.positionals.slice(1), prefix);
  const bucket = await bucketFor(ctx, { catalogOnly: false });
  const { jobs } = ctx.services();
  const { job, done } = await jobs.startUpload(
    {
      bucketId: bucket.id,
      folder: prefix,
      paths: files,
      public: flag(ctx.values, 'public'),
      overwriteAll: flag(ctx.values, 'overwrite'),
    },
    { onProgress: progress(ctx.out) },
  );
  return report(ctx, await wait(ctx, job.id, done));
};

function accessCommand(access: 'private' | 'public'): CommandHandler {
  return async (ctx) => {
    const keys = ctx.positionals.slice(1);
    const prefix = stringOption(ctx.values, 'prefix');
    if (prefix !== undefined && keys.length) {
      throw new UsageError('--prefix and KEY… exclude each other: give a prefix or some keys');
    }
    if (prefix === undefined && keys.length === 0) {
      throw new UsageError('give --prefix P (use --prefix "" for the whole bucket) or some KEYs');
    }
    const bucket = await bucketFor(ctx, { catalogOnly: true });
    const { jobs } = ctx.services();
    const selection = selectionFor(ctx, bucket, keys, prefix);
    const preview = await jobs.previewAccess({ selection, access });
    if (preview.total === 0) {
      throw new UsageError(`nothing to change: the catalog holds no objects there (signet sync first)`);
    }
    const { job, done } = await jobs.startAccess(
      { selection, access, verify: flag(ctx.values, 'verify') },
      { onProgress: progress(ctx.out) },
    );
    return report(ctx, await wait(ctx, job.id, done));
  };
}

function jobId(text: string): number {
  const id = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(id) || id < 1) {
    throw new UsageError(`JOB: “${text}” is not a job number (signet jobs list shows them)`);
  }
  return id;
}

const list: CommandHandler = async (ctx) => {
  const views = ctx.services().jobs.list(500);
  const { out } = ctx;
  if (out.json) {
    for (const v of views) {
      await out.record({
        job: v.id,
        kind: v.kind,
        state: v.state,
        total: v.total,
        done: v.done,
        failed: v.failed,
        createdAt: v.createdAt,
        interrupted: v.interrupted,
        title: v.title,
      });
    }
    return 0;
  }
  if (views.length === 0) {
    out.say('No jobs yet.');
    return 0;
  }
  out.table(
    ['JOB', 'KIND', 'STATE', 'DONE', 'FAILED', 'TOTAL', 'CREATED', 'TITLE'],
    views.map((v) => [
      String(v.id),
      v.kind,
      v.interrupted ? 'interrupted' : v.state,
      String(v.done),
      String(v.failed),
      String(v.total),
      v.createdAt.slice(0, 19).replace('T', ' '),
      v.title,
    ]),
  );
  return 0;
};

const resume: CommandHandler = async (ctx) => {
  const { jobs } = ctx.services();
  const arg = ctx.positionals[0];
  let results: JobView[];
  if (arg !== undefined) {
    const id = jobId(arg);
    const { done } = knownJob(() => jobs.resume(id, { onProgress: progress(ctx.out) }));
    results = [await wait(ctx, id, done)];
  } else {
    results = [];
    for (const v of jobs.interrupted()) {
      try {
        const { done } = jobs.resume(v.id, { onProgress: progress(ctx.out) });
        results.push(await wait(ctx, v.id, done));
      } catch (err) {
        // Another process (the app, a second `jobs resume`) took this job since the list was read: it goes on
        // there, which is what resuming it here would have done.
        if (!(err instanceof UserFacingError && err.code === 'conflict')) throw err;
        ctx.out.note(err.message);
      }
      if (ctx.signal.aborted) break;
    }
    if (results.length === 0) {
      ctx.out.say('No interrupted jobs.');
      if (ctx.out.json) await ctx.out.record({ resumed: 0 });
      return 0;
    }
  }
  let code = 0;
  for (const v of results) {
    if (ctx.out.json) await ctx.out.record(summaryJson(v));
    else ctx.out.say(`Job ${v.id} (${v.title}): ${v.summary}`);
    if (v.state !== 'done') code = 1;
  }
  return code;
};

const cancel: CommandHandler = async (ctx) => {
  const id = jobId(ctx.positionals[0]!);
  const v = knownJob(() => ctx.services().jobs.cancel(id));
  ctx.out.object(summaryJson(v));
  ctx.out.say(`Job ${v.id}: ${v.summary}`);
  return 0;
};

export const jobCommands = {
  upload,
  private: accessCommand('private'),
  public: accessCommand('public'),
  'jobs list': list,
  'jobs resume': resume,
  'jobs cancel': cancel,
} as const;
