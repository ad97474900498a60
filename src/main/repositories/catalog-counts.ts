/**
 * The catalog's counts of a bucket or a prefix: files per access type (after a sync), and the bucket list's totals.
 */
import { ACCESS_TYPES, isLeak, type AccessType } from '@shared/library/schemas';
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
  // The whole bucket (the end of a full sync, on the main process): the totals kept as files change.
  if (prefix === '')
    return Object.entries(bucketSummary(cached, bucketId).access).filter(([, n]) => n > 0) as [
      AccessType,
      number,
    ][];
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

/**
 * Per bucket: objects, bytes, objects per access type, and leaks, from the totals kept as files change (migration
 * 017): counting the files on each ask took 305 ms at a million.
 */
export function bucketSummary(cached: Prepared, bucketId: number): BucketSummary {
  const access = Object.fromEntries(ACCESS_TYPES.map((a) => [a, 0])) as Record<AccessType, number>;
  let objects = 0;
  let bytes = 0;
  let leaks = 0;
  for (const r of cached<[number], { access: AccessType; objects: number; bytes: number; read_ok: number }>(
    'SELECT access, objects, bytes, read_ok FROM bucket_totals WHERE bucket_id = ?',
  ).all(bucketId)) {
    access[r.access] = r.objects;
    objects += r.objects;
    bytes += r.bytes;
    if (isLeak(r.access, 200)) leaks += r.read_ok;
  }
  return { objects, bytes, access, leaks };
}
