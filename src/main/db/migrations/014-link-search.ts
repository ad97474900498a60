import type { Migration } from './index';

/**
 * The Links page's search at a million links (issue 19): a text in few rows (an order id, a piece of an email or
 * of a link id) read every row of the ledger. `links_search` holds each link's searched fields as one lower-cased
 * text, by trigram (`detail = none`: no positions; every hit is checked against the fields themselves), keyed by
 * the link's rowid and keeping no copy of the text (contentless, rows deletable).
 *
 * No trigger fills it: issuing links (10,000 per batch) would pay ten times over. LinkSearchIndex fills it in
 * small chunks, oldest rowid first, and `links_search_state.up_to` says how far: rows above it are read without the
 * index. Rows that were here before this migration are indexed the same way, in the background.
 */
export const m014LinkSearch: Migration = {
  name: 'link-search',
  up(db) {
    db.exec(`
      CREATE VIRTUAL TABLE links_search USING fts5 (
        text, content = '', contentless_delete = 1, tokenize = 'trigram case_sensitive 0', detail = none
      );
      CREATE TABLE links_search_state (
        id    INTEGER PRIMARY KEY CHECK (id = 1),
        up_to INTEGER NOT NULL CHECK (up_to >= 0)
      ) STRICT;
      INSERT INTO links_search_state (id, up_to) VALUES (1, 0);
    `);
  },
};
