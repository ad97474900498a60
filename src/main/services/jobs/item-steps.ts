import { lookup as mimeLookup } from 'mime-types';
import { PUBLIC_ACCESS, type AccessType } from '@shared/library/schemas';
import type { BucketRecord } from '../../repositories/bucket-repository';
import type { ItemRecord } from '../../repositories/job-repository';
import type { ObjectStorage } from '../storage/object-storage';
import { KeyExistsError, UPLOAD_PART_SIZE } from '../storage/storage-gateway';
import { accessRule } from '../library/access-rules';
import { asStranger } from '../library/stranger-check';
import { errorFacts } from '../storage/provider-errors';
import { isRetryable } from './retry';
import { openPlanned, readPlanned, streamPlanned, uploadEtag, type PlannedFile } from './local-file';

/** What one step of an item did: tries beyond the first (retries the SDK made) are counted. */
export interface StepResult {
  retries: number;
}

export interface StepContext {
  gateway: ObjectStorage;
  source: BucketRecord;
  target: BucketRecord;
  signal: AbortSignal;
  onBytes?: (loaded: number, total: number) => void;
  /** Writes the item's state now (a move records its checked copy before it deletes the source). */
  save(item: ItemRecord): void;
}

/** A refusal or failure that no retry will change, in plain words. */
export class ItemFailure extends Error {}

/**
 * A make-private move whose copy is in place and checked, but whose original the storage refused to delete: the
 * file is still where strangers can read it. The job counts it as still public, with this reason.
 */
export class StillPublicFailure extends ItemFailure {}

/**
 * Uploads a local file to the item's key, with the item's ACL (none where the bucket has no per-file access). The
 * file is stat-ed again first: one that is no longer the regular file of the plan (a named pipe, a device, a
 * folder; another size or modification time) fails with the reason, and only its planned bytes are read. Unless
 * the owner agreed to replace the key (the item's stored `overwrite`, also on a resume), the write is create-only:
 * an object found at the key fails the item, except an earlier upload of this very file (same size and ETag), which
 * a run stopped before recording.
 */
export async function uploadItem(item: ItemRecord, ctx: StepContext): Promise<StepResult> {
  const file: PlannedFile = { path: item.source, size: item.size, mtimeMs: item.mtimeMs };
  const opened = await openPlanned(file);
  if (!opened.ok) throw new ItemFailure(opened.reason);
  const { handle } = opened;
  try {
    // A small file is read whole (one PutObject); a large one streams, in parts uploaded in parallel.
    let body;
    if (item.size <= UPLOAD_PART_SIZE) {
      const read = await readPlanned(handle, file);
      if (!read.ok) throw new ItemFailure(read.reason);
      body = read.bytes;
    } else {
      body = streamPlanned(handle, file);
    }
    try {
      const out = await ctx.gateway.upload(ctx.target.name, item.key, body, {
        contentType: mimeLookup(item.key) || 'application/octet-stream',
        ...(item.acl ? { acl: item.acl } : {}),
        ifAbsent: !item.overwrite,
        signal: ctx.signal,
        onProgress: (loaded) => ctx.onBytes?.(loaded, item.size),
      });
      item.etag = out.etag;
      return { retries: out.attempts - 1 };
    } catch (err) {
      if (!(err instanceof KeyExistsError)) throw err;
      const there = await ctx.gateway.head(ctx.target.name, item.key, ctx.signal);
      if (there && there.size === item.size) {
        const mine = await uploadEtag(handle, item.size, UPLOAD_PART_SIZE);
        if (there.etag.toLowerCase() === mine) {
          item.etag = there.etag;
          return { retries: 0 };
        }
      }
      throw new ItemFailure(
        `“${item.key}” already exists in “${ctx.target.name}”, so it was not replaced. To replace it, upload the file again and choose to replace it; or rename the file.`,
      );
    }
  } finally {
    await handle.close();
  }
}

export async function aclItem(item: ItemRecord, ctx: StepContext): Promise<StepResult> {
  if (!item.acl) return { retries: 0 };
  try {
    const { attempts } = await ctx.gateway.setAccess(ctx.source.name, item.key, item.acl, ctx.signal);
    return { retries: attempts - 1 };
  } catch (err) {
    const { code, httpStatus } = errorFacts(err);
    if (item.acl === 'public-read' && (code === 'AccessDenied' || httpStatus === 403)) {
      throw new ItemFailure(
        `The storage refused to make “${item.key}” public (${code ?? httpStatus}). If “${ctx.source.name}” blocks public access (Amazon S3: “Block Public Access”), allow it for this bucket first; or the key may lack permission to change access settings.`,
      );
    }
    if (code === 'AccessControlListNotSupported') {
      throw new ItemFailure(
        `“${ctx.source.name}” has per-file access settings switched off (AccessControlListNotSupported). Test the account again so Signet sees it, then retry.`,
      );
    }
    throw err;
  }
}

/**
 * Moves an object to the target bucket: copy, check the copy (size, and ETag where the copy keeps it), record
 * that check, and only then delete the source. Resumable at every point: a source already gone with its copy in
 * place was moved by an earlier run; an existing target is checked before it is trusted, never overwritten
 * blindly.
 */
