import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openDatabase, type Db } from '../../src/main/db/database';
import { LinkRepository, type LinkRecord } from '../../src/main/repositories/link-repository';
import {
  LINK_KINDS,
  LINK_STATUSES,
  LinksPageInputSchema,
  type LinkStatus,
} from '../../src/shared/links/schemas';
import { seedShopAccount } from '../support/test-services';

/**
 * Issue 19: the Links page's filters read the ledger through indexes of their own (migration 013) instead of
 * walking every link newest first. Whatever plan SQLite takes, the window must get the same rows in the same
 * order, page after page: each search, status, kind and "shared" filter is paged through here by cursor and
 * compared with the exact answer, every row of the ledger checked and sorted here.
 */

/** mulberry32: the same ledger on every run. */
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
  return { next, int, pick: <T>(list: readonly T[]): T => list[int(list.length)]! };
}

const ROWS = 3000;
const NOW = '2027-03-01T12:00:00.000Z';
const DAY = 86_400_000;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

let db: Db;
let repo: LinkRepository;
let records: LinkRecord[] = [];
let makeRecords: (n: number) => LinkRecord[];

beforeAll(() => {
  db = openDatabase(':memory:');
  const bucketId = seedShopAccount(db, NOW);
  repo = new LinkRepository(db);
  const rng = seeded(19);
  const jti = () => Array.from({ length: 22 }, () => ALPHABET[rng.int(64)]).join('');
  const nowMs = Date.parse(NOW);
  let at = nowMs - 400 * DAY;
  makeRecords = (n) => {
    const out: LinkRecord[] = [];
    for (let i = 0; i < n; i++) {
      // Batches share one timestamp: the page order then rests on the jti, and so does the cursor.
      if (rng.next() > 0.3) at += rng.int(4 * 3_600_000);
      const direct = rng.next() < 0.3;
      const slug = rng.pick(['font-a', 'theme-b', 'Plugin-C', 'course-d']);
      out.push({
        jti: jti(),
        kind: direct ? 'direct' : 'verifier',
        bucketId,
        accountId: 'a1',
        accountName: 'Shop',
        bucket: 'media',
        key: `products/${slug}/${slug}-v${rng.int(4)}.zip`,
        kid: direct ? null : 'k1',
        productSlug: slug.toLowerCase(),
        orderId: rng.next() < 0.1 ? '' : `${rng.pick(['', 'ORD-', '#'])}${1000 + rng.int(9000)}`,
        email: `${rng.pick(['ann', 'Bob', 'zoë', 'li_wei', 'o%brien'])}${rng.int(50)}@${rng.pick(['example.com', 'MAIL.test'])}`,
        note: rng.next() < 0.1 ? rng.pick(['gift', 'Refund 50%', 'VIP']) : '',
        maxDownloads: direct ? null : 3,
        filename: '',
        createdAt: new Date(at).toISOString(),
        expiresAt: new Date(at + (direct ? 1 + rng.int(7) : rng.pick([7, 30, 365])) * DAY).toISOString(),
        url: `https://shop.example.com/d?token=${i}`,
      });
    }
    return out;
  };
  records = makeRecords(ROWS);
  repo.insertMany(records);
  for (const r of records) {
    const roll = rng.next();
    if (roll < 0.05 && r.kind === 'verifier') repo.markRevoked(r.jti, NOW);
    else if (roll < 0.08) {
      db.prepare('UPDATE links SET replaced_by = ? WHERE jti = ?').run(jti(), r.jti);
      // A verifier link reissued in its place is revoked too (LinkRepository.insertReplacement).
      if (rng.next() < 0.5) repo.markRevoked(r.jti, NOW);
    }
    if (rng.next() < 0.04) repo.recordUsage(r.jti, { downloads: 2, networks: 4, shared: true }, NOW);
  }
});

afterAll(() => db.close());

interface Row {
  jti: string;
  kind: string;
  key: string;
  product_slug: string;
  order_id: string;
  email: string;
  note: string;
  account_name: string;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
  replaced_by: string | null;
  shared_at: string | null;
}

/** SQLite's lower() without ICU: ASCII letters only. */
const sqliteLower = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

function statusOf(r: Row): LinkStatus {
  if (r.revoked_at !== null) return 'revoked';
  if (r.replaced_by !== null) return 'replaced';
  return r.expires_at < NOW ? 'expired' : 'active';
}

let all: Row[] | undefined;

/** The exact answer: every row read (no index, once), checked and sorted here. */
function expected(q: { search: string; status: string; kind: string; shared: boolean }): string[] {
  const text = q.search.toLowerCase();
  all ??= db.prepare<[], Row>('SELECT * FROM links NOT INDEXED').all();
  return all
    .filter(
      (r) =>
        (text === '' ||
          [r.key, r.product_slug, r.order_id, r.email, r.note, r.jti, r.account_name].some((v) =>
            sqliteLower(v).includes(text),
          )) &&
        (q.status === 'all' || statusOf(r) === q.status) &&
        (q.kind === 'all' || r.kind === q.kind) &&
        (!q.shared || r.shared_at !== null),
    )
    .sort((a, b) =>
      a.created_at !== b.created_at ? (a.created_at < b.created_at ? 1 : -1) : a.jti < b.jti ? 1 : -1,
    )
    .map((r) => r.jti);
}

