import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/main/db/database';
import {
  ancestorFolders,
  CatalogRepository,
  splitKey,
  type ListedObject,
} from '../../src/main/repositories/catalog-repository';
import { accessRule, strangerAccess } from '../../src/main/services/library/access-rules';
import { AsyncQueue, forEachConcurrent } from '../../src/main/lib/async-queue';
import { SEARCH_COUNT_CAP } from '../../src/main/services/library/library-service';
import { ObjectQuerySchema, SortSchema, isLeak } from '../../src/shared/library/schemas';
import { openTestServices, seedShopAccount } from '../support/test-services';

const dbs: Db[] = [];
afterEach(() => dbs.splice(0).forEach((db) => db.close()));

function setup() {
  const db = openDatabase(':memory:');
  dbs.push(db);
  const bucketId = seedShopAccount(db, '2026-12-01T00:00:00.000Z');
  return { db, catalog: new CatalogRepository(db), bucketId };
}

const obj = (key: string, size = 1, etag = 'e1'): ListedObject => ({
  key,
  size,
  lastModified: '2026-11-30T10:00:00.000Z',
  etag,
  storageClass: 'STANDARD',
});

const query = (bucketId: number, over: Record<string, unknown> = {}) =>
  ObjectQuerySchema.parse({ bucketId, ...over });

describe('catalog keys and folders', () => {
  it('splits keys at the last slash and lists every folder a key lies in', () => {
    expect(splitKey('a/b/c.zip')).toEqual({ folder: 'a/b/', name: 'c.zip' });
    expect(splitKey('top.zip')).toEqual({ folder: '', name: 'top.zip' });
    expect(ancestorFolders('a/b/c.zip')).toEqual(['a/', 'a/b/']);
    expect(ancestorFolders('top.zip')).toEqual([]);
  });
});

