import type { Db } from '../db/database';
import type { SigningKeyView } from '@shared/links/schemas';

interface Row {
  kid: string;
  created_at: string;
  retired_at: string | null;
  active: number;
  exported_at: string | null;
}

const toView = (r: Row): SigningKeyView => ({
  kid: r.kid,
  createdAt: r.created_at,
  active: r.active === 1,
  retiredAt: r.retired_at,
  exportedAt: r.exported_at,
});

const COLUMNS = 'kid, created_at, retired_at, active, exported_at';

/** Signing key metadata (kid and dates). The secrets are in the OS keychain only. */
export class SigningKeyRepository {
  constructor(private readonly db: Db) {}

  list(): SigningKeyView[] {
    return this.db
      .prepare<[], Row>(`SELECT ${COLUMNS} FROM signing_keys ORDER BY created_at DESC, kid`)
      .all()
      .map(toView);
  }

  get(kid: string): SigningKeyView | null {
    const row = this.db.prepare<[string], Row>(`SELECT ${COLUMNS} FROM signing_keys WHERE kid = ?`).get(kid);
    return row ? toView(row) : null;
  }

  active(): SigningKeyView | null {
    const row = this.db.prepare<[], Row>(`SELECT ${COLUMNS} FROM signing_keys WHERE active = 1`).get();
    return row ? toView(row) : null;
  }

  /** Adds a key and makes it the only active one. */
  insertActive(kid: string, at: string): void {
    this.db.transaction(() => {
      this.db.prepare('UPDATE signing_keys SET active = 0 WHERE active = 1').run();
      this.db.prepare('INSERT INTO signing_keys (kid, created_at, active) VALUES (?, ?, 1)').run(kid, at);
    })();
  }

  /** Notes that a verifier config holding these keys was written at `at`. */
  markExported(kids: readonly string[], at: string): void {
    const mark = this.db.prepare<[string, string]>('UPDATE signing_keys SET exported_at = ? WHERE kid = ?');
    this.db.transaction(() => {
      for (const kid of kids) mark.run(at, kid);
    })();
  }

  retire(kid: string, at: string): void {
    this.db
      .prepare('UPDATE signing_keys SET retired_at = ?, active = 0 WHERE kid = ? AND retired_at IS NULL')
      .run(at, kid);
  }
}
