import {
  ObjectQuerySchema,
  type BucketView,
  type ObjectDetails,
  type ObjectPage,
  type ObjectPageInput,
  type ObjectQuery,
  type ObjectRow,
  type Selection,
  type Sort,
  ObjectPageInputSchema,
} from '@shared/library/schemas';
import { locationUrl, objectLocation } from '@shared-node/s3/location';
import type { BucketRecord, BucketRepository } from '../../repositories/bucket-repository';
import type { CatalogRepository, ObjectRecord } from '../../repositories/catalog-repository';
import type { AccountService } from '../accounts/account-service';
import { UserFacingError } from '../errors';
import { accessRule, type AccessRule } from './access-rules';
import type { SyncOptions, SyncResult, SyncService } from './sync-service';
import type { VerifyOptions, VerifyService } from './verify-service';
import type { VerifySummary } from '@shared/library/schemas';

/**
 * A search's or an access filter's count stops here. Counting every match to show "1,000,000 files" cost up to a
 * second at a million keys, on every keystroke; counting to this many stays within the window's budget
 * (`npm run bench:library`, part 1, "search as typed" and the filters). Unfiltered folders keep exact counts.
 */
export const SEARCH_COUNT_CAP = 10_000;

export interface LibraryDeps {
  accounts: AccountService;
  buckets: BucketRepository;
  catalog: CatalogRepository;
  syncer: SyncService;
  verifier: VerifyService;
}

/**
 * The media library for the window, the contract and the command line: buckets with their counts, catalog pages
 * by cursor (SQLite only, no network), one object's details, syncs and anonymous verification.
 */
export class LibraryService {
  constructor(private readonly deps: LibraryDeps) {}

  buckets(): BucketView[] {
    return this.deps.buckets.list().map((b) => this.view(b));
  }

  /** A bucket by account (name or id) and bucket name; without a name, the account's first bucket. */
  resolveBucket(account: string, bucket?: string): BucketView {
    const all = this.deps.accounts.records();
    const match =
      all.find((a) => a.id === account) ?? all.find((a) => a.name.toLowerCase() === account.toLowerCase());
    if (!match) {
      throw new UserFacingError(
        'not-found',
        `There is no storage account “${account}”. See \`signet accounts list\`.`,
      );
    }
    const name = bucket ?? match.buckets[0] ?? match.privateBucket;
    if (!name) {
      throw new UserFacingError(
        'not-found',
        `The account “${match.name}” names no bucket. Pass --bucket, or add a bucket to the account.`,
      );
    }
    const row = this.deps.buckets.byName(match.id, name) ?? this.deps.buckets.ensure(match.id, name);
    return this.view(row);
  }

  page(raw: ObjectPageInput): ObjectPage {
    const input = ObjectPageInputSchema.parse(raw);
    const { cursor, limit, sort, ...query } = input;
    this.bucket(query.bucketId);
    const first = cursor === null;
    // A search's count, or a filter's, stops at the cap ("10,000+ files"): counting 949,000 private files of a
    // million exactly took 40 ms of the page's 50. Only a folder, or the whole bucket, unfiltered, is counted to
    // the last file. "Select all" plans its job from an exact count of its own, off the window's path.
    const filtered = query.search !== '' || query.access.length > 0 || query.leaksOnly;
    let page: ReturnType<CatalogRepository['page']>;
    let total: { n: number; capped: boolean } | null = null;
    if (!first) page = this.deps.catalog.page(query, sort, decodeCursor(cursor, sort), limit);
    else if (filtered) {
      // The count comes from the page's own read where it can (CatalogRepository.firstPage).
      const got = this.deps.catalog.firstPage(query, sort, limit, SEARCH_COUNT_CAP);
      page = got;
      total = got.total;
    } else {
      page = this.deps.catalog.page(query, sort, null, limit);
      total = { n: this.deps.catalog.count(query), capped: false };
    }
    return {
      rows: page.rows.map(toRow),
      next: page.last ? encodeCursor(page.last) : null,
      folders:
        first && !query.recursive && !query.search
          ? this.deps.catalog.folders(query.bucketId, query.folder)
          : [],
      total: total?.n ?? null,
      totalCapped: total?.capped ?? false,
    };
  }

