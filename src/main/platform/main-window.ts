import { BrowserWindow } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { lockDownContents, lockDownSession } from './security';

/** Where the renderer lives: the electron-vite dev server in development, the built file otherwise. */
export function rendererUrl(devServerUrl: string | undefined, outDir: string): string {
  return devServerUrl ?? pathToFileURL(join(outDir, '../renderer/index.html')).toString();
}

export function createMainWindow(opts: {
  appUrl: string;
  preloadPath: string;
  iconPath?: string;
}): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 960,
    minHeight: 600,
    show: false,
    title: 'Signet',
    icon: opts.iconPath,
    autoHideMenuBar: true,
    webPreferences: {
      preload: opts.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  });
  lockDownSession(win.webContents.session);
  lockDownContents(win.webContents, opts.appUrl);
  win.once('ready-to-show', () => win.show());
  void win.loadURL(opts.appUrl);
  return win;
}
