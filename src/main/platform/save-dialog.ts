import { dialog, type BrowserWindow, type SaveDialogOptions } from 'electron';
import type { SaveFileDialog } from '../wiring';

/**
 * The native "Save as" dialog, attached to the main window when there is one. Main writes the chosen file
 * itself (the verifier config, mode 0600): the renderer never gets a path or a file handle.
 */
export function makeSaveFileDialog(getWindow: () => BrowserWindow | null): SaveFileDialog {
  return async ({ title, defaultName, filters }) => {
    const options: SaveDialogOptions = {
      title,
      defaultPath: defaultName,
      properties: ['createDirectory', 'showOverwriteConfirmation'],
      ...(filters ? { filters } : {}),
    };
    const window = getWindow();
    const answer = window
      ? await dialog.showSaveDialog(window, options)
      : await dialog.showSaveDialog(options);
    return answer.canceled || !answer.filePath ? null : answer.filePath;
  };
}
