import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/database';
import type { AccessType } from '@shared/library/schemas';
import { fold } from './search-terms';

/** Keys read, evenly spread over the catalog, to judge how common a trigram is. */
const SAMPLE = 256;
/** A trigram in at least this share of the sampled keys is left out of a lookup. */
const DENSE = 0.5;
/** Below this many ids every trigram's list is short: the index looks up all of them. */
const SMALL_CATALOG = 1000;

/** One sampled catalog row: what a search's scope, filters and text are judged on. */
export interface SampledRow {
  bucketId: number;
  key: string;
  /** The key folded as a search folds it (search-terms.ts `fold`). */
  folded: string;
  access: AccessType;
  verifiedStatus: number | null;
}

/**
 * A sample of the catalog: which trigrams of a search the index should look up, and (CatalogRepository's search
 * plans) how many rows a search would read one way or the other.
 *
 * FTS5 intersects the trigrams' lists of keys by walking them, so a trigram found in nearly every key (the `zip`
 * of `.zip`, the `pro` of `products/`) costs a walk of the whole index on every search (about 9 ms at a million
 * keys, measured with `npm run bench:library`) and narrows nothing. So each trigram is first looked for in a
 * sample of SAMPLE keys spread evenly over the catalog's ids (the whole catalog, as the index is): one found in
 * DENSE of them or more is left out of the lookup. The sparsest trigram always stays, and every candidate's key is
 * still checked for the whole text (CatalogRepository's `contains_folded`), so leaving a trigram out changes the
 * cost, never the hits.
 *
 * The sample is read again when this connection changed the catalog (`forget`), and when the catalog's ids moved
 * (another connection, a sync's worker, added or removed keys at either end): a sample kept from an emptier
 * catalog would send every search the wrong way.
 */
export class TrigramProbe {
  private statements: {
    range: Statement<[], { lo: number | null; hi: number | null }>;
    rowFrom: Statement<
      [number],
      { bucket_id: number; key: string; access: AccessType; verified_status: number | null }
    >;
  } | null = null;
  private sampled: { rows: SampledRow[]; lo: number | null; hi: number | null } | null = null;

  constructor(private readonly db: Db) {}

  /** The trigrams to look up, in the order given; never empty when `grams` is not. */
  select(grams: readonly string[]): string[] {
    if (grams.length < 2) return [...grams];
    const { rows } = this.sample();
    if (rows.length === 0) return [...grams];
    const share = grams.map((g) => {
      const folded = fold(g);
      let n = 0;
      for (const row of rows) if (row.folded.includes(folded)) n++;
      return n / rows.length;
    });
    const kept = grams.filter((_, i) => (share[i] as number) < DENSE);
    if (kept.length > 0) return kept;
    // Every trigram is common: one lookup walks one list instead of all of them.
    return [grams[share.indexOf(Math.min(...share))] as string];
  }

  /**
   * The sampled rows in key order, and how many ids each stands for (the catalog's id range over the sample's
   * size); no rows for a small catalog, where every plan reads little.
   */
  sample(): { rows: readonly SampledRow[]; idsPerRow: number } {
    const { range } = this.prepare();
    const { lo, hi } = range.get() ?? { lo: null, hi: null };
    if (!this.sampled || this.sampled.lo !== lo || this.sampled.hi !== hi) {
      this.sampled = { rows: this.readSample(lo, hi), lo, hi };
    }
    const { rows } = this.sampled;
    return { rows, idsPerRow: rows.length && lo !== null && hi !== null ? (hi - lo + 1) / rows.length : 0 };
  }

  /** The catalog changed: how common a trigram is may have too. */
  forget(): void {
    this.sampled = null;
  }

  /** Rows at evenly spaced ids; none for a small catalog. */
  private readSample(lo: number | null, hi: number | null): SampledRow[] {
    if (lo === null || hi === null || hi - lo + 1 < SMALL_CATALOG) return [];
    const { rowFrom } = this.prepare();
    const rows: SampledRow[] = [];
    const step = (hi - lo + 1) / SAMPLE;
    for (let i = 0; i < SAMPLE; i++) {
      const row = rowFrom.get(lo + Math.floor(i * step));
      if (row === undefined) continue;
      rows.push({
        bucketId: row.bucket_id,
        key: row.key,
        folded: fold(row.key),
        access: row.access,
        verifiedStatus: row.verified_status,
      });
    }
    // In key order once, so a search plan reads them in a walk's order without sorting them each time.
    return rows.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /** Prepared on first use, when something is searched. */
  private prepare(): NonNullable<TrigramProbe['statements']> {
    this.statements ??= {
      // Two subqueries: SQLite answers a lone min() or max() from the end of the index, but both in one
      // SELECT with a scan of every row (240 ms at a million), and this runs on every search.
      range: this.db.prepare(
        'SELECT (SELECT min(id) FROM objects) AS lo, (SELECT max(id) FROM objects) AS hi',
      ),
      rowFrom: this.db.prepare(
        'SELECT bucket_id, key, access, verified_status FROM objects WHERE id >= ? ORDER BY id LIMIT 1',
      ),
    };
    return this.statements;
  }
}

/** A trigram as an FTS5 string (quotes doubled). */
export function quote(gram: string): string {
  return `"${gram.replaceAll('"', '""')}"`;
}
