/**
 * The browser tests' stand-in for src/preload: builds `window.api` with the same `buildApi` from the same
 * contract, but carries calls over Playwright bindings to the real main-process router in the test process.
 */
import { buildApi } from '../../../src/shared/ipc/api';
import type { EventName } from '../../../src/shared/ipc/contract';
import type { IpcResult } from '../../../src/shared/ipc/define';

declare global {
  interface Window {
    __signetInvoke(channel: string, input: unknown): Promise<IpcResult<unknown>>;
    __signetDeliver(event: EventName, payload: unknown): void;
  }
}

const listeners = new Map<EventName, Set<(payload: unknown) => void>>();

/**
 * Every listener gets the event, also after one of them threw; then the failures are thrown, so the harness (whose
 * `page.evaluate` call this is) reports them in the app's errors instead of their vanishing.
 */
window.__signetDeliver = (event, payload) => {
  const failures: string[] = [];
  listeners.get(event)?.forEach((l) => {
    try {
      l(payload);
    } catch (err) {
      failures.push(err instanceof Error ? `${err.name}: ${err.message}` : String(err));
    }
  });
  if (failures.length > 0) throw new Error(`a listener of ${event} threw: ${failures.join('; ')}`);
};

Object.defineProperty(window, 'api', {
  value: buildApi(
    (channel, input) => window.__signetInvoke(channel, input),
    (event, listener) => {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(listener);
      return () => set.delete(listener);
    },
  ),
  writable: false,
});
