/**
 * Waits one macrotask turn of the event loop (setImmediate, not a microtask): only then does main read the window's
 * next message. Long work on the main process runs in chunks with one of these between two.
 */
export function nextTurn(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}
