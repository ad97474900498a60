/**
 * The ledger case of the links bench (issue 19): a ledger of N links (default a million) written into a fresh
 * database with the app's own schema, then the Links page's calls timed through the IPC router (`links:list`, as
 * the window asks it: sender check, input and output validation, LinkService, LinkRepository), each many times:
 * p50, p99 and max, with the event-loop delay while the case ran (perf_hooks.monitorEventLoopDelay). Anchor: a
 * plain `SELECT … ORDER BY created_at DESC, jti DESC LIMIT 100` on the same table, in the same run.
 *
 * The ledger looks like a shop's: two years of links, a third of them issued in batches (one timestamp for many
 * rows), a quarter direct URLs, most expired (30-day verifier links, 1–7 day direct ones), a few revoked, replaced
 * or seen shared. It is built with one prepared INSERT in one transaction (the build is not timed).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

import { fmt, fmtMs, latencyStats, printTable, seeded } from './library-report.mjs';

const APP_URL = 'app://signet/index.html';
const SENDER = { url: APP_URL, isMainFrame: true };
/** LINKS_PAGE_SIZE of src/renderer/src/lib/links-queries.ts: what the window asks per page. */
const PAGE = 100;
/** The target for every call from the window, at p99. */
const TARGET_MS = 50;
const DAY = 86_400_000;

const JTI_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const FIRST = [
  'olivia',
  'liam',
  'emma',
  'noah',
  'ava',
  'elijah',
  'sophia',
  'lucas',
  'mia',
  'mateo',
  'zoe',
  'ravi',
];
const LAST = [
  'martin',
  'garcia',
  'smith',
  'muller',
  'rossi',
  'dubois',
  'tanaka',
  'kowalski',
  'silva',
  'nguyen',
];
const DOMAINS = ['example.com', 'mail.example.org', 'shop.example.net', 'post.example.de'];
const NOTES = ['gift', 'resent after refund', 'VIP customer', 'support ticket 4411', 'bundle upgrade'];

/** The ledger's rows, in created order (oldest first), as the INSERT below takes them. */
function* ledgerRows(n, bucketId, accountId, nowMs) {
  const rnd = seeded(19);
  const jti = () => Array.from({ length: 22 }, () => JTI_ALPHABET[rnd.int(64)]).join('');
  const slugs = Array.from(
    { length: 300 },
    (_, i) => `${rnd.pick(['theme', 'plugin', 'font', 'course'])}-${i}`,
  );
  const span = 730 * DAY;
  let batchLeft = 0;
  let at = nowMs - span;
  for (let i = 0; i < n; i++) {
    // A third of the rows come in batches sharing one timestamp (a `links batch` writes them so).
    if (batchLeft > 0) batchLeft--;
    else {
      at = nowMs - span + Math.floor((i / n) * span) + rnd.int(1000);
      if (rnd.next() < 0.02) batchLeft = 10 + rnd.int(40);
    }
    const direct = rnd.next() < 0.25;
    const slug = rnd.pick(slugs);
    const expiresMs = direct
      ? at + (1 + rnd.int(7)) * DAY
      : at + rnd.pick([30, 30, 30, 30, 30, 30, 30, 365, 365, 7]) * DAY;
    const revoked = !direct && rnd.next() < 0.02;
    const replaced = !revoked && rnd.next() < 0.005;
    const shared = !direct && rnd.next() < 0.002;
    const id = jti();
    const email = `${rnd.pick(FIRST)}.${rnd.pick(LAST)}${rnd.int(10000)}@${rnd.pick(DOMAINS)}`;
    yield [
      id,
      direct ? 'direct' : 'verifier',
      bucketId,
      accountId,
      'Bench Shop',
      'shop',
      `products/${slug}/${slug}-v${1 + rnd.int(5)}.${rnd.int(10)}.zip`,
      direct ? null : 'k1',
      slug,
      rnd.next() < 0.1 ? '' : String(100000 + i),
      email,
      rnd.next() < 0.05 ? rnd.pick(NOTES) : '',
      direct ? null : 3,
      '',
      new Date(at).toISOString(),
      new Date(expiresMs).toISOString(),
      direct
        ? `https://s3.example.com/shop/products/${slug}.zip?X-Amz-Signature=${id}`
        : `https://shop.example.com/d?token=${id}.${id}`,
      revoked ? new Date(at + DAY).toISOString() : null,
      replaced ? jti() : null,
      shared ? new Date(at + DAY).toISOString() : null,
      shared ? 5 : null,
    ];
  }
}

