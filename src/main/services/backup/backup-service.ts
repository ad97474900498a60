import { readFileSync, statSync } from 'node:fs';
import { BACKUP_PASSPHRASE_MIN, backupStatus, type BackupStatus } from '@shared/backup/schemas';
import type { BackupRepository, ExistingData } from '../../repositories/backup-repository';
import { CREDENTIAL_PARTS } from '../accounts/account-credentials';
import type { ActivityService } from '../activity-service';
import type { Clock } from '../clock';
import { UserFacingError } from '../errors';
import { signingKeyEntry } from '../links/signing-key-service';
import { VERIFIER_ADMIN_TOKEN_ENTRY } from '../links/verifier-admin';
import { parseSecret } from '@shared-node/token';
import type { SecretStore } from '../secret-store';
import { writeFileAtomic } from './atomic-file';
import {
  accountEntryPrefix,
  ContentsWriter,
  readContents,
  type BackupContents,
  type SecretEntry,
} from './backup-contents';
import {
  BackupFileError,
  DEFAULT_KDF,
  openBackupFile,
  sealBackup,
  type BackupFileProblem,
  type KdfParams,
} from './backup-file';

export interface BackupSummary {
  accounts: number;
  keys: number;
  links: number;
  createdAt: string;
  /** What the backup could not hold, in plain words (an account whose keys are missing, say). */
  warnings: string[];
}

export interface RestoreSummary {
  accounts: number;
  keys: number;
  links: number;
  /** When the restored backup was made. */
  createdAt: string;
}

/** A backup file larger than this is not one Signet wrote (a million-link ledger is well under 200 MB). */
export const MAX_BACKUP_FILE_BYTES = 2 * 1024 ** 3;

/**
 * The data folder already holds accounts or signing keys, and the restore was not asked to replace them. Nothing
 * was changed. (The command line answers it with exit status 2.)
 */
export class RestoreRefusedError extends UserFacingError {
  constructor(readonly existing: Pick<ExistingData, 'accountIds' | 'kids'>) {
    super(
      'conflict',
      `This computer already has ${plural(existing.accountIds.length, 'storage account')} and ${plural(existing.kids.length, 'signing key')}, and restoring would replace them. Nothing was changed. To replace them with the backup’s, restore again and choose to replace.`,
    );
    this.name = 'RestoreRefusedError';
  }
}

/** A backup that does not open: not a backup, a newer format, damaged, or a wrong passphrase. Nothing was changed. */
export class BackupOpenError extends UserFacingError {
  readonly problem: BackupFileProblem;
  constructor(error: BackupFileError) {
    super('invalid-input', error.message);
    this.problem = error.problem;
    this.name = 'BackupOpenError';
  }
}

function isSigningSecret(value: string): boolean {
  try {
    parseSecret(value);
    return true;
  } catch {
    return false;
  }
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** Why a restore must not go ahead in a folder holding `existing`; nothing when it may. */
function refuseRestore(existing: ExistingData, opts: { replace: boolean }): void {
  if (!opts.replace && (existing.accountIds.length > 0 || existing.kids.length > 0)) {
    throw new RestoreRefusedError(existing);
  }
  const n = existing.runningJobs;
  if (opts.replace && n > 0) {
    const [is, them, end] = n === 1 ? ['is', 'it', 'it ends'] : ['are', 'them', 'they end'];
    throw new UserFacingError(
      'conflict',
      `${plural(n, 'job')} ${is} running in this data folder, and restoring would remove ${them}. Nothing was changed. Wait until ${end} or cancel ${them}, then restore again.`,
    );
  }
}

/** Decrypts and checks a backup without touching any data folder; throws BackupOpenError. */
export async function openBackup(bytes: Uint8Array, passphrase: string): Promise<BackupContents> {
  try {
    const compressed = await openBackupFile(bytes, passphrase);
    try {
      return readContents(compressed);
    } finally {
      compressed.fill(0);
    }
  } catch (err) {
    if (err instanceof BackupFileError) throw new BackupOpenError(err);
    throw err;
  }
}

/** Reads a backup file (checking that it is a plain file of a plausible size); throws UserFacingError. */
export function readBackupFile(file: string): Buffer {
  let size: number;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) throw new UserFacingError('not-found', `${file} is not a file.`);
    size = stat.size;
  } catch (err) {
    if (err instanceof UserFacingError) throw err;
    throw new UserFacingError(
      'not-found',
      `Signet cannot read the backup ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`,
    );
  }
  if (size > MAX_BACKUP_FILE_BYTES) {
    throw new BackupOpenError(
      new BackupFileError(
        'not-a-backup',
        'This file is too large to be a Signet backup. Nothing was changed.',
      ),
    );
  }
  return readFileSync(file);
}

