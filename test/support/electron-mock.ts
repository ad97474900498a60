import { EventEmitter } from 'node:events';
import { vi } from 'vitest';

/**
 * A stand-in for the parts of the `electron` module Signet's platform code touches, recording what the
 * code asked of Electron so tests can assert it. The real binary cannot run on CI machines.
 */
export class FakeWebContents extends EventEmitter {
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  readonly mainFrame = { url: '' };
  readonly sent: [string, unknown][] = [];
  readonly session = new FakeSession();
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }) {
    this.windowOpenHandler = handler;
  }
  isDestroyed() {
    return false;
  }
  send(channel: string, payload: unknown) {
    this.sent.push([channel, payload]);
  }
}

/** Emits what the code listens to (`will-download`), like Electron's Session. */
export class FakeSession extends EventEmitter {
  permissionRequestHandler:
    | ((
        wc: unknown,
        permission: string,
        cb: (granted: boolean) => void,
        details?: { requestingUrl?: string },
      ) => void)
    | null = null;
  permissionCheckHandler: ((...args: unknown[]) => boolean) | null = null;
  headersHandler:
    ((details: { responseHeaders?: Record<string, string[]> }, cb: (r: unknown) => void) => void) | null =
    null;
  setPermissionRequestHandler(h: FakeSession['permissionRequestHandler']) {
    this.permissionRequestHandler = h;
  }
  setPermissionCheckHandler(h: FakeSession['permissionCheckHandler']) {
    this.permissionCheckHandler = h;
  }
  readonly webRequest = {
    onHeadersReceived: (h: FakeSession['headersHandler']) => {
      this.headersHandler = h;
    },
  };
}

/** A desktop notification as Electron's `Notification`: records its options, whether it was shown, its listeners. */
export class FakeNotification extends EventEmitter {
  shown = false;
  constructor(readonly options: { title: string; body: string }) {
    super();
  }
  show() {
    this.shown = true;
  }
}

export function createElectronMock() {
  const windows: { options: Record<string, unknown>; webContents: FakeWebContents; loaded: string | null }[] =
    [];
  const handlers = new Map<string, (event: unknown, input: unknown) => unknown>();
  const exposed = new Map<string, unknown>();
  const rendererListeners = new Map<string, ((...args: unknown[]) => void)[]>();
  const invoked: [string, unknown][] = [];
  const protocolHandlers = new Map<string, (request: Request) => Promise<Response>>();
  const dialogAnswer = { response: 1 };
  const saveAnswer: { path: string | null } = { path: null };
  const notifications: FakeNotification[] = [];
  /** What Notification.isSupported() answers (false: a desktop without a notification service). */
  const notificationSupport = { supported: true };
  const Notification = Object.assign(
    function Notification(options: { title: string; body: string }) {
      const n = new FakeNotification(options);
      notifications.push(n);
      return n;
    },
    { isSupported: vi.fn(() => notificationSupport.supported) },
  );

  class BrowserWindow extends EventEmitter {
    readonly webContents = new FakeWebContents();
    constructor(options: Record<string, unknown>) {
      super();
      windows.push({ options, webContents: this.webContents, loaded: null });
    }
    async loadURL(url: string) {
      windows.at(-1)!.loaded = url;
    }
  }

  const mock = {
    // Cast: the class's inherited EventEmitter statics make its type unnameable in declarations.
    BrowserWindow: BrowserWindow as unknown as new (options: Record<string, unknown>) => {
      webContents: FakeWebContents;
      loadURL(url: string): Promise<void>;
    },
    shell: { openExternal: vi.fn(async () => undefined), openPath: vi.fn(async () => '') },
    app: {
      isPackaged: false,
      getPath: vi.fn((name: string) => `/fake/${name}`),
      getName: () => 'Signet',
      getVersion: () => '0.0.0-test',
      requestSingleInstanceLock: vi.fn(() => true),
      whenReady: vi.fn(() => Promise.resolve()),
      on: vi.fn(),
      quit: vi.fn(),
      exit: vi.fn(),
    },
    /** showMessageBox answers `dialogAnswer.response` (1 = the Cancel button of Signet's dialogs). */
    dialog: {
      showMessageBox: vi.fn(async (_options: Record<string, unknown>) => ({
        response: dialogAnswer.response,
      })),
      showMessageBoxSync: vi.fn((_options: Record<string, unknown>) => dialogAnswer.response),
      /** showSaveDialog answers `saveAnswer` (a path, or cancelled when null). */
      showSaveDialog: vi.fn(async (..._args: unknown[]) =>
        saveAnswer.path === null
          ? { canceled: true, filePath: '' }
          : { canceled: false, filePath: saveAnswer.path },
      ),
    },
    protocol: {
      registerSchemesAsPrivileged: vi.fn(),
      handle: vi.fn((scheme: string, h: (request: Request) => Promise<Response>) =>
        protocolHandlers.set(scheme, h),
      ),
    },
    Menu: {
      buildFromTemplate: vi.fn((template: unknown[]) => ({ template })),
      setApplicationMenu: vi.fn(),
    },
    ipcMain: {
      handle: vi.fn((channel: string, h: (e: unknown, i: unknown) => unknown) => handlers.set(channel, h)),
    },
    Notification: Notification as unknown as {
      new (options: { title: string; body: string }): FakeNotification;
      isSupported(): boolean;
    },
    webUtils: { getPathForFile: vi.fn((file: { name: string }) => `/dropped/${file.name}`) },
    contextBridge: { exposeInMainWorld: vi.fn((key: string, value: unknown) => exposed.set(key, value)) },
    ipcRenderer: {
      invoke: vi.fn(async (channel: string, input: unknown) => {
        invoked.push([channel, input]);
        return { ok: true, data: channel };
      }),
      on: vi.fn((channel: string, l: (...args: unknown[]) => void) => {
        rendererListeners.set(channel, [...(rendererListeners.get(channel) ?? []), l]);
      }),
      removeListener: vi.fn((channel: string, l: (...args: unknown[]) => void) => {
        rendererListeners.set(
          channel,
          (rendererListeners.get(channel) ?? []).filter((x) => x !== l),
        );
      }),
    },
  };
  return {
    mock,
    windows,
    handlers,
    exposed,
    rendererListeners,
    invoked,
    protocolHandlers,
    dialogAnswer,
    saveAnswer,
    notifications,
    notificationSupport,
  };
}
