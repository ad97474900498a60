import type { Migration } from './index';

/**
 * Each account gets a fixed verifier store name (the token's `src.store` and its `stores` key in the exported
 * config), and each signing key the time a verifier config holding it was last written.
 *
 * The store name used to be derived from the account's name every time, so renaming an account (and exporting
 * again) left every link already sent pointing at a store the verifier no longer knew. Now it is chosen once,
 * when the account is made, and a rename leaves it alone. Existing accounts get the name their links already
 * carry (verifierStoreName of the current name); when two accounts came out the same (the export refused them
 * until one was renamed), the older account keeps the plain name and the later ones get -2, -3, ….
 *
 * SQLite cannot add a UNIQUE or NOT NULL column to a table that has rows, and rebuilding `accounts` would
 * cascade-delete its buckets (foreign keys are on and cannot be switched off inside the migration's
 * transaction): the column is added as nullable, filled, and made unique by an index. Store names are unique
 * as the verifier's environment variables see them (upper case, `.` and `-` as `_`: SIGNET_STORE_<NAME>_…),
 * so two stores can never share credentials from the environment; that also makes them unique ignoring case.
 *
 * `exported_at` stays NULL for existing keys: Signet cannot know whether a config holding them was written, and
 * "not yet exported" only asks the owner to export once more.
 */
/**
 * The store name links issued before this migration carry: verifierStoreName as it was then, with the suffix
 * rule of uniqueVerifierStore. Copied here, not imported, so a later change to those functions cannot change
 * what this migration wrote (links already sent name these stores).
 */
function storeNameAsIssued(accountName: string, taken: (store: string) => boolean): string {
  const name = accountName
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .trim()
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64);
  const base = name === '' ? 'store' : name;
  let store = base;
  for (let n = 2; taken(store); n++) store = `${base.slice(0, 64 - String(n).length - 1)}-${n}`;
  return store;
}

export const m008VerifierStore: Migration = {
  name: 'verifier-store',
  up(db) {
    db.exec(`
      ALTER TABLE accounts ADD COLUMN verifier_store TEXT
        CHECK (verifier_store IS NULL OR (length(verifier_store) BETWEEN 1 AND 64
               AND verifier_store NOT GLOB '*[^A-Za-z0-9._-]*'));
      CREATE UNIQUE INDEX accounts_verifier_store
        ON accounts (upper(replace(replace(verifier_store, '-', '_'), '.', '_')));
      ALTER TABLE signing_keys ADD COLUMN exported_at TEXT;
    `);
    const taken = db.prepare<[string], { one: number }>(
      `SELECT 1 AS one FROM accounts
       WHERE upper(replace(replace(verifier_store, '-', '_'), '.', '_')) = upper(replace(replace(?, '-', '_'), '.', '_'))`,
    );
    const set = db.prepare<[string, string]>('UPDATE accounts SET verifier_store = ? WHERE id = ?');
    const accounts = db
      .prepare<[], { id: string; name: string }>('SELECT id, name FROM accounts ORDER BY created_at, id')
      .all();
    for (const a of accounts) {
      set.run(
        storeNameAsIssued(a.name, (store) => taken.get(store) !== undefined),
        a.id,
      );
    }
  },
};
