import type { SignetApi } from '@shared/ipc/api';

declare global {
  interface Window {
    /** Built by the preload script from the IPC contract. */
    readonly api: SignetApi;
    /**
     * The paths on disk of dropped files (Electron's webUtils, from the preload), granted for upload by main.
     * Absent where the page does not run in the desktop app (the browser tests), so every use checks for it.
     */
    readonly signetFiles?: { pathsFor(files: File[]): Promise<string[]> };
  }
}