/** Writes `n` ledger rows into the services' database, in one transaction. Answers facts the cases search for. */
export function buildLedger(db, n, { bucketId, accountId, nowMs }) {
  const insert = db.prepare(
    `INSERT INTO links (jti, kind, bucket_id, account_id, account_name, bucket, key, kid, product_slug, order_id,
       email, note, max_downloads, filename, created_at, expires_at, url, revoked_at, replaced_by, shared_at,
       last_networks)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const probe = { order: null, email: null, jti: null };
  db.transaction(() => {
    let i = 0;
    for (const row of ledgerRows(n, bucketId, accountId, nowMs)) {
      insert.run(...row);
      // Texts a shop owner looks for: an order id, a customer's address, a link's id, from a row of the past.
      if (i === Math.floor(n / 3)) {
        probe.email = row[10].slice(0, row[10].indexOf('@') + 1);
        probe.jti = row[0].slice(3, 11);
      }
      if (i >= Math.floor(n / 2) && probe.order === null && row[9] !== '') probe.order = row[9];
      i++;
    }
  })();
  return probe;
}

/**
 * Times the Links page's calls through the router, `repeats` times each (fewer when a case is slow: it stops after
 * a few seconds), with an untimed warm-up. Answers the table's rows and whether every case met the target.
 */
export async function benchLedger({ services, lib, n, probe, repeats, log }) {
  const router = lib.router.createIpcRouter({
    handlers: lib.handlers.createHandlers(services),
    isTrustedSender: lib.trusted.makeTrustedSenderCheck(APP_URL),
    logger: { error: (message, details) => log(`IPC error: ${message} ${JSON.stringify(details ?? '')}`) },
  });
  const list = async (input) => {
    const r = await router.dispatch('links:list', input, SENDER);
    if (!r.ok) throw new Error(`links:list failed: ${r.error.code}: ${r.error.message}`);
    return r.data;
  };
  const first = await list({ limit: PAGE });
  const page = (q) => ({
    search: '',
    status: 'all',
    kind: 'all',
    shared: false,
    cursor: null,
    limit: PAGE,
    ...q,
  });
  const cases = [
    ['first page (no search, no filter)', page({})],
    ['next page (scrolled, by cursor)', page({ cursor: first.next })],
    ['"any links?" (limit 1, the empty state)', { limit: 1 }],
    ['search "a" (1 letter)', page({ search: 'a' })],
    ['search "7" (1 digit)', page({ search: '7' })],
    ['search "q" (1 letter)', page({ search: 'q' })],
    ['search "zo" (2 letters)', page({ search: 'zo' })],
    ['search "xk" (2 letters)', page({ search: 'xk' })],
    [`search "${probe.order}" (an order id)`, page({ search: probe.order })],
    [`search "${probe.email}" (an email piece)`, page({ search: probe.email })],
    [`search "${probe.jti}" (a piece of a link id)`, page({ search: probe.jti })],
    ['search "example" (in every row)', page({ search: 'example' })],
    ['search "products" (in every row)', page({ search: 'products' })],
    ['search "no such text" (no row)', page({ search: 'no such text' })],
    ['status active', page({ status: 'active' })],
    ['status expired', page({ status: 'expired' })],
    ['status revoked', page({ status: 'revoked' })],
    ['status replaced', page({ status: 'replaced' })],
    ['kind verifier', page({ kind: 'verifier' })],
    ['kind direct', page({ kind: 'direct' })],
    ['shared only', page({ shared: true })],
    ['kind direct + status active', page({ kind: 'direct', status: 'active' })],
    ['search "gift" + status expired', page({ search: 'gift', status: 'expired' })],
    [`search "${probe.email}" + kind verifier`, page({ search: probe.email, kind: 'verifier' })],
    [
      'search "a" + status revoked + kind verifier',
      page({ search: 'a', status: 'revoked', kind: 'verifier' }),
    ],
  ];

  const yieldTurn = () => new Promise((resolve) => setImmediate(resolve));
  /** Runs `fn` up to `repeats` times (at least 3, at most ~4 s), the event loop free between two runs. */
  const measure = async (fn) => {
    await fn();
    const ms = [];
    let hits = 0;
    const started = performance.now();
    const eld = monitorEventLoopDelay({ resolution: 1 });
    eld.enable();
    while (ms.length < repeats && (ms.length < 3 || performance.now() - started < 4000)) {
      await yieldTurn();
      const t = performance.now();
      hits = await fn();
      ms.push(performance.now() - t);
    }
    await yieldTurn();
    eld.disable();
    return { ...latencyStats(ms), hits, eldP99: eld.percentile(99) / 1e6, eldMax: eld.max / 1e6 };
  };

  const plain = services.db.prepare('SELECT * FROM links ORDER BY created_at DESC, jti DESC LIMIT ?');
  const anchor = await measure(() => plain.all(PAGE).length);
  const results = [];
  for (const [name, input] of cases) {
    log(`ledger of ${fmt(n)}: ${name} …`);
    results.push({ name, ...(await measure(async () => (await list(input)).rows.length)) });
  }
  const rows = [
    ['anchor: plain SELECT … ORDER BY created_at DESC LIMIT 100', anchor],
    ...results.map((r) => [r.name, r]),
  ].map(([name, s], i) => [
    name,
    fmt(s.hits),
    fmt(s.n),
    fmtMs(s.p50),
    fmtMs(s.p99),
    fmtMs(s.max),
    fmtMs(s.eldP99),
    fmtMs(s.eldMax),
    i === 0 ? '' : s.p99 <= TARGET_MS ? 'met' : 'MISSED',
  ]);
  printTable(
    `Links page at ${fmt(n)} links: links:list through the IPC router (pages of ${PAGE}, as the window asks)`,
    ['case', 'rows', 'n', 'p50 ms', 'p99 ms', 'max ms', 'loop p99', 'loop max', `p99 ≤ ${TARGET_MS} ms`],
    rows,
    {
      left: [0, 8],
      notes: [
        'rows: rows on the page; loop p99/max: event-loop delay while the case ran (monitorEventLoopDelay, 1 ms).',
        'The Links page has no count and one order (newest first): no count or sort case to time.',
      ],
    },
  );
  return results.every((r) => r.p99 <= TARGET_MS);
}
