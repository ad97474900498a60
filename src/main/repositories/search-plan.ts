import type { SampledRow } from './trigram-probe';

/**
 * How a search reads the catalog. Both plans answer the same rows in the same order (every row they read is
 * checked for the whole text with `contains_folded`); they differ in what they read:
 *
 * - `walk`: the bucket's rows in key order (the (bucket_id, key) index), within the folder, each key checked. A
 *   text in many keys fills a page of 200 after a few hundred rows; a rare one reads the whole bucket.
 * - `index`: the rows whose keys hold the text's trigrams (the FTS5 index), each checked. A rare text reads a
 *   handful; a text in every key reads them all, and sorts them all for a page.
 */
export type PlanKind = 'walk' | 'index';

/**
 * Relative costs, as measured on the library bench's catalog of a million keys (bench/lib/library-catalog.mjs):
 * a walked row about 0.4 µs (the next index entry, its key checked); a row found by the index about six times
 * that (its rowid read from the trigram lists, the row looked up, checked, and sorted for a page); and each term
 * the index looks up about 9 µs, found or not (its place is sought in every segment of the index).
 */
const WALK_ROW = 1;
const INDEX_ROW = 6;
const INDEX_TERM = 20;
/**
 * A row reached down another order's index (migration 016): its rows lie all over the table, so each costs a
 * lookup of its own. Measured at a million keys: 1.3 s for every row of a bucket by size, 0.1 s in key order
 * with the sort after.
 */
const SORTED_ROW = 10;

/** What the caller needs: the first `rows` hits (Infinity: every one), and whether each plan can stop there. */
export interface Want {
  rows: number;
  /** The walk's order is the one wanted (a page by name, or a count): it stops at `rows` hits. */
  walkStops: boolean;
  /** No order is wanted (a count): the index's lookup can stop at `rows` hits too. */
  indexStops: boolean;
  /** Another order than by name, with an index of its own: a walk down it stops at `rows` hits. */
  sortedWalk?: boolean;
}

export interface PlanTests {
  /** In the query's bucket: what a walk down another order's index reads. */
  inBucket: (row: SampledRow) => boolean;
  /** In the query's bucket and folder (and after the cursor): what a walk reads. */
  inScope: (row: SampledRow) => boolean;
  /** In scope, and matches the text and the filters. */
  hit: (row: SampledRow) => boolean;
  /** Found by the index lookup (in any bucket: the index is the catalog's). */
  candidate: (row: SampledRow) => boolean;
  /** The walk goes down the keys (a page by name, descending); else up, the sample's order. */
  descending: boolean;
}

export interface PlanChoice {
  kind: PlanKind;
  /** Estimated rows each plan reads, for the bench's notes. */
  walkRows: number;
  indexRows: number;
  /**
   * Where a walk that stops gives up (a sampled key, in the walk's order): it was misjudged, and the index reads
   * the keys from there on. Null when it reads to the end of the folder, or is no walk.
   */
  stop: string | null;
  /**
   * A walk down the order's index (Want.sortedWalk) judged cheaper than the scope's rows sorted: the index entries
   * it reads before it gives up (twice the rows it was judged to need). Null otherwise.
   */
  sortedBudget: number | null;
}

/**
 * Picks the plan that reads less, judged on a sample of the catalog's rows in key order (TrigramProbe), each
 * standing for `idsPerRow` rows, and on the number of terms the index would look up (`terms`, asked only when
 * the index looks cheaper without them: counting them reads every term; a letter found in thousands of different
 * trigrams makes a long lookup). A small catalog (no sample) is walked: it holds under a thousand rows.
 */
export function choosePlan(
  sample: { rows: readonly SampledRow[]; idsPerRow: number },
  tests: PlanTests,
  want: Want,
  terms: () => number = () => 0,
): PlanChoice {
  if (sample.rows.length === 0)
    return { kind: 'walk', walkRows: 0, indexRows: 0, stop: null, sortedBudget: null };
  const perRow = sample.idsPerRow;
  let candidates = 0;
  for (const row of sample.rows) if (tests.candidate(row)) candidates++;
  const scoped = sample.rows.filter(tests.inScope);
  if (tests.descending) scoped.reverse();
  // Where the sampled hits lie in the walk's order.
  const at: number[] = [];
  scoped.forEach((row, i) => {
    if (tests.hit(row)) at.push(i);
  });
  const hits = at.length;
  // Hits as the sample found them, less half of one: one sampled hit in 256 says little (the text may be in a
  // tenth of that share), and a walk that meets fewer hits than it hoped reads on to the end of the folder.
  const seen = hits - 0.5;
  // Hits gather where their keys sort: a text naming a folder is found only there, wherever the walk meets it.
  // Sampled hits bunched together (spread evenly, they would span most of the sample) say so: the walk then reads
  // every row before the first of them first.
  const first = at[0] ?? 0;
  const gathered = hits >= 2 && (at.at(-1) ?? 0) - first < scoped.length / 4;
  // Rows read to find `want.rows` hits: every row in scope when the sample holds none (the text may be in no key
  // at all: then a walk reads the whole folder).
  const scopeRows = scoped.length * perRow;
  const spread = (want.rows * scoped.length) / seen;
  const walkRows =
    want.walkStops && hits > 0 ? Math.min(scopeRows, gathered ? first * perRow + spread : spread) : scopeRows;
  // Another order: a walk down its index reads the bucket's rows in that order until `want.rows` hits, each
  // looked up on its own; hits are taken to lie evenly along the order (a name says little of a size or a date).
  // None sampled: it may read the whole bucket.
  const bucket = want.sortedWalk ? sample.rows.filter(tests.inBucket).length : 0;
  const sortedRows = hits > 0 ? Math.min(bucket * perRow, (want.rows * bucket) / seen) : bucket * perRow;
  const sorted = want.sortedWalk === true && sortedRows * SORTED_ROW < walkRows * WALK_ROW;
  const walkCost = sorted ? sortedRows * SORTED_ROW : walkRows * WALK_ROW;
  // A text no sampled key holds still costs its lookups: counted as half a sampled row's worth of candidates.
  const found = Math.max(candidates, 0.5);
  const candidateRows = found * perRow;
  const indexRows =
    want.indexStops && hits > 0 ? Math.min(candidateRows, (want.rows * found) / seen) : candidateRows;
  const kind =
    walkCost <= indexRows * INDEX_ROW || walkCost <= indexRows * INDEX_ROW + terms() * INDEX_TERM
      ? 'walk'
      : 'index';
  // A walk that stops gives up after twice the rows it was judged to need (and a sampled row more), so a
  // misjudged one costs that much at most before the index takes over.
  const giveUp = Math.ceil((2 * walkRows) / perRow) + 1;
  const stop = kind === 'walk' && want.walkStops ? (scoped[giveUp]?.key ?? null) : null;
  const sortedBudget = kind === 'walk' && sorted ? Math.ceil(2 * sortedRows + perRow) : null;
  return {
    kind,
    walkRows: Math.round(sorted ? sortedRows : walkRows),
    indexRows: Math.round(indexRows),
    stop,
    sortedBudget,
  };
}
