/**
 * Task ids (src/shared/tasks/task-ids.ts): main runs a sync under this id and the window follows and cancels
 * it by the same one. The format is what the contract documents (taskId sync:ACCOUNT:BUCKET).
 */
import { describe, expect, it } from 'vitest';
import { syncTaskId } from '../../src/shared/tasks/task-ids';

describe('syncTaskId', () => {
  it('names the account and the bucket, as the contract documents', () => {
    expect(syncTaskId('acc-1', 'shop-files')).toBe('sync:acc-1:shop-files');
  });

  it('tells two buckets, and one bucket name in two accounts, apart', () => {
    expect(syncTaskId('acc-1', 'a')).not.toBe(syncTaskId('acc-1', 'b'));
    expect(syncTaskId('acc-1', 'a')).not.toBe(syncTaskId('acc-2', 'a'));
  });
});
