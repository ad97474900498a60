/**
 * How long this thread's event loop was held up while some work ran (issue 19: no call from the window may block
 * the main process for more than 50 ms). `perf_hooks.monitorEventLoopDelay` samples the loop with a 10 ms timer
 * and records how long each timer took to fire, the 10 ms included (an idle loop reads about 10 ms): the figures
 * here are that time minus the 10 ms, i.e. how long the loop was held up, in milliseconds.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

const RESOLUTION_MS = 10;
const heldMs = (ns) => Math.max(0, ns / 1e6 - RESOLUTION_MS);

export async function eventLoopDuring(work) {
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
  // A few samples before and after the work: a block at its very start or end is then measured too (a
  // histogram enabled and disabled around one synchronous block never takes a sample).
  const settle = () => new Promise((resolve) => setTimeout(resolve, 3 * RESOLUTION_MS));
  await settle();
  const start = process.hrtime.bigint();
  try {
    const result = await work();
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    await settle();
    return {
      result,
      ms,
      p50: heldMs(histogram.percentile(50)),
      p99: heldMs(histogram.percentile(99)),
      max: heldMs(histogram.max),
      samples: histogram.count,
    };
  } finally {
    histogram.disable();
  }
}

/** The anchor: the same monitor over an idle loop (timers only) for `ms`, in the same process and run. */
export const idleEventLoop = (ms) => eventLoopDuring(() => new Promise((r) => setTimeout(r, ms)));
