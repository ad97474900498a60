import type { Db } from '../db/database';

/** Raw key → JSON value storage of settings; the service owns defaults and validation. */
export class SettingsRepository {
  private readonly selectAll;
  private readonly upsert;

  constructor(db: Db) {
    this.selectAll = db.prepare<[], { key: string; value: string }>('SELECT key, value FROM settings');
    this.upsert = db.prepare<[string, string, string]>(
      `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    );
    this.saveMany = db.transaction((entries: [string, unknown][], at: string) => {
      for (const [key, value] of entries) this.upsert.run(key, JSON.stringify(value), at);
    });
  }

  /** Every stored setting; a value that is not valid JSON (hand-edited file) is left out, not thrown. */
  readAll(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const row of this.selectAll.all()) {
      try {
        out[row.key] = JSON.parse(row.value);
      } catch {
        // ignored: the default applies and the next save repairs the row
      }
    }
    return out;
  }

  /** Saves several settings in one transaction: all of them or none. */
  readonly saveMany: (entries: [string, unknown][], at: string) => void;
}
