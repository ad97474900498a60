/**
 * Task ids (src/shared/tasks/task-ids.ts): main runs a sync under this id and the window follows and cancels
 * it by the same one. The format is what the contract documents (taskId sync:ACCOUNT:BUCKET).
 */
import { describe, expect, it } from 'vitest';
import { jobTaskId, syncTaskId, verifyTaskId, VERIFY_TASK_PREFIX } from '../../src/shared/tasks/task-ids';

describe('syncTaskId', () => {
  it('names the account and the bucket, as the contract documents', () => {
    expect(syncTaskId('acc-1', 'shop-files')).toBe('sync:acc-1:shop-files');
  });

  it('tells two buckets, and one bucket name in two accounts, apart', () => {
    expect(syncTaskId('acc-1', 'a')).not.toBe(syncTaskId('acc-1', 'b'));
    expect(syncTaskId('acc-1', 'a')).not.toBe(syncTaskId('acc-2', 'a'));
  });
});

describe('verifyTaskId and jobTaskId', () => {
  it('names a bucket’s access check under the prefix the window follows, and a job by its number', () => {
    expect(verifyTaskId(7)).toBe('verify:7');
    expect(verifyTaskId(7).startsWith(VERIFY_TASK_PREFIX)).toBe(true);
    expect(syncTaskId('acc-1', 'b').startsWith(VERIFY_TASK_PREFIX)).toBe(false);
    expect(jobTaskId(12)).toBe('job:12');
  });
});
