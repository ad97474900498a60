/** The catalog's record types, the objects table's row as read and its mapping, and the key helpers. */
import { isLeak, type AccessType, type ObjectRow } from '@shared/library/schemas';

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

/** An objects row as SQLite answers it (the columns of OBJECT_COLUMNS). */
export interface ObjectTableRow {
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

/** The columns of ObjectTableRow, on the table aliased `o`. */
export const OBJECT_COLUMNS =
  'o.id, o.bucket_id, o.key, o.folder, o.name, o.size, o.last_modified, o.etag, o.storage_class, o.content_type, ' +
  'o.access, o.access_checked_at, o.grants, o.verified_status, o.verified_at';

/** Above every valid character in SQLite's binary (UTF-8 memcmp) order: `key < prefix || MAX` bounds a prefix range. */
export const MAX_CHAR = 'char(1114111)';

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

/** A row as the catalog's callers see it: folded verification, leak flag, parsed grants. */
export function toRecord(row: ObjectTableRow): ObjectRecord {
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
