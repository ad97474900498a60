import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openDatabase, type Db } from '../../src/main/db/database';
import { BucketRepository } from '../../src/main/repositories/bucket-repository';
import {
  CatalogRepository,
  type ListedObject,
  type ObjectRecord,
} from '../../src/main/repositories/catalog-repository';
import { CatalogSearch } from '../../src/main/repositories/catalog-search-plans';
import type { PlanKind } from '../../src/main/repositories/search-plan';
import { ObjectQuerySchema, type AccessType, type Sort } from '../../src/shared/library/schemas';
import { seedShopAccount } from '../support/test-services';

/**
 * Issue 19's "done when": whichever plan a search takes (a walk in key order, the trigram index, or the walk that
 * gives up and lets the index finish), the window gets the same rows in the same order, and the same count, as
 * the exact plan (every row in the folder checked) and as the keys themselves, filtered and sorted here.
 */

/** mulberry32: the same catalog and texts on every run. */
function seeded(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return { int, pick: <T>(list: readonly T[]): T => list[int(list.length)]! };
}

const rng = seeded(19);
const SYLLABLES = ['ka', 'mo', 'ti', 'do', 'lu', 'fa', 'ze', 'pa', 'bz', 'ro', 'vi', 'ne'];
const word = () => Array.from({ length: 2 + rng.int(3) }, () => rng.pick(SYLLABLES)).join('');

/**
 * Words where JavaScript and SQLite's FTS5 fold case differently, or where folding changes a text's length:
 * Turkish İ (JavaScript lower-cases it to two characters, FTS5 keeps it), final sigma, Cherokee (FTS5 keeps its
 * capitals), µ and ſ (FTS5 folds them, JavaScript keeps them), the Kelvin sign, and letters outside the BMP.
 */
const UNICODE = [
  'ÜNÏCODE/Straße',
  'ΟΔΟΣ/ΑΣ',
  'οδος/σοφός',
  'Фото/Привет',
  '写真/東京',
  '🎉/party',
  '𝔘𝔫𝔦/𝔠𝔬𝔡𝔢',
  'İstanbul/İzmir',
  'ᏣᎳᎩ/Ꭰ',
  'µ-ſ/ϐ',
  'Kelvin/K',
];
const ODD = ['docs/"quoted"', 'my_file%', 'a*b?c[d]', 'with space', "it's"];
const SHORT_KEYS = ['a', 'Ab', 'ß', 'İ', 'σ', 'Σ', '🎉', 'z9', 'µ', 'ς', 'x', 'İİ', 'Ꭰ'];

function catalogKeys(): string[] {
  const keys = new Set<string>(SHORT_KEYS);
  for (let i = 0; keys.size < 2600; i++) {
    const n = String(i).padStart(4, '0');
    const kind = i % 12;
    if (kind < 6) keys.add(`products/${i % 17}/${word()}-${n}.zip`);
    else if (kind === 6) keys.add(`Products/Winter-SALE/${word().toUpperCase()}-${n}.ZIP`);
    else if (kind < 10) keys.add(`${rng.pick(UNICODE)}-${n}.${rng.pick(['pdf', 'jpg', 'txt'])}`);
    else if (kind === 10) keys.add(`${rng.pick(ODD)}/${word()}${n}.bin`);
    else keys.add(`archive/${word()}/${word()}-${n}.tar.gz`);
  }
  return [...keys];
}

const KEYS = catalogKeys();
const ACCESS: AccessType[] = ['private', 'public', 'unknown', 'authenticated'];

let db: Db;
let catalog: CatalogRepository;
let bucketId: number;
let otherBucket: number;
const rows = new Map<string, ObjectRecord>();

