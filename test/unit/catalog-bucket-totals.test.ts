import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/main/db/database';
import { CatalogRepository, type ListedObject } from '../../src/main/repositories/catalog-repository';
import { BucketRepository } from '../../src/main/repositories/bucket-repository';
import { AccountRepository } from '../../src/main/repositories/account-repository';
import type { BucketSummary } from '../../src/main/repositories/catalog-counts';
import { ACCESS_TYPES, isLeak, type AccessType } from '../../src/shared/library/schemas';
import { seedShopAccount } from '../support/test-services';

const dbs: Db[] = [];
afterEach(() => dbs.splice(0).forEach((db) => db.close()));

const AT = '2026-12-01T00:00:00.000Z';
const SET_TYPES: AccessType[] = ['private', 'public', 'authenticated', 'public-bucket'];

const obj = (key: string, size: number, etag = 'e1'): ListedObject => ({
  key,
  size,
  lastModified: '2026-11-30T10:00:00.000Z',
  etag,
  storageClass: 'STANDARD',
});

/** The bucket list's summary the slow way: every file of the bucket read and counted. */
function counted(db: Db, bucketId: number): BucketSummary {
  const rows = db
    .prepare<[number], { access: AccessType; size: number; verified_status: number | null }>(
      'SELECT access, size, verified_status FROM objects WHERE bucket_id = ?',
    )
    .all(bucketId);
  const access = Object.fromEntries(ACCESS_TYPES.map((a) => [a, 0])) as Record<AccessType, number>;
  for (const r of rows) access[r.access]++;
  return {
    objects: rows.length,
    bytes: rows.reduce((sum, r) => sum + r.size, 0),
    access,
    leaks: rows.filter((r) => isLeak(r.access, r.verified_status)).length,
  };
}

function setup() {
  const db = openDatabase(':memory:');
  dbs.push(db);
  const media = seedShopAccount(db, AT);
  const other = new BucketRepository(db).ensure('a1', 'other').id;
  return { db, catalog: new CatalogRepository(db), media, other };
}

describe('the bucket list’s totals', () => {
  it('match the files counted after every kind of write, bucket by bucket', () => {
    const { db, catalog, media, other } = setup();
    const steps: string[] = [];
    const check = (step: string) => {
      steps.push(step);
      for (const bucketId of [media, other]) {
        const want = counted(db, bucketId);
        expect({ step, bucketId, ...catalog.summary(bucketId) }).toEqual({ step, bucketId, ...want });
        // A whole bucket's access counts (the end of a full sync) come from the same totals.
        const held = Object.entries(want.access).filter(([, n]) => n > 0);
        expect({ step, counts: [...catalog.accessCounts(bucketId, '')].sort() }).toEqual({
          step,
          counts: held.sort(),
        });
      }
    };
    check('empty');

    // A listing in pages, into two buckets, folders and all.
    const folders = new Set<string>();
    const keys = Array.from(
      { length: 300 },
      (_, i) => `shop/${i % 7}/file-${String(i).padStart(3, '0')}.zip`,
    );
    for (let i = 0; i < keys.length; i += 100) {
      catalog.upsertPage(
        media,
        keys.slice(i, i + 100).map((k, j) => obj(k, 1000 + i + j)),
        1,
        folders,
      );
    }
    catalog.upsertPage(other, [obj('a.zip', 5), obj('b.zip', 7)], 1, new Set());
    expect(catalog.summary(media)).toMatchObject({ objects: 300, access: { unknown: 300 } });
    check('first listing');

    // Access types read one by one (some proved by a stranger's request), and a whole prefix at once.
    catalog.setAccess(
      media,
      keys.slice(0, 120).map((key, i) => ({
        key,
        access: SET_TYPES[i % SET_TYPES.length] ?? 'private',
        grants: [],
        ...(i % 3 === 0 ? { verified: i % 2 === 0 ? 200 : 403 } : {}),
      })),
      AT,
    );
    check('access set by key, some verified');
    catalog.setAccessUnder(media, 'shop/3/', 'private', AT);
    check('access set under a prefix');
    catalog.setAccess(other, [{ key: 'a.zip', access: 'private', grants: [] }], AT);
    check('access in the other bucket');

    // Strangers' requests: leaks appear and go.
    const ids = keys.slice(100, 180).map((k) => catalog.getByKey(media, k)!);
    catalog.recordVerifications(
      ids.map((o, i) => ({ id: o.id, access: o.access, status: i % 2 === 0 ? 200 : 403 })),
      AT,
    );
    const a = catalog.getByKey(other, 'a.zip')!;
    catalog.recordVerifications([{ id: a.id, access: 'private', status: 200 }], AT);
    expect(catalog.summary(other).leaks).toBe(1);
    check('verifications');
    catalog.recordVerifications(
      ids.map((o) => ({ id: o.id, access: o.access, status: 403 })),
      AT,
    );
    check('verifications refused again');

    // A second listing: some files unchanged, some with new content (they lose their access type and their
    // stranger's answer), some new, and the rest gone from the storage.
    const relisted = keys
      .filter((_, i) => i % 5 !== 0)
      .map((k, i) => (i % 4 === 0 ? obj(k, 50 + i, 'e2') : obj(k, 1000 + keys.indexOf(k))));
    relisted.push(obj('shop/new/one.zip', 9), obj('shop/new/two.zip', 11));
    relisted.sort((x, y) => (x.key < y.key ? -1 : 1));
    const counts = catalog.upsertPage(media, relisted, 2, new Set());
    expect(counts.updated).toBeGreaterThan(0);
    expect(counts.unchanged).toBeGreaterThan(0);
    expect(counts.added).toBe(2);
    check('second listing');
    expect(catalog.removeUnseen(media, '', 2)).toBe(60);
    check('sweep of the files the listing did not see');

    // A move: the file written at its new place, then dropped from the old one.
    catalog.upsertPage(media, [obj('moved/file-001.zip', 1001)], 3, new Set());
    catalog.removeKey(media, 'shop/1/file-001.zip');
    check('a move');

    // The other bucket removed with its account's settings: its totals go with it, the first bucket's stay.
    db.prepare('DELETE FROM buckets WHERE id = ?').run(other);
    expect(db.prepare('SELECT count(*) AS n FROM bucket_totals WHERE bucket_id = ?').get(other)).toEqual({
      n: 0,
    });
    check('a bucket removed');
    new AccountRepository(db).delete('a1');
    expect(db.prepare('SELECT count(*) AS n FROM bucket_totals').get()).toEqual({ n: 0 });
    check('the account removed');
    expect(steps).toHaveLength(12);
  });
});
