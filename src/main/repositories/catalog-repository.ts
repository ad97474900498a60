import type { Statement } from 'better-sqlite3';
import { lookup as mimeLookup } from 'mime-types';
import type { Db } from '../db/database';
import { choosePlan, type PlanChoice, type PlanKind, type Want } from './search-plan';
import { charCount, fold, SearchTerms } from './search-terms';
import { quote, TrigramProbe, type SampledRow } from './trigram-probe';
import {
  ACCESS_TYPES,
  isLeak,
  type AccessType,
  type ObjectQuery,
  type ObjectRow,
  type Sort,
} from '../../shared/library/schemas';

/** One object as a listing reports it. */
export interface ListedObject {
  key: string;
  size: number;
  lastModified: string;
  etag: string;
  storageClass: string | null;
}

export interface StoredGrant {
  grantee: string;
  permission: string;
}

export interface ObjectRecord extends ObjectRow {
  bucketId: number;
  storageClass: string | null;
  accessCheckedAt: string | null;
  grants: StoredGrant[] | null;
}

interface Row {
  id: number;
  bucket_id: number;
  key: string;
  folder: string;
  name: string;
  size: number;
  last_modified: string;
  etag: string;
  storage_class: string | null;
  content_type: string;
  access: AccessType;
  access_checked_at: string | null;
  grants: string | null;
  verified_status: number | null;
  verified_at: string | null;
}

const COLUMNS =
  'o.id, o.bucket_id, o.key, o.folder, o.name, o.size, o.last_modified, o.etag, o.storage_class, o.content_type, ' +
  'o.access, o.access_checked_at, o.grants, o.verified_status, o.verified_at';

/** Above every valid character in SQLite's binary (UTF-8 memcmp) order: `key < prefix || MAX` bounds a prefix range. */
const MAX_CHAR = 'char(1114111)';

const SORT_SQL: Record<Sort['column'], string> = {
  name: 'o.key',
  size: 'o.size',
  lastModified: 'o.last_modified',
  access: 'o.access',
  type: 'o.content_type',
};

/** The same columns by their names in a result, as a compound SELECT's ORDER BY must name them. */
const SORT_RESULT: Record<Sort['column'], string> = {
  name: 'key',
  size: 'size',
  lastModified: 'last_modified',
  access: 'access',
  type: 'content_type',
};

type Cursor = { value: string | number; key: string };

/**
 * A search's index lookup: the FTS5 query for keys of three characters or more (null when no such key can hold
 * the text), and the keys shorter than that which could (the index holds nothing for them).
 */
interface Lookup {
  match: string | null;
  short: string[];
  /** How many terms the query names (each costs a lookup, found or not). */
  terms: number;
}

/**
 * How a query is read: its plan, where a walk that may give up does (search-plan.ts), and the index lookup when
 * it was made while choosing (null: made when needed).
 */
interface Reading {
  kind: PlanKind;
  stop: string | null;
  lookup: Lookup | null;
}

/** The conditions of a query (`where`), with named parameters. */
interface Where {
  sql: string[];
  params: Record<string, unknown>;
}

/** The distinct three-character pieces of a text (by code point, as the trigram tokenizer splits it). */
export function trigrams(text: string): string[] {
  const chars = [...text];
  const out = new Set<string>();
  for (let i = 0; i + 3 <= chars.length; i++) out.add(chars.slice(i, i + 3).join(''));
  return [...out];
}

/**
 * The plain index query of a search of three characters or more, as the bench's diagnostic and the tests write it
 * by hand: its trigrams (AND; all of them unless `select` keeps fewer), and the lower-cased text each candidate
 * key must contain (null when the text is one trigram). The repository's own lookup goes through the index's
 * terms instead (CatalogRepository.lookup).
 */