beforeAll(() => {
  db = openDatabase(':memory:');
  bucketId = seedShopAccount(db, '2026-12-01T00:00:00.000Z');
  otherBucket = new BucketRepository(db).ensure('a1', 'other').id;
  catalog = new CatalogRepository(db);
  const listed = (key: string, i: number): ListedObject => ({
    key,
    size: (i * 7919) % 500,
    lastModified: new Date(Date.UTC(2026, 0, 1 + (i % 40))).toISOString(),
    etag: `e${i}`,
    storageClass: 'STANDARD',
  });
  // Written in pages, in an order other than the keys', as syncs of several prefixes would.
  const shuffled = [...KEYS].sort(() => rng.int(3) - 1);
  for (let i = 0; i < shuffled.length; i += 500) {
    catalog.upsertPage(
      bucketId,
      shuffled.slice(i, i + 500).map((k, j) => listed(k, i + j)),
      1,
      new Set(),
    );
  }
  // The other bucket holds some of the same keys: a search must not cross into it.
  catalog.upsertPage(otherBucket, KEYS.slice(0, 400).map(listed), 1, new Set());
  catalog.setAccess(
    bucketId,
    KEYS.map((key, i) => ({ key, access: ACCESS[i % ACCESS.length]!, grants: null })),
    '2026-12-01T00:00:00.000Z',
  );
  const leaky = KEYS.filter((_, i) => i % 9 === 0).map((k) => catalog.getByKey(bucketId, k)!);
  catalog.recordVerifications(
    leaky.map((o) => ({ id: o.id, access: o.access, status: 200 })),
    '2026-12-01T01:00:00.000Z',
  );
  for (const o of catalog.iterate(ObjectQuerySchema.parse({ bucketId, recursive: true }))) rows.set(o.key, o);
});
afterAll(() => db.close());

/** SQLite's text order (BINARY: UTF-8 bytes), which JavaScript's `<` (UTF-16 units) is not beyond the BMP. */
const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

function expected(over: Record<string, unknown>, sort: Sort): string[] {
  const q = ObjectQuerySchema.parse({ bucketId, recursive: true, ...over });
  const needle = q.search.toLowerCase();
  const value = (o: ObjectRecord): string | number =>
    sort.column === 'size'
      ? o.size
      : sort.column === 'lastModified'
        ? o.lastModified
        : sort.column === 'access'
          ? o.access
          : sort.column === 'type'
            ? (o.contentType ?? '')
            : o.key;
  const dir = sort.direction === 'asc' ? 1 : -1;
  return [...rows.values()]
    .filter(
      (o) =>
        o.key.startsWith(q.folder) &&
        // A folder's own files when there is neither a search nor `recursive` (whereOf).
        (q.recursive || q.search.trim() !== '' || !o.key.includes('/', q.folder.length)) &&
        o.key.toLowerCase().includes(needle) &&
        (q.access.length === 0 || q.access.includes(o.access)) &&
        (!q.leaksOnly || o.leak),
    )
    .sort((a, b) => {
      const va = value(a);
      const vb = value(b);
      const first =
        typeof va === 'number' && typeof vb === 'number' ? va - vb : byBytes(String(va), String(vb));
      return (first || byBytes(a.key, b.key)) * dir;
    })
    .map((o) => o.key);
}

/** Every page of a query by one plan (or the chosen one), `limit` rows a page, up to `pages` pages. */
function pages(
  over: Record<string, unknown>,
  sort: Sort,
  plan: PlanKind | undefined,
  limit: number,
  pages: number,
) {
  const q = ObjectQuerySchema.parse({ bucketId, recursive: true, ...over });
  const seen: string[] = [];
  let cursor: { value: string | number; key: string } | null = null;
  for (let i = 0; i < pages; i++) {
    const page = catalog.page(q, sort, cursor, limit, plan ? { plan } : {});
    seen.push(...page.rows.map((r) => r.key));
    cursor = page.last;
    if (!cursor) break;
  }
  return seen;
}

