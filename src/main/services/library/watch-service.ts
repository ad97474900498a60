import { ObjectQuerySchema, type AccessType, type Selection } from '@shared/library/schemas';
import type { BucketRecord, BucketRepository } from '../../repositories/bucket-repository';
import type { CatalogRepository } from '../../repositories/catalog-repository';
import type { LinkRepository } from '../../repositories/link-repository';
import type { ActivityService } from '../activity-service';
import type { Clock } from '../clock';
import type { TaskProgress } from '../tasks';
import { ACL_CONCURRENCY } from './sync-engine';
import type { VerifyService } from './verify-service';

/** One file the watch asked for, as `signet watch --json` prints it (cli.md). */
export interface WatchResult {
  account: string;
  bucket: string;
  key: string;
  access: AccessType;
  status: number;
  leak: boolean;
}

export interface WatchSummary {
  checked: number;
  leaks: WatchResult[];
  /** Buckets whose rule could not be read again, in plain words (their files are still asked for). */
  problems: string[];
  /** Files whose stranger's request got no answer (status 0). */
  unreachable: number;
  seconds: number;
  at: string;
}

export interface WatchOptions {
  /** Account ids; empty: every account. */
  accounts?: readonly string[];
  /** Every file the catalog holds as not public, not only those an active link points to. */
  all?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: TaskProgress) => void;
  onResult?: (r: WatchResult) => void;
}

/** What the watch needs of the account service: the accounts, and a fresh reading of one bucket's rule. */
export interface WatchAccounts {
  list(): Promise<{ id: string; name: string }[]>;
  checkBucket(id: string, bucket: string): Promise<unknown>;
}

/**
 * The leak watch: one pass re-reads each bucket's rule (so a policy opened behind Signet's back shows in the
 * Accounts and Library views) and asks, as a stranger, for every file an active link points to (or, with `all`,
 * every file the catalog holds as not public). A file held as not public that a stranger gets is a leak; every
 * answer lands in the catalog (`verified`, and the file's history). The command line runs one pass
 * (`signet watch`, for cron); the desktop app runs it on a timer.
 */
export class WatchService {
  constructor(
    private readonly deps: {
      accounts: WatchAccounts;
      buckets: BucketRepository;
      catalog: CatalogRepository;
      links: LinkRepository;
      verifier: VerifyService;
      activity: ActivityService;
      clock: Clock;
    },
  ) {}

  async pass(options: WatchOptions = {}): Promise<WatchSummary> {
    const started = performance.now();
    const { buckets, clock } = this.deps;
    const accounts = (await this.deps.accounts.list()).filter(
      (a) => !options.accounts?.length || options.accounts.includes(a.id),
    );
    const summary: WatchSummary = {
      checked: 0,
      leaks: [],
      problems: [],
      unreachable: 0,
      seconds: 0,
      at: clock.now().toISOString(),
    };
    for (const account of accounts) {
      const own = buckets.list().filter((b) => b.accountId === account.id && b.configured);
      for (const bucket of own) {
        options.signal?.throwIfAborted();
        try {
          await this.deps.accounts.checkBucket(account.id, bucket.name);
        } catch (err) {
          summary.problems.push(
            `“${bucket.name}” of “${account.name}”: ${err instanceof Error ? err.message : String(err)}`,
          );
        }
        const selection = this.selection(bucket, options.all ?? false);
        if (!selection) continue;
        const result = await this.deps.verifier.verify(selection, {
          method: 'HEAD',
          concurrency: ACL_CONCURRENCY,
          label: `Watching ${bucket.name}`,
          ...(options.signal ? { signal: options.signal } : {}),
          ...(options.onProgress ? { onProgress: options.onProgress } : {}),
          onResult: (r) => {
            const row = { account: account.name, bucket: bucket.name, ...r };
            if (r.status === 0) summary.unreachable++;
            if (r.leak) summary.leaks.push(row);
            options.onResult?.(row);
          },
        });
        summary.checked += result.checked;
      }
    }
    summary.seconds = Math.round(performance.now() - started) / 1000;
    this.deps.activity.record(
      'library',
      `Leak watch: ${summary.checked} file(s) asked for as a stranger, ` +
        (summary.leaks.length ? `${summary.leaks.length} LEAK(S).` : 'no leaks.'),
    );
    return summary;
  }

  /** The files one bucket's pass asks for, or null when there are none. */
  private selection(bucket: BucketRecord, all: boolean): Selection | null {
    if (all) {
      return {
        kind: 'query',
        query: ObjectQuerySchema.parse({
          bucketId: bucket.id,
          recursive: true,
          access: ['private', 'authenticated', 'unknown'],
        }),
      };
    }
    const ids: number[] = [];
    for (const key of this.deps.links.linkedKeys(bucket.id, this.deps.clock.now().toISOString())) {
      const row = this.deps.catalog.getByKey(bucket.id, key);
      if (row) ids.push(row.id);
    }
    return ids.length ? { kind: 'ids', bucketId: bucket.id, ids } : null;
  }
}
