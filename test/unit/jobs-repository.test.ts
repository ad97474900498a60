/**
 * One process at a time runs a job: the lease in the jobs table. Two JobRepository instances on two connections
 * to one SQLite file stand for two Signet processes (the app and the command line) on one data folder. A live
 * lease keeps the job; an expired lease, or a holder known to be dead, lets another process take it; a process
 * that lost the job can neither renew nor release it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JobRepository, type NewItem } from '../../src/main/repositories/job-repository';
import { aclItems, twoProcessesDb } from '../support/test-services';

const AT = '2026-12-01T10:00:00.000Z';
const NOW = Date.parse(AT);
const LEASE = 20_000;

let db: ReturnType<typeof twoProcessesDb>;
let appRepo: JobRepository;
let cliRepo: JobRepository;
let bucketId: number;

beforeEach(() => {
  db = twoProcessesDb('signet-job-repo-', AT);
  bucketId = db.bucketId;
  appRepo = new JobRepository(db.app);
  cliRepo = new JobRepository(db.cli);
});

afterEach(() => db.close());

const items = (n: number): NewItem[] => aclItems(n, bucketId);

/** A job created already held by `owner` until NOW + LEASE, as JobService.create writes it. */
function heldJob(owner = 'host-a:100'): number {
  return appRepo.create(
    {
      kind: 'private',
      accountId: 'a1',
      bucketId,
      title: 'Make 3 files private',
      options: {},
      at: AT,
      owner,
      lease: NOW + LEASE,
    },
    items(3),
  );
}

describe('job leases across two connections', () => {
  it('creates a job already held by its creator: running, owned, nobody else can claim it', () => {
    const id = heldJob();
    expect(cliRepo.get(id)).toMatchObject({
      state: 'running',
      owner: 'host-a:100',
      leaseUntil: NOW + LEASE,
      wasRunning: true,
      startedAt: AT,
    });
    expect(cliRepo.claim(id, 'host-b:200', NOW + LEASE, NOW + 1000, null, AT)).toBe(false);
    expect(cliRepo.get(id)!.owner).toBe('host-a:100');
  });

  it('lets another process take the job once the lease has run out', () => {
    const id = heldJob();
    expect(cliRepo.claim(id, 'host-b:200', NOW + LEASE, NOW + LEASE - 1, null, AT)).toBe(false);
    expect(cliRepo.claim(id, 'host-b:200', NOW + 2 * LEASE, NOW + LEASE + 1, null, AT)).toBe(true);
    expect(appRepo.get(id)).toMatchObject({ owner: 'host-b:200', leaseUntil: NOW + 2 * LEASE });
  });

  it('lets another process take a live lease at once when its holder is named as dead', () => {
    const id = heldJob();
    // Naming some other process as dead does not help: only the holder's death frees the job.
    expect(cliRepo.claim(id, 'host-b:200', NOW + LEASE, NOW, 'host-a:999', AT)).toBe(false);
    expect(cliRepo.claim(id, 'host-b:200', NOW + LEASE, NOW, 'host-a:100', AT)).toBe(true);
    expect(appRepo.get(id)!.owner).toBe('host-b:200');
  });

  it('a holder that lost the job cannot renew or release it; the new holder can', () => {
    const id = heldJob();
    expect(appRepo.renew(id, 'host-a:100', NOW + 2 * LEASE)).toBe(true);
    expect(cliRepo.claim(id, 'host-b:200', NOW + 3 * LEASE, NOW, 'host-a:100', AT)).toBe(true);
    expect(appRepo.renew(id, 'host-a:100', NOW + 4 * LEASE)).toBe(false);
    appRepo.release(id, 'host-a:100', 'done', AT);
    expect(cliRepo.get(id)).toMatchObject({
      state: 'running',
      owner: 'host-b:200',
      leaseUntil: NOW + 3 * LEASE,
    });

    expect(cliRepo.renew(id, 'host-b:200', NOW + 4 * LEASE)).toBe(true);
    cliRepo.release(id, 'host-b:200', 'done', '2026-12-01T10:05:00.000Z');
    expect(appRepo.get(id)).toMatchObject({
      state: 'done',
      owner: null,
      leaseUntil: null,
      endedAt: '2026-12-01T10:05:00.000Z',
    });
  });

  it('the same process may claim its own job again (a run restarted in one process)', () => {
    const id = heldJob();
    expect(appRepo.claim(id, 'host-a:100', NOW + 2 * LEASE, NOW, null, AT)).toBe(true);
    expect(appRepo.get(id)!.leaseUntil).toBe(NOW + 2 * LEASE);
  });

  it('a released (queued) job is free for anyone; an ended or paused one for no one', () => {
    const id = heldJob();
    appRepo.release(id, 'host-a:100', 'queued', null);
    // Handed back by a process that quits: it was running, so it reads as interrupted, not as never started.
    expect(cliRepo.get(id)).toMatchObject({ state: 'queued', owner: null, wasRunning: true });
    expect(cliRepo.open().map((j) => j.id)).toEqual([id]);
    expect(cliRepo.claim(id, 'host-b:200', NOW + LEASE, NOW, null, AT)).toBe(true);
    expect(appRepo.get(id)).toMatchObject({ state: 'running', owner: 'host-b:200', startedAt: AT });

    for (const state of ['paused', 'done', 'failed', 'cancelled'] as const) {
      const other = heldJob();
      appRepo.release(other, 'host-a:100', state, null);
      expect(cliRepo.get(other)?.wasRunning, state).toBe(false);
      expect(cliRepo.claim(other, 'host-b:200', NOW + LEASE, NOW + 10 * LEASE, null, AT), state).toBe(false);
    }
  });

  it('two processes racing for a free job: exactly one gets it', () => {
    const id = heldJob();
    appRepo.release(id, 'host-a:100', 'queued', null);
    const wins = [
      appRepo.claim(id, 'host-a:100', NOW + LEASE, NOW, null, AT),
      cliRepo.claim(id, 'host-b:200', NOW + LEASE, NOW, null, AT),
    ];
    expect(wins).toEqual([true, false]);
  });
});

