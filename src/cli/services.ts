/**
 * Builds the same main-process services the desktop app uses (src/main/wiring.ts), on the same data folder
 * and the same keychain entries, without Electron.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { preparePrivateFolder } from '../main/lib/private-files';
import { systemClock } from '../main/services/clock';
import { KEYCHAIN_SERVICE } from '../main/services/keychain-service-name';
import { loadKeytar } from '../main/platform/keytar';
import { KeytarSecretStore } from '../main/services/keytar-secret-store';
import { createMainServices, type MainServices } from '../main/wiring';

/** Set by vite.cli.config.mts from package.json; absent when the sources run unbundled (tests). */
declare const __SIGNET_VERSION__: string | undefined;
export const VERSION = typeof __SIGNET_VERSION__ === 'string' ? __SIGNET_VERSION__ : '0.0.0-dev';

/** The desktop app's product name: Electron's userData folder is appData/productName. */
const PRODUCT_NAME = 'Signet';

/**
 * Where the desktop app keeps its data (Electron's `app.getPath('userData')`): on Linux `$XDG_CONFIG_HOME`
 * (or ~/.config), on macOS ~/Library/Application Support, on Windows %APPDATA%, plus `/Signet`.
 */
export function defaultDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', PRODUCT_NAME);
  if (platform === 'win32') return join(env['APPDATA'] || join(home, 'AppData', 'Roaming'), PRODUCT_NAME);
  return join(env['XDG_CONFIG_HOME'] || join(home, '.config'), PRODUCT_NAME);
}

/** `--data-dir`, else $SIGNET_DATA_DIR, else the desktop app's folder. */
export function resolveDataDir(flagValue: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return flagValue || env['SIGNET_DATA_DIR'] || defaultDataDir(env);
}

/**
 * The keychain service name: the app's own, so both see the same secrets. $SIGNET_KEYCHAIN_SERVICE overrides
 * it, for tests and scripts that must not touch the real entries.
 */
export function keychainService(env: NodeJS.ProcessEnv = process.env): string {
  return env['SIGNET_KEYCHAIN_SERVICE'] || KEYCHAIN_SERVICE;
}

/** Opens the data folder (creating it if missing; owner-only, 0700) and builds the services over it. */
export function openServices(dataDir: string, env: NodeJS.ProcessEnv = process.env): MainServices {
  preparePrivateFolder(dataDir);
  return createMainServices({
    databaseFile: join(dataDir, 'signet.db'),
    secrets: new KeytarSecretStore(loadKeytar(), keychainService(env)),
    clock: systemClock,
    facts: {
      name: PRODUCT_NAME,
      version: VERSION,
      versions: { electron: null, chrome: null, node: process.versions.node },
      platform: `${process.platform} ${process.arch}`,
      dataFolder: dataDir,
    },
    // The window's events (progress, changes) have no listener here.
    emit: () => undefined,
  });
}
