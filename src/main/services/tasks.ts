import { setMaxListeners } from 'node:events';
import type { EventPayload } from '@shared/ipc/contract';
import { UserFacingError } from './errors';

export interface TaskProgress {
  label: string;
  done: number;
  total: number | null;
  message: string | null;
  rate: number | null;
}

export interface TaskContext {
  signal: AbortSignal;
  /**
   * Reports progress. A function is called only when an event goes out (at most every 100 ms): a task whose
   * progress costs something to work out passes one (a job reads its view, and shows it as job:progress too).
   */
  progress(p: TaskProgress | (() => TaskProgress)): void;
}

/**
 * How a task that returned ended: a sentence (it is done), or an ending of its own with its final counts (a job
 * that returns may have failed items, or have been paused or cancelled).
 */
export type TaskEnd =
  string | { state: 'done' | 'failed' | 'cancelled'; progress: Omit<TaskProgress, 'label'> };

/** Progress events at most this often per task: enough for a smooth bar, few enough to never flood IPC. */
const PROGRESS_INTERVAL_MS = 100;

/**
 * Long tasks (syncs, verifications, jobs) by id: one run per id at a time, cancellable, reporting throttled
 * progress as `task:progress` events and a final event with how it ended.
 */
export class TaskRegistry {
  private readonly running = new Map<string, AbortController>();

  constructor(private readonly emit: (payload: EventPayload<'task:progress'>) => void) {}

  async run<T>(
    taskId: string,
    label: string,
    work: (ctx: TaskContext) => Promise<T>,
    describe: (result: T) => TaskEnd,
  ): Promise<T> {
    if (this.running.has(taskId)) {
      throw new UserFacingError(
        'conflict',
        `“${label}” is already running. Wait for it to finish or cancel it.`,
      );
    }
    const controller = new AbortController();
    // Concurrent requests of one task each listen for its cancellation.
    setMaxListeners(256, controller.signal);
    this.running.set(taskId, controller);
    let last: TaskProgress = { label, done: 0, total: null, message: null, rate: null };
    let sentAt = 0;
    const send = (state: EventPayload<'task:progress'>['state'], p: TaskProgress) =>
      this.emit({ taskId, state, ...p });
    try {
      send('running', last);
      const result = await work({
        signal: controller.signal,
        progress: (p) => {
          if (typeof p !== 'function') last = p;
          const now = Date.now();
          if (now - sentAt < PROGRESS_INTERVAL_MS) return;
          sentAt = now;
          if (typeof p === 'function') last = p();
          send('running', last);
        },
      });
      const end = describe(result);
      if (typeof end === 'string') send('done', { ...last, message: end });
      else send(end.state, { ...end.progress, label });
      return result;
    } catch (err) {
      const cancelled = controller.signal.aborted;
      const message = cancelled
        ? `${label} was cancelled. What it did so far is kept.`
        : (err as Error).message;
      send(cancelled ? 'cancelled' : 'failed', { ...last, message });
      throw cancelled ? new UserFacingError('cancelled', message) : err;
    } finally {
      this.running.delete(taskId);
    }
  }

  cancel(taskId: string): boolean {
    const controller = this.running.get(taskId);
    controller?.abort();
    return !!controller;
  }

  cancelAll(): void {
    for (const c of this.running.values()) c.abort();
  }
}
