import type { Statement } from 'better-sqlite3';
import { lookup as mimeLookup } from 'mime-types';
import type { Db } from '../db/database';
import { quote, TrigramProbe } from './trigram-probe';
import {
  ACCESS_TYPES,
  isLeak,
  type AccessType,
  type ObjectQuery,
  type ObjectRow,
  type Sort,
} from '../../shared/library/schemas';

/** One object as a listing reports it. */
export interface ListedObject {
  key: string;
  size: number;
  lastModified: string;
  etag: string;
  storageClass: string | null;
}

export interface StoredGrant {
  grantee: string;
  permission: string;
}

export interface ObjectRecord extends ObjectRow {
  bucketId: number;
  storageClass: string | null;
  accessCheckedAt: string | null;
  grants: StoredGrant[] | null;
}

interface Row {
  id: number;
  bucket_id: number;
  key: string;
  folder: string;
  name: string;
  size: number;
  last_modified: string;
  etag: string;
  storage_class: string | null;
  content_type: string;
  access: AccessType;
  access_checked_at: string | null;
  grants: string | null;
  verified_status: number | null;
  verified_at: string | null;
}

const COLUMNS =
  'o.id, o.bucket_id, o.key, o.folder, o.name, o.size, o.last_modified, o.etag, o.storage_class, o.content_type, ' +
  'o.access, o.access_checked_at, o.grants, o.verified_status, o.verified_at';

/** Above every valid character in SQLite's binary (UTF-8 memcmp) order: `key < prefix || MAX` bounds a prefix range. */
const MAX_CHAR = 'char(1114111)';

const SORT_SQL: Record<Sort['column'], string> = {
  name: 'o.key',
  size: 'o.size',
  lastModified: 'o.last_modified',
  access: 'o.access',
  type: 'o.content_type',
};

/** The distinct three-character pieces of a text (by code point, as the trigram tokenizer splits it). */
export function trigrams(text: string): string[] {
  const chars = [...text];
  const out = new Set<string>();
  for (let i = 0; i + 3 <= chars.length; i++) out.add(chars.slice(i, i + 3).join(''));
  return [...out];
}

/**
 * The index query for a search of three characters or more: its trigrams (AND; all of them unless `select` keeps
 * fewer), and the lower-cased text each candidate key must contain (null when the text is one trigram: the index
 * hit is already exact).
 */
export function searchMatch(
  search: string,
  select: (grams: string[]) => string[] = (grams) => grams,
): { match: string; needle: string | null } {
  const grams = trigrams(search);
  return {
    match: select(grams).map(quote).join(' AND '),
    needle: grams.length > 1 ? search.toLowerCase() : null,
  };
}

/** The key split at its last '/'. */
export function splitKey(key: string): { folder: string; name: string } {
  const cut = key.lastIndexOf('/') + 1;
  return { folder: key.slice(0, cut), name: key.slice(cut) };
}

/** Every folder a key lies in, outermost first: 'a/b/c.zip' → ['a/', 'a/b/']. */
export function ancestorFolders(key: string): string[] {
  const out: string[] = [];
  for (let i = key.indexOf('/'); i !== -1; i = key.indexOf('/', i + 1)) out.push(key.slice(0, i + 1));
  return out;
}

export interface UpsertCounts {
  added: number;
  updated: number;
  unchanged: number;
}

/**
 * The catalog: what Signet last saw in each bucket (objects, folders, access types, verifications). It is a
 * cache of the storage, rebuilt by a sync, and holds nothing secret. Writes come in large transactions (a listing
 * page at a time); reads are by page and keyset cursor, so no query ever walks a whole bucket for the window.
 */
export class CatalogRepository {
  private readonly selectExisting: Statement<
    [number, string],
    { id: number; etag: string; size: number; last_modified: string }
  >;
  private readonly insertObject: Statement;
  private readonly updateObject: Statement;
  private readonly indexNew: Statement<[string]>;
  private readonly markSeen: Statement<[number, number]>;
  private readonly insertFolder: Statement<[number, string, string]>;
  private readonly setAccessRow: Statement;
  private readonly setAccessVerifiedRow: Statement;
  private readonly insertVerification: Statement;
  private readonly setVerified: Statement;
  private readonly selectById: Statement<[number], Row>;
  private readonly selectByKey: Statement<[number, string], Row>;
  private readonly selectHistory: Statement<[number], { status: number; at: string; leak: number }>;

