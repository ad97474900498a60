import type { Db } from '../db/database';
import type { LinkKind, LinksQuery, LinkStatus, LinkView } from '@shared/links/schemas';
import { LinkSearchIndex, matchOf, trigramsOf } from './link-search-index';

/** One ledger row as written. */
export interface LinkRecord {
  jti: string;
  kind: LinkKind;
  bucketId: number | null;
  accountId: string;
  accountName: string;
  bucket: string;
  key: string;
  kid: string | null;
  productSlug: string;
  orderId: string;
  email: string;
  note: string;
  maxDownloads: number | null;
  filename: string;
  createdAt: string;
  expiresAt: string;
  url: string;
}

interface Row {
  jti: string;
  kind: LinkKind;
  account_id: string;
  account_name: string;
  bucket: string;
  key: string;
  kid: string | null;
  product_slug: string;
  order_id: string;
  email: string;
  note: string;
  max_downloads: number | null;
  filename: string;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
  url: string;
  last_downloads: number | null;
  last_networks: number | null;
  last_shared: number | null;
  shared_at: string | null;
  usage_checked_at: string | null;
  replaces: string | null;
  replaced_by: string | null;
}

const COLUMNS = `jti, kind, account_id, account_name, bucket, key, kid, product_slug, order_id, email, note,
  max_downloads, filename, created_at, expires_at, revoked_at, url, last_downloads, last_networks, last_shared,
  shared_at, usage_checked_at, replaces, replaced_by`;

export type StoredLink = LinkView & { kid: string | null };

/**
 * Rows written since the search index was last filled that a search still reads through it (each checked by
 * LIKE, a few milliseconds for all); more (a backup just restored, a ledger written by hand) and the search walks
 * the ledger newest first, as it did before the index, while the index fills in the background.
 */
const TAIL_MAX = 5000;
/**
 * Trigrams a search looks up, the rarest of its text: with three, a text in one row of a million finds a few
 * candidates (a link id's trigrams are each in a few hundred rows); more add list walks and narrow little.
 */
const RAREST = 3;

/** Revoked first (the verifier refuses it), then replaced (reissued, not revoked: a direct link), then by time. */
function statusOf(r: Row, nowIso: string): LinkStatus {
  if (r.revoked_at !== null) return 'revoked';
  if (r.replaced_by !== null) return 'replaced';
  return r.expires_at < nowIso ? 'expired' : 'active';
}

function toView(r: Row, nowIso: string): StoredLink {
  return {
    jti: r.jti,
    kind: r.kind,
    accountId: r.account_id,
    accountName: r.account_name,
    bucket: r.bucket,
    key: r.key,
    kid: r.kid,
    productSlug: r.product_slug,
    orderId: r.order_id,
    email: r.email,
    note: r.note,
    maxDownloads: r.max_downloads,
    filename: r.filename,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    revokedAt: r.revoked_at,
    status: statusOf(r, nowIso),
    downloads: r.last_downloads,
    networks: r.last_networks,
    shared: r.last_shared === null ? null : r.last_shared === 1,
    sharedAt: r.shared_at,
    usageCheckedAt: r.usage_checked_at,
    replaces: r.replaces,
    replacedBy: r.replaced_by,
    url: r.url,
  };
}

/** `created_at|jti` of the last row of a page, base64url: where the next page starts (newest first). */
function encodeCursor(r: Row): string {
  return Buffer.from(JSON.stringify([r.created_at, r.jti]), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): [string, string] | null {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'string'))
      return v as [string, string];
  } catch {
    // an unreadable cursor starts from the top
  }
  return null;
}

/** The link ledger: every link issued, with its customer fields, expiry, revocation and last usage. No secrets. */
export class LinkRepository {
  private readonly insertStmt;
  private readonly searchIndex: LinkSearchIndex;

