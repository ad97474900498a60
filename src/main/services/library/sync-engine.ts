import { setMaxListeners } from 'node:events';
import type { AccessType } from '@shared/library/schemas';
import type { BucketRecord } from '../../repositories/bucket-repository';
import type { CatalogRepository, StoredGrant } from '../../repositories/catalog-repository';
import { errorFacts } from '../storage/provider-errors';
import type { Clock } from '../clock';
import type { StorageGateway } from '../storage/storage-gateway';

type ListPage = Awaited<ReturnType<StorageGateway['list']>>;
import type { TaskProgress } from '../tasks';
import { accessRule, type AccessRule } from './access-rules';
import { asStranger } from './stranger-check';
import { AsyncQueue, forEachConcurrent } from '../../lib/async-queue';
import { nextTurn } from '../../lib/next-turn';

/**
 * ACL reads in flight per sync. Measured on the test Ceph: 165/s at 8, 344/s at 16, 582/s at 32, 647/s at 64;
 * 32 gets ~90% of the best rate with half the connections, which keeps a shop's sync from tripping a
 * provider's request-rate limits (R2 and B2 throttle per bucket) while another task runs beside it.
 */
export const ACL_CONCURRENCY = 32;
/**
 * ACL reads in flight while the listing still runs: enough to fill access types in from the first page, few
 * enough that the listing (which the window is waiting for) is not slowed by them; measured, 32 reads beside
 * the listing made it 2.5× slower than rclone's. With 8 (`npm run bench:library -- --parts 2,3`, quiet machine):
 * the 20k-key listing 0.84 s against rclone's 1.13 s, and the ACL phase of a 5k-key sync 0.95× a plain loop of
 * 32 reads (4 left it at 0.90×: the reads ramp up only after the listing).
 */
const ACL_CONCURRENCY_WHILE_LISTING = 8;
/** Keys waiting for an ACL read: bounds memory while the listing runs ahead (about 2 MB of keys). */
const QUEUE_HIGH_WATER = 20_000;
/** Resolved access types are written in batches: one transaction per this many, or per FLUSH_MS. */
const FLUSH_ROWS = 500;
const FLUSH_MS = 250;

export interface SyncRunOptions {
  signal?: AbortSignal;
  onProgress?: (p: TaskProgress) => void;
  /** ACL reads in flight (default ACL_CONCURRENCY). */
  aclConcurrency?: number;
  /** Keys waiting for an ACL read at most (default QUEUE_HIGH_WATER; tests make it small). */
  queueHighWater?: number;
  /**
   * The bucket as the check that goes with this sync finds it (privacy model, exposure). The listing does not wait
   * for it: it starts at once, and only the access types wait for the rule the check decides. A failed check stops
   * the sync with the check's error.
   */
  checked?: Promise<BucketRecord>;
}

/** What one run did to the catalog. */
export interface SyncCounts {
  objects: number;
  added: number;
  updated: number;
  removed: number;
  /** Seconds from the first listing request to the last page written. */
  listSeconds: number;
  /** Seconds of the whole run (listing, ACL reads, removals). */
  runSeconds: number;
  /** Objects whose ACL could not be read (left `unknown`). */
  unresolved: number;
}

/**
 * Lists a bucket (or one prefix) into the catalog and resolves each object's access type. The listing is
 * written page by page as it arrives, so the library shows files at once; ACL reads run beside the listing
 * with bounded concurrency and fill access types in as they come. Only a complete listing removes objects
 * (a cancelled or failed run never deletes what it did not get to see).
 *
 * Runs wherever it is given a catalog and a gateway: in a worker thread for the app (worker-sync-engine.ts),
 * in-process for the command line and tests.
 */
