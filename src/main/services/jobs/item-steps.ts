import { createReadStream, readFile as readFileCallback } from 'node:fs';
import { promisify } from 'node:util';
import { lookup as mimeLookup } from 'mime-types';
import { PUBLIC_ACCESS, type AccessType } from '../../../shared/library/schemas';
import type { BucketRecord } from '../../repositories/bucket-repository';
import type { ItemRecord } from '../../repositories/job-repository';
import { UPLOAD_PART_SIZE, type StorageGateway } from '../storage/storage-gateway';
import { accessRule } from '../library/access-rules';
import { asStranger } from '../library/stranger-check';
import { errorFacts } from '../accounts/provider-errors';

/** What one step of an item did: tries beyond the first (retries the SDK made) are counted. */
export interface StepResult {
  retries: number;
}

export interface StepContext {
  gateway: StorageGateway;
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
 * The callback readFile, not the one of `fs/promises`: Node 20's promise version reads in 512 KiB chunks with a
 * round trip each, and cost 3-5 times the CPU for the same 200 files of 1 MiB (throwaway measurement, 8 at a
 * time: 120-400 ms against 42-89 ms), CPU the storage server on the same machine, or the window, can use.
 */
const readFile = promisify(readFileCallback);

/** Uploads a local file to the item's key, with the item's ACL (none where the bucket has no per-file access). */
export async function uploadItem(item: ItemRecord, ctx: StepContext): Promise<StepResult> {
  // A small file is read whole (one PutObject); a large one streams, in parts uploaded in parallel.
  const body = item.size <= UPLOAD_PART_SIZE ? await readFile(item.source) : createReadStream(item.source);
  const out = await ctx.gateway.upload(ctx.target.name, item.key, body, {
    contentType: mimeLookup(item.key) || 'application/octet-stream',
    ...(item.acl ? { acl: item.acl } : {}),
    signal: ctx.signal,
    onProgress: (loaded) => ctx.onBytes?.(loaded, item.size),
  });
  item.etag = out.etag;
  return { retries: out.attempts - 1 };
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
    // A copy is atomic, so a target that differs is someone else's file, never a half copy of ours. A multipart
    // source's ETag cannot be compared; a target of the same size is then taken for an earlier copy and copied
    // again from the source, which still exists.
    const same = (o: { size: number; etag: string } | null) =>
      !!o && o.size === from.size && (o.etag === from.etag || from.etag.includes('-'));
    if (existing && !same(existing)) {
      throw new ItemFailure(
        `A different file named “${item.key}” is already in “${target.name}”. Nothing was moved or deleted; rename or remove one of them, then retry.`,
      );
    }
    let copyEtag = existing?.etag ?? '';
    if (!existing || !same(existing) || from.etag.includes('-')) {
      const copied = await gateway.copy(
        { bucket: source.name, key: item.source, size: from.size },
        { bucket: target.name, key: item.key, ...(item.acl ? { acl: item.acl } : {}) },
        signal,
      );
      retries += copied.attempts - 1;
      copyEtag = copied.etag;
    }
    const check = await gateway.head(target.name, item.key, signal);
    const sameContent =
      !!check &&
      check.size === from.size &&
      // A copy keeps a single-part ETag; a multipart source's ETag (with "-N") is not kept, so the copy must be
      // the object the copy call answered for.
      (from.etag.includes('-') ? check.etag === copyEtag : check.etag === from.etag);
    if (!sameContent) {
      throw new ItemFailure(
        `The copy of “${item.source}” in “${target.name}” does not match the original (size or checksum), so the original was kept. Retry the item.`,
      );
    }
    item.etag = from.etag;
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
  await gateway.delete(source.name, item.source, signal);
  return { retries };
}

/** The access of an item as the storage answers now: the bucket's rule, or the object's own ACL. */
export async function readAccess(
  gateway: StorageGateway,
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
