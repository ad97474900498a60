import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/database';
import {
  OBJECT_COLUMNS,
  toRecord,
  type ListedObject,
  type ObjectRecord,
  type ObjectTableRow,
  type StoredGrant,
} from './catalog-records';
import {
  accessParams,
  byAccessRuns,
  READ_ALL,
  countWant,
  FTS_FROM,
  lookupParams,
  pageWant,
  SHORT_FROM,
  SORT_INDEX,
  SORT_RESULT,
  SORT_SQL,
  sortValue,
  whereOf,
  withCondition,
  type Cursor,
  type Where,
} from './catalog-search-sql';
import { accessRunsPage, sortedStop, type Prepared } from './catalog-order-reads';
import { accessCounts, bucketSummary, type BucketSummary } from './catalog-counts';
import { slashScope } from './catalog-slash-scope';
import { CatalogWrites, type UpsertCounts } from './catalog-writes';
import { CatalogSearch } from './catalog-search-plans';
import type { PlanChoice, PlanKind } from './search-plan';
import { SearchTerms } from './search-terms';
import { TrigramProbe } from './trigram-probe';
import type { AccessType, ObjectQuery, Sort } from '@shared/library/schemas';

// The catalog's helpers and types, where its callers have always imported them from.
export {
  ancestorFolders,
  splitKey,
  type ListedObject,
  type ObjectRecord,
  type StoredGrant,
} from './catalog-records';
export { searchMatch, trigrams } from './catalog-search-sql';
export type { UpsertCounts } from './catalog-writes';

/**
 * The catalog: what Signet last saw in each bucket (objects, folders, access types, verifications). It is a
 * cache of the storage, rebuilt by a sync, and holds nothing secret. Writes come in large transactions (a listing
 * page at a time); reads are by page and keyset cursor, so no query ever walks a whole bucket for the window.
 *
 * The writes live in CatalogWrites (catalog-writes.ts), the choice of a search's plan and its SQL in CatalogSearch
 * (catalog-search-plans.ts), the search SQL's pieces in catalog-search-sql.ts and the row mapping in
 * catalog-records.ts; this class runs the reads and keeps the one API callers use.
 */
export class CatalogRepository {
  private readonly selectById: Statement<[number], ObjectTableRow>;
  private readonly selectByKey: Statement<[number, string], ObjectTableRow>;
  private readonly selectHistory: Statement<[number], { status: number; at: string; leak: number }>;
  private readonly selectFolderPaths: Statement<[number, number], string>;

  /** Dynamic queries (filters and sorts vary) are prepared once per distinct SQL text. */
  private readonly prepared = new Map<string, Statement>();
  /** The search plans, their index lookups and their SQL (catalog-search-plans.ts). */
  private readonly plans: CatalogSearch;
  private readonly writes: CatalogWrites;

  constructor(private readonly db: Db) {
    // The probe leaves trigrams found in nearly every key out of a lookup and judges the plans; the terms let a
    // lookup name those that hold the text (migration 011). Both are kept current by the writes.
    const probe = new TrigramProbe(db);
    const terms = new SearchTerms(db);
    this.plans = new CatalogSearch(probe, terms);
    this.writes = new CatalogWrites(db, probe, terms);
    this.selectById = db.prepare(`SELECT ${OBJECT_COLUMNS} FROM objects o WHERE o.id = ?`);
    this.selectByKey = db.prepare(
      `SELECT ${OBJECT_COLUMNS} FROM objects o WHERE o.bucket_id = ? AND o.key = ?`,
    );
    this.selectHistory = db.prepare(
      'SELECT status, at, leak FROM verifications WHERE object_id = ? ORDER BY at DESC, id DESC LIMIT 50',
    );
    this.selectFolderPaths = db
      .prepare<[number, number], string>('SELECT path FROM folders WHERE bucket_id = ? LIMIT ?')
      .pluck() as Statement<[number, number], string>;
  }