export async function runSync(
  deps: { catalog: CatalogRepository; clock: Clock },
  gateway: StorageGateway,
  bucket: BucketRecord,
  prefix: string,
  options: SyncRunOptions = {},
): Promise<SyncCounts> {
  const { catalog, clock } = deps;
  const started = performance.now();
  const ruleReady = (options.checked ?? Promise.resolve(bucket)).then(accessRule);
  let rule: AccessRule | null = null;
  ruleReady.then(
    (r) => (rule = r),
    () => undefined, // handled where the sync waits for the resolver
  );
  const mark = Date.now();
  options.signal?.throwIfAborted();
  const inner = new AbortController();
  // Every ACL read in flight listens to this signal: more than Node's default of 10 listeners is expected.
  setMaxListeners(ACL_CONCURRENCY * 8, inner.signal);
  const stop = () => inner.abort();
  options.signal?.addEventListener('abort', stop, { once: true });
  const queue = new AsyncQueue<string>(options.queueHighWater ?? QUEUE_HIGH_WATER);
  // A listing that waits for room in a full queue must wake when the sync stops: the readers stop taking keys and
  // nothing else would release it (a cancelled 200k-key sync, its listing far ahead of the ACL reads, never ended).
  inner.signal.addEventListener('abort', () => queue.abort(), { once: true });
  let listed!: () => void;
  const listingDone = new Promise<void>((resolve) => (listed = resolve));
  const counts = { listed: 0, added: 0, updated: 0, resolved: 0, unresolved: 0 };
  let listSeconds = 0;
  let listing = true;
  const label = `Syncing ${bucket.name}`;
  const report = () => {
    const seconds = (performance.now() - started) / 1000;
    options.onProgress?.(
      listing
        ? {
            label,
            done: counts.listed,
            total: null,
            rate: seconds > 0 ? counts.listed / seconds : null,
            message:
              `Listing: ${counts.listed.toLocaleString('en')} files so far` +
              (rule?.kind === 'per-object'
                ? `, access read for ${counts.resolved.toLocaleString('en')}`
                : rule?.kind === 'stranger'
                  ? `, ${counts.resolved.toLocaleString('en')} checked as a stranger would`
                  : ''),
          }
        : {
            label,
            done: counts.resolved,
            total: counts.listed,
            rate: seconds > listSeconds ? counts.resolved / (seconds - listSeconds) : null,
            message:
              rule?.kind === 'stranger'
                ? `Checking each file as a stranger would (Signet cannot read this bucket’s rules): ${counts.resolved.toLocaleString('en')} of ${counts.listed.toLocaleString('en')}`
                : `Reading access types: ${counts.resolved.toLocaleString('en')} of ${counts.listed.toLocaleString('en')}`,
          },
    );
  };

  // Keys are queued for ACL reads from the first page; once the rule is known they are read, or dropped when the
  // bucket decides every object's access type at once.
  const resolving = ruleReady.then((r) =>
    r.kind !== 'bucket'
      ? resolveAccess(
          deps,
          gateway,
          bucket,
          r,
          queue,
          options.aclConcurrency ?? ACL_CONCURRENCY,
          inner.signal,
          counts,
          report,
          listingDone,
        )
      : queue.abort(),
  );
  // A failing check or resolver must stop the listing too, and vice versa; the first error wins.
  resolving.catch(() => inner.abort());

  try {
    const folders = new Set<string>();
    // The next page is asked for before this one is written, so the storage's round trip overlaps the
    // SQLite work instead of adding to it (see the yield below).
    let next: Promise<ListPage> | null = gateway.list(bucket.name, prefix, null, inner.signal);
    while (next !== null) {
      const page: ListPage = await next;
      inner.signal.throwIfAborted();
      next = page.next === null ? null : gateway.list(bucket.name, prefix, page.next, inner.signal);
      next?.catch(() => undefined); // awaited on the next turn; an abort before then must not go unhandled
      const objects = page.objects.filter((o) => !o.key.endsWith('/')); // folder markers are folders, not files
      // The SDK puts the next request on the wire only a few turns of the event loop after `list` is called (signing
      // and its middleware are asynchronous), and the catalog write below is synchronous: without this yield the
      // request waited for the write, and the listing took the sum of both instead of the longer one (measured on
      // the test Ceph with a 20k-key bucket: time waiting for pages 0.66-0.91 s before, 0.21-0.35 s after).
      await nextTurn();
      const c = catalog.upsertPage(bucket.id, objects, mark, folders);
      counts.listed += objects.length;
      counts.added += c.added;
      counts.updated += c.updated;
      report();
      for (const o of objects) await queue.push(o.key); // a no-op once the queue is dropped
    }
    listSeconds = (performance.now() - started) / 1000;
    listing = false;
    listed();
    queue.close();
    await resolving;
  } catch (err) {
    queue.abort();
    inner.abort();
    listed(); // lets the readers held back for the listing start, see the abort and end
    await resolving.catch(() => undefined);
    if (options.signal?.aborted) throw abortError();
    // A failed check is the cause when it stopped the listing (which then failed as aborted).
    throw (
      (await ruleReady.then(
        () => undefined,
        (checkError: unknown) => checkError,
      )) ?? err
    );
  } finally {
    options.signal?.removeEventListener('abort', stop);
  }

  const at = clock.now().toISOString();
  const decided = await ruleReady;
  if (decided.kind === 'bucket') catalog.setAccessUnder(bucket.id, prefix, decided.access, at);
  const removed = catalog.removeUnseen(bucket.id, prefix, mark);
  report();
  return {
    objects: counts.listed,
    added: counts.added,
    updated: counts.updated,
    removed,
    listSeconds: round(listSeconds),
    runSeconds: round((performance.now() - started) / 1000),
    unresolved: counts.unresolved,
  };
}