describe('catalog repository', () => {
  it('counts new, changed and unchanged objects, and a change of content forgets the access type', () => {
    const { catalog, bucketId } = setup();
    expect(catalog.upsertPage(bucketId, [obj('a.zip'), obj('b/c.zip')], 1, new Set())).toEqual({
      added: 2,
      updated: 0,
      unchanged: 0,
    });
    catalog.setAccess(
      bucketId,
      [{ key: 'a.zip', access: 'private', grants: [] }],
      '2026-12-01T00:00:00.000Z',
    );
    catalog.setAccess(
      bucketId,
      [{ key: 'b/c.zip', access: 'public', grants: [] }],
      '2026-12-01T00:00:00.000Z',
    );
    expect(catalog.upsertPage(bucketId, [obj('a.zip', 1, 'e2'), obj('b/c.zip')], 2, new Set())).toEqual({
      added: 0,
      updated: 1,
      unchanged: 1,
    });
    expect(catalog.getByKey(bucketId, 'a.zip')).toMatchObject({ access: 'unknown', etag: 'e2' });
    expect(catalog.getByKey(bucketId, 'b/c.zip')).toMatchObject({ access: 'public' });
  });

  it('removes only unseen objects under the synced prefix, and folders left empty', () => {
    const { catalog, bucketId } = setup();
    catalog.upsertPage(bucketId, [obj('x/1.zip'), obj('x/y/2.zip'), obj('z/3.zip')], 1, new Set());
    catalog.upsertPage(bucketId, [obj('x/1.zip')], 2, new Set());
    expect(catalog.removeUnseen(bucketId, 'x/', 2)).toBe(1);
    expect([...catalog.iterate(query(bucketId, { recursive: true }))].map((o) => o.key)).toEqual([
      'x/1.zip',
      'z/3.zip',
    ]);
    expect(catalog.folders(bucketId, 'x/')).toEqual([]);
    expect(catalog.folders(bucketId, '').map((f) => f.name)).toEqual(['x', 'z']);
  });

  it('pages by cursor through ties in the sort column without skipping or repeating a row', () => {
    const { catalog, bucketId } = setup();
    const keys = Array.from({ length: 25 }, (_, i) => `f/${String(i).padStart(2, '0')}.zip`);
    catalog.upsertPage(
      bucketId,
      keys.map((k, i) => obj(k, i % 3)),
      1,
      new Set(),
    );
    const sort = SortSchema.parse({ column: 'size', direction: 'desc' });
    const seen: string[] = [];
    let cursor: { value: string | number; key: string } | null = null;
    do {
      const page = catalog.page(query(bucketId, { folder: 'f/' }), sort, cursor, 4);
      seen.push(...page.rows.map((r) => r.key));
      cursor = page.last;
    } while (cursor);
    expect(seen).toHaveLength(25);
    expect(new Set(seen).size).toBe(25);
    const sizes = seen.map((k) => keys.indexOf(k) % 3);
    expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
  });

  it('searches any part of a key, case-insensitive, through the trigram index and short text by scan', () => {
    const { catalog, bucketId } = setup();
    catalog.upsertPage(
      bucketId,
      [obj('Products/Winter-Sale.ZIP'), obj('products/summer.zip'), obj('docs/"quoted".pdf')],
      1,
      new Set(),
    );
    const keys = (search: string) => [...catalog.iterate(query(bucketId, { search }))].map((o) => o.key);
    expect(keys('sale.zip')).toEqual(['Products/Winter-Sale.ZIP']);
    expect(keys('PRODUCTS/')).toEqual(['Products/Winter-Sale.ZIP', 'products/summer.zip']);
    expect(keys('"quo')).toEqual(['docs/"quoted".pdf']);
    expect(keys('su')).toEqual(['products/summer.zip']);
    expect(keys('nothing-like-this')).toEqual([]);
    const plan = (catalog as unknown as { db: Db }).db
      .prepare('EXPLAIN QUERY PLAN SELECT rowid FROM objects_search WHERE objects_search MATCH \'"sale"\'')
      .all() as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/VIRTUAL TABLE INDEX/);
  });

  it('matches the text exactly, not just its trigrams: wildcards are plain characters, case folds in every script', () => {
    const { catalog, bucketId } = setup();
    catalog.upsertPage(
      bucketId,
      [
        obj('my_file.zip'),
        obj('myXfile.zip'),
        obj('per%cent.zip'),
        obj('ÜNÏCODE/Straße.pdf'),
        obj('a/abcab.bin'),
      ],
      1,
      new Set(),
    );
    const keys = (search: string) => [...catalog.iterate(query(bucketId, { search }))].map((o) => o.key);
    expect(keys('my_file')).toEqual(['my_file.zip']);
    expect(keys('r%c')).toEqual(['per%cent.zip']);
    expect(keys('ünïcode/')).toEqual(['ÜNÏCODE/Straße.pdf']);
    expect(keys('STRASSE')).toEqual([]); // folding, not transliteration
    // Every trigram of "abcabc" ("abc", "bca", "cab") is in "abcab", but the text is not.
    expect(keys('abcabc')).toEqual([]);
    expect(keys('bcab')).toEqual(['a/abcab.bin']);
  });

  it('flags a leak only for objects held as not public that answered 200, and keeps the history', () => {
    const { catalog, bucketId } = setup();
    catalog.upsertPage(bucketId, [obj('p.zip'), obj('q.zip')], 1, new Set());
    catalog.setAccess(
      bucketId,
      [
        { key: 'p.zip', access: 'private', grants: [] },
        { key: 'q.zip', access: 'public', grants: [] },
      ],
      '2026-12-01T00:00:00.000Z',
    );
    const p = catalog.getByKey(bucketId, 'p.zip')!;
    const q = catalog.getByKey(bucketId, 'q.zip')!;
    catalog.recordVerifications(
      [
        { id: p.id, access: 'private', status: 200 },
        { id: q.id, access: 'public', status: 200 },
      ],
      '2026-12-01T01:00:00.000Z',
    );
    expect(catalog.getByKey(bucketId, 'p.zip')).toMatchObject({ leak: true, verified: { status: 200 } });
    expect(catalog.getByKey(bucketId, 'q.zip')).toMatchObject({ leak: false });
    expect(catalog.summary(bucketId)).toMatchObject({
      objects: 2,
      leaks: 1,
      access: { private: 1, public: 1 },
    });
    expect(catalog.history(p.id)).toEqual([{ status: 200, at: '2026-12-01T01:00:00.000Z', leak: true }]);
    expect(
      [...catalog.iterate(query(bucketId, { leaksOnly: true, recursive: true }))].map((o) => o.key),
    ).toEqual(['p.zip']);
  });
});

