/**
 * Composition root: the only module in src/main (besides platform/*) that touches Electron. It builds the
 * services from their collaborators, exposes them over the typed IPC contract and opens the window.
 */
import { app, BrowserWindow, shell } from 'electron';
import { join } from 'node:path';
import { createHandlers } from './ipc/handlers';
import { preparePrivateFolder } from './lib/private-files';
import { createIpcRouter } from './ipc/router';
import { makeTrustedSenderCheck } from './ipc/trusted-sender';
import { handleAppProtocol, registerAppScheme } from './platform/app-protocol';
import { makeEmitter, registerIpcHandlers } from './platform/ipc-main';
import { loadKeytar } from './platform/keytar';
import { createMainWindow, rendererUrl, windowIconPath } from './platform/main-window';
import { installMenu } from './platform/menu';
import { makeDesktopNotifier } from './platform/desktop-notifier';
import { makeOpenFilesDialog } from './platform/open-dialog';
import { makeSaveFileDialog } from './platform/save-dialog';
import { showStartupFailure } from './platform/startup-failure';
import { systemClock } from './services/clock';
import { KEYCHAIN_SERVICE } from './services/keychain-service-name';
import { KeytarSecretStore } from './services/keytar-secret-store';
import { createMainServices, type MainServices } from './wiring';

// Before ready, as Electron requires: the renderer's own privileged scheme (app://signet/).
registerAppScheme();

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let mainWindow: BrowserWindow | null = null;
  let services: MainServices | null = null;
  const appUrl = rendererUrl(process.env['ELECTRON_RENDERER_URL'], app.isPackaged);

  app.on('second-instance', () => {
    if (mainWindow?.isMinimized()) mainWindow.restore();
    mainWindow?.focus();
  });

  const start = () => {
    const dataFolder = app.getPath('userData');
    // Owner-only (0700 on Unix): it holds the ledger's customer emails. Electron made it with the umask's mode.
    preparePrivateFolder(dataFolder);
    handleAppProtocol(join(__dirname, '../renderer'));
    installMenu({
      isDevelopment: !app.isPackaged,
      isMac: process.platform === 'darwin',
      openDataFolder: () => void shell.openPath(dataFolder),
    });
    const built = createMainServices({
      databaseFile: join(dataFolder, 'signet.db'),
      syncWorkerFile: join(__dirname, 'sync-worker.js'),
      storageWorkerFile: join(__dirname, 'storage-worker.js'),
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
      saveFile: makeSaveFileDialog(() => mainWindow),
      openFiles: makeOpenFilesDialog(() => mainWindow),
      notifier: makeDesktopNotifier(() => {
        if (mainWindow?.isMinimized()) mainWindow.restore();
        mainWindow?.show();
        mainWindow?.focus();
      }),
    });
    services = built;
    // Jobs a killed or crashed run left behind go on where they stopped; their outcome lands in Activity.
    built.jobs.resumeInterrupted().catch((err: unknown) => console.error('Resuming jobs failed', err));
    // Asks the verifier now and then whether a link turned shared, and notifies the owner (issue 21).
    built.shareWatch.start();
    // Asks, as a stranger, for every linked file on the Settings pace, and notifies a leak (issue 21).
    built.leakWatch.start();
    const router = createIpcRouter({
      handlers: createHandlers(built),
      isTrustedSender: makeTrustedSenderCheck(appUrl),
      logger: { error: (message, details) => console.error(message, details ?? '') },
    });
    registerIpcHandlers(router);

    const open = () => {
      mainWindow = createMainWindow({
        appUrl,
        preloadPath: join(__dirname, '../preload/index.js'),
        // Without it Linux shows Electron's icon; __dirname is out/main, two levels below the project root.
        iconPath: windowIconPath(app.isPackaged, process.resourcesPath, join(__dirname, '../..')),
      });
      mainWindow.on('closed', () => (mainWindow = null));
    };
    open();
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) open();
    });
  };

  // A failure here (a database from a newer Signet, an unreadable data folder, a native module that does not
  // load) would otherwise leave no window and no message: it gets a dialog with the reason and a way out.
  app
    .whenReady()
    .then(start)
    .catch((err: unknown) => showStartupFailure(err, app.getPath('userData')));

  app.on('will-quit', () => services?.close());
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
}