  /** Dynamic queries (filters and sorts vary) are prepared once per distinct SQL text. */
  private readonly prepared = new Map<string, Statement>();
  /** Leaves trigrams found in nearly every key out of a search's index lookup. */
  private readonly probe: TrigramProbe;

  constructor(private readonly db: Db) {
    this.probe = new TrigramProbe(db);
    this.selectExisting = db.prepare(
      'SELECT id, etag, size, last_modified FROM objects WHERE bucket_id = ? AND key = ?',
    );
    this.insertObject = db.prepare(
      `INSERT INTO objects (bucket_id, key, folder, name, size, last_modified, etag, storage_class, content_type, sync_mark)
       VALUES (@bucket_id, @key, @folder, @name, @size, @last_modified, @etag, @storage_class, @content_type, @mark)`,
    );
    // The search index of a page's new rows, in one statement (migration 009 says why there is no trigger).
    this.indexNew = db.prepare(
      'INSERT INTO objects_search (rowid, key) SELECT id, key FROM objects WHERE id IN (SELECT value FROM json_each(?))',
    );
    // New content means a new upload, which carries its own ACL: the old access type no longer holds.
    this.updateObject = db.prepare(
      `UPDATE objects SET size = @size, last_modified = @last_modified, etag = @etag, storage_class = @storage_class,
         sync_mark = @mark, access = 'unknown', access_checked_at = NULL, grants = NULL,
         verified_status = NULL, verified_at = NULL
       WHERE id = @id`,
    );
    this.markSeen = db.prepare('UPDATE objects SET sync_mark = ? WHERE id = ?');
    this.insertFolder = db.prepare(
      'INSERT OR IGNORE INTO folders (bucket_id, path, parent) VALUES (?, ?, ?)',
    );
    this.setAccessRow = db.prepare(
      `UPDATE objects SET access = @access, access_checked_at = @at, grants = @grants
       WHERE bucket_id = @bucket_id AND key = @key`,
    );
    this.setAccessVerifiedRow = db.prepare(
      `UPDATE objects SET access = @access, access_checked_at = @at, grants = @grants,
         verified_status = @status, verified_at = @at
       WHERE bucket_id = @bucket_id AND key = @key`,
    );
    this.insertVerification = db.prepare(
      'INSERT INTO verifications (object_id, status, at, leak) VALUES (@id, @status, @at, @leak)',
    );
    this.setVerified = db.prepare(
      'UPDATE objects SET verified_status = @status, verified_at = @at WHERE id = @id',
    );
    this.selectById = db.prepare(`SELECT ${COLUMNS} FROM objects o WHERE o.id = ?`);
    this.selectByKey = db.prepare(`SELECT ${COLUMNS} FROM objects o WHERE o.bucket_id = ? AND o.key = ?`);
    this.selectHistory = db.prepare(
      'SELECT status, at, leak FROM verifications WHERE object_id = ? ORDER BY at DESC, id DESC LIMIT 50',
    );
  }

  /**
   * Records one listing page, in one transaction. Unchanged objects only get the sync's mark (no index but the
   * primary key is touched); changed ones lose their access type, which the sync then reads again.
   * `knownFolders` lets one sync skip folders it already wrote.
   */
  upsertPage(
    bucketId: number,
    objects: readonly ListedObject[],
    mark: number,
    knownFolders: Set<string>,
  ): UpsertCounts {
    const counts: UpsertCounts = { added: 0, updated: 0, unchanged: 0 };
    const added: number[] = [];
    this.db.transaction(() => {
      for (const o of objects) {
        for (const path of ancestorFolders(o.key)) {
          if (knownFolders.has(path)) continue;
          knownFolders.add(path);
          this.insertFolder.run(bucketId, path, splitKey(path.slice(0, -1)).folder);
        }
        const existing = this.selectExisting.get(bucketId, o.key);
        if (!existing) {
          const { folder, name } = splitKey(o.key);
          const { lastInsertRowid } = this.insertObject.run({
            bucket_id: bucketId,
            key: o.key,
            folder,
            name,
            size: o.size,
            last_modified: o.lastModified,
            etag: o.etag,
            storage_class: o.storageClass,
            content_type: mimeLookup(name) || '',
            mark,
          });
          added.push(Number(lastInsertRowid));
          counts.added++;
        } else if (
          existing.etag !== o.etag ||
          existing.size !== o.size ||
          existing.last_modified !== o.lastModified
        ) {
          this.updateObject.run({
            id: existing.id,
            size: o.size,
            last_modified: o.lastModified,
            etag: o.etag,
            storage_class: o.storageClass,
            mark,
          });
          counts.updated++;
        } else {
          this.markSeen.run(mark, existing.id);
          counts.unchanged++;
        }
      }
      if (added.length > 0) this.indexNew.run(JSON.stringify(added));
    })();
    if (added.length > 0) this.probe.forget();
    return counts;
  }

