import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/database';

/**
 * A text as the search compares it: lower-cased as `contains_folded` lower-cases keys, with final sigma as sigma
 * (JavaScript lower-cases Σ to ς at the end of a word, so a piece of a key cut out alone could differ from the
 * same piece inside the key).
 */
export function fold(text: string): string {
  return text.toLowerCase().replaceAll('ς', 'σ');
}

/** Printable ASCII only: lower-casing it lower-cases its letters and nothing else. */
const PRINTABLE_ASCII = /^[ -~]*$/;
const SURROGATE = /[\uD800-\uDFFF]/;

/** Characters (code points) in a text. */
export const charCount = (text: string): number => (SURROGATE.test(text) ? [...text].length : text.length);

/**
 * The terms a key adds to objects_search_terms: each of its trigrams as the index's tokenizer cuts them (by code
 * point), or the whole key, exactly, when it is shorter than three characters (the index holds nothing for it).
 *
 * ASCII letters are lower-cased (FTS5 folds them the same way, and a shop's `IMG_` and `img_` then share their
 * terms); every other character stays as it is in the key: SQLite's FTS5 and JavaScript do not fold the same
 * letters (FTS5 keeps `İ` and the Cherokee capitals, and folds `µ` and `ſ`, which JavaScript keeps), so only the
 * key's own characters, folded by FTS5 itself when the term is looked up, are sure to meet the index's term.
 */
export function termsOf(key: string): string[] {
  // A short key is looked up by name: kept exactly.
  if (charCount(key) < 3) return [key];
  const text = PRINTABLE_ASCII.test(key) ? key.toLowerCase() : key.replace(/[A-Z]+/g, (s) => s.toLowerCase());
  if (!SURROGATE.test(text)) {
    const out: string[] = [];
    for (let i = 0; i + 3 <= text.length; i++) out.push(text.slice(i, i + 3));
    return out;
  }
  const chars = [...text];
  const out: string[] = [];
  for (let i = 0; i + 3 <= chars.length; i++) out.push(chars[i]! + chars[i + 1]! + chars[i + 2]!);
  return out;
}

/**
 * Every term of every key ever written to the catalog (objects_search_terms, migration 011), held in memory, so a
 * search can name the index's terms that hold its text: `lookup` for a piece of three characters, `containing`
 * for a text of one or two. Terms are read by id, only those added since the last read, so the terms a sync's
 * worker wrote through its own connection are seen here too. The writer (`record`) adds those it does not know.
 */
export class SearchTerms {
  private statements: {
    since: Statement<[number], { id: number; term: string }>;
    insert: Statement<[string]>;
  } | null = null;
  /** Terms read so far, in id order; `seen` is the highest id read. */
  private readonly terms: string[] = [];
  private readonly known = new Set<string>();
  private seen = 0;
  /** Lookup tables over `terms[0, indexed)`, built on first lookup (a sync's writer never needs them). */
  private indexed = 0;
  /** Trigrams by their folded form when it is three characters, as nearly every one is. */
  private readonly byFold = new Map<string, string[]>();
  /** Trigrams whose folded form is longer (`İ` folds to two characters), and their folded forms. */
  private readonly odd: { term: string; folded: string }[] = [];
  /** Keys shorter than three characters, and their folded forms. */
  private readonly short: { term: string; folded: string }[] = [];
  private last: { text: string; seen: number; terms: string[] } | null = null;

  constructor(private readonly db: Db) {}

  /** Writes the terms of new keys that are not known yet; in the caller's transaction, with the keys. */
  record(keys: readonly string[]): void {
    this.refresh();
    const { insert } = this.prepare();
    const fresh = new Set<string>();
    for (const key of keys) {
      for (const term of termsOf(key)) if (!this.known.has(term)) fresh.add(term);
    }
    // Learnt from the table on the next read, not here: should the transaction roll back, they were never written.
    for (const term of fresh) insert.run(term);
  }

  /**
   * The index's terms (trigrams) whose folded form contains `piece`, a folded text of three characters. Like
   * `containing` and `shortKeys`, it answers from the terms read so far: `refresh` first.
   */
  lookup(piece: string): string[] {
    this.index();
    const out = [...(this.byFold.get(piece) ?? [])];
    for (const o of this.odd) if (o.folded.includes(piece)) out.push(o.term);
    return out;
  }

  /** The index's terms (trigrams) whose folded form contains `text`, a folded text of one or two characters. */
  containing(text: string): string[] {
    this.index();
    if (this.last?.text === text && this.last.seen === this.seen) return this.last.terms;
    const out: string[] = [];
    for (const [folded, terms] of this.byFold) if (folded.includes(text)) out.push(...terms);
    for (const o of this.odd) if (o.folded.includes(text)) out.push(o.term);
    this.last = { text, seen: this.seen, terms: out };
    return out;
  }

  /** Keys shorter than three characters whose folded form contains `text` (folded): the index cannot find them. */
  shortKeys(text: string): string[] {
    this.index();
    return this.short.filter((s) => s.folded.includes(text)).map((s) => s.term);
  }

  /** Reads the terms added since the last read (by this connection or another). */
  refresh(): void {
    for (const { id, term } of this.prepare().since.iterate(this.seen)) {
      this.seen = id;
      if (this.known.has(term)) continue;
      this.known.add(term);
      this.terms.push(term);
    }
  }

  private index(): void {
    for (; this.indexed < this.terms.length; this.indexed++) {
      const term = this.terms[this.indexed]!;
      const folded = fold(term);
      if (charCount(term) < 3) this.short.push({ term, folded });
      else if (charCount(folded) !== 3) this.odd.push({ term, folded });
      else {
        const list = this.byFold.get(folded);
        if (list) list.push(term);
        else this.byFold.set(folded, [term]);
      }
    }
  }

  /** Prepared on first use. */
  private prepare(): NonNullable<SearchTerms['statements']> {
    this.statements ??= {
      since: this.db.prepare('SELECT id, term FROM objects_search_terms WHERE id > ? ORDER BY id'),
      insert: this.db.prepare('INSERT OR IGNORE INTO objects_search_terms (term) VALUES (?)'),
    };
    return this.statements;
  }
}
