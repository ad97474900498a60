/**
 * The one sentence the Activity page and the command line show for a job: what happened, in plain words, and
 * what to do when something needs doing (failed items, files still public, links a move broke).
 */
import { describe, expect, it } from 'vitest';
import type { ItemCounts } from '../../src/main/repositories/job-repository';
import { jobSummary } from '../../src/main/services/jobs/job-summary';

const counts = (over: Partial<ItemCounts>): ItemCounts => ({
  total: 0,
  done: 0,
  failed: 0,
  cancelled: 0,
  bytesTotal: 0,
  bytesDone: 0,
  ...over,
});
const none = { interrupted: false, stillPublic: 0, linksBroken: 0 };

describe('jobSummary', () => {
  it('says what a finished job did, with the verb of its kind and thousands grouped', () => {
    expect(jobSummary('upload', 'done', counts({ total: 1, done: 1 }), none)).toBe(
      '1 file uploaded and checked.',
    );
    expect(jobSummary('private', 'done', counts({ total: 1500, done: 1500 }), none)).toBe(
      '1,500 files made private and checked.',
    );
    expect(jobSummary('public', 'done', counts({ total: 2, done: 2 }), none)).toBe(
      '2 files made public and checked.',
    );
  });

  it('tells a move that broke download links to issue new ones', () => {
    expect(jobSummary('private', 'done', counts({ total: 3, done: 3 }), { ...none, linksBroken: 1 })).toBe(
      '3 files made private and checked. 1 download link pointed at the old place and no longer works: issue new ones.',
    );
    expect(jobSummary('private', 'done', counts({ total: 3, done: 3 }), { ...none, linksBroken: 2 })).toMatch(
      /2 download links pointed at the old place and no longer work: issue new ones\.$/,
    );
  });

  it('counts failures, says how many are still public, and what to do', () => {
    expect(
      jobSummary('private', 'failed', counts({ total: 10, done: 7, failed: 3 }), { ...none, stillPublic: 2 }),
    ).toBe(
      '7 of 10 files made private and checked. 3 files failed (2 still public): see the list and retry them.',
    );
    expect(jobSummary('upload', 'failed', counts({ total: 2, done: 1, failed: 1 }), none)).toBe(
      '1 of 2 files uploaded and checked. 1 file failed: see the list and retry them.',
    );
  });

  it('tells a running, paused, cancelled, waiting and interrupted job apart', () => {
    const c = counts({ total: 800, done: 123, cancelled: 677 });
    expect(jobSummary('private', 'running', c, none)).toBe('123 of 800 files made private…');
    expect(jobSummary('private', 'paused', c, none)).toBe(
      'Paused after 123 of 800 files. Resume it to go on.',
    );
    expect(jobSummary('private', 'cancelled', c, none)).toBe(
      'Cancelled: 123 of 800 files made private, 677 left as they were.',
    );
    expect(jobSummary('upload', 'queued', counts({ total: 4 }), none)).toBe('Waiting to start: 4 files.');
    expect(jobSummary('private', 'queued', c, { ...none, interrupted: true })).toBe(
      'Interrupted after 123 of 800 files: it resumes where it stopped.',
    );
  });

  it('names failures in a cancelled job too', () => {
    expect(
      jobSummary('public', 'cancelled', counts({ total: 5, done: 1, failed: 1, cancelled: 3 }), none),
    ).toBe(
      'Cancelled: 1 of 5 files made public, 3 left as they were. 1 file failed: see the list and retry them.',
    );
  });
});
