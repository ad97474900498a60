import { app, BrowserWindow, type WebContents } from 'electron';
import { join } from 'node:path';
import { APP_URL } from './app-protocol';
import { keepDownloadsPrivate } from './private-downloads';
import { lockDownContents, lockDownSession } from './security';
import { showStartupFailure, WINDOW_GONE, WINDOW_LOAD_FAILED } from './startup-failure';

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

/**
 * The window's icon, which Linux shows in the title bar and task switcher (macOS and Windows use the app's own):
 * packaged, next to app.asar (electron-builder.yml copies it there with extraResources, since `resources/` is
 * never packaged); otherwise the repository's resources/icon.png.
 */
export function windowIconPath(isPackaged: boolean, resourcesPath: string, projectRoot: string): string {
  return isPackaged ? join(resourcesPath, 'icon.png') : join(projectRoot, 'resources', 'icon.png');
}

/** Chromium's net::ERR_ABORTED: a load replaced or cancelled by another navigation, not a broken page. */
const ERR_ABORTED = -3;

/**
 * The window is created hidden and shown on `ready-to-show`, so a page that does not load (a missing or broken
 * out/renderer, a dev server that is not running) or a renderer process that dies would leave the user with no
 * window and no message. Each of those shows the start-up failure dialog (plain reason, open the data folder or
 * quit) and is logged; only the first, as one broken page often reports several events.
 */
function reportBrokenPage(contents: WebContents): void {
  let reported = false;
  const fail = (code: string, message: string) => {
    if (reported) return;
    reported = true;
    void showStartupFailure(Object.assign(new Error(message), { code }), app.getPath('userData'));
  };
  contents.on('did-fail-load', (_event, errorCode, errorDescription, url, isMainFrame) => {
    if (!isMainFrame || errorCode === ERR_ABORTED) return;
    fail(WINDOW_LOAD_FAILED, `The window's page ${url} did not load: ${errorDescription} (${errorCode}).`);
  });
  // A missing file under app:// is a 404 response, which Chromium shows as a page rather than a failed load.
  contents.on('did-navigate', (_event, url, httpResponseCode, httpStatusText) => {
    if (httpResponseCode >= 400) {
      fail(WINDOW_LOAD_FAILED, `The window's page ${url} answered ${httpResponseCode} ${httpStatusText}.`);
    }
  });
  contents.on('render-process-gone', (_event, details) => {
    if (details.reason === 'clean-exit') return;
    fail(WINDOW_GONE, `The window's page process ended: ${details.reason} (exit code ${details.exitCode}).`);
  });
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
  keepDownloadsPrivate(win.webContents.session);
  lockDownContents(win.webContents, opts.appUrl);
  reportBrokenPage(win.webContents);
  win.once('ready-to-show', () => win.show());
  // A failed load also rejects this promise; did-fail-load (above) is where it is reported.
  win.loadURL(opts.appUrl).catch(() => undefined);
  return win;
}
