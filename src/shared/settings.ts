import { z } from 'zod';

/**
 * The shop owner's preferences. Every field has a default so that an empty database, or one written by an
 * older version that did not know a field yet, still yields complete settings.
 */
export const SettingsSchema = z.object({
  /** How long a new download link works, unless changed in the link generator. */
  defaultLinkExpiryHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 365)
    .default(72),
  /** How many downloads a new link allows; null means no limit. */
  defaultMaxDownloads: z.number().int().min(1).max(1000).nullable().default(5),
  /** Where the shop's companion verifier answers, e.g. https://shop.example.com (empty until set up). */
  verifierBaseUrl: z
    .union([
      z.literal(''),
      z
        .string()
        .trim()
        .max(2048)
        .refine((v) => isHttpUrl(v), { message: 'Enter a full address starting with https://' }),
    ])
    .default(''),
  /**
   * Where the verifier's admin API answers when it listens on its own address (`adminListen` in its config),
   * e.g. http://127.0.0.1:8788 through an SSH tunnel. Empty means the same address as verifierBaseUrl.
   */
  verifierAdminUrl: z
    .union([
      z.literal(''),
      z
        .string()
        .trim()
        .max(2048)
        .refine((v) => isHttpUrl(v), { message: 'Enter a full address starting with http:// or https://' }),
    ])
    .default(''),
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
    confirmBulkChanges: SettingsSchema.shape.confirmBulkChanges.removeDefault(),
    theme: SettingsSchema.shape.theme.removeDefault(),
  })
  .partial()
  .strict();

export const SETTING_KEYS = Object.keys(SettingsSchema.shape) as (keyof Settings)[];

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}
