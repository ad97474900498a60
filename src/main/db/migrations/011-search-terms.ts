import { termsOf } from '../../repositories/search-terms';
import type { Migration } from './index';

/**
 * The search index's terms, in a table of their own, so that every search, of one character or of 256, can name
 * the index's terms that hold its text.
 *
 * A text of one or two characters has no trigram to look up, yet every key of three characters or more that
 * contains it has a trigram that contains it: looking those up (OR) finds the keys through the index. Which
 * trigrams there are only the index's vocabulary says, and FTS5 reads that (fts5vocab) by walking every term's
 * list of keys: half a second at a million keys, on every such search. So the terms are kept here, written with
 * the keys (CatalogRepository.upsertPage, in the same transaction) and read by id, so another connection (the
 * sync's worker) sees new ones. Keys of one or two characters have no trigram and are kept here whole. Terms are
 * never removed: one whose keys are gone only costs a lookup that finds nothing.
 *
 * The terms are cut from the keys here, as upsertPage cuts them (search-terms.ts says why not from the index's
 * vocabulary, whose terms FTS5 has folded); no data changes.
 */
export const m011SearchTerms: Migration = {
  name: 'search-terms',
  up(db) {
    db.exec(`
      CREATE TABLE objects_search_terms (
        id   INTEGER PRIMARY KEY,
        term TEXT NOT NULL UNIQUE
      ) STRICT;
    `);
    const terms = new Set<string>();
    for (const key of db.prepare<[], string>('SELECT key FROM objects').pluck().iterate()) {
      for (const term of termsOf(key)) terms.add(term);
    }
    const insert = db.prepare<[string]>('INSERT INTO objects_search_terms (term) VALUES (?)');
    for (const term of terms) insert.run(term);
  },
};
