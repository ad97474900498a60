/**
 * The value parsers of `signet`'s flags and settings: access types, durations and each setting's value. A bad
 * value is a UsageError naming it. The settings' bounds come from the settings schema (shared/settings.ts).
 */
import { ACCESS_TYPES, type AccessType } from '@shared/library/schemas';
import {
  DEFAULT_MAX_DOWNLOADS_MAX,
  DEFAULT_MAX_DOWNLOADS_MIN,
  LINK_EXPIRY_MAX_HOURS,
  LINK_EXPIRY_MIN_HOURS,
  SHARE_ACTIONS,
  SHARE_NETWORKS_MAX,
  SHARE_NETWORKS_OFF,
  type ShareAction,
  WATCH_EVERY_MAX_MINUTES,
  WATCH_EVERY_MIN_MINUTES,
  WATCH_EVERY_OFF,
} from '@shared/settings';
import { UsageError } from './usage-error';

/** `--access A`: one of the catalog's access words. */
export function parseAccess(text: string): AccessType {
  const found = ACCESS_TYPES.find((a) => a === text.trim().toLowerCase());
  if (!found) throw new UsageError(`--access must be one of ${ACCESS_TYPES.join(', ')} (got “${text}”)`);
  return found;
}

// ---- Durations and setting values ----

export type Duration = { kind: 'relative'; seconds: number } | { kind: 'absolute'; at: Date };

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/** `90s`, `15m`, `1h`, `7d`, or an ISO 8601 date-time for an absolute end; null when it is neither. */
export function parseDuration(text: string): Duration | null {
  const t = text.trim();
  const rel = /^(\d{1,9})([smhd])$/i.exec(t);
  if (rel) {
    const seconds = Number(rel[1]) * UNIT_SECONDS[rel[2]!.toLowerCase()]!;
    return seconds > 0 ? { kind: 'relative', seconds } : null;
  }
  if (ISO_DATE_TIME.test(t)) {
    const at = new Date(t.replace(' ', 'T'));
    return Number.isNaN(at.getTime()) ? null : { kind: 'absolute', at };
  }
  return null;
}

/** `settings set link-expiry D`: a length of time in whole hours, from 1h to 365d (the settings schema's bounds). */
export function parseLinkExpiryHours(text: string): number {
  const d = parseDuration(text);
  const hint = 'link-expiry is a length of time in whole hours, such as 1h, 72h or 7d';
  if (!d || d.kind !== 'relative') throw new UsageError(`${hint} (got “${text}”)`);
  if (d.seconds % 3600 !== 0) throw new UsageError(`${hint}; “${text}” is not a whole number of hours`);
  const hours = d.seconds / 3600;
  // parseDuration takes no 0 (so hours ≥ 1 already); the check keeps to the schema should its minimum change.
  if (hours < LINK_EXPIRY_MIN_HOURS) throw new UsageError(`${hint} (got “${text}”)`);
  if (hours > LINK_EXPIRY_MAX_HOURS) {
    throw new UsageError(`link-expiry is at most ${LINK_EXPIRY_MAX_HOURS / 24}d (got “${text}”)`);
  }
  return hours;
}

/** Whole numbers of at most as many digits as `max` has: longer input is refused before it is read as a number. */
function digitsUpTo(max: number): RegExp {
  return new RegExp(`^\\d{1,${String(max).length}}$`);
}
const MAX_DOWNLOADS_DIGITS = digitsUpTo(DEFAULT_MAX_DOWNLOADS_MAX);
const SHARE_NETWORKS_DIGITS = digitsUpTo(SHARE_NETWORKS_MAX);

/** `settings set max-downloads N`: 1 to 1000 (the settings schema's bounds), or `none` for no limit. */
export function parseMaxDownloads(text: string): number | null {
  const t = text.trim().toLowerCase();
  if (t === 'none') return null;
  const n = MAX_DOWNLOADS_DIGITS.test(t) ? Number(t) : NaN;
  if (!(n >= DEFAULT_MAX_DOWNLOADS_MIN && n <= DEFAULT_MAX_DOWNLOADS_MAX)) {
    throw new UsageError(
      `max-downloads is a number from ${DEFAULT_MAX_DOWNLOADS_MIN} to ${DEFAULT_MAX_DOWNLOADS_MAX}, or none (got “${text}”)`,
    );
  }
  return n;
}

/** `settings set share-networks N`: 0 (off, also `off`) to SHARE_NETWORKS_MAX. */
export function parseShareNetworks(text: string): number {
  const t = text.trim().toLowerCase();
  if (t === 'off') return SHARE_NETWORKS_OFF;
  const n = SHARE_NETWORKS_DIGITS.test(t) ? Number(t) : NaN;
  if (!(n >= SHARE_NETWORKS_OFF && n <= SHARE_NETWORKS_MAX)) {
    throw new UsageError(
      `share-networks is a whole number from ${SHARE_NETWORKS_OFF} (off) to ${SHARE_NETWORKS_MAX} (got “${text}”)`,
    );
  }
  return n;
}

/** `settings set watch-every off|D`: minutes between the desktop app's leak-watch passes (0 = off). */
export function parseWatchEvery(text: string): number {
  const t = text.trim().toLowerCase();
  if (t === 'off') return WATCH_EVERY_OFF;
  const d = parseDuration(t);
  const hint = `watch-every is off, or a length of time from ${WATCH_EVERY_MIN_MINUTES}m to 7d such as 6h`;
  if (!d || d.kind !== 'relative' || d.seconds % 60 !== 0) throw new UsageError(`${hint} (got “${text}”)`);
  const minutes = d.seconds / 60;
  if (minutes < WATCH_EVERY_MIN_MINUTES || minutes > WATCH_EVERY_MAX_MINUTES) {
    throw new UsageError(`${hint} (got “${text}”)`);
  }
  return minutes;
}

/** `settings set share-action flag|block`. */
export function parseShareAction(text: string): ShareAction {
  const found = SHARE_ACTIONS.find((a) => a === text.trim().toLowerCase());
  if (!found) throw new UsageError(`share-action is ${SHARE_ACTIONS.join(' or ')} (got “${text}”)`);
  return found;
}