  object(id: number): ObjectDetails {
    const o = this.deps.catalog.get(id);
    if (!o)
      throw new UserFacingError('not-found', 'This file is no longer in the catalog. Sync the bucket again.');
    const bucket = this.bucket(o.bucketId);
    const account = this.deps.accounts.find(bucket.accountId);
    const rule = accessRule(bucket);
    return {
      ...toRow(o),
      bucket: bucket.name,
      storageClass: o.storageClass,
      accessCheckedAt: o.accessCheckedAt,
      accessReason: accessReason(o, rule),
      grants: o.grants,
      url: account ? locationUrl(objectLocation(account, bucket.name, o.key)) : '',
      history: this.deps.catalog.history(id),
    };
  }

  sync(
    input: { accountId: string; bucket: string; prefix?: string },
    options?: SyncOptions,
  ): Promise<SyncResult> {
    return this.deps.syncer.sync(input, options);
  }

  verify(selection: Selection, options?: VerifyOptions): Promise<VerifySummary> {
    return this.deps.verifier.verify(selection, options);
  }

  /** Every object a query matches, in key order, with its bucket's name (for `signet ls`). */
  *rows(raw: ObjectQuery): IterableIterator<ObjectRow & { bucket: string }> {
    const query = ObjectQuerySchema.parse(raw);
    const bucket = this.bucket(query.bucketId);
    for (const o of this.deps.catalog.iterate(query)) yield { ...toRow(o), bucket: bucket.name };
  }

  /** Catalog ids of the given keys (for `signet verify KEY…`); unknown keys are answered in `missing`. */
  idsOf(bucketId: number, keys: readonly string[]): { ids: number[]; missing: string[] } {
    const ids: number[] = [];
    const missing: string[] = [];
    for (const key of keys) {
      const o = this.deps.catalog.getByKey(bucketId, key);
      if (o) ids.push(o.id);
      else missing.push(key);
    }
    return { ids, missing };
  }

  private bucket(id: number): BucketRecord {
    const b = this.deps.buckets.get(id);
    if (!b) throw new UserFacingError('not-found', 'This bucket is no longer in Signet. Choose another one.');
    return b;
  }

  private view(b: BucketRecord): BucketView {
    const rule = accessRule(b);
    const unsettled = rule.kind === 'stranger' || (rule.kind === 'bucket' && rule.access === 'unknown');
    // Only once a check has looked at the bucket: before that, "not known" is just "not synced yet".
    return {
      ...b,
      ...this.deps.catalog.summary(b.id),
      accessNote: unsettled && b.checkedAt ? rule.reason : null,
    };
  }
}

function accessReason(o: ObjectRecord, rule: AccessRule): string {
  if (rule.kind === 'stranger' && o.verified && o.access !== 'unknown') {
    const when = `(HTTP ${o.verified.status}, ${o.verified.at})`;
    if (o.access === 'private') return `A stranger’s request for it was refused ${when}. ${rule.reason}`;
    if (o.access === 'public-bucket')
      return `A stranger downloaded it ${when}, though its own ACL does not allow that: the bucket’s policy lets anyone read it. ${rule.reason}`;
  }
  if (o.access === 'unknown') {
    if (rule.kind === 'stranger' && o.accessCheckedAt)
      return `A stranger’s request for it got no clear answer, so Signet does not know who can read it. ${rule.reason} Verify it, or sync again.`;
    return o.accessCheckedAt
      ? 'Signet could not read this file’s access setting (the key may lack permission to read ACLs). Verify it to see what a stranger gets.'
      : 'Not resolved yet: sync the bucket to read it.';
  }
  if (o.access === 'public') return 'The file’s own ACL lets anyone read it.';
  if (o.access === 'authenticated')
    return 'The file’s own ACL lets any signed-in cloud user (of any account) read it.';
  if (o.access === 'private' && o.grants) return 'The file’s own ACL grants no one outside your account.';
  return rule.reason;
}

function toRow(o: ObjectRecord): ObjectRow {
  return {
    id: o.id,
    key: o.key,
    folder: o.folder,
    name: o.name,
    size: o.size,
    lastModified: o.lastModified,
    etag: o.etag,
    contentType: o.contentType,
    access: o.access,
    verified: o.verified,
    leak: o.leak,
  };
}

function encodeCursor(c: { value: string | number; key: string }): string {
  return Buffer.from(JSON.stringify([c.value, c.key])).toString('base64url');
}

function decodeCursor(cursor: string, sort: Sort): { value: string | number; key: string } {
  try {
    const [value, key] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    const valueOk = sort.column === 'size' ? typeof value === 'number' : typeof value === 'string';
    if (valueOk && typeof key === 'string') return { value: value as string | number, key };
  } catch {
    // fall through: a cursor from another query or version
  }
  throw new UserFacingError(
    'invalid-input',
    'This list is out of date. Scroll back to the top to reload it.',
  );
}
