import type { Db } from '../db/database';

export interface ActivityEntry {
  id: number;
  at: string;
  kind: string;
  message: string;
}

/** The append-only activity log shown on the Activity page. */
export class ActivityRepository {
  private readonly insert;
  private readonly recent;

  constructor(db: Db) {
    this.insert = db.prepare<[string, string, string]>(
      'INSERT INTO activity (at, kind, message) VALUES (?, ?, ?)',
    );
    this.recent = db.prepare<[number], ActivityEntry>(
      'SELECT id, at, kind, message FROM activity ORDER BY at DESC, id DESC LIMIT ?',
    );
  }

  append(entry: Omit<ActivityEntry, 'id'>): void {
    this.insert.run(entry.at, entry.kind, entry.message);
  }

  list(limit: number): ActivityEntry[] {
    return this.recent.all(limit);
  }
}
