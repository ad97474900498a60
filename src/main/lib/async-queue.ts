/**
 * A bounded queue between one producer and many consumers: `push` waits while the queue is full (so a fast
 * listing cannot pile up a million keys in memory ahead of slow ACL reads), consumers iterate until `close`.
 */
export class AsyncQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private closed = false;
  private readonly takers: ((r: IteratorResult<T>) => void)[] = [];
  private readonly pushers: (() => void)[] = [];

  constructor(private readonly highWater: number) {}

  async push(item: T): Promise<void> {
    while (this.items.length >= this.highWater && !this.closed) {
      await new Promise<void>((resolve) => this.pushers.push(resolve));
    }
    if (this.closed) return;
    const taker = this.takers.shift();
    if (taker) taker({ value: item, done: false });
    else this.items.push(item);
  }

  close(): void {
    this.closed = true;
    for (const t of this.takers.splice(0)) t({ value: undefined, done: true });
    for (const p of this.pushers.splice(0)) p();
  }

  /** Drops what is queued and ends every consumer (on failure or cancel). */
  abort(): void {
    this.items.length = 0;
    this.close();
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => {
        if (this.items.length) {
          const value = this.items.shift() as T;
          this.pushers.shift()?.();
          return Promise.resolve({ value, done: false });
        }
        if (this.closed) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => this.takers.push(resolve));
      },
    };
  }
}

/**
 * Runs `fn` over a source with at most `concurrency` calls in flight; stops early when `signal` aborts. With
 * `ramp`, only `ramp.initial` run until `ramp.until` settles, then all of them.
 */
export async function forEachConcurrent<T>(
  source: AsyncIterable<T> | Iterable<T>,
  concurrency: number,
  fn: (item: T) => Promise<void>,
  signal?: AbortSignal,
  ramp?: { initial: number; until: Promise<unknown> },
): Promise<void> {
  const it: AsyncIterator<T> | Iterator<T> =
    Symbol.asyncIterator in source
      ? (source as AsyncIterable<T>)[Symbol.asyncIterator]()
      : (source as Iterable<T>)[Symbol.iterator]();
  const worker = async (index: number) => {
    if (ramp && index >= ramp.initial) await ramp.until.catch(() => undefined);
    for (;;) {
      signal?.throwIfAborted();
      const next = await it.next();
      if (next.done) return;
      await fn(next.value);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, i) => worker(i)));
}
