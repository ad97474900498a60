import { BrowserWindow } from 'electron';
import { APP_URL } from './app-protocol';
import { lockDownContents, lockDownSession } from './security';

/**
 * Where the renderer lives: the app's own `app://signet/` origin, or in development (never in a packaged app)
 * the electron-vite dev server named by ELECTRON_RENDERER_URL, when it is an http(s) address.
 */
export function rendererUrl(devServerUrl: string | undefined, isPackaged: boolean): string {
  if (isPackaged || !devServerUrl) return APP_URL;
  try {
    const url = new URL(devServerUrl);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.toString() : APP_URL;
  } catch {
    return APP_URL;
  }
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
  lockDownSession(win.webContents.session, opts.appUrl);
  lockDownContents(win.webContents, opts.appUrl);
  win.once('ready-to-show', () => win.show());
  void win.loadURL(opts.appUrl);
  return win;
}