  /**
   * After a complete listing of `prefix`: drops the objects under it that the listing did not see (deleted in the
   * storage), then the folders left empty. Answers how many objects went.
   */
  removeUnseen(bucketId: number, prefix: string, mark: number): number {
    return this.db.transaction(() => {
      const removed = this.db
        .prepare(
          `DELETE FROM objects WHERE bucket_id = ? AND key >= ? AND key < ? || ${MAX_CHAR} AND sync_mark < ?`,
        )
        .run(bucketId, prefix, prefix, mark).changes;
      this.db
        .prepare(
          `DELETE FROM folders WHERE bucket_id = @b AND path >= @p AND path < @p || ${MAX_CHAR}
             AND NOT EXISTS (SELECT 1 FROM objects o WHERE o.bucket_id = @b
                               AND o.key >= folders.path AND o.key < folders.path || ${MAX_CHAR})`,
        )
        .run({ b: bucketId, p: prefix });
      if (removed > 0) this.probe.forget();
      return removed;
    })();
  }

  /** Stores resolved access types, many per transaction (ACL answers arrive by the hundred per second). */
  /**
   * Records resolved access types; `verified`, where given, is the HTTP status a stranger's request got, which the
   * access type was proved by (the object's `verified` then says so).
   */
  setAccess(
    bucketId: number,
    results: readonly { key: string; access: AccessType; grants: StoredGrant[] | null; verified?: number }[],
    at: string,
  ): void {
    this.db.transaction(() => {
      for (const r of results) {
        const row = {
          bucket_id: bucketId,
          key: r.key,
          access: r.access,
          at,
          grants: r.grants ? JSON.stringify(r.grants) : null,
        };
        if (r.verified === undefined) this.setAccessRow.run(row);
        else this.setAccessVerifiedRow.run({ ...row, status: r.verified });
      }
    })();
  }

  /** Sets one access type for every object under a prefix (bucket-wide rules need no per-object read). */
  setAccessUnder(bucketId: number, prefix: string, access: AccessType, at: string): void {
    this.db
      .prepare(
        `UPDATE objects SET access = ?, access_checked_at = ?, grants = NULL
         WHERE bucket_id = ? AND key >= ? AND key < ? || ${MAX_CHAR}`,
      )
      .run(access, at, bucketId, prefix, prefix);
  }

  /** Records what anonymous GETs got, with the leak flag computed from the access type held at that moment. */
  recordVerifications(
    results: readonly { id: number; access: AccessType; status: number }[],
    at: string,
  ): void {
    this.db.transaction(() => {
      for (const r of results) {
        this.insertVerification.run({
          id: r.id,
          status: r.status,
          at,
          leak: isLeak(r.access, r.status) ? 1 : 0,
        });
        this.setVerified.run({ id: r.id, status: r.status, at });
      }
    })();
  }

  get(id: number): ObjectRecord | null {
    const row = this.selectById.get(id);
    return row ? toRecord(row) : null;
  }

  getByKey(bucketId: number, key: string): ObjectRecord | null {
    const row = this.selectByKey.get(bucketId, key);
    return row ? toRecord(row) : null;
  }

  history(id: number): { status: number; at: string; leak: boolean }[] {
    return this.selectHistory.all(id).map((h) => ({ status: h.status, at: h.at, leak: h.leak === 1 }));
  }