describe('items as a killed process leaves them', () => {
  it('next() answers what is still to do (pending, and a move copied but not deleted), in id order', () => {
    const id = heldJob();
    const [a, b, c] = appRepo.items(id, 10);
    appRepo.updateItem({ ...a!, state: 'done' });
    appRepo.updateItem({ ...b!, state: 'copied' });
    expect(cliRepo.next(id, 0, 10).map((i) => [i.key, i.state])).toEqual([
      ['k1', 'copied'],
      ['k2', 'pending'],
    ]);
    expect(cliRepo.next(id, b!.id, 10).map((i) => i.id)).toEqual([c!.id]);
    expect(cliRepo.counts(id)).toMatchObject({ total: 3, done: 1, failed: 0, bytesTotal: 30, bytesDone: 10 });
  });
});

describe('a job written in steps (a selection too big for one transaction)', () => {
  const head = {
    kind: 'private' as const,
    accountId: 'a1',
    title: 'Make 5 files private',
    options: {},
    at: AT,
    owner: 'host-a:100',
    lease: NOW + LEASE,
  };

  it('is listed, run and resumed by nobody until its last item is in, then like any other job', () => {
    const id = appRepo.createUnplanned({ ...head, bucketId });
    appRepo.addItems(id, items(3));
    // Another process looking for jobs to show or resume does not see it, nor a half of its items.
    expect(cliRepo.recent(10).map((j) => j.id)).not.toContain(id);
    expect(cliRepo.open().map((j) => j.id)).not.toContain(id);
    expect(cliRepo.unplanned().map((j) => j.id)).toEqual([id]);
    appRepo.addItems(id, items(2));
    appRepo.markPlanned(id);
    expect(cliRepo.recent(10).map((j) => j.id)).toContain(id);
    expect(cliRepo.open().map((j) => j.id)).toContain(id);
    expect(cliRepo.unplanned()).toEqual([]);
    expect(cliRepo.counts(id).total).toBe(5);
    // Counted up to a limit (whether a run takes the storage worker), and whole below it.
    expect([cliRepo.itemsUpTo(id, 4), cliRepo.itemsUpTo(id, 5), cliRepo.itemsUpTo(id, 9)]).toEqual([4, 5, 5]);
  });

  it('removes a job never written whole with its items, and never a planned one', () => {
    const half = appRepo.createUnplanned({ ...head, bucketId });
    appRepo.addItems(half, items(2));
    const whole = heldJob();
    appRepo.removeUnplanned(half);
    appRepo.removeUnplanned(whole);
    expect(cliRepo.get(half)).toBeNull();
    expect(db.cli.prepare('SELECT count(*) AS n FROM job_items WHERE job_id = ?').get(half)).toEqual({
      n: 0,
    });
    expect(cliRepo.get(whole)).not.toBeNull();
    expect(cliRepo.counts(whole).total).toBe(3);
  });
});