export function searchMatch(
  search: string,
  select: (grams: string[]) => string[] = (grams) => grams,
): { match: string; needle: string | null } {
  const grams = trigrams(search);
  return {
    match: select(grams).map(quote).join(' AND '),
    needle: grams.length > 1 ? search.toLowerCase() : null,
  };
}

/** The key split at its last '/'. */
export function splitKey(key: string): { folder: string; name: string } {
  const cut = key.lastIndexOf('/') + 1;
  return { folder: key.slice(0, cut), name: key.slice(cut) };
}

/** Every folder a key lies in, outermost first: 'a/b/c.zip' → ['a/', 'a/b/']. */
export function ancestorFolders(key: string): string[] {
  const out: string[] = [];
  for (let i = key.indexOf('/'); i !== -1; i = key.indexOf('/', i + 1)) out.push(key.slice(0, i + 1));
  return out;
}

export interface UpsertCounts {
  added: number;
  updated: number;
  unchanged: number;
}

/**
 * The catalog: what Signet last saw in each bucket (objects, folders, access types, verifications). It is a
 * cache of the storage, rebuilt by a sync, and holds nothing secret. Writes come in large transactions (a listing
 * page at a time); reads are by page and keyset cursor, so no query ever walks a whole bucket for the window.
 */
export class CatalogRepository {
  private readonly selectExisting: Statement<
    [number, string],
    { id: number; etag: string; size: number; last_modified: string }
  >;
  private readonly insertObject: Statement;
  private readonly updateObject: Statement;
  private readonly indexNew: Statement<[string]>;
  private readonly markSeen: Statement<[number, number]>;
  private readonly insertFolder: Statement<[number, string, string]>;
  private readonly setAccessRow: Statement;
  private readonly setAccessVerifiedRow: Statement;
  private readonly insertVerification: Statement;
  private readonly setVerified: Statement;
  private readonly selectById: Statement<[number], Row>;
  private readonly selectByKey: Statement<[number, string], Row>;
  private readonly selectHistory: Statement<[number], { status: number; at: string; leak: number }>;

  /** Dynamic queries (filters and sorts vary) are prepared once per distinct SQL text. */
  private readonly prepared = new Map<string, Statement>();
  /** Leaves trigrams found in nearly every key out of a search's index lookup, and judges the search plans. */
  private readonly probe: TrigramProbe;
  /** The index's terms, so a lookup names those that hold the text (migration 011). */
  private readonly terms: SearchTerms;

  constructor(private readonly db: Db) {
    this.probe = new TrigramProbe(db);
    this.terms = new SearchTerms(db);
    this.selectExisting = db.prepare(
      'SELECT id, etag, size, last_modified FROM objects WHERE bucket_id = ? AND key = ?',
    );
    this.insertObject = db.prepare(
      `INSERT INTO objects (bucket_id, key, folder, name, size, last_modified, etag, storage_class, content_type, sync_mark)
       VALUES (@bucket_id, @key, @folder, @name, @size, @last_modified, @etag, @storage_class, @content_type, @mark)`,
    );
    // The search index of a page's new rows, in one statement (migration 009 says why there is no trigger).
    this.indexNew = db.prepare(
      'INSERT INTO objects_search (rowid, key) SELECT id, key FROM objects WHERE id IN (SELECT value FROM json_each(?))',
    );
    // New content means a new upload, which carries its own ACL: the old access type no longer holds.
    this.updateObject = db.prepare(
      `UPDATE objects SET size = @size, last_modified = @last_modified, etag = @etag, storage_class = @storage_class,
         sync_mark = @mark, access = 'unknown', access_checked_at = NULL, grants = NULL,
         verified_status = NULL, verified_at = NULL
       WHERE id = @id`,
    );
    this.markSeen = db.prepare('UPDATE objects SET sync_mark = ? WHERE id = ?');
    this.insertFolder = db.prepare(
      'INSERT OR IGNORE INTO folders (bucket_id, path, parent) VALUES (?, ?, ?)',
    );
    this.setAccessRow = db.prepare(
      `UPDATE objects SET access = @access, access_checked_at = @at, grants = @grants
       WHERE bucket_id = @bucket_id AND key = @key`,
    );
    this.setAccessVerifiedRow = db.prepare(
      `UPDATE objects SET access = @access, access_checked_at = @at, grants = @grants,
         verified_status = @status, verified_at = @at
       WHERE bucket_id = @bucket_id AND key = @key`,
    );
    this.insertVerification = db.prepare(
      'INSERT INTO verifications (object_id, status, at, leak) VALUES (@id, @status, @at, @leak)',
    );
    this.setVerified = db.prepare(
      'UPDATE objects SET verified_status = @status, verified_at = @at WHERE id = @id',
    );
    this.selectById = db.prepare(`SELECT ${COLUMNS} FROM objects o WHERE o.id = ?`);
    this.selectByKey = db.prepare(`SELECT ${COLUMNS} FROM objects o WHERE o.bucket_id = ? AND o.key = ?`);
    this.selectHistory = db.prepare(
      'SELECT status, at, leak FROM verifications WHERE object_id = ? ORDER BY at DESC, id DESC LIMIT 50',
    );
  }

