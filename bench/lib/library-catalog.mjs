/**
 * Part 1 of the library bench: the catalog (SQLite with the FTS5 trigram index) at a given number of synthetic
 * rows, in a temp file. Writes through CatalogRepository.upsertPage as a sync does, reads as LibraryService does,
 * and one page through the IPC router; each beside an anchor measured in the same run.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { latencyStats, median, msSince, percentile, seeded, timed } from './library-report.mjs';
import { benchSearchCases } from './library-search-cases.mjs';

const PAGE = 1000;
const LIMIT = 200;
const ACCOUNT_ID = 'bench-account';
const BUCKET = 'bench';
const APP_URL = 'app://signet/index.html';
const SENDER = { url: APP_URL, isMainFrame: true };
const COLUMNS =
  'o.id, o.bucket_id, o.key, o.folder, o.name, o.size, o.last_modified, o.etag, o.storage_class, o.content_type, ' +
  'o.access, o.access_checked_at, o.grants, o.verified_status, o.verified_at';

const log = (msg) => process.stderr.write(`${msg}\n`);

/**
 * Product-like words: 2–4 syllables (consonant + vowel, sometimes a closing consonant), so a 4–6 character piece
 * of a name is shared by a handful of words, as in a real shop's file names, not by none or by all.
 */
export function vocabulary(rng, size) {
  const consonants = 'bcdfghklmnprstvz';
  const vowels = 'aeiou';
  const words = new Set();
  while (words.size < size) {
    let w = '';
    const syllables = 2 + rng.int(3);
    for (let s = 0; s < syllables; s++) {
      w += consonants[rng.int(consonants.length)] + vowels[rng.int(vowels.length)];
      if (rng.next() < 0.25) w += consonants[rng.int(consonants.length)];
    }
    words.add(w);
  }
  return [...words];
}

/**
 * `count` keys `products/{cat}/{sub}/{word}-{i}.zip`, in listing (binary) order, as a ListObjectsV2 sends them.
 * `cats` × `subs` leaf folders.
 */