/** One keychain change a restore made, and what the entry held before (null: it did not exist). */
interface Journal {
  name: string;
  previous: string | null;
}

/**
 * Backups of what a data folder cannot rebuild, and restoring them on this or another computer. A backup holds
 * the accounts with every keychain entry of theirs (keys, verifier keys), every signing key (retired ones too;
 * their secrets are in it while the keychain still has them), the verifier admin token, the settings and the link
 * ledger; not the catalog (a sync rebuilds it) and not jobs. It is encrypted with a key derived from a passphrase
 * (backup-file.ts) and written atomically with mode 0600.
 *
 * A restore decrypts and checks everything before it writes anything. Then the keychain entries are written,
 * each one's previous value noted, and the database rows in one transaction; if either fails, the keychain
 * entries are put back as they were, so a wrong passphrase, a damaged file or a failure half-way leaves the data
 * folder and the keychain as they were. Accounts keep their ids and fixed store names, so links sent before the
 * backup keep working with a verifier config exported after the restore.
 */
export class BackupService {
  constructor(
    private readonly deps: {
      repo: BackupRepository;
      secrets: SecretStore;
      activity: ActivityService;
      clock: Clock;
      appVersion: string;
      /** scrypt's parameters for new backups (tests use cheaper ones). */
      kdf?: KdfParams;
      /** Where a failed keychain undo or clean-up is reported: entry names and the keychain's message only. */
      log?: (message: string) => void;
    },
  ) {}

  status(): BackupStatus {
    const now = this.deps.clock.now();
    const existing = this.deps.repo.existing(now.getTime());
    return backupStatus(this.deps.repo.lastBackupAt(), now, {
      accounts: existing.accountIds.length,
      keys: existing.kids.length,
      links: existing.links,
    });
  }

  /** The encrypted backup of this data folder and keychain, and what it holds. Writes nothing. */
  async backup(passphrase: string): Promise<{ bytes: Buffer; summary: BackupSummary }> {
    if (passphrase.length < BACKUP_PASSPHRASE_MIN) {
      throw new UserFacingError(
        'invalid-input',
        `The passphrase is too short: use at least ${BACKUP_PASSPHRASE_MIN} characters.`,
      );
    }
    const createdAt = this.deps.clock.now().toISOString();
    const writer = new ContentsWriter();
    let links = 0;
    const head = this.deps.repo.snapshot((link) => {
      writer.addLink(link);
      links++;
    });
    const warnings: string[] = [];
    const secrets = await this.readSecrets(head, warnings);
    const compressed = writer.finish({
      createdAt,
      appVersion: this.deps.appVersion,
      schemaVersion: head.schemaVersion,
      rows: head,
      secrets,
    });
    try {
      // A backup this Signet could not restore is not written: its contents pass the restore's own checks first.
      try {
        readContents(compressed);
      } catch (err) {
        throw new UserFacingError(
          'internal',
          `Signet did not write the backup: it could not read back what it was about to write (${(err as Error).message}).`,
        );
      }
      const bytes = await sealBackup(compressed, passphrase, this.deps.kdf ?? DEFAULT_KDF);
      return {
        bytes,
        summary: {
          accounts: head.accounts.length,
          keys: head.signingKeys.length,
          links,
          createdAt,
          warnings,
        },
      };
    } finally {
      compressed.fill(0);
    }
  }

