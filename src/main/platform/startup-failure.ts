import { app, dialog, shell } from 'electron';
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

export interface StartupFailureText {
  title: string;
  /** One plain sentence: what went wrong. */
  message: string;
  /** What the user can do, then the technical reason for a support request. */
  detail: string;
}

/** Error codes main-window.ts gives a window whose page did not load, or whose page process died. */
export const WINDOW_LOAD_FAILED = 'SIGNET_WINDOW_LOAD_FAILED';
export const WINDOW_GONE = 'SIGNET_WINDOW_GONE';

const codeOf = (err: unknown): string =>
  typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : '';

/**
 * Turns an error thrown while Signet starts (opening the database, the data folder, native modules) into
 * words for a dialog. Pure, so every case is unit-tested without Electron.
 */
export function describeStartupFailure(err: unknown, dataFolder: string): StartupFailureText {
  const reason = err instanceof Error ? err.message : String(err);
  const code = codeOf(err);
  const technical = `Technical detail: ${reason}`;
  if (code === WINDOW_LOAD_FAILED) {
    return {
      title: 'Signet’s window could not be shown',
      message: 'Signet started, but the page that makes up its window could not be loaded.',
      detail: `Reinstall Signet from its installer. Your data folder (${dataFolder}) is untouched.\n\n${technical}`,
    };
  }
  if (code === WINDOW_GONE) {
    return {
      title: 'Signet’s window stopped',
      message: 'The part of Signet that draws its window stopped unexpectedly.',
      detail:
        `Start Signet again: jobs that were running go on where they stopped, and your data folder ` +
        `(${dataFolder}) is untouched. If this keeps happening, send the detail below with your request.\n\n${technical}`,
    };
  }
  if (/newer version of Signet/.test(reason)) {
    return {
      title: 'Signet needs an update',
      message: 'Your Signet data was saved by a newer version of Signet, so this version cannot open it.',
      detail: `Install the latest Signet and start it again. Nothing was changed in your data folder (${dataFolder}).\n\n${technical}`,
    };
  }
  if (['EACCES', 'EPERM', 'EROFS', 'SQLITE_CANTOPEN', 'SQLITE_READONLY'].includes(code)) {
    return {
      title: 'Signet cannot use its data folder',
      message: 'Signet could not read or write its data folder.',
      detail:
        `Check that ${dataFolder} exists, belongs to your user and is not on a read-only or disconnected ` +
        `disk, then start Signet again.\n\n${technical}`,
    };
  }
  if (['SQLITE_CORRUPT', 'SQLITE_NOTADB'].includes(code)) {
    return {
      title: 'Signet’s database is damaged',
      message:
        'The file where Signet keeps your accounts and catalog is damaged or is not a Signet database.',
      detail:
        `Move signet.db out of ${dataFolder} (keep it for support) and start Signet again: it starts with an ` +
        `empty database; your storage keys stay in the keychain.\n\n${technical}`,
    };
  }
  if (
    code === 'MODULE_NOT_FOUND' ||
    code === 'ERR_DLOPEN_FAILED' ||
    /NODE_MODULE_VERSION|was compiled against a different|\.node\b|better_sqlite3|keytar/.test(reason)
  ) {
    return {
      title: 'Signet is incomplete',
      message: 'A part of Signet that is built for this computer could not be loaded.',
      detail: `Reinstall Signet from its installer. Your data folder (${dataFolder}) is untouched.\n\n${technical}`,
    };
  }
  return {
    title: 'Signet could not start',
    message: 'Something went wrong while Signet was starting.',
    detail: `Your data folder is ${dataFolder}. If this happens again, send the detail below with your request.\n\n${technical}`,
  };
}

/**
 * Logs the failure (stderr and `<logs>/startup.log`), shows a native dialog with the reason and a way out
 * (open the data folder, or quit), then quits. Never throws: it is the last thing between the user and a
 * silent exit.
 */
export async function showStartupFailure(err: unknown, dataFolder: string): Promise<void> {
  const text = describeStartupFailure(err, dataFolder);
  const stack = err instanceof Error ? (err.stack ?? err.message) : String(err);
  console.error(`Signet could not start: ${stack}`);
  try {
    const logs = app.getPath('logs');
    mkdirSync(logs, { recursive: true });
    appendFileSync(join(logs, 'startup.log'), `${new Date().toISOString()} ${stack}\n`);
  } catch {
    // stderr above already has it; a log folder we cannot write is no reason to hide the dialog.
  }
  try {
    const choice = dialog.showMessageBoxSync({
      type: 'error',
      title: text.title,
      message: text.message,
      detail: text.detail,
      buttons: ['Open Data Folder', 'Quit'],
      defaultId: 1,
      cancelId: 1,
      noLink: true,
    });
    if (choice === 0) await shell.openPath(dataFolder);
  } catch (dialogError) {
    console.error('The start-up failure dialog could not be shown:', dialogError);
  } finally {
    app.exit(1);
  }
}
