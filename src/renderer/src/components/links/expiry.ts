import {
  EXPIRY_PRESET_SECONDS,
  EXPIRY_PRESETS,
  expiryPresetsFor,
  type ExpiryInput,
  type ExpiryPreset,
  type LinkKind,
} from '@shared/links/schemas';

/**
 * What the expiry controls hold: a preset, a custom duration, or a custom date and time typed in the
 * user's own time zone (the `datetime-local` input's `YYYY-MM-DDTHH:mm`).
 */
export type ExpiryChoice =
  | { mode: 'preset'; preset: ExpiryPreset }
  | { mode: 'duration'; amount: number | ''; unit: DurationUnit }
  | { mode: 'date'; local: string };

export const DURATION_UNITS = { minutes: 60, hours: 3600, days: 86_400 } as const;
export type DurationUnit = keyof typeof DURATION_UNITS;

/** The settings' default lifetime as a choice: its preset when there is one, else a duration in hours. */
export function defaultExpiry(hours: number, kind: LinkKind): ExpiryChoice {
  const seconds = hours * 3600;
  const presets = expiryPresetsFor(kind);
  const preset = presets.find((p) => EXPIRY_PRESET_SECONDS[p] === seconds);
  if (preset) return { mode: 'preset', preset };
  // A default longer than a direct link may live becomes the longest it may.
  if (kind === 'direct' && seconds > EXPIRY_PRESET_SECONDS['7d']) return { mode: 'preset', preset: '7d' };
  return hours % 24 === 0
    ? { mode: 'duration', amount: hours / 24, unit: 'days' }
    : { mode: 'duration', amount: hours, unit: 'hours' };
}

/** A choice that the other kind cannot offer (30 days for a direct link) becomes its longest preset. */
export function fitExpiry(choice: ExpiryChoice, kind: LinkKind): ExpiryChoice {
  if (choice.mode === 'preset' && !expiryPresetsFor(kind).includes(choice.preset)) {
    return { mode: 'preset', preset: expiryPresetsFor(kind).at(-1) ?? EXPIRY_PRESETS[0] };
  }
  return choice;
}

/** What `links:create` takes, or null while the custom fields are incomplete. */
export function toExpiryInput(choice: ExpiryChoice): ExpiryInput | null {
  switch (choice.mode) {
    case 'preset':
      return { type: 'preset', preset: choice.preset };
    case 'duration':
      return typeof choice.amount === 'number' && choice.amount > 0
        ? { type: 'seconds', seconds: Math.round(choice.amount * DURATION_UNITS[choice.unit]) }
        : null;
    case 'date': {
      // `new Date('YYYY-MM-DDTHH:mm')` reads the text in the computer's own time zone.
      const at = new Date(choice.local);
      return choice.local && !Number.isNaN(at.getTime()) ? { type: 'at', at: at.toISOString() } : null;
    }
  }
}

/** A Date as the `datetime-local` input wants it, in local time. */
export function toLocalInput(date: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())}T${p(date.getHours())}:${p(
    date.getMinutes(),
  )}`;
}

const local = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'short' });
const localShort = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** "Tuesday, 8 December 2026 at 19:30" in the user's locale and time zone. */
export const formatLocal = (date: Date) => local.format(date);
export const formatLocalShort = (date: Date | string) => localShort.format(new Date(date));

/** "2026-12-08 19:30 UTC": the same moment, unambiguous for a customer in another time zone. */
export function formatUtc(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** "in 15 minutes", "in 7 days", "in 1 year" — rounded to the largest whole unit. */
export function formatFromNow(date: Date | string, now = Date.now()): string {
  const seconds = Math.round((new Date(date).getTime() - now) / 1000);
  const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
  const abs = Math.abs(seconds);
  if (abs < 3600) return rtf.format(Math.round(seconds / 60), 'minute');
  if (abs < 36 * 3600) return rtf.format(Math.round(seconds / 3600), 'hour');
  if (abs < 60 * 86_400) return rtf.format(Math.round(seconds / 86_400), 'day');
  if (abs < 730 * 86_400) return rtf.format(Math.round(seconds / (30 * 86_400)), 'month');
  return rtf.format(Math.round(seconds / (365 * 86_400)), 'year');
}