  /** Sub-folders of a folder, by name. */
  folders(bucketId: number, parent: string, limit = 1000): { path: string; name: string }[] {
    return this.db
      .prepare<[number, string, number], { path: string }>(
        'SELECT path FROM folders WHERE bucket_id = ? AND parent = ? ORDER BY path LIMIT ?',
      )
      .all(bucketId, parent, limit)
      .map(({ path }) => ({ path, name: path.slice(parent.length, -1) }));
  }

  /** One page of a query, after `cursor` (the sort value and key of the last row of the previous page). */
  page(
    query: ObjectQuery,
    sort: Sort,
    cursor: { value: string | number; key: string } | null,
    limit: number,
  ): { rows: ObjectRecord[]; last: { value: string | number; key: string } | null } {
    const where = this.where(query);
    const col = SORT_SQL[sort.column];
    const dir = sort.direction === 'asc' ? 'ASC' : 'DESC';
    const cmp = sort.direction === 'asc' ? '>' : '<';
    if (cursor) {
      if (sort.column === 'name') {
        where.sql.push(`o.key ${cmp} @cursor_key`);
      } else {
        where.sql.push(
          `(${col} ${cmp} @cursor_value OR (${col} = @cursor_value AND o.key ${cmp} @cursor_key))`,
        );
        where.params['cursor_value'] = cursor.value;
      }
      where.params['cursor_key'] = cursor.key;
    }
    const order = sort.column === 'name' ? `o.key ${dir}` : `${col} ${dir}, o.key ${dir}`;
    const rows = this.cached<Record<string, unknown>, Row>(
      `SELECT ${COLUMNS} FROM objects o WHERE ${where.sql.join(' AND ')} ORDER BY ${order} LIMIT @limit`,
    )
      .all({ ...where.params, limit })
      .map(toRecord);
    const tail = rows.at(-1);
    return {
      rows,
      last: tail && rows.length === limit ? { value: sortValue(tail, sort), key: tail.key } : null,
    };
  }

  count(query: ObjectQuery): number {
    const where = this.where(query);
    return (
      this.cached<Record<string, unknown>, { n: number }>(
        `SELECT count(*) AS n FROM objects o WHERE ${where.sql.join(' AND ')}`,
      ).get(where.params)?.n ?? 0
    );
  }

  /** Every object a query matches, in key order, lazily (for `signet ls` and selections). */
  *iterate(query: ObjectQuery): IterableIterator<ObjectRecord> {
    const where = this.where(query);
    const stmt = this.db.prepare<Record<string, unknown>, Row>(
      `SELECT ${COLUMNS} FROM objects o WHERE ${where.sql.join(' AND ')} ORDER BY o.key`,
    );
    for (const row of stmt.iterate(where.params)) yield toRecord(row);
  }

