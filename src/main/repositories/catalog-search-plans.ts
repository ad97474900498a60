import type { ObjectQuery, Sort } from '@shared/library/schemas';
import {
  FTS_FROM,
  lookupParams,
  passesFilters,
  SHORT_FROM,
  trigrams,
  type Cursor,
  type Lookup,
  type Reading,
  type Where,
} from './catalog-search-sql';
import { choosePlan, type PlanChoice, type PlanKind, type Want } from './search-plan';
import { charCount, fold, type SearchTerms } from './search-terms';
import { quote, type TrigramProbe } from './trigram-probe';

/**
 * How the catalog reads a query: the plan its trigram sample judges cheaper (search-plan.ts), the index lookup of
 * a search (its terms, and the short keys the index cannot hold), and the SQL of each plan, unlimited. The
 * repository runs what this writes; nothing here touches a row.
 */
export class CatalogSearch {
  constructor(
    /** Leaves trigrams found in nearly every key out of a lookup, and samples keys to judge the plans. */
    private readonly probe: TrigramProbe,
    /** The index's terms, so a lookup names those that hold the text (migration 011). */
    private readonly terms: SearchTerms,
  ) {}

  /**
   * The SELECT of a plan, ordered, without its LIMIT, and its parameters; null when nothing can match (no key
   * holds the text's trigrams and no short key holds the text).
   */
  select(
    kind: PlanKind,
    query: ObjectQuery,
    reading: Reading,
    where: Where,
    columns: string,
    order: string,
    resultOrder: string,
    from = 'objects o',
  ): { text: string; params: Record<string, unknown> } | null {
    const cond = where.sql.join(' AND ');
    if (kind === 'walk') {
      return {
        text: `SELECT ${columns} FROM ${from} WHERE ${cond} ORDER BY ${order}`,
        params: where.params,
      };
    }
    const hits = this.hits(query, reading, where, columns);
    if (hits === null) return null;
    return {
      text: `${hits.text} ORDER BY ${hits.arms === 1 ? order : resultOrder}`,
      params: hits.params,
    };
  }

  /**
   * The index plan's SELECT, unordered: the index's hits and the short keys are different rows (a short key has
   * no trigram), read by two arms of a UNION ALL where both can hold hits. Null when neither can.
   */
  hits(
    query: ObjectQuery,
    reading: Reading,
    where: Where,
    columns: string,
  ): { text: string; params: Record<string, unknown>; arms: number } | null {
    const cond = where.sql.join(' AND ');
    const lookup = (reading.lookup ??= this.lookup(query.search));
    const arms: string[] = [];
    if (lookup.match !== null) arms.push(`SELECT ${columns} ${FTS_FROM} AND ${cond}`);
    if (lookup.short.length > 0) arms.push(`SELECT ${columns} ${SHORT_FROM} AND ${cond}`);
    if (arms.length === 0) return null;
    return {
      text: arms.join(' UNION ALL '),
      params: { ...where.params, ...lookupParams(lookup) },
      arms: arms.length,
    };
  }

  /**
   * How to read a query: a walk without search text, else the cheaper plan (or the one forced, read to the end).
   */
  reading(
    query: ObjectQuery,
    sort: Sort | null,
    cursor: Cursor | null,
    want: Want,
    forced?: PlanKind,
  ): Reading {
    const search = query.search.trim();
    // No text: a walk, down the order's index when that reads less than the scope's rows sorted (unless forced).
    if (!search && (!want.sortedWalk || forced))
      return { kind: 'walk', stop: null, lookup: null, sortedBudget: null };
    if (forced) return { kind: forced, stop: null, lookup: null, sortedBudget: null };
    const { kind, stop, lookup, sortedBudget } = this.choose(query, sort, cursor, want);
    return { kind, stop, lookup, sortedBudget };
  }

  /** Judges both plans on the probe's sample (search-plan.ts); with the index lookup, when it was made. */
  choose(
    query: ObjectQuery,
    sort: Sort | null,
    cursor: Cursor | null,
    want: Want,
  ): PlanChoice & { lookup: Lookup | null } {
    const search = query.search.trim();
    const pieces = this.pieces(fold(search));
    const needle = search.toLowerCase();
    const desc = sort?.column === 'name' && sort.direction === 'desc';
    const after =
      cursor && sort?.column === 'name'
        ? desc
          ? (key: string) => key < cursor.key
          : (key: string) => key > cursor.key
        : () => true;
    // A folder's own files without a search; else everything under it (whereOf).
    const inFolder =
      query.recursive || search
        ? (key: string) => key.startsWith(query.folder)
        : (key: string) => key.startsWith(query.folder) && !key.includes('/', query.folder.length);
    let lookup: Lookup | null = null;
    const choice = choosePlan(
      this.probe.sample(),
      {
        inBucket: (row) => row.bucketId === query.bucketId,
        inScope: (row) => row.bucketId === query.bucketId && inFolder(row.key) && after(row.key),
        hit: (row) => row.folded.includes(needle) && passesFilters(row, query),
        candidate: (row) => pieces.every((p) => row.folded.includes(p)),
        descending: desc,
      },
      want,
      () => {
        // Without a text there is nothing to look up: the index plan is never taken.
        if (!search) return Infinity;
        lookup = this.lookup(search, pieces);
        return lookup.terms + lookup.short.length;
      },
    );
    return { ...choice, lookup };
  }

  /** The folded pieces the index looks up: the text itself below three characters, else its chosen trigrams. */
  private pieces(folded: string): string[] {
    return charCount(folded) < 3 ? [folded] : this.probe.select(trigrams(folded));
  }

  /**
   * The index lookup of a search. Each piece of the folded text is looked up as every index term that holds it
   * (search-terms.ts: the keys' own characters, so FTS5's folding and JavaScript's never disagree on a hit), OR'ed:
   * for a text of three characters or more, its chosen trigrams, AND'ed; for one or two, the text itself. Keys
   * shorter than three characters are found by name among the short keys that hold the text.
   */
  lookup(search: string, pieces?: string[]): Lookup {
    const folded = fold(search.trim());
    this.terms.refresh();
    const short = this.terms.shortKeys(folded);
    if (charCount(folded) < 3) {
      const terms = this.terms.containing(folded);
      return { match: terms.length > 0 ? terms.map(quote).join(' OR ') : null, short, terms: terms.length };
    }
    const groups = (pieces ?? this.pieces(folded)).map((p) => this.terms.lookup(p));
    if (groups.some((g) => g.length === 0)) return { match: null, short, terms: 0 };
    const match = groups
      .map((g) => (g.length === 1 ? quote(g[0]!) : `(${g.map(quote).join(' OR ')})`))
      .join(' AND ');
    return { match, short, terms: groups.reduce((n, g) => n + g.length, 0) };
  }
}