export function syntheticKeys(count, { seed = 1, cats = 100, subs = 100, words = 20_000 } = {}) {
  const rng = seeded(seed);
  const vocab = vocabulary(rng, words);
  const keys = new Array(count);
  for (let i = 0; i < count; i++) {
    keys[i] = `products/${rng.int(cats)}/${rng.int(subs)}/${vocab[rng.int(vocab.length)]}-${i}.zip`;
  }
  return keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** What a listing page reports for each key (sizes, dates and ETags as a real listing has them). */
function listed(keys, rng) {
  const hex = () => rng.int(0x100000000).toString(16).padStart(8, '0');
  return keys.map((key) => ({
    key,
    size: 1000 + rng.int(50_000_000),
    lastModified: new Date(1_700_000_000_000 + rng.int(1e10)).toISOString(),
    etag: hex() + hex() + hex() + hex(),
    storageClass: 'STANDARD',
  }));
}

function dbBytes(db, file) {
  db.pragma('wal_checkpoint(TRUNCATE)');
  const size = (f) => {
    try {
      return statSync(f).size;
    } catch {
      return 0;
    }
  };
  let searchBytes;
  try {
    searchBytes = db
      .prepare("SELECT total(pgsize) AS n FROM dbstat WHERE name LIKE 'objects_search%'")
      .get().n;
  } catch {
    searchBytes = undefined; // SQLite built without dbstat
  }
  return { total: size(file) + size(`${file}-wal`), search: searchBytes };
}

/**
 * A fresh catalog file with one account and its bucket. `withSearch: false` is the anchor: the FTS table becomes a
 * plain table (upsertPage still writes each new key to it, as one statement per page) and its triggers go.
 */
function freshCatalog(lib, dir, name, { withSearch = true } = {}) {
  const file = join(dir, name);
  const db = lib.database.openDatabase(file);
  if (!withSearch) {
    db.exec(`
      DROP TRIGGER IF EXISTS objects_search_insert;
      DROP TRIGGER objects_search_delete;
      DROP TRIGGER objects_search_update;
      DROP TABLE objects_search;
      CREATE TABLE objects_search (key TEXT);
    `);
  }
  new lib.accounts.AccountRepository(db).insert(
    ACCOUNT_ID,
    {
      name: 'Bench shop',
      provider: 'custom',
      endpoint: 'http://127.0.0.1:9',
      region: 'us-east-1',
      forcePathStyle: true,
      buckets: [BUCKET],
      privateBucket: null,
    },
    new Date().toISOString(),
  );
  const bucketId = new lib.buckets.BucketRepository(db).byName(ACCOUNT_ID, BUCKET).id;
  return { db, file, bucketId, catalog: new lib.catalog.CatalogRepository(db) };
}

/** Every key through upsertPage in pages of 1000, as a sync writes a listing; answers rows/s (write time only). */
function writeAll(cat, keys, label) {
  const rng = seeded(7);
  const known = new Set();
  const mark = Date.now();
  const pageMs = [];
  const started = Date.now();
  for (let at = 0; at < keys.length; at += PAGE) {
    const objects = listed(keys.slice(at, at + PAGE), rng);
    const [counts, took] = timed(() => cat.catalog.upsertPage(cat.bucketId, objects, mark, known));
    if (counts.added !== objects.length)
      throw new Error(`${label}: upsertPage added ${counts.added} of ${objects.length}`);
    pageMs.push(took);
    if ((at / PAGE) % 200 === 199) log(`  ${label}: ${(at + PAGE).toLocaleString('en')} rows …`);
  }
  const ms = pageMs.reduce((a, b) => a + b, 0);
  return {
    ...latencyStats(pageMs),
    rowsPerSec: keys.length / (ms / 1000),
    seconds: ms / 1000,
    wallSeconds: (Date.now() - started) / 1000,
  };
}

const folderQuery = (bucketId, folder) => ({
  bucketId,
  folder,
  recursive: false,
  access: [],
  search: '',
  leaksOnly: false,
});
const searchQuery = (bucketId, search) => ({ ...folderQuery(bucketId, ''), search });
const SORT = { column: 'name', direction: 'asc' };

/** A 4–6 character piece of an existing file name's stem (the `{word}-{i}` part, not the extension). */
function sampleSubstring(keys, rng) {
  const key = rng.pick(keys);
  const stem = key.slice(key.lastIndexOf('/') + 1, key.lastIndexOf('.'));
  const len = 4 + rng.int(3);
  const from = rng.int(Math.max(1, stem.length - len + 1));
  return stem.slice(from, from + len);
}

/**
 * SQLite's plan for the repository's own statement (the first prepared one whose SQL contains `marker`), as
 * EXPLAIN QUERY PLAN tells it: what the bench measured, in the planner's words. The repository keeps its
 * prepared statements in a private map; when that changes shape, the plan is simply not shown.
 */
function queryPlan(db, catalog, marker, params) {
  const sql = [...(catalog.prepared?.keys() ?? [])].find((q) => q.includes(marker) && q.includes('LIMIT'));
  if (!sql) return undefined;
  try {
    return db
      .prepare(`EXPLAIN QUERY PLAN ${sql}`)
      .all(params)
      .map((r) => r.detail)
      .join('; ');
  } catch {
    return undefined;
  }
}

const likePattern = (s) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * Part 1 at one size. `lib` is the bundled library code (library-build.mjs). Answers the measurements; the caller
 * prints them.
 */
export async function benchCatalog(lib, rows, { folderSamples = 400, searchSamples, likeSamples } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'signet-bench-library-'));
  const out = { rows };
  try {
    log(`part 1, ${rows.toLocaleString('en')} rows: generating keys …`);
    const keys = syntheticKeys(rows);

    // (a) writes with the search index, then the anchor: the same writes with the FTS triggers dropped.
    const cat = freshCatalog(lib, dir, 'catalog.db');
    log(`part 1, ${rows.toLocaleString('en')} rows: upsertPage with the trigram index …`);
    out.write = writeAll(cat, keys, 'with index');
    out.size = dbBytes(cat.db, cat.file);
    {
      const plain = freshCatalog(lib, dir, 'no-search.db', { withSearch: false });
      log(`part 1, ${rows.toLocaleString('en')} rows: upsertPage without the search index (anchor) …`);
      out.writeNoSearch = writeAll(plain, keys, 'no index');
      out.sizeNoSearch = dbBytes(plain.db, plain.file);
      plain.db.close();
      rmSync(plain.file, { force: true });
      rmSync(`${plain.file}-wal`, { force: true });
      rmSync(`${plain.file}-shm`, { force: true });
    }
    const { db, catalog, bucketId } = cat;

    // (b) a folder's first page as LibraryService.page does it: page + sub-folders + count.
    log(`part 1, ${rows.toLocaleString('en')} rows: folder pages …`);
    const rng = seeded(11);
    const randomFolder = () => `products/${rng.int(100)}/${rng.int(100)}/`;
    const firstPage = (folder) => {
      const q = folderQuery(bucketId, folder);
      const page = catalog.page(q, SORT, null, LIMIT);
      catalog.folders(bucketId, folder);
      return { rows: page.rows.length, total: catalog.count(q) };
    };
    const rawPage = db.prepare(
      `SELECT ${COLUMNS} FROM objects o WHERE o.bucket_id = ? AND o.folder = ? ORDER BY o.key LIMIT ${LIMIT}`,
    );
    const rawFolders = db.prepare(
      'SELECT path FROM folders WHERE bucket_id = ? AND parent = ? ORDER BY path LIMIT 1000',
    );
    const rawCount = db.prepare('SELECT count(*) AS n FROM objects o WHERE o.bucket_id = ? AND o.folder = ?');
    const rawFirstPage = (folder) => {
      const r = rawPage.all(bucketId, folder);
      rawFolders.all(bucketId, folder);
      return { rows: r.length, total: rawCount.get(bucketId, folder).n };
    };
    for (let i = 0; i < 50; i++) {
      firstPage(randomFolder());
      rawFirstPage(randomFolder());
    }
    const folderMs = [];
    const rawFolderMs = [];
    const perFolder = [];
    for (let i = 0; i < folderSamples; i++) {
      const folder = randomFolder();
      // Alternate which goes first, so neither always finds the pages cached by the other.
      let a, ms, b, rawMs;
      if (i % 2) {
        [a, ms] = timed(() => firstPage(folder));
        [b, rawMs] = timed(() => rawFirstPage(folder));
      } else {
        [b, rawMs] = timed(() => rawFirstPage(folder));
        [a, ms] = timed(() => firstPage(folder));
      }
      if (a.total !== b.total || a.rows !== b.rows)
        throw new Error(`folder ${folder}: ${JSON.stringify([a, b])}`);
      folderMs.push(ms);
      rawFolderMs.push(rawMs);
      perFolder.push(a.total);
    }
    out.folder = {
      ...latencyStats(folderMs),
      filesPerFolder: median(perFolder),
      plan: queryPlan(db, catalog, 'o.folder = @folder', {
        bucket: bucketId,
        folder: 'products/1/2/',
        limit: LIMIT,
      }),
    };
    out.folderRaw = latencyStats(rawFolderMs);

    // (c) substring search through the trigram index (page + count, as the first page of a search), and the
    // anchor: the same search as a LIKE '%x%' scan of the objects table, on fewer samples (each is a full scan).
    log(`part 1, ${rows.toLocaleString('en')} rows: substring search …`);
    const srng = seeded(13);
    const search = (s) => {
      const q = searchQuery(bucketId, s);
      const page = catalog.page(q, SORT, null, LIMIT);
      return { keys: page.rows.map((r) => r.key), total: catalog.count(q) };
    };
    const likePage = db.prepare(
      `SELECT ${COLUMNS} FROM objects o WHERE o.bucket_id = ? AND o.key LIKE ? ESCAPE '\\' ORDER BY o.key LIMIT ${LIMIT}`,
    );
    const likeCount = db.prepare(
      "SELECT count(*) AS n FROM objects o WHERE o.bucket_id = ? AND o.key LIKE ? ESCAPE '\\'",
    );
    const like = (s) => ({
      keys: likePage.all(bucketId, likePattern(s)).map((r) => r.key),
      total: likeCount.get(bucketId, likePattern(s)).n,
    });
    // Diagnostic: the same SQL with the bucket test written `+o.bucket_id`, which keeps SQLite from walking the
    // bucket's key index and makes the trigram match drive the query (rowid lookups of the hits, then a sort).
    const FTS_WHERE =
      '+o.bucket_id = @bucket AND o.id IN (SELECT rowid FROM objects_search WHERE objects_search MATCH @search)' +
      ' AND (@needle IS NULL OR contains_folded(o.key, @needle))';
    const ftsPage = db.prepare(
      `SELECT ${COLUMNS} FROM objects o WHERE ${FTS_WHERE} ORDER BY o.key LIMIT ${LIMIT}`,
    );
    const ftsCount = db.prepare(`SELECT count(*) AS n FROM objects o WHERE ${FTS_WHERE}`);
    const ftsDriven = (s) => {
      const { match, needle } = lib.catalog.searchMatch(s);
      const p = { bucket: bucketId, search: match, needle };
      return { keys: ftsPage.all(p).map((r) => r.key), total: ftsCount.get(p).n };
    };
    const nSearch = searchSamples ?? (rows >= 500_000 ? 150 : 300);
    for (let i = 0; i < 10; i++) search(sampleSubstring(keys, srng));
    const searchMs = [];
    const ftsMs = [];
    const samples = [];
    for (let i = 0; i < nSearch; i++) {
      const s = sampleSubstring(keys, srng);
      // Alternate which goes first, so neither always finds the index pages cached by the other.
      let r, ms, d, dMs;
      if (i % 2) {
        [r, ms] = timed(() => search(s));
        [d, dMs] = timed(() => ftsDriven(s));
      } else {
        [d, dMs] = timed(() => ftsDriven(s));
        [r, ms] = timed(() => search(s));
      }
      if (d.total !== r.total) throw new Error(`search ${s}: ${r.total} hits, FTS-driven SQL ${d.total}`);
      searchMs.push(ms);
      ftsMs.push(dMs);
      samples.push({ s, ms, hits: r.total });
    }
    const hits = samples.map((x) => x.hits);
    const slowest = [...samples].sort((a, b) => b.ms - a.ms).slice(0, 2);
    out.search = {
      ...latencyStats(searchMs),
      hitsP50: median(hits),
      hitsP99: percentile(hits, 99),
      slowest,
      plan: queryPlan(db, catalog, 'objects_search MATCH', {
        bucket: bucketId,
        search: lib.catalog.searchMatch('kama').match,
        needle: lib.catalog.searchMatch('kama').needle,
        limit: LIMIT,
      }),
    };
    out.searchFtsDriven = latencyStats(ftsMs);
    // First 200 hits without the count, on samples of their own.
    const pageOnlyMs = [];
    for (let i = 0; i < (rows >= 500_000 ? 60 : 150); i++) {
      const q = searchQuery(bucketId, sampleSubstring(keys, srng));
      pageOnlyMs.push(timed(() => catalog.page(q, SORT, null, LIMIT))[1]);
    }
    out.searchPageOnly = latencyStats(pageOnlyMs);

    const nLike = likeSamples ?? (rows >= 500_000 ? 24 : 60);
    const likeMs = [];
    const trigramSameMs = [];
    let mismatches = 0;
    like(sampleSubstring(keys, srng));
    for (let i = 0; i < nLike; i++) {
      const s = sampleSubstring(keys, srng);
      let a, likeTook, b, triTook;
      if (i % 2) {
        [a, likeTook] = timed(() => like(s));
        [b, triTook] = timed(() => search(s));
      } else {
        [b, triTook] = timed(() => search(s));
        [a, likeTook] = timed(() => like(s));
      }
      if (a.total !== b.total || a.keys.join('\n') !== b.keys.join('\n')) mismatches++;
      likeMs.push(likeTook);
      trigramSameMs.push(triTook);
    }
    out.like = { ...latencyStats(likeMs), mismatches };
    out.trigramOnLikeSamples = latencyStats(trigramSameMs);

    // Context: a search every row matches (the extension). No target; the worst case of the trigram path.
    const broadMs = [];
    for (const s of ['.zip', 'products', '.zip', 'products', '.zip']) broadMs.push(timed(() => search(s))[1]);
    out.broad = { ...latencyStats(broadMs), hits: rows };

    // (d) one page through the IPC router (sender check, input and output validation), on the same file, with the
    // app's wiring; anchor: LibraryService.page called directly (no router).
    log(`part 1, ${rows.toLocaleString('en')} rows: library:page through the IPC router …`);
    const services = lib.wiring.createMainServices({
      databaseFile: cat.file,
      secrets: new lib.secrets.MemorySecretStore(),
      clock: lib.clock.systemClock,
      facts: {
        name: 'Signet',
        version: '0.0.0',
        versions: { electron: null, chrome: null, node: process.versions.node },
        platform: process.platform,
        dataFolder: dir,
      },
      emit: () => undefined,
    });
    try {
      const router = lib.router.createIpcRouter({
        handlers: lib.handlers.createHandlers(services),
        isTrustedSender: lib.trusted.makeTrustedSenderCheck(APP_URL),
        logger: {
          error: (message, details) => log(`IPC error: ${message} ${JSON.stringify(details ?? '')}`),
        },
      });
      const input = (folder) => ({
        bucketId,
        folder,
        recursive: false,
        access: [],
        search: '',
        leaksOnly: false,
        sort: SORT,
        cursor: null,
        limit: LIMIT,
      });
      const ipc = async (folder) => {
        const r = await router.dispatch('library:page', input(folder), SENDER);
        if (!r.ok) throw new Error(`library:page failed: ${r.error.code}: ${r.error.message}`);
        return r.data;
      };
      for (let i = 0; i < 50; i++) {
        await ipc(randomFolder());
        services.library.page(input(randomFolder()));
      }
      const ipcMs = [];
      const directMs = [];
      const pageRows = [];
      for (let i = 0; i < folderSamples; i++) {
        const folder = randomFolder();
        if (i % 2) directMs.push(timed(() => services.library.page(input(folder)))[1]);
        const start = process.hrtime.bigint();
        const data = await ipc(folder);
        ipcMs.push(msSince(start));
        pageRows.push(data.rows.length);
        if (!(i % 2)) directMs.push(timed(() => services.library.page(input(folder)))[1]);
      }
      out.ipc = { ...latencyStats(ipcMs), rowsP50: median(pageRows) };
      out.direct = latencyStats(directMs);
      // Search as a person types it (issue 19): its own cases and table, on this catalog, through this router.
      const cap = lib.library.SEARCH_COUNT_CAP;
      out.searchCases = await benchSearchCases({
        router,
        sender: SENDER,
        catalog,
        db,
        bucketId,
        keys,
        cap,
        log,
      });
    } finally {
      services.close();
    }
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}