  /**
   * Records one listing page, in one transaction. Unchanged objects only get the sync's mark (no index but the
   * primary key is touched); changed ones lose their access type, which the sync then reads again.
   * `knownFolders` lets one sync skip folders it already wrote.
   */
  upsertPage(
    bucketId: number,
    objects: readonly ListedObject[],
    mark: number,
    knownFolders: Set<string>,
  ): UpsertCounts {
    const counts: UpsertCounts = { added: 0, updated: 0, unchanged: 0 };
    const added: number[] = [];
    const addedKeys: string[] = [];
    this.db.transaction(() => {
      for (const o of objects) {
        for (const path of ancestorFolders(o.key)) {
          if (knownFolders.has(path)) continue;
          knownFolders.add(path);
          this.insertFolder.run(bucketId, path, splitKey(path.slice(0, -1)).folder);
        }
        const existing = this.selectExisting.get(bucketId, o.key);
        if (!existing) {
          const { folder, name } = splitKey(o.key);
          const { lastInsertRowid } = this.insertObject.run({
            bucket_id: bucketId,
            key: o.key,
            folder,
            name,
            size: o.size,
            last_modified: o.lastModified,
            etag: o.etag,
            storage_class: o.storageClass,
            content_type: mimeLookup(name) || '',
            mark,
          });
          added.push(Number(lastInsertRowid));
          addedKeys.push(o.key);
          counts.added++;
        } else if (
          existing.etag !== o.etag ||
          existing.size !== o.size ||
          existing.last_modified !== o.lastModified
        ) {
          this.updateObject.run({
            id: existing.id,
            size: o.size,
            last_modified: o.lastModified,
            etag: o.etag,
            storage_class: o.storageClass,
            mark,
          });
          counts.updated++;
        } else {
          this.markSeen.run(mark, existing.id);
          counts.unchanged++;
        }
      }
      if (added.length > 0) {
        this.indexNew.run(JSON.stringify(added));
        this.terms.record(addedKeys);
      }
    })();
    if (added.length > 0) this.probe.forget();
    return counts;
  }

  /**
   * After a complete listing of `prefix`: drops the objects under it that the listing did not see (deleted in the
   * storage), then the folders left empty. Answers how many objects went.
   */
  removeUnseen(bucketId: number, prefix: string, mark: number): number {
    return this.db.transaction(() => {
      const removed = this.db
        .prepare(
          `DELETE FROM objects WHERE bucket_id = ? AND key >= ? AND key < ? || ${MAX_CHAR} AND sync_mark < ?`,
        )
        .run(bucketId, prefix, prefix, mark).changes;
      this.db
        .prepare(
          `DELETE FROM folders WHERE bucket_id = @b AND path >= @p AND path < @p || ${MAX_CHAR}
             AND NOT EXISTS (SELECT 1 FROM objects o WHERE o.bucket_id = @b
                               AND o.key >= folders.path AND o.key < folders.path || ${MAX_CHAR})`,
        )
        .run({ b: bucketId, p: prefix });
      if (removed > 0) this.probe.forget();
      return removed;
    })();
  }

