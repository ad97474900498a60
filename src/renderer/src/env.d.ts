import type { SignetApi } from '../../shared/ipc/api';

declare global {
  interface Window {
    /** Built by the preload script from the IPC contract. */
    readonly api: SignetApi;
    /**
     * The path on disk of a dropped file (Electron's webUtils, from the preload). Absent where the page does not
     * run in the desktop app (the browser tests), so every use checks for it.
     */
    readonly signetFiles?: { pathFor(file: File): string };
  }
}
