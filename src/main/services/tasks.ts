import { setMaxListeners } from 'node:events';
import type { EventPayload } from '../../shared/ipc/contract';
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
  progress(p: TaskProgress): void;
}

/** Progress events at most this often per task: enough for a smooth bar, few enough to never flood IPC. */
const PROGRESS_INTERVAL_MS = 100;

/**
 * Long tasks (syncs, verifications) by id: one run per id at a time, cancellable, reporting throttled progress
 * as `task:progress` events and a final event with how it ended.
 */
export class TaskRegistry {
  private readonly running = new Map<string, AbortController>();

  constructor(private readonly emit: (payload: EventPayload<'task:progress'>) => void) {}

  async run<T>(
    taskId: string,
    label: string,
    work: (ctx: TaskContext) => Promise<T>,
    describe: (result: T) => string,
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
          last = p;
          const now = Date.now();
          if (now - sentAt < PROGRESS_INTERVAL_MS) return;
          sentAt = now;
          send('running', p);
        },
      });
      send('done', { ...last, message: describe(result) });
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
