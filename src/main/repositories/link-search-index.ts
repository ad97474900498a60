import type { Db } from '../db/database';

/**
 * One link's searched fields as the index holds them: the columns the Links page's search looks in, lower-cased
 * (as its LIKE compares them), one per line. A hit that spans two lines is only a candidate: every candidate is
 * checked against the columns themselves.
 */
const SEARCH_TEXT = `lower(key || char(10) || product_slug || char(10) || order_id || char(10) || email || char(10)
  || note || char(10) || jti || char(10) || account_name)`;

/** Rows per INSERT of the indexer: about a millisecond each, so a turn of the event loop stays short. */
const CHUNK = 250;
/** The background indexer's share of one event-loop turn. */
const TURN_MS = 8;
/** Trigram counts kept (gramCount) before they are all dropped: a few kilobytes. */
const GRAM_COUNTS_KEPT = 4096;

/** The distinct trigrams of a search text, each with where it first starts (none under three characters). */
export function trigramsOf(text: string): { gram: string; at: number }[] {
  const chars = [...text];
  const grams = new Map<string, number>();
  for (let i = 0; i + 3 <= chars.length; i++) {
    const gram = chars.slice(i, i + 3).join('');
    if (!grams.has(gram)) grams.set(gram, i);
  }
  return [...grams].map(([gram, at]) => ({ gram, at }));
}

/** The FTS5 query that holds every one of `grams` (each quoted, quotes doubled), AND'ed. */
export function matchOf(grams: readonly string[]): string {
  return grams.map((g) => `"${g.replace(/"/g, '""')}"`).join(' AND ');
}

/** Empties the index (in the transaction that deletes every link: a backup restored in place of the ledger). */
export const RESET_LINK_SEARCH_SQL = `INSERT INTO links_search (links_search) VALUES ('delete-all');
  UPDATE links_search_state SET up_to = 0 WHERE id = 1;`;

/**
 * The ledger's trigram index (migration 014), filled after the fact: `up_to` is the highest rowid indexed, every
 * row at or below it is in the index and none above it. Links never change their searched fields after they are
 * written (only dates, usage and reissue marks), so a row indexed once stays right until it is deleted.
 */
export class LinkSearchIndex {
  private readonly fill;
  private readonly setUpTo;
  private readonly readUpTo;
  private readonly count;
  private scheduled = false;
  /** gramCount's answers, with the cap and the index's extent they were counted at. */
  private readonly gramCounts = new Map<string, { n: number; cap: number; upTo: number }>();

  constructor(private readonly db: Db) {
    this.fill = db.prepare<[number, number], { id: number }>(
      `INSERT INTO links_search (rowid, text) SELECT rowid, ${SEARCH_TEXT} FROM links
       WHERE rowid > ? ORDER BY rowid LIMIT ? RETURNING rowid AS id`,
    );
    this.setUpTo = db.prepare<[number]>('UPDATE links_search_state SET up_to = ? WHERE id = 1');
    this.readUpTo = db.prepare<[], number>('SELECT up_to FROM links_search_state WHERE id = 1').pluck();
    this.count = db
      .prepare<[string, number], number>(
        'SELECT count(*) FROM (SELECT 1 FROM links_search WHERE links_search MATCH ? LIMIT ?)',
      )
      .pluck();
  }

  /** The highest rowid indexed (0: none). */
  upTo(): number {
    return this.readUpTo.get() ?? 0;
  }

  /** Rows written since the index was last filled, counted up to `cap` (`cap` + 1: more). */
  tail(upTo: number, cap: number): number {
    return this.db
      .prepare<[number, number], number>('SELECT count(*) FROM (SELECT 1 FROM links WHERE rowid > ? LIMIT ?)')
      .pluck()
      .get(upTo, cap + 1)!;
  }

  /** Candidates of an FTS5 query (matchOf), counted up to `cap` (`cap` + 1: more). */
  candidates(match: string, cap: number): number {
    return this.count.get(match, cap + 1)!;
  }

  /**
   * Rows whose text holds one trigram, counted up to `cap` (`cap` + 1: more): what picks the trigrams a search
   * looks up. Kept until the index has grown or shrunk by a sixteenth (a trigram's share of the rows barely
   * moves meanwhile), so a text typed or paged through again is not counted again.
   */
  gramCount(gram: string, cap: number, upTo: number): number {
    const kept = this.gramCounts.get(gram);
    if (kept && kept.cap === cap && Math.abs(upTo - kept.upTo) * 16 <= kept.upTo) return kept.n;
    const n = this.candidates(matchOf([gram]), cap);
    if (this.gramCounts.size >= GRAM_COUNTS_KEPT) this.gramCounts.clear();
    this.gramCounts.set(gram, { n, cap, upTo });
    return n;
  }

  /** Indexes the next rows (oldest rowid first), in one transaction. Answers how many (0: the index is whole). */
  fillChunk(rows = CHUNK): number {
    return this.db.transaction(() => {
      const ids = this.fill.all(this.upTo(), rows);
      if (ids.length > 0) this.setUpTo.run(Math.max(...ids.map((r) => r.id)));
      return ids.length;
    })();
  }

  /** Indexes every row not indexed yet, at once (a bench or a test; the app lets `schedule` do it). */
  fillAll(): number {
    let n = 0;
    for (let k = this.fillChunk(); k > 0; k = this.fillChunk()) n += k;
    return n;
  }

  /**
   * Fills the index in the background, a few milliseconds per turn of the event loop, until it is whole. Never
   * keeps the process alive (the command line exits when its work is done) and stops when the database closes.
   */
  schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const turn = () => {
      this.scheduled = false;
      if (!this.db.open) return;
      const started = performance.now();
      let more = true;
      while (more && performance.now() - started < TURN_MS) more = this.fillChunk() > 0;
      if (more) this.schedule();
    };
    setImmediate(turn).unref();
  }

  /**
   * After links were deleted (in the deleting transaction): their index rows go, and `up_to` comes down to the
   * highest rowid left, because SQLite hands a deleted top rowid to the next link written.
   */
  forget(rowids: readonly number[]): void {
    const upTo = this.upTo();
    const remove = this.db.prepare<[number]>('DELETE FROM links_search WHERE rowid = ?');
    for (const id of rowids) if (id <= upTo) remove.run(id);
    this.db
      .prepare(
        'UPDATE links_search_state SET up_to = min(up_to, (SELECT coalesce(max(rowid), 0) FROM links)) WHERE id = 1',
      )
      .run();
  }
}
