/**
 * Runs in the sandboxed renderer before the page. Exposes `window.api`, built from the IPC contract: one
 * function per channel and a typed `on` for events. The page never gets ipcRenderer itself.
 */
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { buildApi } from '@shared/ipc/api';
import { CHANNEL_NAMES, EVENT_CHANNEL_PREFIX, EVENT_NAMES } from '@shared/ipc/contract';
import type { IpcResult } from '@shared/ipc/define';

const api = buildApi(
  (channel, input) => {
    // buildApi only ever passes contract channels; checking again costs nothing and keeps this honest.
    if (!CHANNEL_NAMES.includes(channel)) return Promise.reject(new Error(`Unknown channel ${channel}`));
    return ipcRenderer.invoke(channel, input) as Promise<IpcResult<unknown>>;
  },
  (event, listener) => {
    if (!EVENT_NAMES.includes(event)) throw new Error(`Unknown event ${event}`);
    const wrapped = (_e: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(EVENT_CHANNEL_PREFIX + event, wrapped);
    return () => ipcRenderer.removeListener(EVENT_CHANNEL_PREFIX + event, wrapped);
  },
);

contextBridge.exposeInMainWorld('api', api);

// Files dropped on the window: the page gets File objects only. Their paths (which main needs to upload them)
// come from Electron's webUtils, here, and go to main from here (files:dropped, a channel the page does not
// have), which grants them for upload: the page can name no other path.
contextBridge.exposeInMainWorld('signetFiles', {
  pathsFor: async (files: File[]): Promise<string[]> => {
    // Electron answers '' for a File that is not on disk.
    const paths = files.map((file) => webUtils.getPathForFile(file)).filter((path) => path !== '');
    if (paths.length === 0) return [];
    const answer = (await ipcRenderer.invoke('files:dropped', { paths })) as IpcResult<{ paths: string[] }>;
    if (!answer.ok) throw new Error(answer.error.message);
    return answer.data.paths;
  },
});