  constructor(private readonly db: Db) {
    this.searchIndex = new LinkSearchIndex(db);
    // Positional parameters: binding 17 named ones from an object costs a third of the row's insert time.
    this.insertStmt = db.prepare(
      `INSERT INTO links (jti, kind, bucket_id, account_id, account_name, bucket, key, kid, product_slug, order_id,
         email, note, max_downloads, filename, created_at, expires_at, url)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  insert(link: LinkRecord): void {
    this.run(link);
  }

  /** All in one transaction (a batch of 10,000 is one commit). */
  insertMany(links: readonly LinkRecord[]): void {
    this.db.transaction(() => {
      for (const l of links) this.run(l);
    })();
  }

  /**
   * Removes links that were written but never handed out (a batch that failed after writing some chunks): they
   * are unknown to anyone, so the ledger shows them neither as issued nor as revoked.
   */
  removeUnsent(jtis: readonly string[]): void {
    const remove = this.db
      .prepare<[string], number>('DELETE FROM links WHERE jti = ? RETURNING rowid')
      .pluck();
    this.db.transaction(() => {
      const rowids: number[] = [];
      for (const jti of jtis) {
        const rowid = remove.get(jti);
        if (rowid !== undefined) rowids.push(rowid);
      }
      // In the same transaction: a link written next may take a deleted rowid.
      this.searchIndex.forget(rowids);
    })();
  }

  private run(l: LinkRecord): void {
    this.insertStmt.run(
      l.jti,
      l.kind,
      l.bucketId,
      l.accountId,
      l.accountName,
      l.bucket,
      l.key,
      l.kid,
      l.productSlug,
      l.orderId,
      l.email,
      l.note,
      l.maxDownloads,
      l.filename,
      l.createdAt,
      l.expiresAt,
      l.url,
    );
  }

  get(jti: string, nowIso: string): StoredLink | null {
    const row = this.db.prepare<[string], Row>(`SELECT ${COLUMNS} FROM links WHERE jti = ?`).get(jti);
    return row ? toView(row, nowIso) : null;
  }

  page(q: LinksQuery, nowIso: string): { rows: StoredLink[]; next: string | null } {
    // Whoever reads the Links page keeps its search index filled (a few ms per event-loop turn, in the background).
    this.searchIndex.schedule();
    const where: string[] = [];
    const params: Record<string, unknown> = { now: nowIso, limit: q.limit + 1 };
    const text = q.search.toLowerCase();
    // The same order as statusOf: revoked, replaced, then expired or active. The filters and the cursor come
    // before the search: SQLite checks a row's conditions in the order written, and a date or a kind compared
    // first spares the seven LIKEs of every row the filter drops (the ~40,000 active links a walk passes before
    // the expired ones at 1M links: "gift" + expired took 33 ms with the search first, 15 ms with it last).
    if (q.status === 'revoked') where.push('revoked_at IS NOT NULL');
    if (q.status === 'replaced') where.push('revoked_at IS NULL AND replaced_by IS NOT NULL');
    if (q.status === 'expired')
      where.push('revoked_at IS NULL AND replaced_by IS NULL AND expires_at < @now');
    if (q.status === 'active')
      where.push('revoked_at IS NULL AND replaced_by IS NULL AND expires_at >= @now');
    if (q.shared) where.push('shared_at IS NOT NULL');
    if (q.kind !== 'all') {
      params['kind'] = q.kind;
      where.push('kind = @kind');
    }
    const cursor = q.cursor ? decodeCursor(q.cursor) : null;
    if (cursor) {
      params['cAt'] = cursor[0];
      params['cJti'] = cursor[1];
      where.push('(created_at < @cAt OR (created_at = @cAt AND jti < @cJti))');
    }
    if (q.search !== '') {
      params['search'] = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      // LIKE ignores case for ASCII letters, as lower() folds them (neither folds others without ICU): the same
      // rows as `lower(column) LIKE`, without a lowered copy of seven columns per row.
      where.push(
        `(key LIKE @search ESCAPE '\\' OR product_slug LIKE @search ESCAPE '\\'
          OR order_id LIKE @search ESCAPE '\\' OR email LIKE @search ESCAPE '\\'
          OR note LIKE @search ESCAPE '\\' OR jti LIKE @search ESCAPE '\\'
          OR account_name LIKE @search ESCAPE '\\')`,
      );
    }
    const lookup = this.indexLookup(text);
    let sql: string;
    if (lookup) {
      // The index's candidates (checked by the same conditions) and the rows written since it was filled: two
      // sets of rowids that never overlap, merged in the page's order. The second is read by rowid range (NOT
      // INDEXED: SQLite would rather walk links_created for the merge's order, every row of the ledger, 90 ms
      // at a million links, to find the few written since).
      Object.assign(params, lookup);
      const cond = where.join(' AND ');
      sql = `SELECT ${COLUMNS} FROM links_search s CROSS JOIN links ON links.rowid = s.rowid
             WHERE s.links_search MATCH @match AND ${cond}
           UNION ALL
           SELECT ${COLUMNS} FROM links NOT INDEXED WHERE links.rowid > @upTo AND ${cond}
           ORDER BY created_at DESC, jti DESC LIMIT @limit`;
    } else {
      sql = `SELECT ${COLUMNS} FROM links ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY created_at DESC, jti DESC LIMIT @limit`;
    }
    const rows = this.db.prepare<[Record<string, unknown>], Row>(sql).all(params);
    const more = rows.length > q.limit;
    const page = more ? rows.slice(0, q.limit) : rows;
    return {
      rows: page.map((r) => toView(r, nowIso)),
      next: more ? encodeCursor(page[page.length - 1]!) : null,
    };
  }

  /**
   * Whether a search reads through the index, and with what: only a text of three characters or more (shorter has
   * no trigram), found in few enough rows. A text in many rows fills a page from the newest rows on before long,
   * so walking the ledger newest first and checking each row is faster; the index would hand over every one of
   * its rows to be sorted. The cap grows with the ledger (√(page × ledger) ÷ 4): 2,500 at a million links (a
   * text in 10,000 rows, "gift" in the bench, measured faster by the walk).
   *
   * The lookup takes the text's rarest trigrams only (RAREST, each counted up to the cap, as the library's
   * catalog does in trigram-probe.ts): FTS5 walks every list it is given, and the common ones ("exa", "noa",
   * digits) are hundreds of thousands of rows long while narrowing nothing. Every candidate is still checked
   * by the page's LIKE, so the trigrams left out change the cost, never the rows. The rarest trigram's count
   * decides the plan (no more candidates than that); only when every trigram is common are the rarest ones
   * counted together: a text can be rare though its trigrams are not.
   */
  private indexLookup(text: string): { match: string; upTo: number } | null {
    const grams = trigramsOf(text);
    if (grams.length === 0) return null;
    const upTo = this.searchIndex.upTo();
    if (this.searchIndex.tail(upTo, TAIL_MAX) > TAIL_MAX) return null;
    const cap = Math.max(500, Math.round(Math.sqrt(100 * upTo) / 4));
    const left = grams.map((g) => ({ ...g, n: this.searchIndex.gramCount(g.gram, cap, upTo) }));
    // The rarest first; among equally common ones (every count past the cap is cap + 1), one that does not
    // overlap those taken: apart, they narrow more (the "fon", "t-a", "-v3" of "font-a-v3.zip").
    const rarest: typeof left = [];
    while (rarest.length < RAREST && left.length > 0) {
      const apart = (g: (typeof left)[number]) => (rarest.some((r) => Math.abs(r.at - g.at) < 3) ? 1 : 0);
      let best = 0;
      for (let i = 1; i < left.length; i++) {
        const a = left[i]!;
        const b = left[best]!;
        if (a.n < b.n || (a.n === b.n && apart(a) < apart(b))) best = i;
      }
      rarest.push(...left.splice(best, 1));
    }
    const match = matchOf(rarest.map((r) => r.gram));
    if (rarest[0]!.n <= cap) return { match, upTo };
    if (rarest.length > 1 && this.searchIndex.candidates(match, cap) <= cap) return { match, upTo };
    return null;
  }

  /** Indexes every link not indexed yet for search, at once: a bench or a test; the app fills it in the background. */
  fillSearchIndex(): number {
    return this.searchIndex.fillAll();
  }

  /** Links still working (not revoked, not expired) that point at one object. */
  liveFor(bucketId: number, key: string, nowIso: string): number {
    return (
      this.db
        .prepare<[number, string, string], { n: number }>(
          'SELECT count(*) AS n FROM links WHERE bucket_id = ? AND key = ? AND revoked_at IS NULL AND expires_at > ?',
        )
        .get(bucketId, key, nowIso)?.n ?? 0
    );
  }

  /** The keys of one bucket that links still working point at (each once), for the leak watch. */
  linkedKeys(bucketId: number, nowIso: string): string[] {
    return this.db
      .prepare<[number, string], string>(
        'SELECT DISTINCT key FROM links WHERE bucket_id = ? AND revoked_at IS NULL AND expires_at > ? ORDER BY key',
      )
      .pluck()
      .all(bucketId, nowIso);
  }

  markRevoked(jti: string, at: string): void {
    this.db.prepare('UPDATE links SET revoked_at = ? WHERE jti = ? AND revoked_at IS NULL').run(at, jti);
  }

  /**
   * The verifier's answer for a link (networks and shared null when it does not report them). Answers true when
   * this answer is the first to call the link shared (`shared_at` was not set yet).
   */
  recordUsage(
    jti: string,
    usage: { downloads: number; networks: number | null; shared: boolean | null },
    at: string,
  ): boolean {
    return this.db.transaction(() => {
      this.db
        .prepare(
          'UPDATE links SET last_downloads = ?, last_networks = ?, last_shared = ?, usage_checked_at = ? WHERE jti = ?',
        )
        .run(usage.downloads, usage.networks, usage.shared === null ? null : usage.shared ? 1 : 0, at, jti);
      if (usage.shared !== true) return false;
      return (
        this.db.prepare('UPDATE links SET shared_at = ? WHERE jti = ? AND shared_at IS NULL').run(at, jti)
          .changes === 1
      );
    })();
  }

  /**
   * Claims the desktop notice for a link seen shared: true only for the first caller (two app windows or a
   * restart never tell the owner twice).
   */
  claimSharedNotice(jti: string, at: string): boolean {
    return (
      this.db
        .prepare(
          'UPDATE links SET shared_notified_at = ? WHERE jti = ? AND shared_at IS NOT NULL AND shared_notified_at IS NULL',
        )
        .run(at, jti).changes === 1
    );
  }

  /**
   * Active verifier links not yet seen shared, the longest unchecked first (never checked before all): what
   * the app's background share check asks the verifier about, `limit` at a time.
   */
  dueForShareCheck(nowIso: string, limit: number): string[] {
    return this.db
      .prepare<[string, number], { jti: string }>(
        `SELECT jti FROM links
         WHERE kind = 'verifier' AND revoked_at IS NULL AND replaced_by IS NULL AND expires_at >= ?
           AND shared_at IS NULL
         ORDER BY usage_checked_at IS NOT NULL, usage_checked_at, created_at DESC
         LIMIT ?`,
      )
      .pluck()
      .all(nowIso, limit) as unknown as string[];
  }

  /**
   * A reissue, in one transaction: the new row (which names the old one in `replaces`), and the old row's
   * `replaced_by`, and its revocation when the verifier revoked it. Refused (false, nothing written) when the old
   * link was replaced meanwhile (another window or the command line).
   */
  insertReplacement(link: LinkRecord, oldJti: string, revokedAt: string | null): boolean {
    return this.db.transaction(() => {
      const marked = this.db
        .prepare(
          `UPDATE links SET replaced_by = ?, revoked_at = coalesce(revoked_at, ?)
           WHERE jti = ? AND replaced_by IS NULL`,
        )
        .run(link.jti, revokedAt, oldJti);
      if (marked.changes !== 1) return false;
      this.run(link);
      this.db.prepare('UPDATE links SET replaces = ? WHERE jti = ?').run(oldJti, link.jti);
      return true;
    })();
  }

  /** The key most recently linked under a product slug in an account (batch CSVs name products by slug). */
  keyForSlug(
    accountId: string,
    slug: string,
  ): { bucket: string; bucketId: number | null; key: string } | null {
    const row = this.db
      .prepare<[string, string], { bucket: string; bucket_id: number | null; key: string }>(
        `SELECT bucket, bucket_id, key FROM links WHERE account_id = ? AND product_slug = ?
         ORDER BY created_at DESC LIMIT 1`,
      )
      .get(accountId, slug);
    return row ? { bucket: row.bucket, bucketId: row.bucket_id, key: row.key } : null;
  }
}