/**
 * Resolves each queued key with bounded concurrency and writes the answers in batches: its ACL (`per-object`), or
 * a stranger's HEAD beside its ACL (`stranger`, where the bucket's rule is not known to keep strangers out).
 */
async function resolveAccess(
  deps: { catalog: CatalogRepository; clock: Clock },
  gateway: StorageGateway,
  bucket: BucketRecord,
  rule: Exclude<AccessRule, { kind: 'bucket' }>,
  queue: AsyncQueue<string>,
  concurrency: number,
  signal: AbortSignal,
  counts: { resolved: number; unresolved: number },
  report: () => void,
  listingDone: Promise<void>,
): Promise<void> {
  let batch: { key: string; access: AccessType; grants: StoredGrant[] | null; verified?: number }[] = [];
  let flushedAt = Date.now();
  const flush = () => {
    if (!batch.length) return;
    deps.catalog.setAccess(bucket.id, batch, deps.clock.now().toISOString());
    batch = [];
    flushedAt = Date.now();
  };
  try {
    await forEachConcurrent(
      queue,
      concurrency,
      async (key) => {
        try {
          if (rule.kind === 'stranger') {
            const found = await asStranger(gateway, bucket.name, key, rule.acl, signal);
            if (found) {
              batch.push(found);
              if (found.access === 'unknown') counts.unresolved++;
            }
          } else {
            const acl = await gateway.getAcl(bucket.name, key, signal);
            batch.push({ key, access: acl.access, grants: acl.grants });
          }
        } catch (err) {
          if (signal.aborted) throw err;
          // NoSuchKey: deleted since it was listed; the next sync drops it. Anything else (no permission to
          // read ACLs, errors that outlived the retries) leaves the access type unknown: never a guess.
          if (errorFacts(err).code !== 'NoSuchKey') {
            batch.push({ key, access: 'unknown', grants: null });
            counts.unresolved++;
          }
        }
        counts.resolved++;
        if (batch.length >= FLUSH_ROWS || Date.now() - flushedAt >= FLUSH_MS) {
          flush();
          report();
        }
      },
      signal,
      // Stranger checks are anonymous HEADs, far cheaper for the storage than ACL reads: they run at full width
      // from the first page (bench:library part 4 compares them with a plain HEAD loop doing the same).
      {
        initial:
          rule.kind === 'stranger' ? concurrency : Math.min(ACL_CONCURRENCY_WHILE_LISTING, concurrency),
        until: listingDone,
      },
    );
  } finally {
    flush();
  }
}

function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}

function abortError(): Error {
  const err = new Error('The sync was cancelled. The files listed so far are kept.');
  err.name = 'AbortError';
  return err;
}