  /** Records one listing page, in one transaction (CatalogWrites.upsertPage). */
  upsertPage(
    bucketId: number,
    objects: readonly ListedObject[],
    mark: number,
    knownFolders: Set<string>,
  ): UpsertCounts {
    return this.writes.upsertPage(bucketId, objects, mark, knownFolders);
  }

  /** Drops what a complete listing of `prefix` no longer saw; answers how many objects went. */
  removeUnseen(bucketId: number, prefix: string, mark: number): number {
    return this.writes.removeUnseen(bucketId, prefix, mark);
  }

  /** Records resolved access types (and the stranger's status that proved them, where given). */
  setAccess(
    bucketId: number,
    results: readonly { key: string; access: AccessType; grants: StoredGrant[] | null; verified?: number }[],
    at: string,
  ): void {
    this.writes.setAccess(bucketId, results, at);
  }

  /** Sets one access type for every object under a prefix. */
  setAccessUnder(bucketId: number, prefix: string, access: AccessType, at: string): void {
    this.writes.setAccessUnder(bucketId, prefix, access, at);
  }

  /** Records what anonymous GETs got. */
  recordVerifications(
    results: readonly { id: number; access: AccessType; status: number }[],
    at: string,
  ): void {
    this.writes.recordVerifications(results, at);
  }

  /** Drops one object (a move emptied its place) and the folders it leaves empty. */
  removeKey(bucketId: number, key: string): void {
    this.writes.removeKey(bucketId, key);
  }

  get(id: number): ObjectRecord | null {
    const row = this.selectById.get(id);
    return row ? toRecord(row) : null;
  }

  getByKey(bucketId: number, key: string): ObjectRecord | null {
    const row = this.selectByKey.get(bucketId, key);
    return row ? toRecord(row) : null;
  }

  history(id: number): { status: number; at: string; leak: boolean }[] {
    return this.selectHistory.all(id).map((h) => ({ status: h.status, at: h.at, leak: h.leak === 1 }));
  }

  /** Sub-folders of a folder, by name. */
  folders(bucketId: number, parent: string, limit = 1000): { path: string; name: string }[] {
    return this.db
      .prepare<[number, string, number], { path: string }>(
        'SELECT path FROM folders WHERE bucket_id = ? AND parent = ? ORDER BY path LIMIT ?',
      )
      .all(bucketId, parent, limit)
      .map(({ path }) => ({ path, name: path.slice(parent.length, -1) }));
  }

  /** Every key of a bucket's catalog, in key order (a batch CSV's product slugs are resolved against them). */
  keys(bucketId: number): string[] {
    return this.db
      .prepare<[number], { key: string }>('SELECT key FROM objects WHERE bucket_id = ? ORDER BY key')
      .pluck()
      .all(bucketId) as unknown as string[];
  }

  /**
   * One page of a query, after `cursor` (the sort value and key of the last row of the previous page). A search
   * reads by the plan its sample judges cheaper (search-plan.ts); `options.plan` names one instead, read to the
   * end (the tests and the bench compare them): the rows and their order are the same either way.
   */
  page(
    query: ObjectQuery,
    sort: Sort,
    cursor: Cursor | null,
    limit: number,
    options: { plan?: PlanKind } = {},
  ): { rows: ObjectRecord[]; last: Cursor | null } {
    const { rows, last } = this.pageOf(this.scoped(query), sort, cursor, limit, options.plan, false);
    return { rows, last };
  }

  /**
   * The first page of a query with its count up to `cap` (`countUpTo`'s answer), as the window asks on every
   * keystroke. Where the page reads every hit from the trigram index to sort them, that same read counts them: the
   * index is read once instead of twice ('36.z' at a million keys: ~45 ms as page and count, ~28 ms as one read).
   */
  firstPage(
    query: ObjectQuery,
    sort: Sort,
    limit: number,
    cap: number,
    options: { plan?: PlanKind } = {},
  ): { rows: ObjectRecord[]; last: Cursor | null; total: { n: number; capped: boolean } } {
    const scoped = this.scoped(query);
    const { rows, last, hits } = this.pageOf(scoped, sort, null, limit, options.plan, true);
    const n = hits ?? this.countScoped(scoped, cap + 1, options.plan);
    return { rows, last, total: { n: Math.min(n, cap), capped: n > cap } };
  }