  /** Drops one object (a move emptied its place); its folders go when nothing is left under them. */
  removeKey(bucketId: number, key: string): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM objects WHERE bucket_id = ? AND key = ?').run(bucketId, key);
      for (const path of ancestorFolders(key).reverse()) {
        this.db
          .prepare(
            `DELETE FROM folders WHERE bucket_id = @b AND path = @p AND NOT EXISTS (SELECT 1 FROM objects o
               WHERE o.bucket_id = @b AND o.key >= @p AND o.key < @p || ${MAX_CHAR})`,
          )
          .run({ b: bucketId, p: path });
      }
    })();
  }

  /** Objects by id within one bucket (ids of other buckets are ignored). */
  byIds(bucketId: number, ids: readonly number[]): ObjectRecord[] {
    const out: ObjectRecord[] = [];
    for (const id of ids) {
      const row = this.selectById.get(id);
      if (row && row.bucket_id === bucketId) out.push(toRecord(row));
    }
    return out;
  }

  /** Objects per access type under a prefix. */
  accessCounts(bucketId: number, prefix: string): [AccessType, number][] {
    return this.cached<[number, string, string], { access: AccessType; n: number }>(
      `SELECT access, count(*) AS n FROM objects WHERE bucket_id = ? AND key >= ? AND key < ? || ${MAX_CHAR} GROUP BY access`,
    )
      .all(bucketId, prefix, prefix)
      .map((r) => [r.access, r.n]);
  }

  /** Per bucket: objects, bytes, objects per access type, and leaks. */
  summary(bucketId: number): {
    objects: number;
    bytes: number;
    access: Record<AccessType, number>;
    leaks: number;
  } {
    const access = Object.fromEntries(ACCESS_TYPES.map((a) => [a, 0])) as Record<AccessType, number>;
    let objects = 0;
    let bytes = 0;
    for (const r of this.db
      .prepare<[number], { access: AccessType; n: number; bytes: number }>(
        'SELECT access, count(*) AS n, total(size) AS bytes FROM objects WHERE bucket_id = ? GROUP BY access',
      )
      .all(bucketId)) {
      access[r.access] = r.n;
      objects += r.n;
      bytes += r.bytes;
    }
    const leaks =
      this.db
        .prepare<[number], { n: number }>(
          `SELECT count(*) AS n FROM objects WHERE bucket_id = ? AND verified_status = 200
             AND access IN ('private', 'authenticated')`,
        )
        .get(bucketId)?.n ?? 0;
    return { objects, bytes, access, leaks };
  }

  private cached<P extends unknown[] | object, R>(sql: string): Statement<P, R> {
    let stmt = this.prepared.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.prepared.set(sql, stmt);
    }
    return stmt as unknown as Statement<P, R>;
  }

  private where(query: ObjectQuery): { sql: string[]; params: Record<string, unknown> } {
    const search = query.search.trim();
    const indexed = [...search].length >= 3;
    // With a trigram search the hits must drive the query: a unary `+` keeps SQLite from walking the bucket's
    // (bucket_id, key) index instead and testing every row against the hit list, which costs the bucket's size
    // (measured: 157 ms vs 11 ms p99 at a million rows).
    const col = (name: string) => (indexed ? `+o.${name}` : `o.${name}`);
    const sql = [`${col('bucket_id')} = @bucket`];
    const params: Record<string, unknown> = { bucket: query.bucketId };
    if (query.recursive || search) {
      if (query.folder) {
        sql.push(`${col('key')} >= @prefix AND ${col('key')} < @prefix || ${MAX_CHAR}`);
        params['prefix'] = query.folder;
      }
    } else {
      sql.push('o.folder = @folder');
      params['folder'] = query.folder;
    }
    if (search) {
      // Three characters or more: the trigram index finds the rows. Shorter text has no trigram to look up, so it
      // is a scan, bounded in practice by the page limit (short, common text matches early).
      if (indexed) {
        // The index holds trigrams without positions: every trigram of the text must be there (AND), then the
        // candidates' keys are checked for the text itself, case folded in every script.
        const { match, needle } = searchMatch(search, (grams) => this.probe.select(grams));
        sql.push('o.id IN (SELECT rowid FROM objects_search WHERE objects_search MATCH @search)');
        params['search'] = match;
        if (needle !== null) {
          sql.push('contains_folded(o.key, @needle)');
          params['needle'] = needle;
        }
      } else {
        sql.push('instr(lower(o.key), lower(@search)) > 0');
        params['search'] = search;
      }
    }
    if (query.access.length) {
      const names = query.access.map((a, i) => {
        params[`access${i}`] = a;
        return `@access${i}`;
      });
      sql.push(`o.access IN (${names.join(', ')})`);
    }
    if (query.leaksOnly) sql.push("o.verified_status = 200 AND o.access IN ('private', 'authenticated')");
    return { sql, params };
  }
}

function sortValue(r: ObjectRecord, sort: Sort): string | number {
  switch (sort.column) {
    case 'name':
      return r.key;
    case 'size':
      return r.size;
    case 'lastModified':
      return r.lastModified;
    case 'access':
      return r.access;
    case 'type':
      return r.contentType ?? '';
  }
}

function toRecord(row: Row): ObjectRecord {
  const verified =
    row.verified_status === null || row.verified_at === null
      ? null
      : { status: row.verified_status, at: row.verified_at };
  return {
    id: row.id,
    bucketId: row.bucket_id,
    key: row.key,
    folder: row.folder,
    name: row.name,
    size: row.size,
    lastModified: row.last_modified,
    etag: row.etag,
    contentType: row.content_type || null,
    access: row.access,
    verified,
    leak: isLeak(row.access, row.verified_status),
    storageClass: row.storage_class,
    accessCheckedAt: row.access_checked_at,
    grants: row.grants ? (JSON.parse(row.grants) as StoredGrant[]) : null,
  };
}