  /** Makes a backup and writes it to `file` (atomically, mode 0600); then notes the time as the last backup. */
  async save(file: string, passphrase: string): Promise<BackupSummary & { file: string }> {
    const { bytes, summary } = await this.backup(passphrase);
    try {
      writeFileAtomic(file, bytes);
    } catch (err) {
      throw new UserFacingError(
        'internal',
        `Signet could not write the backup to ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}). Choose another place; no backup was written.`,
      );
    }
    this.deps.repo.saveLastBackupAt(summary.createdAt);
    this.deps.activity.record(
      'backup',
      `Made a backup (${plural(summary.accounts, 'account')}, ${plural(summary.keys, 'signing key')}, ${plural(summary.links, 'link')}) in ${file}.`,
    );
    return { ...summary, file };
  }

  /** Restores an encrypted backup; see the class comment. Throws BackupOpenError, RestoreRefusedError, … */
  async restore(bytes: Uint8Array, passphrase: string, opts: { replace: boolean }): Promise<RestoreSummary> {
    return this.restoreOpened(await openBackup(bytes, passphrase), opts);
  }

  async restoreFile(file: string, passphrase: string, opts: { replace: boolean }): Promise<RestoreSummary> {
    return this.restore(readBackupFile(file), passphrase, opts);
  }

  /**
   * Throws what a restore into this data folder would be refused with (RestoreRefusedError, or a running job),
   * so the command line can say so before it asks for the passphrase.
   */
  checkRestore(opts: { replace: boolean }): void {
    refuseRestore(this.deps.repo.existing(this.deps.clock.now().getTime()), opts);
  }

  /** Restores a backup already opened with openBackup (the command line opens it before the data folder). */
  async restoreOpened(contents: BackupContents, opts: { replace: boolean }): Promise<RestoreSummary> {
    const check = (existing: ExistingData) => refuseRestore(existing, opts);
    const before = this.deps.repo.existing(this.deps.clock.now().getTime());
    check(before);

    const journal: Journal[] = [];
    try {
      await this.writeSecrets(contents, journal);
    } catch (err) {
      await this.undo(journal);
      throw err;
    }
    let counts: { accounts: number; keys: number; links: number };
    let replaced: ExistingData = before;
    try {
      counts = this.deps.repo.restore(contents.rows, {
        replace: opts.replace,
        lastBackupAt: contents.createdAt,
        nowMs: this.deps.clock.now().getTime(),
        check: (existing) => {
          check(existing);
          replaced = existing;
        },
      });
    } catch (err) {
      await this.undo(journal);
      throw err;
    }
    if (opts.replace) await this.forgetReplaced(replaced, contents);
    this.deps.activity.record(
      'backup',
      `Restored the backup made ${contents.createdAt}: ${plural(counts.accounts, 'account')}, ${plural(counts.keys, 'signing key')}, ${plural(counts.links, 'link')}. Sync each bucket to rebuild the library.`,
    );
    return { ...counts, createdAt: contents.createdAt };
  }

