import type { SignetApi } from '../../shared/ipc/api';

declare global {
  interface Window {
    /** Built by the preload script from the IPC contract. */
    readonly api: SignetApi;
  }
}
