/**
 * The pieces of the catalog's page, count and search SQL that need no database: sort columns, cursors, the
 * conditions every plan applies, the FROM clauses of the index's two arms, and what a page or a count wants of a
 * plan (search-plan.ts). CatalogRepository puts them together and runs them.
 */
import type { AccessType, ObjectQuery, Sort } from '@shared/library/schemas';
import { MAX_CHAR, type ObjectRecord } from './catalog-records';
import type { PlanKind, Want } from './search-plan';
import { quote, type SampledRow } from './trigram-probe';

export const SORT_SQL: Record<Sort['column'], string> = {
  name: 'o.key',
  size: 'o.size',
  lastModified: 'o.last_modified',
  access: 'o.access',
  type: 'o.content_type',
};

/**
 * The index over each other order's column in a bucket (migration 016): a page in that order walks it (named with
 * INDEXED BY) and stops after its rows. `holdsKey`: the key follows the column in the index (access and type,
 * whose values a bucket's files share); size and date leave it out, and SQLite sorts their few ties as it walks.
 */
export const SORT_INDEX: Record<Exclude<Sort['column'], 'name'>, { name: string; holdsKey: boolean }> = {
  size: { name: 'objects_size', holdsKey: false },
  lastModified: { name: 'objects_modified', holdsKey: false },
  access: { name: 'objects_access', holdsKey: true },
  type: { name: 'objects_type', holdsKey: true },
};

/** The same columns by their names in a result, as a compound SELECT's ORDER BY must name them. */
export const SORT_RESULT: Record<Sort['column'], string> = {
  name: 'key',
  size: 'size',
  lastModified: 'last_modified',
  access: 'access',
  type: 'content_type',
};

export type Cursor = { value: string | number; key: string };

/**
 * A search's index lookup: the FTS5 query for keys of three characters or more (null when no such key can hold
 * the text), and the keys shorter than that which could (the index holds nothing for them).
 */
export interface Lookup {
  match: string | null;
  short: string[];
  /** How many terms the query names (each costs a lookup, found or not). */
  terms: number;
}

/**
 * How a query is read: its plan, where a walk that may give up does (search-plan.ts), and the index lookup when
 * it was made while choosing (null: made when needed).
 */
export interface Reading {
  kind: PlanKind;
  stop: string | null;
  lookup: Lookup | null;
  /**
   * A walk down the order's index (SORT_INDEX) instead of the scope's rows sorted: how many index entries it reads
   * before it gives up and the rest are read and sorted. Null: no such walk.
   */
  sortedBudget: number | null;
}

/** The conditions of a query (`where`), with named parameters. */
export interface Where {
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

/**
 * The conditions every plan applies to the rows it reads: bucket and folder, the whole search text (folded,
 * as `contains_folded` folds it), the filters, and the cursor of `sort` (null: none).
 */
export function whereOf(query: ObjectQuery, sort: Sort | null, cursor: Cursor | null): Where {
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
    // `+o.access`: the access index (migration 016) is for a page by access, named where a plan walks it; left
    // to itself, SQLite would read a folder of 90 files through every public file of the bucket.
    sql.push(`+o.access IN (${names.join(', ')})`);
  }
  if (query.leaksOnly) sql.push("o.verified_status = 200 AND +o.access IN ('private', 'authenticated')");
  if (cursor && sort) {
    const col = SORT_SQL[sort.column];
    const cmp = sort.direction === 'asc' ? '>' : '<';
    if (sort.column === 'name') {
      sql.push(`o.key ${cmp} @cursor_key`);
    } else {
      // A row value: SQLite starts a walk of the order's index at the cursor (an OR of the two would not).
      sql.push(`(${col}, o.key) ${cmp} (@cursor_value, @cursor_key)`);
      params['cursor_value'] = cursor.value;
    }
    params['cursor_key'] = cursor.key;
  }
  return { sql, params };
}

/** Every hit, in order: a plan read to the end (iterate). */
export const READ_ALL: Want = { rows: Infinity, walkStops: false, indexStops: false };

/**
 * A page in key order can stop at `limit` hits on a walk; in another order, a walk down that order's index can
 * (SORT_INDEX), and a walk in key order or the index's lookup reads every hit.
 */
export const pageWant = (sort: Sort, limit: number): Want => ({
  rows: limit,
  walkStops: sort.column === 'name',
  sortedWalk: sort.column !== 'name',
  indexStops: false,
});

/** A count needs no order: both plans stop at `limit` hits. */
export const countWant = (limit: number): Want => ({ rows: limit, walkStops: true, indexStops: true });

/**
 * The index's hits joined to their rows, the index first (CROSS JOIN keeps SQLite from reordering it): rows come
 * in the index's order, so a count with a LIMIT stops early instead of gathering every hit first.
 */
export const FTS_FROM =
  'FROM objects_search s CROSS JOIN objects o ON o.id = s.rowid WHERE s.objects_search MATCH @search';

/** The short keys that could hold the text, looked up by name. */
export const SHORT_FROM = 'FROM objects o WHERE o.key IN (SELECT value FROM json_each(@short))';

export function lookupParams(lookup: Lookup): Record<string, unknown> {
  return {
    ...(lookup.match === null ? {} : { search: lookup.match }),
    ...(lookup.short.length > 0 ? { short: JSON.stringify(lookup.short) } : {}),
  };
}

export function withCondition(where: Where, sql: string, params: Record<string, unknown>): Where {
  return { sql: [...where.sql, sql], params: { ...where.params, ...params } };
}

export function passesFilters(row: SampledRow, query: ObjectQuery): boolean {
  if (query.access.length > 0 && !query.access.includes(row.access)) return false;
  if (
    query.leaksOnly &&
    !(row.verifiedStatus === 200 && (row.access === 'private' || row.access === 'authenticated'))
  )
    return false;
  return true;
}

export function sortValue(r: ObjectRecord, sort: Sort): string | number {
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

/**
 * Whether a query is read from the access index by type (accessRunsPage, and its count): an access filter without
 * a search, by name (or for a count), over a folder and everything under it. Not a folder's own files: its rows
 * are found by folder (objects_folder), and a run of the bucket's private files would be walked for a few of them.
 */
export function byAccessRuns(query: ObjectQuery, sort: Sort | null): boolean {
  return (
    query.access.length > 0 &&
    query.search.trim() === '' &&
    query.recursive &&
    (sort === null || sort.column === 'name')
  );
}

/** The filter's access types as parameters `@run0…`, and their names for an IN list. */
export function accessParams(access: readonly AccessType[]): {
  names: string;
  params: Record<string, string>;
} {
  const params = Object.fromEntries(access.map((a, i) => [`run${i}`, a]));
  return { names: access.map((_, i) => `@run${i}`).join(', '), params };
}