  /** The keychain entries of the accounts and keys in the snapshot, and the admin token. */
  private async readSecrets(
    head: Pick<BackupContents['rows'], 'accounts' | 'signingKeys'>,
    warnings: string[],
  ): Promise<SecretEntry[]> {
    const names = await this.deps.secrets.list();
    const out: SecretEntry[] = [];
    const read = async (name: string): Promise<boolean> => {
      const value = await this.deps.secrets.get(name);
      if (value === null || value === '') return false;
      out.push({ name, value });
      return true;
    };
    for (const account of head.accounts) {
      const prefix = accountEntryPrefix(account.id);
      // The known parts by name (a marker may be missing), plus any other entry of the account (verifier keys).
      const entries = new Set([
        ...CREDENTIAL_PARTS.map((part) => `${prefix}${part}`),
        ...names.filter((n) => n.startsWith(prefix)),
      ]);
      const found = new Set<string>();
      for (const name of [...entries].sort()) if (await read(name)) found.add(name);
      if (!found.has(`${prefix}access-key-id`) || !found.has(`${prefix}secret-access-key`)) {
        warnings.push(
          `The keys of “${account.name}” are missing from the keychain: the backup holds its settings only. Enter its keys again after restoring.`,
        );
      }
    }
    for (const key of head.signingKeys) {
      const entry = signingKeyEntry(key.kid);
      const value = await this.deps.secrets.get(entry);
      if (value !== null && isSigningSecret(value)) out.push({ name: entry, value });
      else if (key.retiredAt === null) {
        warnings.push(
          `The secret of signing key ${key.kid} is ${value === null ? 'missing from' : 'not a valid key in'} the keychain: links signed with it cannot be checked after a restore.`,
        );
      }
    }
    await read(VERIFIER_ADMIN_TOKEN_ENTRY);
    return out;
  }

  /**
   * Writes the backup's keychain entries, noting each entry's previous value first (a write can fail half-way).
   * An entry of a restored account that the backup does not have (an older session token) is removed, so the
   * account's keys are exactly the backup's.
   */
  private async writeSecrets(contents: BackupContents, journal: Journal[]): Promise<void> {
    const names = await this.deps.secrets.list();
    const incoming = new Set(contents.secrets.map((s) => s.name));
    const stale = names.filter(
      (n) => !incoming.has(n) && contents.rows.accounts.some((a) => n.startsWith(accountEntryPrefix(a.id))),
    );
    for (const name of stale) {
      const previous = await this.deps.secrets.get(name);
      journal.push({ name, previous });
      await this.deps.secrets.delete(name);
    }
    for (const { name, value } of contents.secrets) {
      const previous = await this.deps.secrets.get(name);
      journal.push({ name, previous });
      await this.deps.secrets.set(name, value);
    }
  }

  /** Puts back what writeSecrets changed, newest first; what cannot be put back is logged by name. */
  private async undo(journal: Journal[]): Promise<void> {
    for (const { name, previous } of journal.reverse()) {
      try {
        if (previous === null) await this.deps.secrets.delete(name);
        else await this.deps.secrets.set(name, previous);
      } catch (err) {
        this.report(
          `Signet could not undo a half-done restore in the keychain: ${name} was not ${previous === null ? 'removed' : 'put back'} (${err instanceof Error ? err.message : String(err)})`,
        );
      }
    }
  }

  /** After a replacing restore: the keychain entries of accounts and keys that are gone from the folder. */
  private async forgetReplaced(replaced: ExistingData, contents: BackupContents): Promise<void> {
    const keptAccounts = new Set(contents.rows.accounts.map((a) => a.id));
    const keptKids = new Set(contents.rows.signingKeys.map((k) => k.kid));
    const goneAccounts = replaced.accountIds.filter((id) => !keptAccounts.has(id));
    const goneKids = replaced.kids.filter((kid) => !keptKids.has(kid));
    if (goneAccounts.length === 0 && goneKids.length === 0) return;
    try {
      const names = await this.deps.secrets.list();
      const gone = [
        ...names.filter((n) => goneAccounts.some((id) => n.startsWith(accountEntryPrefix(id)))),
        ...goneKids.map(signingKeyEntry),
      ];
      for (const name of gone) {
        await this.deps.secrets.delete(name).catch((err: unknown) => {
          this.report(
            `Signet could not remove ${name} from the keychain after a restore replaced it (${err instanceof Error ? err.message : String(err)})`,
          );
        });
      }
    } catch (err) {
      this.report(
        `Signet could not list the keychain to remove the entries a restore replaced (${err instanceof Error ? err.message : String(err)})`,
      );
    }
  }

  private report(message: string): void {
    (this.deps.log ?? ((m: string) => console.error(m)))(message);
  }
}
