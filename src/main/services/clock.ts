/** Injected wherever time matters, so tests can control it. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** The clock's time in milliseconds since the epoch (what leases and deadlines are written in). */
export function nowMs(clock: Clock): number {
  return clock.now().getTime();
}
