import type { S3Client } from '@aws-sdk/client-s3';
import type { ClockCheck } from '@shared/accounts/schemas';
import type { Clock } from '../clock';

/** Beyond this, signed links expire noticeably early or late: the user is warned. */
export const CLOCK_SKEW_WARNING_MS = 60_000;
/**
 * Below this the measurement is noise: the Date header has whole seconds and the round trip takes time, so
 * smaller offsets are not applied.
 */
export const CLOCK_NOISE_MS = 2_000;

/** One reading of the server's Date header, with the local times around the request that carried it. */
export interface ServerDateReading {
  serverDate: Date;
  sentAt: number;
  receivedAt: number;
}

/**
 * Adds a middleware that records the `Date` header of every response the client receives — errors included,
 * since a server refusing a request for clock skew still says what time it is. It sits innermost in the
 * deserialize step, so it sees the raw HTTP response before the SDK turns it into a result or an error.
 */
export function captureServerDate(client: S3Client, clock: Clock): { latest(): ServerDateReading | null } {
  let latest: ServerDateReading | null = null;
  client.middlewareStack.add(
    (next) => async (args) => {
      const sentAt = clock.now().getTime();
      const record = (response: unknown) => {
        const headers = (response as { headers?: Record<string, string> } | undefined)?.headers;
        const date = headers?.['date'] ?? headers?.['Date'];
        const parsed = date ? new Date(date) : null;
        if (parsed && !Number.isNaN(parsed.getTime())) {
          latest = { serverDate: parsed, sentAt, receivedAt: clock.now().getTime() };
        }
      };
      try {
        const result = await next(args);
        record(result.response);
        return result;
      } catch (err) {
        record((err as { $response?: unknown }).$response);
        throw err;
      }
    },
    { step: 'deserialize', priority: 'low', name: 'signetServerDate', override: true },
  );
  return { latest: () => latest };
}

/**
 * Server time minus local time. The header is truncated to the second, so the server's true time lies in
 * [date, date + 1 s): its middle is compared with the middle of the local send/receive interval.
 */
export function clockCheckFrom(reading: ServerDateReading): ClockCheck {
  const localMid = (reading.sentAt + reading.receivedAt) / 2;
  const offsetMs = Math.round(reading.serverDate.getTime() + 500 - localMid);
  return {
    offsetMs,
    serverTime: reading.serverDate.toISOString(),
    skewed: Math.abs(offsetMs) > CLOCK_SKEW_WARNING_MS,
    appliedOffsetMs: Math.abs(offsetMs) < CLOCK_NOISE_MS ? 0 : offsetMs,
  };
}

/** The clock to sign with for an account: local time corrected by the measured offset. */
export function offsetClock(clock: Clock, offsetMs: number): Clock {
  return offsetMs === 0 ? clock : { now: () => new Date(clock.now().getTime() + offsetMs) };
}

/** "3 minutes 20 seconds behind", for messages. */
export function describeOffset(offsetMs: number): string {
  const total = Math.round(Math.abs(offsetMs) / 1000);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const parts = [
    hours ? `${hours} hour${hours === 1 ? '' : 's'}` : '',
    minutes ? `${minutes} minute${minutes === 1 ? '' : 's'}` : '',
    !hours && seconds ? `${seconds} second${seconds === 1 ? '' : 's'}` : '',
  ].filter(Boolean);
  return `${parts.join(' ') || 'less than a second'} ${offsetMs > 0 ? 'behind' : 'ahead of'}`;
}
