import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { EventName, EventPayload } from '../../../src/shared/ipc/contract';
import { createHandlers } from '../../../src/main/ipc/handlers';
import { createIpcRouter } from '../../../src/main/ipc/router';
import { makeTrustedSenderCheck } from '../../../src/main/ipc/trusted-sender';
import { systemClock } from '../../../src/main/services/clock';
import { KeytarSecretStore, type KeytarLike } from '../../../src/main/services/keytar-secret-store';
import type { S3ClientFactory } from '../../../src/main/services/storage/s3-client-factory';
import type { Notifier } from '../../../src/main/services/notifier';
import { createMainServices, type MainServices, type OpenFilesDialog } from '../../../src/main/wiring';
import { requirePrivateTestKeyring } from '../../support/test-keyring';
import { PRELOAD_BUNDLE, ROOT } from './build-setup';
import { expectScreenshotShowsPage } from './screenshot-check';
import { serveDirectory } from './static-server';

export const SCREENSHOTS = resolve(ROOT, 'test-results');

/** What playwright says when an evaluate's page navigated away or closed under it. */
const NAVIGATION_OR_CLOSE =
  /Execution context was destroyed|Target page, context or browser has been closed|Target closed|frame was detached/i;

export interface AppUnderTest {
  page: Page;
  services: MainServices;
  /**
   * IPC failures the router logged, console errors, uncaught page errors and events a listener of the page
   * failed on: a test asserts there are none.
   */
  errors: string[];
  /**
   * Saves a full-page screenshot as test-results/<name>.png and checks it (screenshot-check.ts): not blank, and
   * no internal error or JavaScript value in the page's text at that moment.
   */
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Answers the native "Open" dialog (files:choose) as the owner would: the paths a test chose. */
  openFiles?: OpenFilesDialog;
  /** S3 clients for the accounts (e.g. the SDK's, with a delay a test controls); defaults to the plain SDK. */
  s3?: S3ClientFactory;
  /** The desktop notifications the app would show (a test records them). */
  notifier?: Notifier;
}

/**
 * Starts the app as the browser tests see it: the built renderer served on loopback, in Debian Chromium, with
 * `window.api` wired to the real main-process router, services and handlers running in this process on a
 * temp SQLite file and the real keychain.
 */
export async function startApp(options: StartOptions = {}): Promise<AppUnderTest> {
  // Also refused by the e2e setup file; here too, since this opens the real keychain for any caller.
  requirePrivateTestKeyring();
  const dataFolder = mkdtempSync(join(tmpdir(), 'signet-e2e-'));
  const server = await serveDirectory(resolve(ROOT, 'out/renderer'));
  const appUrl = `${server.url}index.html`;
  let page: Page | null = null;
  let closing = false;
  const errors: string[] = [];

  const services = createMainServices({
    databaseFile: join(dataFolder, 'signet.db'),
    // As in the app: syncs and a job's object calls run in the built worker threads (electron-vite builds them
    // in the global setup).
    syncWorkerFile: resolve(ROOT, 'out/main/sync-worker.js'),
    storageWorkerFile: resolve(ROOT, 'out/main/storage-worker.js'),
    secrets: new KeytarSecretStore(
      createRequire(__filename)('keytar') as KeytarLike,
      `signet-e2e-${process.pid}-${Date.now()}`,
    ),
    clock: systemClock,
    facts: {
      name: 'Signet',
      version: (createRequire(__filename)(resolve(ROOT, 'package.json')) as { version: string }).version,
      versions: { electron: null, chrome: null, node: process.versions.node },
      platform: `${process.platform} ${process.arch}`,
      dataFolder,
    },
    ...(options.openFiles ? { openFiles: options.openFiles } : {}),
    ...(options.s3 ? { s3: options.s3 } : {}),
    ...(options.notifier ? { notifier: options.notifier } : {}),
    emit: <E extends EventName>(event: E, payload: EventPayload<E>) => {
      const target = page;
      if (!target) return;
      target
        .evaluate(([e, p]) => window.__signetDeliver(e, p), [event, payload] as const)
        .catch((err: unknown) => {
          const message = err instanceof Error ? err.message : String(err);
          // An event sent while the page reloads or closes is dropped, as the app's window drops it; anything
          // else (a listener that threw) is the page's error.
          if (closing || target.isClosed() || NAVIGATION_OR_CLOSE.test(message)) return;
          errors.push(`event ${event}: ${message.split('\n')[0]}`);
        });
    },
  });
  const router = createIpcRouter({
    handlers: createHandlers(services),
    isTrustedSender: makeTrustedSenderCheck(appUrl),
    logger: { error: (message) => errors.push(message) },
  });

  const browser: Browser = await chromium.launch({
    executablePath: process.env['SIGNET_CHROMIUM'] ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
  const context: BrowserContext = await browser.newContext({
    viewport: { width: 1280, height: 820 },
    // No transitions, so screenshots show the settled page.
    reducedMotion: 'reduce',
  });
  await context.exposeBinding('__signetInvoke', (source, channel: string, input: unknown) =>
    router.dispatch(channel, input, {
      url: source.frame.url(),
      isMainFrame: source.frame === source.page.mainFrame(),
    }),
  );
  await context.addInitScript({ path: PRELOAD_BUNDLE });
  page = await context.newPage();
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => errors.push(`page: ${err.message}`));
  await page.goto(appUrl);
  mkdirSync(SCREENSHOTS, { recursive: true });

  return {
    page,
    services,
    errors,
    async screenshot(name) {
      const file = join(SCREENSHOTS, `${name}.png`);
      await page!.screenshot({ path: file, fullPage: true });
      expectScreenshotShowsPage(file, await page!.locator('body').innerText());
      return file;
    },
    async close() {
      closing = true;
      // A keychain that fails here fails the test's afterAll (not hidden); the browser, server, database and
      // folder are closed anyway.
      try {
        for (const account of await services.secrets.list()) await services.secrets.delete(account);
      } finally {
        await browser.close();
        await server.close();
        services.close();
        rmSync(dataFolder, { recursive: true, force: true });
      }
    },
  };
}
