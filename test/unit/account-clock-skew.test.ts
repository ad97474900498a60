import { describe, expect, it } from 'vitest';
import { clockCheckFrom, describeOffset, offsetClock } from '../../src/main/services/storage/clock-skew';

describe('clock check from the Date header', () => {
  const server = new Date('2026-11-21T10:00:00.000Z');
  const at = (iso: string) => Date.parse(iso);

  it('compares the middle of the request with the middle of the header’s second', () => {
    const check = clockCheckFrom({
      serverDate: server,
      sentAt: at('2026-11-21T10:00:00.100Z'),
      receivedAt: at('2026-11-21T10:00:00.300Z'),
    });
    expect(check).toEqual({
      offsetMs: 300,
      serverTime: '2026-11-21T10:00:00.000Z',
      skewed: false,
      appliedOffsetMs: 0,
    });
  });

  it('warns above a minute and applies any offset beyond the measurement noise', () => {
    const behind = clockCheckFrom({
      serverDate: server,
      sentAt: at('2026-11-21T09:58:29.500Z'),
      receivedAt: at('2026-11-21T09:58:29.500Z'),
    });
    expect(behind).toMatchObject({ offsetMs: 91_000, skewed: true, appliedOffsetMs: 91_000 });
    const slightly = clockCheckFrom({
      serverDate: server,
      sentAt: at('2026-11-21T09:59:30.500Z'),
      receivedAt: at('2026-11-21T09:59:30.500Z'),
    });
    expect(slightly).toMatchObject({ offsetMs: 30_000, skewed: false, appliedOffsetMs: 30_000 });
  });

  it('describes offsets in words', () => {
    expect(describeOffset(91_000)).toBe('1 minute 31 seconds behind');
    expect(describeOffset(-3_600_000)).toBe('1 hour ahead of');
    expect(describeOffset(-5_430_000)).toBe('1 hour 30 minutes ahead of');
    expect(describeOffset(200)).toBe('less than a second behind');
  });

  it('signs with local time corrected by the offset', () => {
    const local = { now: () => new Date('2026-11-21T10:17:30.000Z') };
    expect(offsetClock(local, -1_050_000).now().toISOString()).toBe('2026-11-21T10:00:00.000Z');
    expect(offsetClock(local, 0)).toBe(local);
  });
});
