/**
 * The catalog's counts of a bucket or a prefix: files per access type (after a sync), and the bucket list's totals.
 */
import type { Db } from '../db/database';
import { ACCESS_TYPES, type AccessType } from '@shared/library/schemas';
import { MAX_CHAR } from './catalog-records';
import type { Prepared } from './catalog-order-reads';

export interface BucketSummary {
  objects: number;
  bytes: number;
  access: Record<AccessType, number>;
  leaks: number;
}

/** Objects per access type under a prefix. */
export function accessCounts(cached: Prepared, bucketId: number, prefix: string): [AccessType, number][] {
  // Every access type named: SQLite then reads the prefix's range once per type in the access index (migration
  // 016), its entries only. Without the list it would read every entry of the bucket there for the GROUP BY's
  // order (77 ms for a folder of 94 files at a million), or the prefix's rows and sort them (300 ms for all).
  const types = ACCESS_TYPES.map((a) => `'${a}'`).join(', ');
  return cached<[number, string, string], { access: AccessType; n: number }>(
    `SELECT access, count(*) AS n FROM objects
     WHERE bucket_id = ? AND access IN (${types}) AND key >= ? AND key < ? || ${MAX_CHAR} GROUP BY access`,
  )
    .all(bucketId, prefix, prefix)
    .map((r) => [r.access, r.n]);
}

/** Per bucket: objects, bytes, objects per access type, and leaks. */
export function bucketSummary(db: Db, bucketId: number): BucketSummary {
  const access = Object.fromEntries(ACCESS_TYPES.map((a) => [a, 0])) as Record<AccessType, number>;
  let objects = 0;
  let bytes = 0;
  for (const r of db
    .prepare<[number], { access: AccessType; n: number; bytes: number }>(
      'SELECT access, count(*) AS n, total(size) AS bytes FROM objects WHERE bucket_id = ? GROUP BY access',
    )
    .all(bucketId)) {
    access[r.access] = r.n;
    objects += r.n;
    bytes += r.bytes;
  }
  const leaks =
    db
      .prepare<[number], { n: number }>(
        `SELECT count(*) AS n FROM objects WHERE bucket_id = ? AND verified_status = 200
           AND access IN ('private', 'authenticated')`,
      )
      .get(bucketId)?.n ?? 0;
  return { objects, bytes, access, leaks };
}
