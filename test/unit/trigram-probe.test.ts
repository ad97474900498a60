import { afterEach, describe, expect, it, vi } from 'vitest';
import { openDatabase, type Db } from '../../src/main/db/database';
import {
  CatalogRepository,
  searchMatch,
  type ListedObject,
} from '../../src/main/repositories/catalog-repository';
import { TrigramProbe } from '../../src/main/repositories/trigram-probe';
import { ObjectQuerySchema } from '../../src/shared/library/schemas';
import { seedShopAccount } from '../support/test-services';

const dbs: Db[] = [];
afterEach(() => dbs.splice(0).forEach((db) => db.close()));

const obj = (key: string): ListedObject => ({
  key,
  size: 1,
  lastModified: '2026-11-30T10:00:00.000Z',
  etag: 'e1',
  storageClass: 'STANDARD',
});

/**
 * 3,000 product files, every one a `.zip` (so `zip` is in every key); one in ten has `kapi` in its name; the
 * first 600 lie in `aaa/` (dense at the start of the id range only).
 */
function setup() {
  const db = openDatabase(':memory:');
  dbs.push(db);
  const bucketId = seedShopAccount(db, '2026-12-01T00:00:00.000Z');
  const catalog = new CatalogRepository(db);
  const keys = Array.from({ length: 3000 }, (_, i) => {
    const folder = i < 600 ? 'aaa' : `f${i % 7}`;
    const word = i % 10 === 0 ? 'kapi' : `w${(i * 7919) % 1000}`;
    return `${folder}/${word}-${String(i).padStart(5, '0')}.zip`;
  }).sort();
  for (let i = 0; i < keys.length; i += 1000) {
    catalog.upsertPage(bucketId, keys.slice(i, i + 1000).map(obj), 1, new Set());
  }
  return { db, catalog, bucketId, keys };
}

const search = (catalog: CatalogRepository, bucketId: number, text: string) =>
  [...catalog.iterate(ObjectQuerySchema.parse({ bucketId, search: text }))].map((o) => o.key);

describe('trigram probe: which trigrams of a search the index looks up', () => {
  it('leaves out a trigram found in nearly every key and keeps the selective ones', () => {
    const { db } = setup();
    const probe = new TrigramProbe(db);
    expect(probe.select(['zip', 'api'])).toEqual(['api']);
    expect(probe.select(['kap', 'api'])).toEqual(['kap', 'api']);
    expect(probe.select(['KAP', 'ZIP'])).toEqual(['KAP']);
  });

  it('judges the whole catalog, not one end of it', () => {
    const { db } = setup();
    // `aaa` fills the first 600 ids (a fifth of the catalog) and appears nowhere else.
    expect(new TrigramProbe(db).select(['aaa', 'zip'])).toEqual(['aaa']);
    expect(new TrigramProbe(db).select(['aaa', 'aa/'])).toEqual(['aaa', 'aa/']);
  });

  it('keeps the sparsest trigram when every one is common, and a lone trigram as it is', () => {
    const { db } = setup();
    const probe = new TrigramProbe(db);
    // Every key ends in `.zip`: both trigrams are in all of them, and the first one given stays.
    expect(probe.select(['.zi', 'zip'])).toEqual(['.zi']);
    expect(probe.select(['zip', '.zi'])).toEqual(['zip']);
    // `-00` is in a third of the keys: it stays, the common ones go.
    expect(probe.select(['-00', '.zi', 'zip'])).toEqual(['-00']);
    expect(probe.select(['zip'])).toEqual(['zip']);
  });

  it('looks up every trigram in a small catalog', () => {
    const db = openDatabase(':memory:');
    dbs.push(db);
    const bucketId = seedShopAccount(db, '2026-12-01T00:00:00.000Z');
    new CatalogRepository(db).upsertPage(bucketId, [obj('a.zip'), obj('b.zip')], 1, new Set());
    expect(new TrigramProbe(db).select(['zip', 'ip-'])).toEqual(['zip', 'ip-']);
  });

  it('finds exactly what a lookup of every trigram finds', () => {
    const { db, catalog, bucketId, keys } = setup();
    const allTrigrams = (text: string) => {
      const { match, needle } = searchMatch(text);
      return (
        db
          .prepare(
            `SELECT key FROM objects WHERE id IN (SELECT rowid FROM objects_search WHERE objects_search MATCH ?)
               AND (? IS NULL OR contains_folded(key, ?))`,
          )
          .pluck()
          .all(match, needle, needle) as string[]
      ).sort();
    };
    for (const text of ['kapi-', 'i-00010.zip', 'zip', '.zip', 'aaa/kapi', 'KAPI-0', 'w1-', 'api-01']) {
      const expected = keys.filter((k) => k.toLowerCase().includes(text.toLowerCase()));
      expect(expected.length, text).toBeGreaterThan(0);
      expect(search(catalog, bucketId, text), text).toEqual(expected);
      expect(allTrigrams(text), text).toEqual(expected);
    }
  });

  it('reads its sample again when the catalog’s ids moved (another writer), else only when told', () => {
    const { db, bucketId } = setup();
    const probe = new TrigramProbe(db);
    expect(probe.select(['zip', 'kap'])).toEqual(['kap']);
    // 6,000 more keys with `kap` and no `zip`, written through another repository, which does not tell this
    // probe (as a sync's worker writes through its own connection): now `kap` is in 70 % of the keys and `zip`
    // in a third.
    const more = Array.from({ length: 6000 }, (_, i) => obj(`zz/kap-${String(i).padStart(5, '0')}.bin`));
    const writer = new CatalogRepository(db);
    for (let i = 0; i < more.length; i += 1000)
      writer.upsertPage(bucketId, more.slice(i, i + 1000), 2, new Set());
    expect(probe.select(['zip', 'kap'])).toEqual(['zip']);
    // Keys gone from the middle of the ids (the `f…/` folders) leave both ends where they were: the sample is
    // kept until the probe is told.
    const sampledF = () => probe.sample().rows.filter((r) => r.key.startsWith('f')).length;
    expect(sampledF()).toBeGreaterThan(0);
    for (let f = 0; f < 7; f++) writer.removeUnseen(bucketId, `f${f}/`, 3);
    expect(sampledF()).toBeGreaterThan(0);
    probe.forget();
    expect(sampledF()).toBe(0);
  });

  it('is told by the catalog when keys come or go, and not when a page changes nothing', () => {
    const { catalog, bucketId, keys } = setup();
    const forget = vi.spyOn(TrigramProbe.prototype, 'forget');
    catalog.upsertPage(bucketId, keys.slice(0, 1000).map(obj), 1, new Set());
    expect(forget).not.toHaveBeenCalled();
    catalog.upsertPage(bucketId, [obj('new/one.zip')], 2, new Set());
    expect(forget).toHaveBeenCalledTimes(1);
    catalog.upsertPage(bucketId, [obj('new/one.zip')], 3, new Set());
    expect(catalog.removeUnseen(bucketId, 'new/', 3)).toBe(0);
    expect(forget).toHaveBeenCalledTimes(1);
    expect(catalog.removeUnseen(bucketId, 'aaa/', 3)).toBe(600);
    expect(forget).toHaveBeenCalledTimes(2);
    forget.mockRestore();
  });
});
