import { dialog, type BrowserWindow, type OpenDialogOptions } from 'electron';
import type { OpenFilesDialog } from '../wiring';

/**
 * The native "Open" dialog, attached to the main window when there is one: several files to upload, or one file
 * (`multiple: false`, a backup to restore).
 */
export function makeOpenFilesDialog(getWindow: () => BrowserWindow | null): OpenFilesDialog {
  return async ({ title, multiple, filters }) => {
    const options: OpenDialogOptions = {
      title,
      properties: multiple === false ? ['openFile'] : ['openFile', 'multiSelections'],
      ...(filters ? { filters } : {}),
    };
    const window = getWindow();
    const answer = window
      ? await dialog.showOpenDialog(window, options)
      : await dialog.showOpenDialog(options);
    return answer.canceled ? [] : answer.filePaths;
  };
}
