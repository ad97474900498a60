/**
 * `signet backup` and `signet restore`: the app's BackupService. The passphrase comes from standard input (a
 * hidden prompt on a terminal), never from argv. A restore opens and checks the backup before it opens the data
 * folder, so a wrong passphrase or a damaged file (exit status 1) leaves even a new folder untouched.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { BACKUP_PASSPHRASE_MIN } from '@shared/backup/schemas';
import { openBackup, readBackupFile, RestoreRefusedError } from '../../main/services/backup/backup-service';
import { flag, stringOption, UsageError } from '../args';
import { promptHidden, readAll, type CommandContext, type CommandHandler } from '../context';
import { count } from '../output';
import { resolveDataDir } from '../services';

function requirePassphraseFlag(ctx: CommandContext): void {
  if (!flag(ctx.values, 'passphrase-stdin')) {
    throw new UsageError(
      '--passphrase-stdin is required: the passphrase is read from standard input, never from the command line',
    );
  }
}

/** The passphrase from standard input without its final line break; asked twice on a terminal when `confirm`. */
async function readPassphrase(ctx: CommandContext, confirm: boolean): Promise<string> {
  if (ctx.stdin.isTTY) {
    const first = await promptHidden(ctx, 'Passphrase (not shown): ');
    if (confirm && (await promptHidden(ctx, 'The same passphrase again: ')) !== first) {
      throw new UsageError('--passphrase-stdin: the two passphrases differ; nothing was written');
    }
    if (first === '') throw new UsageError('--passphrase-stdin: no passphrase was typed');
    return first;
  }
  const value = (await readAll(ctx.stdin)).replace(/\r?\n$/, '');
  if (value === '') throw new UsageError('--passphrase-stdin: standard input held no passphrase');
  return value;
}

function refusal(err: RestoreRefusedError): UsageError {
  const { accountIds, kids } = err.existing;
  return new UsageError(
    `this data folder already has ${count(accountIds.length, 'storage account')} and ${count(kids.length, 'signing key')}: ` +
      'add --replace to replace them with the backup’s (nothing was changed)',
  );
}

const backup: CommandHandler = async (ctx) => {
  const out = stringOption(ctx.values, 'out');
  if (!out) throw new UsageError('--out FILE is required: where to write the backup');
  requirePassphraseFlag(ctx);
  const file = resolve(out);
  const folder = dirname(file);
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new UsageError(`--out: the folder ${folder} does not exist`);
  }
  if (existsSync(file) && statSync(file).isDirectory()) {
    throw new UsageError(`--out: ${file} is a folder; give a file name`);
  }
  const passphrase = await readPassphrase(ctx, true);
  if (passphrase.length < BACKUP_PASSPHRASE_MIN) {
    throw new UsageError(
      `--passphrase-stdin: the passphrase must be at least ${BACKUP_PASSPHRASE_MIN} characters (got ${passphrase.length})`,
    );
  }
  const saved = await ctx.services().backup.save(file, passphrase);
  for (const w of saved.warnings) ctx.out.note(`Warning: ${w}`);
  ctx.out.object({
    file: saved.file,
    accounts: saved.accounts,
    keys: saved.keys,
    links: saved.links,
    createdAt: saved.createdAt,
  });
  ctx.out.say(
    `Wrote ${saved.file} (${count(saved.accounts, 'account')}, ${count(saved.keys, 'signing key')}, ${count(saved.links, 'link')}), readable by you alone. ` +
      'Keep the passphrase apart from the file: without it the backup cannot be opened.',
  );
  return 0;
};

const restore: CommandHandler = async (ctx) => {
  const given = ctx.positionals[0]!;
  requirePassphraseFlag(ctx);
  const file = resolve(given);
  if (!existsSync(file)) throw new UsageError(`FILE: there is no file “${given}”`);
  if (!statSync(file).isFile()) throw new UsageError(`FILE: “${given}” is not a file`);
  const replace = flag(ctx.values, 'replace');
  // A folder that would be refused is refused before the passphrase is asked for. A new folder (no database
  // yet) is not opened until the backup has opened: a wrong passphrase must not even create it.
  const dataDir = stringOption(ctx.values, 'data-dir');
  if (existsSync(join(resolve(resolveDataDir(dataDir)), 'signet.db'))) {
    try {
      ctx.services().backup.checkRestore({ replace });
    } catch (err) {
      throw err instanceof RestoreRefusedError ? refusal(err) : err;
    }
  }
  const passphrase = await readPassphrase(ctx, false);
  const contents = await openBackup(readBackupFile(file), passphrase);
  let restored;
  try {
    restored = await ctx.services().backup.restoreOpened(contents, { replace });
  } catch (err) {
    throw err instanceof RestoreRefusedError ? refusal(err) : err;
  }
  ctx.out.object({ accounts: restored.accounts, keys: restored.keys, links: restored.links });
  ctx.out.say(
    `Restored ${count(restored.accounts, 'account')}, ${count(restored.keys, 'signing key')} and ${count(restored.links, 'link')} ` +
      `from the backup made ${restored.createdAt}. Sync each account to rebuild the library (signet sync ACCOUNT).`,
  );
  return 0;
};

export const backupCommands = {
  backup,
  restore,
} as const;
