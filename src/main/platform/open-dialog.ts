import { dialog, type BrowserWindow, type OpenDialogOptions } from 'electron';
import type { OpenFilesDialog } from '../wiring';

/** The native "Open" dialog for files to upload, attached to the main window when there is one. */
export function makeOpenFilesDialog(getWindow: () => BrowserWindow | null): OpenFilesDialog {
  return async ({ title }) => {
    const options: OpenDialogOptions = { title, properties: ['openFile', 'multiSelections'] };
    const window = getWindow();
    const answer = window
      ? await dialog.showOpenDialog(window, options)
      : await dialog.showOpenDialog(options);
    return answer.canceled ? [] : answer.filePaths;
  };
}