  /**
   * One page of a scoped query. `countHits`: where the plan reads every hit anyway (the index, without a walk that
   * may give up), answer how many there are in `hits` (else null).
   */
  private pageOf(
    query: ObjectQuery,
    sort: Sort,
    cursor: Cursor | null,
    limit: number,
    plan: PlanKind | undefined,
    countHits: boolean,
  ): { rows: ObjectRecord[]; last: Cursor | null; hits: number | null } {
    const reading = this.plans.reading(query, sort, cursor, pageWant(sort, limit), plan);
    const where = whereOf(query, sort, cursor);
    const dir = sort.direction === 'asc' ? 'ASC' : 'DESC';
    const order = (cols: Record<Sort['column'], string>, prefix = '') =>
      sort.column === 'name'
        ? `${cols.name} ${dir}`
        : `${prefix}${cols[sort.column]} ${dir}, ${cols.name} ${dir}`;
    const rows = (kind: PlanKind, w: Where, n: number, from = 'objects o', walkOrder = order(SORT_SQL)) => {
      const sql = this.plans.select(
        kind,
        query,
        reading,
        w,
        OBJECT_COLUMNS,
        walkOrder,
        order(SORT_RESULT),
        from,
      );
      return sql === null
        ? []
        : this.cached<Record<string, unknown>, ObjectTableRow>(`${sql.text} LIMIT @limit`)
            .all({ ...sql.params, limit: n })
            .map(toRecord);
    };
    // Another order, walked as the scope's rows sorted: `+` keeps SQLite from walking the order's index instead
    // (migration 016), which for a folder of 90 files would read the whole bucket.
    const sortedAfter = (kind: PlanKind, w: Where, n: number) =>
      rows(kind, w, n, 'objects o', order(SORT_SQL, '+'));
    // The index plan's hits, sorted, with their number: only their ids and sort values go through the sort (and
    // the window that counts them), then the page's rows are read by id. Sorting whole rows took a quarter longer.
    const counted = (w: Where, n: number): { found: ObjectRecord[]; hits: number } => {
      const value = sort.column === 'name' ? '' : `, ${SORT_SQL[sort.column]} AS ${SORT_RESULT[sort.column]}`;
      const hits = this.plans.hits(query, reading, w, `o.id AS id, o.key AS key${value}`);
      if (hits === null) return { found: [], hits: 0 };
      const sql =
        `SELECT ${OBJECT_COLUMNS}, h.hits AS hits FROM (SELECT id, count(*) OVER () AS hits FROM (${hits.text}) ` +
        `ORDER BY ${order(SORT_RESULT)} LIMIT @limit) h CROSS JOIN objects o ON o.id = h.id ORDER BY ${order(SORT_SQL)}`;
      const got = this.cached<Record<string, unknown>, ObjectTableRow & { hits: number }>(sql).all({
        ...hits.params,
        limit: n,
      });
      return { found: got.map(toRecord), hits: got[0]?.hits ?? 0 };
    };
    const { stop, sortedBudget } = reading;
    let found: ObjectRecord[];
    let hits: number | null = null;
    if (byAccessRuns(query, sort)) found = accessRunsPage(this.cachedOf, where, query.access, dir, limit);
    else if (sortedBudget !== null && sort.column !== 'name') {
      // A walk down the order's index that gives up after `sortedBudget` entries: those walked (each checked),
      // the rest read and sorted.
      const col = SORT_SQL[sort.column];
      const index = SORT_INDEX[sort.column];
      const [before, after] = sort.direction === 'asc' ? ['<', '>='] : ['>', '<='];
      const end = sortedStop(this.cachedOf, index, col, dir, where, sortedBudget);
      // Split at the stop's value, and key where the index holds it (a value all of a bucket's files share would
      // leave every file to the rest): the walk's rows all come before the rest's in the page's order.
      const at = (cmp: string) =>
        end === null
          ? where
          : end.key === null
            ? withCondition(where, `${col} ${cmp} @stop_value`, { stop_value: end.value })
            : withCondition(where, `(${col}, o.key) ${cmp} (@stop_value, @stop_key)`, {
                stop_value: end.value,
                stop_key: end.key,
              });
      found = rows('walk', at(before), limit, `objects o INDEXED BY ${index.name}`);
      if (found.length < limit && end !== null)
        found.push(...sortedAfter('walk', at(after), limit - found.length));
    } else if (sort.column !== 'name' && reading.kind === 'walk') found = sortedAfter('walk', where, limit);
    else if (stop === null && reading.kind === 'index' && countHits)
      ({ found, hits } = counted(where, limit));
    else if (stop === null) found = rows(reading.kind, where, limit);
    else {
      // A walk by name that may give up at `stop`: the keys before it walked, the rest from the index.
      const [before, after] = sort.direction === 'asc' ? ['<', '>='] : ['>', '<='];
      found = rows('walk', withCondition(where, `o.key ${before} @stop`, { stop }), limit);
      if (found.length < limit)
        found.push(
          ...rows('index', withCondition(where, `o.key ${after} @stop`, { stop }), limit - found.length),
        );
    }
    const tail = found.at(-1);
    return {
      rows: found,
      last: tail && found.length === limit ? { value: sortValue(tail, sort), key: tail.key } : null,
      hits,
    };
  }