  /** Stores resolved access types, many per transaction (ACL answers arrive by the hundred per second). */
  /**
   * Records resolved access types; `verified`, where given, is the HTTP status a stranger's request got, which the
   * access type was proved by (the object's `verified` then says so).
   */
  setAccess(
    bucketId: number,
    results: readonly { key: string; access: AccessType; grants: StoredGrant[] | null; verified?: number }[],
    at: string,
  ): void {
    this.db.transaction(() => {
      for (const r of results) {
        const row = {
          bucket_id: bucketId,
          key: r.key,
          access: r.access,
          at,
          grants: r.grants ? JSON.stringify(r.grants) : null,
        };
        if (r.verified === undefined) this.setAccessRow.run(row);
        else this.setAccessVerifiedRow.run({ ...row, status: r.verified });
      }
    })();
  }

  /** Sets one access type for every object under a prefix (bucket-wide rules need no per-object read). */
  setAccessUnder(bucketId: number, prefix: string, access: AccessType, at: string): void {
    this.db
      .prepare(
        `UPDATE objects SET access = ?, access_checked_at = ?, grants = NULL
         WHERE bucket_id = ? AND key >= ? AND key < ? || ${MAX_CHAR}`,
      )
      .run(access, at, bucketId, prefix, prefix);
  }

  /** Records what anonymous GETs got, with the leak flag computed from the access type held at that moment. */
  recordVerifications(
    results: readonly { id: number; access: AccessType; status: number }[],
    at: string,
  ): void {
    this.db.transaction(() => {
      for (const r of results) {
        this.insertVerification.run({
          id: r.id,
          status: r.status,
          at,
          leak: isLeak(r.access, r.status) ? 1 : 0,
        });
        this.setVerified.run({ id: r.id, status: r.status, at });
      }
    })();
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
    const reading = this.reading(query, sort, cursor, pageWant(sort, limit), options.plan);
    const where = this.where(query, sort, cursor);
    const dir = sort.direction === 'asc' ? 'ASC' : 'DESC';
    const order = (cols: Record<Sort['column'], string>) =>
      sort.column === 'name' ? `${cols.name} ${dir}` : `${cols[sort.column]} ${dir}, ${cols.name} ${dir}`;
    const rows = (kind: PlanKind, w: Where, n: number): ObjectRecord[] => {
      const sql = this.select(kind, query, reading, w, COLUMNS, order(SORT_SQL), order(SORT_RESULT));
      return sql === null
        ? []
        : this.cached<Record<string, unknown>, Row>(`${sql.text} LIMIT @limit`)
            .all({ ...sql.params, limit: n })
            .map(toRecord);
    };
    const { stop } = reading;
    let found: ObjectRecord[];
    if (stop === null) found = rows(reading.kind, where, limit);
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
    const byName: Sort = { column: 'name', direction: 'asc' };
    const reading = this.reading(query, byName, null, ALL, options.plan);
    const where = this.where(query, byName, null);
    const sql = this.select(reading.kind, query, reading, where, COLUMNS, 'o.key', 'key');
    if (sql === null) return;
    const stmt = this.db.prepare<Record<string, unknown>, Row>(sql.text);
    for (const row of stmt.iterate(sql.params)) yield toRecord(row);
  }

  /** Which plan a first page by `sort` and its count (up to `cap`) would take (the bench's notes). */
  searchPlan(
    query: ObjectQuery,
    sort: Sort,
    limit: number,
    cap: number,
  ): { page: PlanChoice; count: PlanChoice } {
    return {
      page: this.choose(query, sort, null, pageWant(sort, limit)),
      count: this.choose(query, null, null, countWant(cap + 1)),
    };
  }

