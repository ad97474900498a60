/**
 * A job run's writes in groups (RunWrites), on a real SQLite file read through a second connection, as
 * another Signet process (or the crash test) reads it: a held state is invisible until its group is written,
 * every group lands within its time, a batch-full group lands at once, and a state written at once (a move's
 * checked copy) never has an older held state land on top of it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JobRepository, type ItemRecord } from '../../src/main/repositories/job-repository';
import { CatalogRepository } from '../../src/main/repositories/catalog-repository';
import { RunWrites } from '../../src/main/services/jobs/run-writes';
import { aclItems, twoProcessesDb } from '../support/test-services';

const AT = '2026-12-01T10:00:00.000Z';

let db: ReturnType<typeof twoProcessesDb>;
let repo: JobRepository;
let other: JobRepository;
let jobId: number;
let catalog: CatalogRepository;
let bucket: number;

beforeEach(() => {
  db = twoProcessesDb('signet-run-writes-', AT);
  const bucketId = db.bucketId;
  bucket = bucketId;
  catalog = new CatalogRepository(db.app);
  catalog.upsertPage(
    bucketId,
    [{ key: 'k0', size: 10, lastModified: AT, etag: 'e', storageClass: null }],
    0,
    new Set(),
  );
  repo = new JobRepository(db.app);
  other = new JobRepository(db.cli);
  jobId = repo.create(
    { kind: 'private', accountId: 'a1', bucketId, title: 'Make 4 files private', options: {}, at: AT },
    aclItems(4, bucketId),
  );
});

afterEach(() => db.close());

const stored = (): Record<string, string> =>
  Object.fromEntries(other.items(jobId, 10).map((i) => [i.key, i.state]));
const pendingItems = (): ItemRecord[] => repo.next(jobId, 0, 10);
const done = (item: ItemRecord): ItemRecord => ({ ...item, state: 'done', bytesDone: item.size });

describe('RunWrites', () => {
  it('holds states until flushed, then writes them all', () => {
    const writes = new RunWrites(repo, catalog, 60_000);
    for (const item of pendingItems().slice(0, 3)) writes.later(done(item));
    expect(writes.pending).toBe(3);
    expect(stored()).toEqual({ k0: 'pending', k1: 'pending', k2: 'pending', k3: 'pending' });
    writes.flush();
    expect(writes.pending).toBe(0);
    expect(stored()).toEqual({ k0: 'done', k1: 'done', k2: 'done', k3: 'pending' });
  });

  it('writes a held state by itself within its wait', async () => {
    const writes = new RunWrites(repo, catalog, 20);
    writes.later(done(pendingItems()[0]!));
    expect(stored()['k0']).toBe('pending');
    await new Promise((r) => setTimeout(r, 80));
    expect(stored()['k0']).toBe('done');
    expect(writes.pending).toBe(0);
  });

  it('writes at once when a batch is full', () => {
    const writes = new RunWrites(repo, catalog, 60_000, 2);
    const [a, b] = pendingItems();
    writes.later(done(a!));
    expect(stored()['k0']).toBe('pending');
    writes.later(done(b!));
    expect(stored()).toMatchObject({ k0: 'done', k1: 'done' });
  });

  it('keeps the state as it was when held, not later changes to the same object', () => {
    const writes = new RunWrites(repo, catalog, 60_000);
    const item = done(pendingItems()[0]!);
    writes.later(item);
    item.state = 'failed';
    writes.flush();
    expect(stored()['k0']).toBe('done');
  });

  it('a state written at once is not overwritten by an older held one', () => {
    const writes = new RunWrites(repo, catalog, 60_000);
    const item = pendingItems()[0]!;
    writes.later({ ...item, attempts: 1 });
    writes.now({ ...item, state: 'copied', attempts: 2 });
    expect(writes.pending).toBe(0);
    writes.flush();
    expect(other.items(jobId, 10).find((i) => i.key === 'k0')).toMatchObject({
      state: 'copied',
      attempts: 2,
    });
  });

  it('records proved access types in the catalog with the item states, in the same flush', () => {
    const writes = new RunWrites(repo, catalog, 60_000);
    const item = pendingItems()[0]!;
    writes.later({ ...done(item), access: 'private' });
    writes.laterAccess({ bucketId: bucket, key: 'k0', access: 'public', grants: null, at: AT });
    writes.laterAccess({ bucketId: bucket, key: 'k0', access: 'private', grants: [], at: AT });
    expect(writes.pending).toBe(2);
    expect(new CatalogRepository(db.cli).getByKey(bucket, 'k0')?.access).not.toBe('private');
    writes.flush();
    expect(new CatalogRepository(db.cli).getByKey(bucket, 'k0')?.access).toBe('private');
    expect(other.items(jobId, 10).find((i) => i.key === 'k0')).toMatchObject({
      state: 'done',
      access: 'private',
    });
  });

  it('adds an uploaded object to the catalog before the access type proved for it', () => {
    const writes = new RunWrites(repo, catalog, 60_000);
    const object = { key: 'new.zip', size: 5, lastModified: AT, etag: 'n', storageClass: null };
    writes.laterObject(bucket, object);
    writes.laterObject(bucket, object);
    writes.laterAccess({ bucketId: bucket, key: 'new.zip', access: 'private', grants: [], at: AT });
    expect(writes.pending).toBe(2);
    expect(new CatalogRepository(db.cli).getByKey(bucket, 'new.zip')).toBeNull();
    writes.flush();
    expect(new CatalogRepository(db.cli).getByKey(bucket, 'new.zip')).toMatchObject({
      size: 5,
      access: 'private',
    });
  });

  it('keeps everything held when a write fails, and the timer does not throw', async () => {
    let busy = true;
    const flaky = {
      updateItem: (i: ItemRecord) => repo.updateItem(i),
      updateItems: (i: readonly ItemRecord[]) => repo.updateItems(i),
      transaction: (fn: () => void) => {
        if (busy) throw Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
        repo.transaction(fn);
      },
    };
    const writes = new RunWrites(flaky, catalog, 10);
    writes.later(done(pendingItems()[0]!));
    await new Promise((r) => setTimeout(r, 60)); // the timer's flush failed, quietly
    expect(writes.pending).toBe(1);
    expect(() => writes.flush()).toThrow('database is locked');
    expect(writes.pending).toBe(1);
    busy = false;
    writes.flush();
    expect(writes.pending).toBe(0);
    expect(stored()['k0']).toBe('done');
  });
});