/** The texts: every character of the catalog, pairs, pieces of keys in any case, whole keys, texts in none. */
function texts(): string[] {
  const out = new Set<string>();
  for (const key of KEYS) for (const c of key) out.add(c);
  for (const c of [...out]) {
    out.add(c.toUpperCase());
    out.add(c.toLowerCase());
  }
  for (let i = 0; i < 60; i++) {
    const chars = [...rng.pick(KEYS)];
    const at = rng.int(Math.max(1, chars.length - 1));
    out.add(chars.slice(at, at + 2).join(''));
  }
  for (let i = 0; i < 90; i++) {
    const chars = [...rng.pick(KEYS)];
    const len = 3 + rng.int(12);
    const at = rng.int(Math.max(1, chars.length - len + 1));
    const piece = chars.slice(at, at + len).join('');
    out.add(rng.int(3) === 0 ? piece.toUpperCase() : piece);
  }
  for (let i = 0; i < 10; i++) out.add(rng.pick(KEYS));
  // Two characters that fold to three or more (İ folds to two), and letters either side folds alone.
  for (const t of [
    'İİ',
    'İs',
    'i̇',
    'i̇z',
    'ς',
    'σ',
    'Σ',
    'ꭰ',
    'μ',
    's',
    'k',
    'K',
    'ǆ',
    'zq',
    'nothing-like-this',
  ])
    out.add(t);
  // Texts with a slash that end one folder only (catalog-slash-scope.ts narrows them), or two, in any case.
  for (const t of [
    'roducts/16/',
    'ROducts/16/A',
    'ts/16/1',
    '16/',
    'sale/',
    'WINTER-SALE/A',
    'winter-sale/z',
    'chive/',
    'quoted"/',
    'e%/',
    '[d]/',
    'space/w',
    "it's/",
    'ucts/1',
    'δος/',
    'ΟΔΟΣ/Α',
    'ul/i̇',
    'STANBUL/İZ',
    'kelvin/k',
    'ᏣᎳᎩ/',
    'ꮳꮃꭹ/',
    'ſ/',
    '𝔦/',
    'ото/п',
  ])
    out.add(t);
  out.add('products/'.repeat(30).slice(0, 256));
  out.add(`${rng.pick(KEYS)}${'x'.repeat(256)}`.slice(0, 256));
  out.delete(' ');
  out.delete('');
  return [...out].filter((t) => t.trim() === t);
}

const SORTS: Sort[] = [
  { column: 'name', direction: 'desc' },
  { column: 'size', direction: 'desc' },
  { column: 'lastModified', direction: 'asc' },
  { column: 'access', direction: 'asc' },
  { column: 'type', direction: 'desc' },
];
const BY_NAME: Sort = { column: 'name', direction: 'asc' };
const SCOPES: Record<string, unknown>[] = [
  { folder: 'products/1' },
  { folder: 'ΟΔΟΣ/' },
  { access: ['public', 'private'] },
  { leaksOnly: true },
];

