/**
 * Composition root: the only module in src/main (besides platform/*) that touches Electron. It builds the
 * services from their collaborators, exposes them over the typed IPC contract and opens the window.
 */
import { app, BrowserWindow } from 'electron';
import { join } from 'node:path';
import { createHandlers } from './ipc/handlers';
import { createIpcRouter } from './ipc/router';
import { makeTrustedSenderCheck } from './ipc/trusted-sender';
import { makeEmitter, registerIpcHandlers } from './platform/ipc-main';
import { loadKeytar } from './platform/keytar';
import { createMainWindow, rendererUrl } from './platform/main-window';
import { systemClock } from './services/clock';
import { KEYCHAIN_SERVICE } from './services/keychain-service-name';
import { KeytarSecretStore } from './services/keytar-secret-store';
import { createMainServices } from './wiring';

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let mainWindow: BrowserWindow | null = null;
  const appUrl = rendererUrl(process.env['ELECTRON_RENDERER_URL'], __dirname);

  app.on('second-instance', () => {
    if (mainWindow?.isMinimized()) mainWindow.restore();
    mainWindow?.focus();
  });

  void app.whenReady().then(() => {
    const dataFolder = app.getPath('userData');
    const services = createMainServices({
      databaseFile: join(dataFolder, 'signet.db'),
      syncWorkerFile: join(__dirname, 'sync-worker.js'),
      secrets: new KeytarSecretStore(loadKeytar(), KEYCHAIN_SERVICE),
      clock: systemClock,
      facts: {
        name: app.getName(),
        version: app.getVersion(),
        versions: {
          electron: process.versions.electron ?? null,
          chrome: process.versions.chrome ?? null,
          node: process.versions.node,
        },
        platform: `${process.platform} ${process.arch}`,
        dataFolder,
      },
      emit: makeEmitter(() => mainWindow?.webContents ?? null),
    });
    const router = createIpcRouter({
      handlers: createHandlers(services),
      isTrustedSender: makeTrustedSenderCheck(appUrl),
      logger: { error: (message, details) => console.error(message, details ?? '') },
    });
    registerIpcHandlers(router);

    const open = () => {
      mainWindow = createMainWindow({ appUrl, preloadPath: join(__dirname, '../preload/index.js') });
      mainWindow.on('closed', () => (mainWindow = null));
    };
    open();
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) open();
    });
    app.on('will-quit', () => services.close());
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
}