describe('library pages', () => {
  it("stops a search's or a filter's count at the cap and says so; folders and actions count exactly", () => {
    const t = openTestServices({
      clock: { now: () => new Date('2026-12-01T00:00:00.000Z') },
      inMemory: true,
      prefix: 'library-count',
    });
    try {
      const bucketId = seedShopAccount(t.services.db, '2026-12-01T00:00:00.000Z');
      const catalog = new CatalogRepository(t.services.db);
      const keys = [
        ...Array.from({ length: SEARCH_COUNT_CAP + 5 }, (_, i) => `all/n-${String(i).padStart(6, '0')}.zip`),
        'docs/a.pdf',
        'docs/b.pdf',
      ];
      for (let i = 0; i < keys.length; i += 1000)
        catalog.upsertPage(
          bucketId,
          keys.slice(i, i + 1000).map((k) => obj(k)),
          1,
          new Set(),
        );

      const searched = t.services.library.page({ bucketId, search: 'zip' });
      expect(searched).toMatchObject({ total: SEARCH_COUNT_CAP, totalCapped: true });
      expect(searched.rows.map((r) => r.key)).toEqual(keys.slice(0, 200));
      expect(t.services.library.page({ bucketId, search: 'PDF' })).toMatchObject({
        total: 2,
        totalCapped: false,
      });
      // Unsearched, a folder's count is exact however large; only the first page has one.
      const folder = t.services.library.page({ bucketId, folder: 'all/' });
      expect(folder).toMatchObject({ total: SEARCH_COUNT_CAP + 5, totalCapped: false });
      // An access filter's count stops at the cap too (every file is "unknown" until its ACL is read).
      const unknown = t.services.library.page({ bucketId, recursive: true, access: ['unknown'] });
      expect(unknown).toMatchObject({ total: SEARCH_COUNT_CAP, totalCapped: true });
      expect(unknown.rows.map((r) => r.key)).toEqual(keys.slice(0, 200));
      expect(t.services.library.page({ bucketId, recursive: true, access: ['public'] })).toMatchObject({
        total: 0,
        totalCapped: false,
      });
      expect(catalog.count(query(bucketId, { recursive: true, access: ['unknown'] }))).toBe(keys.length);
      const next = t.services.library.page({ bucketId, search: 'zip', cursor: searched.next });
      expect(next).toMatchObject({ total: null, totalCapped: false });
      // What "select all matching" acts on is counted exactly (a job's plan, a verify's progress).
      expect(catalog.count(query(bucketId, { search: 'zip' }))).toBe(SEARCH_COUNT_CAP + 5);
    } finally {
      t.close();
    }
  });
});