describe('search plans: the same rows, in the same order, whichever plan reads them', () => {
  const TEXTS = texts();

  it('pages by name, through every page, as the keys themselves say, by every plan', () => {
    expect(TEXTS.length).toBeGreaterThan(250);
    for (const search of TEXTS) {
      const want = expected({ search }, BY_NAME);
      expect(pages({ search }, BY_NAME, 'walk', 9, 4), search).toEqual(want.slice(0, 36));
      expect(pages({ search }, BY_NAME, 'index', 9, 4), search).toEqual(want.slice(0, 36));
      expect(pages({ search }, BY_NAME, undefined, 9, 4), search).toEqual(want.slice(0, 36));
    }
  });

  it('counts exactly, and up to a cap, the same by every plan', () => {
    for (const search of TEXTS) {
      const n = expected({ search }, BY_NAME).length;
      const q = ObjectQuerySchema.parse({ bucketId, search });
      for (const plan of ['walk', 'index', undefined] as const) {
        const options = plan ? { plan } : {};
        expect(catalog.count(q, options), `${search} ${plan}`).toBe(n);
        expect(catalog.countUpTo(q, 25, options), `${search} ${plan}`).toEqual({
          n: Math.min(n, 25),
          capped: n > 25,
        });
      }
    }
  });

  it('answers a first page with its count from one read of the index, as the page and countUpTo answer apart', () => {
    // The statements the repository runs: the index plan's first page counts its hits in a window (one read).
    const cached = vi.spyOn(
      CatalogRepository.prototype as unknown as { cached: (sql: string) => unknown },
      'cached',
    );
    const windowed = () => cached.mock.calls.filter(([sql]) => sql.includes('count(*) OVER ()')).length;
    let fromWindow = 0;
    let apart = 0;
    TEXTS.forEach((search, i) => {
      const sort = i % 2 === 0 ? BY_NAME : SORTS[i % SORTS.length]!;
      const scope = { search, ...(i % 3 === 0 ? SCOPES[i % SCOPES.length] : {}) };
      const want = expected(scope, sort);
      const q = ObjectQuerySchema.parse({ bucketId, ...scope });
      for (const plan of ['walk', 'index', undefined] as const) {
        const options = plan ? { plan } : {};
        for (const cap of [3, 10_000]) {
          const before = windowed();
          const got = catalog.firstPage(q, sort, 9, cap, options);
          if (windowed() > before) fromWindow++;
          else apart++;
          const what = `${search} ${JSON.stringify(scope)} ${JSON.stringify(sort)} ${plan} cap ${cap}`;
          expect(got.total, what).toEqual(catalog.countUpTo(q, cap, options));
          expect(got.total, what).toEqual({ n: Math.min(want.length, cap), capped: want.length > cap });
          expect(
            got.rows.map((r) => r.key),
            what,
          ).toEqual(want.slice(0, 9));
          expect(got.last, what).toEqual(catalog.page(q, sort, null, 9, options).last);
        }
      }
    });
    cached.mockRestore();
    // Both ways were taken, many times: the window (the index plan) and the count apart (walks).
    expect(fromWindow).toBeGreaterThan(300);
    expect(apart).toBeGreaterThan(300);
  });

  it('pages in every other order, within folders and filters, and lists every match, the same by every plan', () => {
    TEXTS.forEach((search, i) => {
      const sort = SORTS[i % SORTS.length]!;
      const want = expected({ search }, sort).slice(0, 12);
      for (const plan of ['walk', 'index', undefined] as const)
        expect(pages({ search }, sort, plan, 6, 2), `${search} ${JSON.stringify(sort)} ${plan}`).toEqual(
          want,
        );
      const scope = { search, ...SCOPES[i % SCOPES.length] };
      const inScope = expected(scope, BY_NAME);
      const q = ObjectQuerySchema.parse({ bucketId, ...scope });
      for (const plan of ['walk', 'index', undefined] as const) {
        const options = plan ? { plan } : {};
        expect(pages(scope, BY_NAME, plan, 5, 2), `${search} ${JSON.stringify(scope)} ${plan}`).toEqual(
          inScope.slice(0, 10),
        );
        expect(catalog.countUpTo(q, 4, options), `${search} ${JSON.stringify(scope)} ${plan}`).toEqual({
          n: Math.min(inScope.length, 4),
          capped: inScope.length > 4,
        });
      }
      const all = [...catalog.iterate(ObjectQuerySchema.parse({ bucketId, search }), { plan: 'index' })];
      expect(
        all.map((o) => o.key),
        search,
      ).toEqual(expected({ search }, BY_NAME));
    });
  });

  it('pages every other order down its own index or sorted, through every page, with or without a search', () => {
    // Which way each page was read: a walk down the order's index (INDEXED BY), the scope's rows sorted (`+`),
    // and pages that did the first and then, having given up, the second.
    const ways = { down: 0, sorted: 0, gaveUp: 0 };
    const select = vi.spyOn(
      CatalogSearch.prototype as unknown as {
        select: (kind: PlanKind, ...rest: unknown[]) => unknown;
      },
      'select',
    );
    const page = catalog.page.bind(catalog);
    const paged = vi.spyOn(catalog, 'page').mockImplementation((...args) => {
      select.mockClear();
      const out = page(...args);
      const froms = select.mock.calls.map((c) => `${String(c[7])} ${String(c[5])}`);
      if (froms.some((f) => f.includes('INDEXED BY'))) ways.down++;
      if (froms.some((f) => f.includes(' +o.'))) ways.sorted++;
      if (froms.length === 2 && froms[0]!.includes('INDEXED BY') && froms[1]!.includes(' +o.')) ways.gaveUp++;
      return out;
    });
    const scopes: Record<string, unknown>[] = [
      {},
      { recursive: false, folder: '' },
      { recursive: false, folder: 'products/1/' },
      { folder: 'products/1' },
      { access: ['public'] },
      { access: ['authenticated', 'unknown'] },
      { leaksOnly: true },
      { search: 'zip' },
      { search: 'products/1' },
      { search: '.Z' },
      { search: 'ΟΔΟΣ' },
    ];
    for (const column of ['size', 'lastModified', 'access', 'type'] as const)
      for (const direction of ['asc', 'desc'] as const)
        for (const scope of scopes) {
          const sort: Sort = { column, direction };
          const want = expected(scope, sort);
          expect(want.length, JSON.stringify(scope)).toBeGreaterThan(0);
          expect(
            pages(scope, sort, undefined, 40, 1000),
            `${JSON.stringify(scope)} ${column} ${direction}`,
          ).toEqual(want);
        }

    paged.mockRestore();
    select.mockRestore();
    expect(ways.down).toBeGreaterThan(50);
    expect(ways.sorted).toBeGreaterThan(50);
    expect(ways.gaveUp).toBeGreaterThan(0);
  });

  it('pages and counts an access filter without a search by type from the access index, as the keys say', () => {
    // The statements the repository prepares: a page by type names each type's run of the access index.
    const cached = vi.spyOn(
      CatalogRepository.prototype as unknown as { cached: (sql: string) => unknown },
      'cached',
    );
    const byType = () => cached.mock.calls.filter(([sql]) => sql.includes('o.access = @run0')).length;
    const filters: Record<string, unknown>[] = [
      { access: ['public'] },
      { access: ['authenticated', 'unknown'] },
      { access: ['private', 'public', 'unknown', 'authenticated'] },
      { access: ['public'], folder: 'products/1' },
      { access: ['private', 'authenticated'], leaksOnly: true },
      { access: ['public-bucket'] },
      // A folder's own files: read by folder, not by type.
      { access: ['public'], recursive: false, folder: 'products/1/' },
    ];
    for (const filter of filters)
      for (const direction of ['asc', 'desc'] as const) {
        const sort: Sort = { column: 'name', direction };
        const want = expected(filter, sort);
        expect(pages(filter, sort, undefined, 25, 1000), `${JSON.stringify(filter)} ${direction}`).toEqual(
          want,
        );
        const q = ObjectQuerySchema.parse({ bucketId, recursive: true, ...filter });
        expect(catalog.count(q), JSON.stringify(filter)).toBe(want.length);
        expect(catalog.countUpTo(q, 7), JSON.stringify(filter)).toEqual({
          n: Math.min(want.length, 7),
          capped: want.length > 7,
        });
      }
    // Every filter but the folder's own files went by type, through every one of its pages.
    expect(byType()).toBeGreaterThan(6 * 2);
    expect(byType()).toBe(
      filters.slice(0, 6).reduce((n, f) => n + 2 * (Math.floor(expected(f, BY_NAME).length / 25) + 1), 0),
    );
    cached.mockRestore();
  });

  it('takes each plan for some texts, and gives up on a misjudged walk for some (the comparisons above cover them)', () => {
    const chosen = { walk: 0, index: 0, stops: 0, finished: 0 };
    const select = vi.spyOn(
      CatalogSearch.prototype as unknown as { select: (kind: PlanKind) => unknown },
      'select',
    );
    for (const search of TEXTS) {
      const q = ObjectQuerySchema.parse({ bucketId, search });
      const plan = catalog.searchPlan(q, BY_NAME, 9, 25).page;
      chosen[plan.kind]++;
      if (plan.stop !== null) chosen.stops++;
      select.mockClear();
      catalog.page(q, BY_NAME, null, 9);
      const kinds = select.mock.calls.map((c) => c[0]);
      if (kinds.join() === 'walk,index') chosen.finished++;
    }
    select.mockRestore();
    expect(chosen.walk).toBeGreaterThan(20);
    expect(chosen.index).toBeGreaterThan(20);
    expect(chosen.stops).toBeGreaterThan(5);
    // Walks that gave up and let the index finish the page.
    expect(chosen.finished).toBeGreaterThan(0);
  });
});
