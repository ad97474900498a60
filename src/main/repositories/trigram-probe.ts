import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/database';

/** Keys read, evenly spread over the catalog, to judge how common a trigram is. */
const SAMPLE = 256;
/** A trigram in at least this share of the sampled keys is left out of a lookup. */
const DENSE = 0.5;
/** Below this many ids every trigram's list is short: the index looks up all of them. */
const SMALL_CATALOG = 1000;

/**
 * Which trigrams of a search the index should look up.
 *
 * FTS5 intersects the trigrams' lists of keys by walking them, so a trigram found in nearly every key (the `zip`
 * of `.zip`, the `pro` of `products/`) costs a walk of the whole index on every search (about 9 ms at a million
 * keys, measured with `npm run bench:library`) and narrows nothing. So each trigram is first looked for in a
 * sample of SAMPLE keys spread evenly over the catalog's ids (the whole catalog, as the index is): one found in
 * DENSE of them or more is left out of the lookup. The sparsest trigram always stays, and every candidate's key is
 * still checked for the whole text (CatalogRepository's `contains_folded`), so leaving a trigram out changes the
 * cost, never the hits. The sample is read again after the catalog changes.
 */
export class TrigramProbe {
  private statements: {
    range: Statement<[], { lo: number | null; hi: number | null }>;
    keyFrom: Statement<[number], string>;
  } | null = null;
  private sample: string[] | null = null;

  constructor(private readonly db: Db) {}

  /** The trigrams to look up, in the order given; never empty when `grams` is not. */
  select(grams: readonly string[]): string[] {
    if (grams.length < 2) return [...grams];
    const sample = (this.sample ??= this.readSample());
    if (sample.length === 0) return [...grams];
    const share = grams.map((g) => {
      const folded = g.toLowerCase();
      let n = 0;
      for (const key of sample) if (key.includes(folded)) n++;
      return n / sample.length;
    });
    const kept = grams.filter((_, i) => (share[i] as number) < DENSE);
    if (kept.length > 0) return kept;
    // Every trigram is common: one lookup walks one list instead of all of them.
    return [grams[share.indexOf(Math.min(...share))] as string];
  }

  /** The catalog changed: how common a trigram is may have too. */
  forget(): void {
    this.sample = null;
  }

  /** Lower-cased keys at evenly spaced ids; none for a small catalog. */
  private readSample(): string[] {
    const { range, keyFrom } = this.prepare();
    const { lo, hi } = range.get() ?? { lo: null, hi: null };
    if (lo === null || hi === null || hi - lo + 1 < SMALL_CATALOG) return [];
    const keys: string[] = [];
    const step = (hi - lo + 1) / SAMPLE;
    for (let i = 0; i < SAMPLE; i++) {
      const key = keyFrom.get(lo + Math.floor(i * step));
      if (key !== undefined) keys.push(key.toLowerCase());
    }
    return keys;
  }

  /** Prepared on first use, when something is searched. */
  private prepare(): NonNullable<TrigramProbe['statements']> {
    this.statements ??= {
      range: this.db.prepare('SELECT min(id) AS lo, max(id) AS hi FROM objects'),
      keyFrom: this.db
        .prepare<[number], string>('SELECT key FROM objects WHERE id >= ? ORDER BY id LIMIT 1')
        .pluck(),
    };
    return this.statements;
  }
}

/** A trigram as an FTS5 string (quotes doubled). */
export function quote(gram: string): string {
  return `"${gram.replaceAll('"', '""')}"`;
}