  /** Drops one object (a move emptied its place); its folders go when nothing is left under them. */
  removeKey(bucketId: number, key: string): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM objects WHERE bucket_id = ? AND key = ?').run(bucketId, key);
      for (const path of ancestorFolders(key).reverse()) {
        this.db
          .prepare(
            `DELETE FROM folders WHERE bucket_id = @b AND path = @p AND NOT EXISTS (SELECT 1 FROM objects o
               WHERE o.bucket_id = @b AND o.key >= @p AND o.key < @p || ${MAX_CHAR})`,
          )
          .run({ b: bucketId, p: path });
      }
    })();
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
    return this.cached<[number, string, string], { access: AccessType; n: number }>(
      `SELECT access, count(*) AS n FROM objects WHERE bucket_id = ? AND key >= ? AND key < ? || ${MAX_CHAR} GROUP BY access`,
    )
      .all(bucketId, prefix, prefix)
      .map((r) => [r.access, r.n]);
  }

  /** Per bucket: objects, bytes, objects per access type, and leaks. */
  summary(bucketId: number): {
    objects: number;
    bytes: number;
    access: Record<AccessType, number>;
    leaks: number;
  } {
    const access = Object.fromEntries(ACCESS_TYPES.map((a) => [a, 0])) as Record<AccessType, number>;
    let objects = 0;
    let bytes = 0;
    for (const r of this.db
      .prepare<[number], { access: AccessType; n: number; bytes: number }>(
        'SELECT access, count(*) AS n, total(size) AS bytes FROM objects WHERE bucket_id = ? GROUP BY access',
      )
      .all(bucketId)) {
      access[r.access] = r.n;
      objects += r.n;
      bytes += r.bytes;
    }
    const leaks =
      this.db
        .prepare<[number], { n: number }>(
          `SELECT count(*) AS n FROM objects WHERE bucket_id = ? AND verified_status = 200
             AND access IN ('private', 'authenticated')`,
        )
        .get(bucketId)?.n ?? 0;
    return { objects, bytes, access, leaks };
  }

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
    const reading = this.reading(query, null, null, countWant(limit), forced);
    const { kind, stop } = reading;
    const where = this.where(query, null, null);
    const count = (k: PlanKind, w: Where, n: number): number => {
      if (k === 'walk')
        return this.countSql(`FROM objects o WHERE ${w.sql.join(' AND ')}`, w.params, n, true);
      const lookup = (reading.lookup ??= this.lookup(query.search));
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

  /**
   * The SELECT of a plan, ordered, without its LIMIT, and its parameters; null when nothing can match (no key
   * holds the text's trigrams and no short key holds the text).
   */
  private select(
    kind: PlanKind,
    query: ObjectQuery,
    reading: Reading,
    where: Where,
    columns: string,
    order: string,
    resultOrder: string,
  ): { text: string; params: Record<string, unknown> } | null {
    const cond = where.sql.join(' AND ');
    if (kind === 'walk') {
      return {
        text: `SELECT ${columns} FROM objects o WHERE ${cond} ORDER BY ${order}`,
        params: where.params,
      };
    }
    const lookup = (reading.lookup ??= this.lookup(query.search));
    const arms: string[] = [];
    if (lookup.match !== null) arms.push(`SELECT ${columns} ${FTS_FROM} AND ${cond}`);
    if (lookup.short.length > 0) arms.push(`SELECT ${columns} ${SHORT_FROM} AND ${cond}`);
    if (arms.length === 0) return null;
    return {
      text:
        arms.length === 1
          ? `${arms[0]} ORDER BY ${order}`
          : `${arms.join(' UNION ALL ')} ORDER BY ${resultOrder}`,
      params: { ...where.params, ...lookupParams(lookup) },
    };
  }

  /**
   * How to read a query: a walk without search text, else the cheaper plan (or the one forced, read to the end).
   */
  private reading(
    query: ObjectQuery,
    sort: Sort | null,
    cursor: Cursor | null,
    want: Want,
    forced?: PlanKind,
  ): Reading {
    const search = query.search.trim();
    if (!search) return { kind: 'walk', stop: null, lookup: null };
    if (forced) return { kind: forced, stop: null, lookup: null };
    const { kind, stop, lookup } = this.choose(query, sort, cursor, want);
    return { kind, stop, lookup };
  }

  /** Judges both plans on the probe's sample (search-plan.ts); with the index lookup, when it was made. */
  private choose(
    query: ObjectQuery,
    sort: Sort | null,
    cursor: Cursor | null,
    want: Want,
  ): PlanChoice & { lookup: Lookup | null } {
    const search = query.search.trim();
    const pieces = this.pieces(fold(search));
    const needle = search.toLowerCase();
    const desc = sort?.column === 'name' && sort.direction === 'desc';
    const after =
      cursor && sort?.column === 'name'
        ? desc
          ? (key: string) => key < cursor.key
          : (key: string) => key > cursor.key
        : () => true;
    let lookup: Lookup | null = null;
    const choice = choosePlan(
      this.probe.sample(),
      {
        inScope: (row) =>
          row.bucketId === query.bucketId && row.key.startsWith(query.folder) && after(row.key),
        hit: (row) => row.folded.includes(needle) && passesFilters(row, query),
        candidate: (row) => pieces.every((p) => row.folded.includes(p)),
        descending: desc,
      },
      want,
      () => {
        lookup = this.lookup(search, pieces);
        return lookup.terms + lookup.short.length;
      },
    );
    return { ...choice, lookup };
  }

  /** The folded pieces the index looks up: the text itself below three characters, else its chosen trigrams. */
  private pieces(folded: string): string[] {
    return charCount(folded) < 3 ? [folded] : this.probe.select(trigrams(folded));
  }

  /**
   * The index lookup of a search. Each piece of the folded text is looked up as every index term that holds it
   * (search-terms.ts: the keys' own characters, so FTS5's folding and JavaScript's never disagree on a hit), OR'ed:
   * for a text of three characters or more, its chosen trigrams, AND'ed; for one or two, the text itself. Keys
   * shorter than three characters are found by name among the short keys that hold the text.
   */
  private lookup(search: string, pieces?: string[]): Lookup {
    const folded = fold(search.trim());
    this.terms.refresh();
    const short = this.terms.shortKeys(folded);
    if (charCount(folded) < 3) {
      const terms = this.terms.containing(folded);
      return { match: terms.length > 0 ? terms.map(quote).join(' OR ') : null, short, terms: terms.length };
    }
    const groups = (pieces ?? this.pieces(folded)).map((p) => this.terms.lookup(p));
    if (groups.some((g) => g.length === 0)) return { match: null, short, terms: 0 };
    const match = groups
      .map((g) => (g.length === 1 ? quote(g[0]!) : `(${g.map(quote).join(' OR ')})`))
      .join(' AND ');
    return { match, short, terms: groups.reduce((n, g) => n + g.length, 0) };
  }

  /**
   * The conditions every plan applies to the rows it reads: bucket and folder, the whole search text (folded,
   * as `contains_folded` folds it), the filters, and the cursor of `sort` (null: none).
   */
  private where(query: ObjectQuery, sort: Sort | null, cursor: Cursor | null): Where {
    const search = query.search.trim();
    const sql = ['o.bucket_id = @bucket'];
    const params: Record<string, unknown> = { bucket: query.bucketId };
    if (query.recursive || search) {
      if (query.folder) {
        sql.push(`o.key >= @prefix AND o.key < @prefix || ${MAX_CHAR}`);
        params['prefix'] = query.folder;
      }
    } else {
      sql.push('o.folder = @folder');
      params['folder'] = query.folder;
    }
    if (search) {
      // Every plan checks every row it reads for the text itself: the plan changes the cost, never the hits.
      sql.push('contains_folded(o.key, @needle)');
      params['needle'] = search.toLowerCase();
    }
    if (query.access.length) {
      const names = query.access.map((a, i) => {
        params[`access${i}`] = a;
        return `@access${i}`;
      });
      sql.push(`o.access IN (${names.join(', ')})`);
    }
    if (query.leaksOnly) sql.push("o.verified_status = 200 AND o.access IN ('private', 'authenticated')");
    if (cursor && sort) {
      const col = SORT_SQL[sort.column];
      const cmp = sort.direction === 'asc' ? '>' : '<';
      if (sort.column === 'name') {
        sql.push(`o.key ${cmp} @cursor_key`);
      } else {
        sql.push(`(${col} ${cmp} @cursor_value OR (${col} = @cursor_value AND o.key ${cmp} @cursor_key))`);
        params['cursor_value'] = cursor.value;
      }
      params['cursor_key'] = cursor.key;
    }
    return { sql, params };
  }
}

