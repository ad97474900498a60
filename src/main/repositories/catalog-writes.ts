import type { Statement } from 'better-sqlite3';
import { lookup as mimeLookup } from 'mime-types';
import type { Db } from '../db/database';
import { isLeak, type AccessType } from '@shared/library/schemas';
import { ancestorFolders, MAX_CHAR, splitKey, type ListedObject, type StoredGrant } from './catalog-records';
import type { SearchTerms } from './search-terms';
import type { TrigramProbe } from './trigram-probe';

export interface UpsertCounts {
  added: number;
  updated: number;
  unchanged: number;
}

/**
 * The catalog's writes (CatalogRepository delegates to them): a sync's listing pages, the objects it no longer
 * saw, access types, verifications and moved keys. Each keeps the search index and its terms in step, and tells
 * the probe when the rows it sampled may have changed. The bucket list's totals follow by triggers, and for new
 * files here (migration 017).
 */
export class CatalogWrites {
  private readonly selectExisting: Statement<
    [number, string],
    { id: number; etag: string; size: number; last_modified: string }
  >;
  private readonly insertObject: Statement;
  private readonly updateObject: Statement;
  private readonly indexNew: Statement<[string]>;
  private readonly countNew: Statement<[number, number, number]>;
  private readonly markSeen: Statement<[number, number]>;
  private readonly insertFolder: Statement<[number, string, string]>;
  private readonly setAccessRow: Statement;
  private readonly setAccessVerifiedRow: Statement;
  private readonly insertVerification: Statement;
  private readonly setVerified: Statement;

  constructor(
    private readonly db: Db,
    private readonly probe: TrigramProbe,
    private readonly terms: SearchTerms,
  ) {
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
    // New files' share of the bucket list's totals, once per page (migration 017 says why there is no trigger):
    // a new file's access type is 'unknown' and no stranger has read it yet.
    this.countNew = db.prepare(
      `INSERT INTO bucket_totals (bucket_id, access, objects, bytes, read_ok) VALUES (?, 'unknown', ?, ?, 0)
       ON CONFLICT (bucket_id, access) DO UPDATE SET objects = objects + excluded.objects,
         bytes = bytes + excluded.bytes`,
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
    const addedKeys: string[] = [];
    let addedBytes = 0;
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
          addedKeys.push(o.key);
          addedBytes += o.size;
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
      if (added.length > 0) {
        this.indexNew.run(JSON.stringify(added));
        this.countNew.run(bucketId, added.length, addedBytes);
        this.terms.record(addedKeys);
      }
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

  /**
   * Records resolved access types, many per transaction (ACL answers arrive by the hundred per second); `verified`,
   * where given, is the HTTP status a stranger's request got, which the access type was proved by (the object's
   * `verified` then says so).
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
}