export async function moveItem(item: ItemRecord, ctx: StepContext): Promise<StepResult> {
  const { gateway, source, target, signal } = ctx;
  let retries = 0;
  if (item.state === 'pending') {
    const from = await gateway.head(source.name, item.source, signal);
    const existing = await gateway.head(target.name, item.key, signal);
    if (!from) {
      if (existing) return { retries }; // an earlier run moved it and was stopped before recording it
      throw new ItemFailure(
        `“${item.source}” is no longer in “${source.name}”. Sync the bucket to refresh the list.`,
      );
    }
    // A copy is atomic, so a target that differs is someone else's file, never a half copy of ours. Ours is a
    // target of the same size whose ETag is the original's (a copy keeps a single-part ETag) or the one an earlier
    // run's copy answered (recorded on the item right after the copy: a multipart original's "-N" ETag is not
    // kept). A target of the same size with another ETag is not ours: it is never replaced or taken for a copy.
    const ours = (o: { size: number; etag: string } | null) =>
      !!o && o.size === from.size && (o.etag === from.etag || (!!item.etag && o.etag === item.etag));
    if (existing && !ours(existing)) {
      throw new ItemFailure(
        `A different file named “${item.key}” is already in “${target.name}” (${existing.size === from.size ? 'the same size, other content' : 'another size'}). Nothing was moved or deleted; rename or remove one of them, then retry.`,
      );
    }
    let copyEtag = existing?.etag ?? '';
    if (!existing) {
      const copied = await gateway.copy(
        { bucket: source.name, key: item.source, size: from.size },
        { bucket: target.name, key: item.key, ...(item.acl ? { acl: item.acl } : {}) },
        signal,
      );
      retries += copied.attempts - 1;
      copyEtag = copied.etag;
      // Before the check: a run stopped from here on finds this copy again as ours.
      item.etag = copyEtag || null;
      ctx.save(item);
    }
    const check = await gateway.head(target.name, item.key, signal);
    const sameContent =
      !!check &&
      check.size === from.size &&
      // A copy keeps a single-part ETag; a multipart source's ETag (with "-N") is not kept, so the copy must be
      // the object the copy call answered for.
      (check.etag === from.etag || (from.etag.includes('-') && !!copyEtag && check.etag === copyEtag));
    if (!sameContent) {
      throw new ItemFailure(
        `The copy of “${item.source}” in “${target.name}” does not match the original (size or checksum), so the original was kept. Retry the item.`,
      );
    }
    item.etag = check.etag;
    item.state = 'copied';
    ctx.save(item);
  }
  // state 'copied': the copy was checked; make sure it is still there before the source goes.
  const still = await gateway.head(target.name, item.key, signal);
  if (!still) {
    item.state = 'pending';
    ctx.save(item);
    throw new ItemFailure(
      `The copy of “${item.source}” disappeared from “${target.name}” before the original was deleted. The original was kept; retry the item.`,
    );
  }
  try {
    await gateway.delete(source.name, item.source, signal);
  } catch (err) {
    if (signal.aborted || isRetryable(err)) throw err;
    const { code, httpStatus } = errorFacts(err);
    const why = `the storage refused to delete the original in “${source.name}” (${code ?? `HTTP ${httpStatus ?? '?'}`})`;
    // Making private: the original is where strangers can read it, so the item is not done.
    if (target.role === 'private') {
      throw new StillPublicFailure(
        `Copied to “${target.name}” and checked, but ${why}: the original is still readable there. Give the key permission to delete in “${source.name}” (or delete the file there yourself), then retry.`,
      );
    }
    throw new ItemFailure(
      `Copied to “${target.name}” and checked, but ${why}, so the file is in both buckets. Delete it from “${source.name}” yourself, or give the key permission to delete, then retry.`,
    );
  }
  return { retries };
}

/** The access of an item as the storage answers now: the bucket's rule, or the object's own ACL. */
export async function readAccess(
  gateway: ObjectStorage,
  bucket: BucketRecord,
  key: string,
  signal: AbortSignal,
): Promise<{
  access: AccessType;
  grants: { grantee: string; permission: string }[] | null;
  /** The status a stranger's request got, where the bucket's rule left the proof to one. */
  verified?: number;
}> {
  const rule = accessRule(bucket);
  if (rule.kind === 'bucket') {
    const exists = await gateway.head(bucket.name, key, signal);
    if (!exists) throw new ItemFailure(`“${key}” is not in “${bucket.name}” after the change.`);
    return { access: rule.access, grants: null };
  }
  if (rule.kind === 'stranger') {
    const found = await asStranger(gateway, bucket.name, key, rule.acl, signal);
    if (!found) throw new ItemFailure(`“${key}” is not in “${bucket.name}” after the change.`);
    return found;
  }
  const acl = await gateway.getAcl(bucket.name, key, signal);
  return { access: acl.access, grants: acl.grants };
}

/** Whether an access type means what the job asked for. */
export function accessMatches(
  kind: 'upload' | 'private' | 'public',
  wantPublic: boolean,
  access: AccessType,
): boolean {
  if (kind === 'private' || (kind === 'upload' && !wantPublic)) return access === 'private';
  return PUBLIC_ACCESS.has(access);
}