describe('access rules', () => {
  it.each([
    [{ role: 'files', model: 'object-acl', exposure: 'public' }, 'public-bucket'],
    // Where the bucket's rule was not read (exposure unknown), only a stranger's refused request proves private.
    [{ role: 'private', model: 'no-object-acl', exposure: 'unknown' }, 'stranger'],
    [{ role: 'private', model: 'no-object-acl', exposure: 'private' }, 'private'],
    // A file's own public-read ACL lets strangers in, private bucket or not: its ACL is read.
    [{ role: 'private', model: 'object-acl', exposure: 'private' }, 'per-object'],
    [{ role: 'files', model: 'no-object-acl', exposure: 'private' }, 'private'],
    [{ role: 'files', model: 'acl-disabled', exposure: 'unknown' }, 'stranger'],
    [{ role: 'files', model: 'object-acl', exposure: 'unknown' }, 'stranger'],
    [{ role: 'files', model: 'object-acl', exposure: 'private' }, 'per-object'],
    [{ role: 'files', model: null, exposure: 'unknown' }, 'stranger'],
    [{ role: 'files', model: null, exposure: 'private' }, 'per-object'],
    // R2's public access (r2.dev) is not on its S3 address: a stranger refused there proves nothing.
    [{ role: 'files', model: 'no-object-acl', exposure: 'unknown', provider: 'r2' }, 'unknown'],
  ] as const)('%o → %s', (bucket, expected) => {
    const rule = accessRule(bucket);
    expect(rule.kind === 'bucket' ? rule.access : rule.kind).toBe(expected);
  });

  it('reads ACLs beside the stranger check only where files have ACLs', () => {
    expect(accessRule({ role: 'files', model: 'object-acl', exposure: 'unknown' })).toMatchObject({
      kind: 'stranger',
      acl: true,
    });
    expect(accessRule({ role: 'files', model: 'no-object-acl', exposure: 'unknown' })).toMatchObject({
      kind: 'stranger',
      acl: false,
    });
  });

  it.each([
    [200, null, 'public-bucket'],
    [200, 'private', 'public-bucket'],
    [200, 'public', 'public'],
    [403, null, 'private'],
    [401, 'private', 'private'],
    [403, 'authenticated', 'authenticated'],
    [404, 'private', null],
    [0, 'private', 'unknown'],
    [301, null, 'unknown'],
    [500, 'private', 'unknown'],
  ] as const)('a stranger got %i with the ACL saying %s → %s', (status, acl, expected) => {
    expect(strangerAccess(status, acl)).toBe(expected);
  });

  it('calls only not-public objects that answered 200 leaks', () => {
    expect(isLeak('private', 200)).toBe(true);
    expect(isLeak('authenticated', 200)).toBe(true);
    expect(isLeak('public-bucket', 200)).toBe(false);
    expect(isLeak('private', 403)).toBe(false);
    expect(isLeak('unknown', 200)).toBe(false);
  });
});

describe('bounded queue', () => {
  it('makes the producer wait at the high-water mark and hands every item to the consumers once', async () => {
    const queue = new AsyncQueue<number>(5);
    let maxQueued = 0;
    let inFlight = 0;
    let maxInFlight = 0;
    const seen: number[] = [];
    const consuming = forEachConcurrent(queue, 3, async (n) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, 1));
      seen.push(n);
      inFlight--;
    });
    for (let i = 0; i < 50; i++) {
      await queue.push(i);
      maxQueued = Math.max(maxQueued, (queue as unknown as { items: number[] }).items.length);
    }
    queue.close();
    await consuming;
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(maxQueued).toBeLessThanOrEqual(5);
    expect(maxInFlight).toBe(3);
  });

  it('holds all but `initial` consumers back until the ramp settles (ACL reads while a listing runs)', async () => {
    let open!: () => void;
    const until = new Promise<void>((resolve) => (open = resolve));
    let inFlight = 0;
    const peaks: number[] = [];
    const queue = new AsyncQueue<number>(100);
    const run = forEachConcurrent(
      queue,
      8,
      async () => {
        inFlight++;
        peaks.push(inFlight);
        await new Promise((r) => setTimeout(r, 2));
        inFlight--;
      },
      undefined,
      { initial: 2, until },
    );
    for (let i = 0; i < 20; i++) await queue.push(i);
    await new Promise((r) => setTimeout(r, 30));
    const before = Math.max(...peaks);
    open();
    for (let i = 0; i < 40; i++) await queue.push(i);
    queue.close();
    await run;
    expect(before).toBe(2);
    expect(Math.max(...peaks)).toBe(8);
  });

  it('stops the consumers when the signal aborts', async () => {
    const controller = new AbortController();
    let calls = 0;
    const run = forEachConcurrent(
      Array.from({ length: 100 }, (_, i) => i),
      2,
      async () => {
        if (++calls === 5) controller.abort();
        await Promise.resolve();
      },
      controller.signal,
    );
    await expect(run).rejects.toThrow(/abort/i);
    expect(calls).toBeLessThan(10);
  });
});