/** Every page the window would read, by cursor, 37 rows at a time. */
function paged(q: { search: string; status: string; kind: string; shared: boolean }): string[] {
  const jtis: string[] = [];
  let cursor: string | null = null;
  do {
    const page = repo.page(LinksPageInputSchema.parse({ ...q, cursor, limit: 37 }), NOW);
    jtis.push(...page.rows.map((r) => r.jti));
    cursor = page.next;
  } while (cursor !== null);
  return jtis;
}

const SEARCHES = [
  '',
  'a',
  'Z',
  '%',
  '_',
  'ord-1',
  '#2',
  'gift',
  'plugin-c',
  'example.com',
  'zoë',
  'no such text',
];

describe('Links page plans against the exact answer (issue 19)', () => {
  it('uses the new indexes for the revoked and replaced filters', () => {
    const plan = (where: string) =>
      db
        .prepare<[], { detail: string }>(
          `EXPLAIN QUERY PLAN SELECT jti FROM links WHERE ${where} ORDER BY created_at DESC, jti DESC LIMIT 101`,
        )
        .all()
        .map((r) => r.detail)
        .join(' ');
    expect(plan('revoked_at IS NOT NULL')).toContain('links_revoked');
    expect(plan('revoked_at IS NULL AND replaced_by IS NOT NULL')).toContain('links_replaced');
  });

  it('pages every search, status, kind and shared filter as the exact plan orders them', () => {
    let compared = 0;
    for (const search of SEARCHES) {
      for (const status of ['all', ...LINK_STATUSES]) {
        for (const kind of ['all', ...LINK_KINDS]) {
          for (const shared of [false, true]) {
            const q = { search, status, kind, shared };
            const want = expected(q);
            expect(paged(q), JSON.stringify(q)).toEqual(want);
            compared += want.length;
          }
        }
      }
    }
    // The ledger is varied enough that the filters find rows (a comparison of empty pages proves nothing).
    expect(compared).toBeGreaterThan(ROWS);
    for (const status of LINK_STATUSES) {
      expect(expected({ search: '', status, kind: 'all', shared: false }).length).toBeGreaterThan(37);
    }
  });

  /** Texts in few rows (the search index's plan, migration 014) and the common ones, every filter paged. */
  function compareRare(): number {
    const r = (i: number) => records[i % records.length]!;
    const rare = [
      r(100).jti.slice(3, 11),
      r(1500).email.toLowerCase(),
      r(2200).email.slice(0, 5),
      r(2900).orderId || 'ord-4',
      r(700).jti.slice(-4).toUpperCase(),
      // The newest rows: written after the index was filled, or on rowids of deleted links.
      records[records.length - 1]!.jti.slice(2, 9),
      records[records.length - 30]!.email,
      'no such text',
      'zoë1',
      'o%b',
      'gift',
      'example.com',
      // Rare trigrams beside ones in every row; and trigrams each in many rows, the text in fewer.
      r(1200).email.toLowerCase(),
      'font-a-v3.zip',
    ];
    let compared = 0;
    for (const search of rare) {
      for (const status of ['all', 'revoked', 'active']) {
        for (const kind of ['all', 'verifier']) {
          for (const shared of [false, true]) {
            const q = { search, status, kind, shared };
            const want = expected(q);
            expect(paged(q), JSON.stringify(q)).toEqual(want);
            compared += want.length;
          }
        }
      }
    }
    return compared;
  }

  it('pages the same rows through the search index, with rows written after it was filled and deleted', () => {
    const upTo = () => db.prepare('SELECT up_to FROM links_search_state').pluck().get() as number;
    const maxRowid = () => db.prepare('SELECT max(rowid) FROM links').pluck().get() as number;
    // Nothing indexed yet: every row is read as written since the index was filled.
    all = undefined;
    expect(compareRare()).toBeGreaterThan(37);

    expect(repo.fillSearchIndex()).toBe(ROWS);
    expect(upTo()).toBe(maxRowid());
    all = undefined;
    expect(compareRare()).toBeGreaterThan(37);

    // Rows written since: newer ones and ones dated among the old (a backup's), read beside the index.
    const more = makeRecords(400);
    more.forEach((m, i) => {
      if (i % 2 === 1) m.createdAt = records[(i * 7) % ROWS]!.createdAt;
    });
    repo.insertMany(more);
    records = [...records, ...more];
    all = undefined;
    expect(compareRare()).toBeGreaterThan(37);

    // Deleted links leave the index; the top rowids go to the next links written, which the index must not
    // confuse with the deleted ones.
    repo.fillSearchIndex();
    const gone = [...records.slice(-150), ...records.slice(10, 20)];
    repo.removeUnsent(gone.map((g) => g.jti));
    expect(upTo()).toBe(maxRowid());
    const reused = makeRecords(60);
    reused.forEach((m, i) => {
      m.email = gone[i]!.email;
      m.orderId = gone[i]!.orderId;
    });
    repo.insertMany(reused);
    records = [...records.filter((x) => !gone.includes(x)), ...reused];
    all = undefined;
    expect(compareRare()).toBeGreaterThan(37);
    repo.fillSearchIndex();
    all = undefined;
    expect(compareRare()).toBeGreaterThan(37);
    expect(paged({ search: gone[140]!.jti, status: 'all', kind: 'all', shared: false })).toEqual([]);
  });

  it('looks a text up by its rarest trigrams, or by its common ones together, and the newest rows by rowid', () => {
    repo.fillSearchIndex();
    const q = (search: string) => ({ search, status: 'all', kind: 'all', shared: false });
    const rowidOf = (jti: string) =>
      db.prepare('SELECT rowid FROM links WHERE jti = ?').pluck().get(jti) as number;
    const count = (gram: string) =>
      db
        .prepare('SELECT count(*) FROM links_search WHERE links_search MATCH ?')
        .pluck()
        .get(`"${gram}"`) as number;

    // A note whose rare start sits beside "example.com" (in half the rows). Its index row loses the common end:
    // the link is found only when the lookup leaves the common trigrams out (the page's LIKE reads the note).
    const [odd] = makeRecords(1);
    odd!.note = 'qzqzqzqz@example.com';
    repo.insertMany([odd!]);
    repo.fillSearchIndex();
    for (const gram of ['exa', 'ple', 'com']) expect(count(gram)).toBeGreaterThan(ROWS / 3);
    db.prepare('UPDATE links_search SET text = ? WHERE rowid = ?').run('qzqzqzqz@ex', rowidOf(odd!.jti));
    expect(paged(q('QZQZqzqz@example.com'))).toEqual([odd!.jti]);
    repo.removeUnsent([odd!.jti]);
    expect(paged(q('qzqzqzqz@example.com'))).toEqual([]);

    // Every trigram of this text is in more rows than the plan's cap (500 here), the text in fewer: it is read
    // through the index (a link whose index row is gone is not found), by its rarest trigrams together.
    const text = 'font-a-v3.zip';
    for (const gram of ['fon', 't-a', '-a-', 'a-v', '-v3', '3.z']) expect(count(gram)).toBeGreaterThan(500);
    all = undefined;
    const want = expected(q(text));
    expect(want.length).toBeGreaterThan(37);
    expect(want.length).toBeLessThan(500);
    const hidden = rowidOf(want[3]!);
    db.prepare('DELETE FROM links_search WHERE rowid = ?').run(hidden);
    expect(paged(q(text))).toEqual(want.filter((_, i) => i !== 3));
    db.prepare(
      `INSERT INTO links_search (rowid, text) SELECT rowid, lower(key || char(10) || product_slug || char(10)
         || order_id || char(10) || email || char(10) || note || char(10) || jti || char(10) || account_name)
       FROM links WHERE rowid = ?`,
    ).run(hidden);
    expect(paged(q(text))).toEqual(want);

    // The rows written since the index was filled are read by rowid, never by walking the ledger in page order.
    const prepare = vi.spyOn(db, 'prepare');
    paged(q(text));
    const sql = prepare.mock.calls.map(([s]) => s).find((s) => s.includes('UNION ALL'));
    prepare.mockRestore();
    expect(sql).toBeDefined();
    const plan = db
      .prepare<[Record<string, unknown>], { detail: string }>(`EXPLAIN QUERY PLAN ${sql!}`)
      .all({ match: '"x"', search: '%x%', upTo: 0, limit: 38 })
      .map((r) => r.detail);
    expect(plan).toContain('SEARCH links USING INTEGER PRIMARY KEY (rowid>?)');
    expect(plan.join(' ')).not.toContain('links_created');
  });

  it('reads a text in few rows through the index (an index row removed hides its link)', () => {
    repo.fillSearchIndex();
    const target = records[records.length - 5]!;
    const q = { search: target.jti.toLowerCase(), status: 'all', kind: 'all', shared: false };
    expect(paged(q)).toEqual([target.jti]);
    const rowid = db.prepare('SELECT rowid FROM links WHERE jti = ?').pluck().get(target.jti) as number;
    db.prepare('DELETE FROM links_search WHERE rowid = ?').run(rowid);
    expect(paged(q)).toEqual([]);
    db.prepare(
      `INSERT INTO links_search (rowid, text) SELECT rowid, lower(jti) FROM links WHERE rowid = ?`,
    ).run(rowid);
    expect(paged(q)).toEqual([target.jti]);
  });
});