  /** How many objects a query matches, exactly (a search may read its whole bucket: `countUpTo` need not). */
  count(query: ObjectQuery, options: { plan?: PlanKind } = {}): number {
    return this.countRows(query, Infinity, options.plan);
  }

  /**
   * How many objects a query matches, counted up to `cap`: `capped` when more do. A search in most keys stops
   * after `cap` of them instead of reading a million.
   */
  countUpTo(
    query: ObjectQuery,
    cap: number,
    options: { plan?: PlanKind } = {},
  ): { n: number; capped: boolean } {
    const n = this.countRows(query, cap + 1, options.plan);
    return { n: Math.min(n, cap), capped: n > cap };
  }

  /** Every object a query matches, in key order, lazily (for `signet ls` and selections). */
  *iterate(query: ObjectQuery, options: { plan?: PlanKind } = {}): IterableIterator<ObjectRecord> {
    query = this.scoped(query);
    const byName: Sort = { column: 'name', direction: 'asc' };
    const reading = this.plans.reading(query, byName, null, READ_ALL, options.plan);
    const where = whereOf(query, byName, null);
    const sql = this.plans.select(reading.kind, query, reading, where, OBJECT_COLUMNS, 'o.key', 'key');
    if (sql === null) return;
    const stmt = this.db.prepare<Record<string, unknown>, ObjectTableRow>(sql.text);
    for (const row of stmt.iterate(sql.params)) yield toRecord(row);
  }

  /** Which plan a first page by `sort` and its count (up to `cap`) would take (the bench's notes). */
  searchPlan(
    query: ObjectQuery,
    sort: Sort,
    limit: number,
    cap: number,
  ): { page: PlanChoice; count: PlanChoice } {
    query = this.scoped(query);
    return {
      page: this.plans.choose(query, sort, null, pageWant(sort, limit)),
      count: this.plans.choose(query, null, null, countWant(cap + 1)),
    };
  }

  /** Objects by id within one bucket (ids of other buckets are ignored). */
  byIds(bucketId: number, ids: readonly number[]): ObjectRecord[] {
    const out: ObjectRecord[] = [];
    for (const id of ids) {
      const row = this.selectById.get(id);
      if (row && row.bucket_id === bucketId) out.push(toRecord(row));
    }
    return out;
  }

