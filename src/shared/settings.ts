import { z } from 'zod';

/**
 * Why a verifier address cannot be used, in plain words, or null when it can. The admin token travels to these
 * addresses, and links point at them: `https://`, or `http://` only to this computer (127.0.0.0/8, ::1,
 * localhost: an SSH tunnel or a verifier on the same machine), where nothing crosses a network in the clear.
 */
export function verifierAddressProblem(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'Enter a full address starting with https://';
  }
  if (url.protocol === 'https:') return null;
  if (url.protocol === 'http:') {
    return isLoopbackHost(url.hostname)
      ? null
      : 'Use https:// (http:// only for this computer: localhost, 127.0.0.1 or ::1)';
  }
  return 'Enter a full address starting with https://';
}

/** A URL's hostname (as `new URL` normalizes it: `127.1` is `127.0.0.1`, IPv6 in brackets) on this computer. */
function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** A verifier address setting: '' (not set) or an address verifierAddressProblem accepts. */
const VerifierAddressSchema = z.union([
  z.literal(''),
  z
    .string()
    .trim()
    .max(2048)
    .superRefine((v, ctx) => {
      const problem = verifierAddressProblem(v);
      if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
    }),
]);

/**
 * The default lifetime of a new download link, in whole hours: at least an hour, at most a year (365 days). The
 * window's form, `signet settings set link-expiry` and this schema all read these bounds.
 */
export const LINK_EXPIRY_MIN_HOURS = 1;
export const LINK_EXPIRY_MAX_HOURS = 24 * 365;
export const LINK_EXPIRY_DEFAULT_HOURS = 72;

/**
 * The default download limit of a new link: 1 to DEFAULT_MAX_DOWNLOADS_MAX, or null for no limit. Only the
 * default is bounded this tightly; a single link may allow more (links/schemas MAX_DOWNLOADS).
 */
export const DEFAULT_MAX_DOWNLOADS_MIN = 1;
export const DEFAULT_MAX_DOWNLOADS_MAX = 1000;
export const DEFAULT_MAX_DOWNLOADS_DEFAULT = 5;

/**
 * The share guard's limits (spec download-token-v1, "Share guard"): a link asked for from more than this many
 * networks is shared. 0 turns the guard off; the verifier takes 1 to 255 (one less than the 256 networks it
 * keeps per link, so "more than N" can be seen).
 */
export const SHARE_NETWORKS_OFF = 0;
export const SHARE_NETWORKS_MAX = 255;
export const SHARE_NETWORKS_DEFAULT = 3;
export const SHARE_ACTIONS = ['flag', 'block'] as const;
export type ShareAction = (typeof SHARE_ACTIONS)[number];

/**
 * The leak watch's pace in the desktop app, in minutes: 0 is off; otherwise at least WATCH_EVERY_MIN_MINUTES (a
 * pass asks the storage once per linked file) and at most a week.
 */
export const WATCH_EVERY_OFF = 0;
export const WATCH_EVERY_MIN_MINUTES = 15;
export const WATCH_EVERY_MAX_MINUTES = 7 * 24 * 60;
export const WATCH_EVERY_DEFAULT_MINUTES = 6 * 60;

/**
 * The shop owner's preferences. Every field has a default so that an empty database, or one written by an
 * older version that did not know a field yet, still yields complete settings.
 */
export const SettingsSchema = z.object({
  /** How long a new download link works, unless changed in the link generator. */
  defaultLinkExpiryHours: z
    .number()
    .int()
    .min(LINK_EXPIRY_MIN_HOURS)
    .max(LINK_EXPIRY_MAX_HOURS)
    .default(LINK_EXPIRY_DEFAULT_HOURS),
  /** How many downloads a new link allows; null means no limit. */
  defaultMaxDownloads: z
    .number()
    .int()
    .min(DEFAULT_MAX_DOWNLOADS_MIN)
    .max(DEFAULT_MAX_DOWNLOADS_MAX)
    .nullable()
    .default(DEFAULT_MAX_DOWNLOADS_DEFAULT),
  /** Where the shop's companion verifier answers, e.g. https://shop.example.com (empty until set up). */
  verifierBaseUrl: VerifierAddressSchema.default(''),
  /**
   * Where the verifier's admin API answers when it listens on its own address (`adminListen` in its config),
   * e.g. http://127.0.0.1:8788 through an SSH tunnel. Empty means the same address as verifierBaseUrl.
   */
  verifierAdminUrl: VerifierAddressSchema.default(''),
  /** Share guard: a link used from more than this many networks is shared; 0 = off. */
  shareNetworks: z
    .number()
    .int()
    .min(SHARE_NETWORKS_OFF)
    .max(SHARE_NETWORKS_MAX)
    .default(SHARE_NETWORKS_DEFAULT),
  /** Share guard: `flag` (the link keeps working, the ledger marks it Shared) or `block` (further networks refused). */
  shareAction: z.enum(SHARE_ACTIONS).default('flag'),
  /** How often the desktop app runs the leak watch while it is open (minutes; 0 = off). */
  watchEveryMinutes: z
    .number()
    .int()
    .min(WATCH_EVERY_OFF)
    .max(WATCH_EVERY_MAX_MINUTES)
    .refine((m) => m === WATCH_EVERY_OFF || m >= WATCH_EVERY_MIN_MINUTES, {
      message: `Run the leak watch at most every ${WATCH_EVERY_MIN_MINUTES} minutes, or turn it off`,
    })
    .default(WATCH_EVERY_DEFAULT_MINUTES),
  /** Ask before changing access of many files at once. */
  confirmBulkChanges: z.boolean().default(true),
  theme: z.enum(['auto', 'light', 'dark']).default('auto'),
});

export type Settings = z.output<typeof SettingsSchema>;
export type SettingsPatch = Partial<Settings>;

/** A partial update: only the fields the user changed, each validated like the full schema. */
export const SettingsPatchSchema = z
  .object({
    defaultLinkExpiryHours: SettingsSchema.shape.defaultLinkExpiryHours.removeDefault(),
    defaultMaxDownloads: SettingsSchema.shape.defaultMaxDownloads.removeDefault(),
    verifierBaseUrl: SettingsSchema.shape.verifierBaseUrl.removeDefault(),
    verifierAdminUrl: SettingsSchema.shape.verifierAdminUrl.removeDefault(),
    shareNetworks: SettingsSchema.shape.shareNetworks.removeDefault(),
    shareAction: SettingsSchema.shape.shareAction.removeDefault(),
    watchEveryMinutes: SettingsSchema.shape.watchEveryMinutes.removeDefault(),
    confirmBulkChanges: SettingsSchema.shape.confirmBulkChanges.removeDefault(),
    theme: SettingsSchema.shape.theme.removeDefault(),
  })
  .partial()
  .strict();

export const SETTING_KEYS = Object.keys(SettingsSchema.shape) as (keyof Settings)[];
