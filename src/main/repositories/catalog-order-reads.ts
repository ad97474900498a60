/**
 * The catalog's reads in an order of their own index (migration 016): a page of some access types by name, and
 * where a walk down another order's index gives up. CatalogRepository decides when; these read.
 */
import type { Statement } from 'better-sqlite3';
import type { AccessType } from '@shared/library/schemas';
import { OBJECT_COLUMNS, toRecord, type ObjectRecord, type ObjectTableRow } from './catalog-records';
import { accessParams, type Where } from './catalog-search-sql';

/** The repository's statement cache: one prepared statement per distinct SQL text. */
export type Prepared = <P extends unknown[] | object, R>(sql: string) => Statement<P, R>;

/**
 * A page by name of the files of some access types (byAccessRuns): each type's run of the access index (migration
 * 016) read in key order up to the page's size, the runs merged. A type few files have is found without walking
 * the bucket (public files among a million private ones: 20 ms for the page and 40 ms for its count, walking).
 */
export function accessRunsPage(
  cached: Prepared,
  where: Where,
  access: readonly AccessType[],
  dir: string,
  limit: number,
): ObjectRecord[] {
  const cond = where.sql.join(' AND ');
  const { params } = accessParams(access);
  const runs = access.map(
    (_, i) =>
      `SELECT * FROM (SELECT ${OBJECT_COLUMNS} FROM objects o INDEXED BY objects_access
         WHERE o.access = @run${i} AND ${cond} ORDER BY o.key ${dir} LIMIT @limit)`,
  );
  return cached<Record<string, unknown>, ObjectTableRow>(
    `${runs.join(' UNION ALL ')} ORDER BY key ${dir} LIMIT @limit`,
  )
    .all({ ...where.params, ...params, limit })
    .map(toRecord);
}

/**
 * Where a walk down an order's index gives up: the entry `budget` entries on in the query's bucket, from the
 * page's cursor, read from the index alone (no row looked up), or null when fewer are left. Its key only where
 * the index holds keys; else the cursor is taken by its value alone, which counts its few ties again.
 */
export function sortedStop(
  cached: Prepared,
  index: { name: string; holdsKey: boolean },
  col: string,
  dir: string,
  where: Where,
  budget: number,
): { value: string | number; key: string | null } | null {
  const cmp = dir === 'ASC' ? '>' : '<';
  const after =
    where.params['cursor_key'] === undefined
      ? ''
      : index.holdsKey
        ? `AND (${col}, o.key) ${cmp} (@cursor_value, @cursor_key)`
        : `AND ${col} ${cmp}= @cursor_value`;
  const key = index.holdsKey ? 'o.key' : 'NULL';
  const order = index.holdsKey ? `${col} ${dir}, o.key ${dir}` : `${col} ${dir}`;
  return (
    cached<Record<string, unknown>, { value: string | number; key: string | null }>(
      `SELECT ${col} AS value, ${key} AS key FROM objects o INDEXED BY ${index.name}
       WHERE o.bucket_id = @bucket ${after} ORDER BY ${order} LIMIT 1 OFFSET @budget`,
    ).get({ ...where.params, budget }) ?? null
  );
}