  /** Objects per access type under a prefix. */
  accessCounts(bucketId: number, prefix: string): [AccessType, number][] {
    return accessCounts(this.cachedOf, bucketId, prefix);
  }

  /** Per bucket: objects, bytes, objects per access type, and leaks. */
  summary(bucketId: number): BucketSummary {
    return bucketSummary(this.cachedOf, bucketId);
  }

  /** A search with a '/' in it, read only where its hits can lie (catalog-slash-scope.ts). */
  private scoped(query: ObjectQuery): ObjectQuery {
    return slashScope(query, (bucketId, limit) => this.selectFolderPaths.all(bucketId, limit));
  }

  /** `cached` for the reads in catalog-order-reads.ts. */
  private readonly cachedOf: Prepared = (sql) => this.cached(sql);

  private cached<P extends unknown[] | object, R>(sql: string): Statement<P, R> {
    let stmt = this.prepared.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.prepared.set(sql, stmt);
    }
    return stmt as unknown as Statement<P, R>;
  }

  /** Counts up to `limit` rows (Infinity: all of them). */
  private countRows(query: ObjectQuery, limit: number, forced?: PlanKind): number {
    return this.countScoped(this.scoped(query), limit, forced);
  }

  /** `countRows` of a query already narrowed by `scoped`. */
  private countScoped(query: ObjectQuery, limit: number, forced?: PlanKind): number {
    if (byAccessRuns(query, null)) {
      // The filter's types counted in the access index, the entries of each in the scope's key range only.
      const where = whereOf(query, null, null);
      const { names, params } = accessParams(query.access);
      return this.countSql(
        `FROM objects o INDEXED BY objects_access WHERE o.access IN (${names}) AND ${where.sql.join(' AND ')}`,
        { ...where.params, ...params },
        limit,
      );
    }
    const reading = this.plans.reading(query, null, null, countWant(limit), forced);
    const { kind, stop } = reading;
    const where = whereOf(query, null, null);
    const count = (k: PlanKind, w: Where, n: number): number => {
      if (k === 'walk')
        return this.countSql(`FROM objects o WHERE ${w.sql.join(' AND ')}`, w.params, n, true);
      const lookup = (reading.lookup ??= this.plans.lookup(query.search));
      const params = { ...w.params, ...lookupParams(lookup) };
      const cond = w.sql.join(' AND ');
      // The index's hits and the short keys are different rows (a short key has no trigram): counted apart.
      let found = 0;
      if (lookup.match !== null) found += this.countSql(`${FTS_FROM} AND ${cond}`, params, n);
      if (lookup.short.length > 0 && found < n)
        found += this.countSql(`${SHORT_FROM} AND ${cond}`, params, n - found);
      return found;
    };
    if (stop === null) return count(kind, where, limit);
    // A walk in key order that may give up at `stop`: the keys before it walked, the rest counted by the index.
    const walked = count('walk', withCondition(where, 'o.key < @stop', { stop }), limit);
    return walked >= limit
      ? walked
      : walked + count('index', withCondition(where, 'o.key >= @stop', { stop }), limit - walked);
  }

  /**
   * `SELECT count(*) …from`, up to `limit` rows. A walk counts in key order (`byKey`): SQLite could otherwise walk
   * the (bucket_id, folder, key) index, which a stop key does not bound.
   */
  private countSql(from: string, params: Record<string, unknown>, limit: number, byKey = false): number {
    const sql = Number.isFinite(limit)
      ? `SELECT count(*) AS n FROM (SELECT 1 ${from}${byKey ? ' ORDER BY o.key' : ''} LIMIT @limit)`
      : `SELECT count(*) AS n ${from}`;
    return this.cached<Record<string, unknown>, { n: number }>(sql).get({ ...params, limit })?.n ?? 0;
  }
}