const ALL: Want = { rows: Infinity, walkStops: false, indexStops: false };

/** A page in key order can stop at `limit` hits on a walk; in any other order both plans read every hit. */
const pageWant = (sort: Sort, limit: number): Want => ({
  rows: limit,
  walkStops: sort.column === 'name',
  indexStops: false,
});

/** A count needs no order: both plans stop at `limit` hits. */
const countWant = (limit: number): Want => ({ rows: limit, walkStops: true, indexStops: true });

/**
 * The index's hits joined to their rows, the index first (CROSS JOIN keeps SQLite from reordering it): rows come
 * in the index's order, so a count with a LIMIT stops early instead of gathering every hit first.
 */
const FTS_FROM =
  'FROM objects_search s CROSS JOIN objects o ON o.id = s.rowid WHERE s.objects_search MATCH @search';

/** The short keys that could hold the text, looked up by name. */
const SHORT_FROM = 'FROM objects o WHERE o.key IN (SELECT value FROM json_each(@short))';

function lookupParams(lookup: Lookup): Record<string, unknown> {
  return {
    ...(lookup.match === null ? {} : { search: lookup.match }),
    ...(lookup.short.length > 0 ? { short: JSON.stringify(lookup.short) } : {}),
  };
}

function withCondition(where: Where, sql: string, params: Record<string, unknown>): Where {
  return { sql: [...where.sql, sql], params: { ...where.params, ...params } };
}

