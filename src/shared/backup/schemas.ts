import { z } from 'zod';

/**
 * Backups as they cross the IPC boundary, and the reminder rule the Settings page shows. A backup holds the
 * accounts with their keys, every signing key, the verifier admin token, the settings and the link ledger,
 * encrypted with a passphrase (see src/main/services/backup). Pure: usable by the renderer.
 */

/** The shortest passphrase a new backup takes (restoring takes whatever the backup was made with). */
export const BACKUP_PASSPHRASE_MIN = 8;
export const BACKUP_PASSPHRASE_MAX = 1024;
/** After this many days without a backup, Settings reminds the owner to make one. */
export const BACKUP_REMINDER_DAYS = 30;
/** The file name the save dialog suggests. */
export const BACKUP_FILE_EXTENSION = 'signetbackup';

export const BackupPassphraseSchema = z
  .string()
  .min(BACKUP_PASSPHRASE_MIN, `At least ${BACKUP_PASSPHRASE_MIN} characters`)
  .max(BACKUP_PASSPHRASE_MAX, `At most ${BACKUP_PASSPHRASE_MAX} characters`);

export const BackupCreateInputSchema = z.object({ passphrase: BackupPassphraseSchema });

const counts = {
  accounts: z.number().int().min(0),
  keys: z.number().int().min(0),
  links: z.number().int().min(0),
};

export const BackupCreatedSchema = z.object({
  /** Where the backup was written; null when the save dialog was cancelled (then nothing was written). */
  file: z.string().nullable(),
  ...counts,
  createdAt: z.string().nullable(),
  /** What the backup could not hold (an account whose keys are missing from the keychain, say). */
  warnings: z.array(z.string()),
});
export type BackupCreated = z.output<typeof BackupCreatedSchema>;

export const BackupRestoreInputSchema = z.object({
  passphrase: z.string().min(1, 'Enter the passphrase').max(BACKUP_PASSPHRASE_MAX),
  /** Replace the accounts, keys and ledger this computer already has (else such a folder is refused). */
  replace: z.boolean().default(false),
});

export const BackupRestoredSchema = z.object({
  /** The backup restored; null when the open dialog was cancelled (then nothing was changed). */
  file: z.string().nullable(),
  ...counts,
  /** When the restored backup was made. */
  createdAt: z.string().nullable(),
});
export type BackupRestored = z.output<typeof BackupRestoredSchema>;

export const BackupStatusSchema = z.object({
  lastBackupAt: z.string().nullable(),
  /** Whole days since the last backup; null when none was made. */
  daysSince: z.number().int().min(0).nullable(),
  /** Whether the data folder has accounts, signing keys or links: something a backup would keep. */
  hasData: z.boolean(),
  /** Whether a restore must be told to replace (the folder has accounts or signing keys). */
  restoreNeedsReplace: z.boolean(),
  /** Show the reminder: there is something to keep and no backup, or none for more than 30 days. */
  reminder: z.boolean(),
});
export type BackupStatus = z.output<typeof BackupStatusSchema>;

const DAY_MS = 86_400_000;

/** The status the Settings page shows, from the last backup time, what the folder holds and the clock. */
export function backupStatus(
  lastBackupAt: string | null,
  now: Date,
  holds: { accounts: number; keys: number; links: number },
): BackupStatus {
  const hasData = holds.accounts + holds.keys + holds.links > 0;
  const restoreNeedsReplace = holds.accounts + holds.keys > 0;
  const last = lastBackupAt === null ? NaN : Date.parse(lastBackupAt);
  if (Number.isNaN(last)) {
    return { lastBackupAt: null, daysSince: null, hasData, restoreNeedsReplace, reminder: hasData };
  }
  const elapsed = Math.max(0, now.getTime() - last);
  return {
    lastBackupAt,
    daysSince: Math.floor(elapsed / DAY_MS),
    hasData,
    restoreNeedsReplace,
    reminder: hasData && elapsed > BACKUP_REMINDER_DAYS * DAY_MS,
  };
}