function passesFilters(row: SampledRow, query: ObjectQuery): boolean {
  if (query.access.length > 0 && !query.access.includes(row.access)) return false;
  if (
    query.leaksOnly &&
    !(row.verifiedStatus === 200 && (row.access === 'private' || row.access === 'authenticated'))
  )
    return false;
  return true;
}

function sortValue(r: ObjectRecord, sort: Sort): string | number {
  switch (sort.column) {
    case 'name':
      return r.key;
    case 'size':
      return r.size;
    case 'lastModified':
      return r.lastModified;
    case 'access':
      return r.access;
    case 'type':
      return r.contentType ?? '';
  }
}

function toRecord(row: Row): ObjectRecord {
  const verified =
    row.verified_status === null || row.verified_at === null
      ? null
      : { status: row.verified_status, at: row.verified_at };
  return {
    id: row.id,
    bucketId: row.bucket_id,
    key: row.key,
    folder: row.folder,
    name: row.name,
    size: row.size,
    lastModified: row.last_modified,
    etag: row.etag,
    contentType: row.content_type || null,
    access: row.access,
    verified,
    leak: isLeak(row.access, row.verified_status),
    storageClass: row.storage_class,
    accessCheckedAt: row.access_checked_at,
    grants: row.grants ? (JSON.parse(row.grants) as StoredGrant[]) : null,
  };
}
