import { EventEmitter } from 'node:events';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { createElectronMock } from '../support/electron-mock';

const electron = vi.hoisted(() => ({ current: null as ReturnType<typeof createElectronMock> | null }));
vi.mock('electron', () => {
  electron.current = createElectronMock();
  return electron.current.mock;
});

const { createMainWindow } = await import('../../src/main/platform/main-window');
const { CONTENT_SECURITY_POLICY } = await import('../../src/main/platform/security');
const { HELP_PAGES } = await import('../../src/main/platform/menu');
const { rendererUrl, windowIconPath } = await import('../../src/main/platform/main-window');

/** Lets the fire-and-forget openExternalSafely calls (a dialog, then the browser) finish. */
const settle = () => new Promise((r) => setTimeout(r, 0));

const APP_URL = 'app://signet/index.html';

function open() {
  const e = electron.current!;
  createMainWindow({ appUrl: APP_URL, preloadPath: '/opt/Signet/out/preload/index.js' });
  return { ...e.windows.at(-1)!, shell: e.mock.shell };
}

function navigate(contents: import('../support/electron-mock').FakeWebContents, url: string) {
  const event = {
    prevented: false,
    preventDefault() {
      this.prevented = true;
    },
  };
  contents.emit('will-navigate', event, url);
  return event.prevented;
}

describe('main window security', () => {
  beforeEach(() => {
    electron.current!.mock.shell.openExternal.mockClear();
    electron.current!.mock.dialog.showMessageBox.mockClear();
    electron.current!.dialogAnswer.response = 1;
  });

  it('is created isolated, sandboxed, without Node, with web security on', () => {
    const { options, loaded } = open();
    expect(options['webPreferences']).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      preload: '/opt/Signet/out/preload/index.js',
    });
    expect(loaded).toBe(APP_URL);
  });

  it('denies navigation away from the app page; other https pages open only after a dialog naming the host', async () => {
    const { webContents, shell } = open();
    const dialog = electron.current!.mock.dialog;
    expect(navigate(webContents, `${APP_URL}#/settings`)).toBe(false);
    expect(navigate(webContents, 'app://signet/#/library')).toBe(false);

    // Cancelled: nothing opens.
    expect(navigate(webContents, 'https://docs.example.com/help')).toBe(true);
    await settle();
    expect(dialog.showMessageBox).toHaveBeenCalledTimes(1);
    expect(dialog.showMessageBox.mock.calls[0]![0]).toMatchObject({
      message: expect.stringContaining('docs.example.com'),
    });
    expect(shell.openExternal).not.toHaveBeenCalled();

    // Confirmed: the OS browser gets it.
    electron.current!.dialogAnswer.response = 0;
    expect(navigate(webContents, 'https://docs.example.com/help')).toBe(true);
    await settle();
    expect(shell.openExternal).toHaveBeenCalledWith('https://docs.example.com/help');

    // The app's own help pages open without asking.
    dialog.showMessageBox.mockClear();
    expect(navigate(webContents, HELP_PAGES.blockPublicAccess)).toBe(true);
    await settle();
    expect(dialog.showMessageBox).not.toHaveBeenCalled();
    expect(shell.openExternal).toHaveBeenLastCalledWith(HELP_PAGES.blockPublicAccess);

    shell.openExternal.mockClear();
    for (const url of [
      'file:///etc/passwd',
      'file:///opt/Signet/out/renderer/index.html',
      'app://other/index.html',
      'http://example.com',
      'javascript:alert(1)',
      'smb://host/share',
      'nonsense',
    ]) {
      expect(navigate(webContents, url)).toBe(true);
    }
    await settle();
    expect(dialog.showMessageBox).not.toHaveBeenCalled();
    expect(shell.openExternal).not.toHaveBeenCalled();
  });

  it('denies every window.open; only confirmed https URLs reach the OS browser', async () => {
    const { webContents, shell } = open();
    electron.current!.dialogAnswer.response = 0;
    expect(webContents.windowOpenHandler!({ url: 'https://example.com/x' })).toEqual({ action: 'deny' });
    expect(webContents.windowOpenHandler!({ url: 'file:///home/me/.ssh/id_rsa' })).toEqual({
      action: 'deny',
    });
    expect(webContents.windowOpenHandler!({ url: `${APP_URL}?popup` })).toEqual({ action: 'deny' });
    await settle();
    expect(electron.current!.mock.dialog.showMessageBox).toHaveBeenCalledTimes(1);
    expect(shell.openExternal.mock.calls).toEqual([['https://example.com/x']]);
  });

  it('loads the dev server only when not packaged, and only an http(s) one', () => {
    expect(rendererUrl('http://localhost:5173/', false)).toBe('http://localhost:5173/');
    expect(rendererUrl('http://localhost:5173/', true)).toBe(APP_URL);
    expect(rendererUrl(undefined, false)).toBe(APP_URL);
    expect(rendererUrl('file:///tmp/evil.html', false)).toBe(APP_URL);
    expect(rendererUrl('javascript:alert(1)', false)).toBe(APP_URL);
  });

  it('denies redirects away from the app and webview attachment', () => {
    const { webContents } = open();
    const redirect = {
      prevented: false,
      preventDefault() {
        this.prevented = true;
      },
    };
    webContents.emit('will-redirect', redirect, 'https://evil.example/');
    expect(redirect.prevented).toBe(true);
    const attach = {
      prevented: false,
      preventDefault() {
        this.prevented = true;
      },
    };
    webContents.emit('will-attach-webview', attach);
    expect(attach.prevented).toBe(true);
  });

  it('denies every permission request and check', () => {
    const { webContents } = open();
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) {
      const cb = vi.fn();
      webContents.session.permissionRequestHandler!(webContents, permission, cb);
      expect(cb).toHaveBeenCalledWith(false);
      expect(webContents.session.permissionCheckHandler!(webContents, permission)).toBe(false);
    }
  });

  it('lets only the app’s own page write to the clipboard (Copy buttons), never read it', () => {
    const { webContents } = open();
    const origin = 'app://signet';
    const check = webContents.session.permissionCheckHandler!;
    expect(check(webContents, 'clipboard-sanitized-write', origin)).toBe(true);
    expect(check(webContents, 'clipboard-sanitized-write', 'https://evil.example')).toBe(false);
    expect(check(webContents, 'clipboard-read', origin)).toBe(false);
    const ok = vi.fn();
    webContents.session.permissionRequestHandler!(webContents, 'clipboard-sanitized-write', ok, {
      requestingUrl: `${origin}/index.html`,
    });
    expect(ok).toHaveBeenCalledWith(true);
    const refused = vi.fn();
    webContents.session.permissionRequestHandler!(webContents, 'clipboard-sanitized-write', refused, {
      requestingUrl: 'file:///tmp/x.html',
    });
    expect(refused).toHaveBeenCalledWith(false);
  });

  it('adds a strict Content-Security-Policy to every response', () => {
    const { webContents } = open();
    let result: { responseHeaders: Record<string, string[]> } | undefined;
    webContents.session.headersHandler!(
      { responseHeaders: { 'X-Other': ['1'] } },
      (r) => (result = r as never),
    );
    expect(result!.responseHeaders['Content-Security-Policy']).toEqual([CONTENT_SECURITY_POLICY]);
    expect(result!.responseHeaders['X-Other']).toEqual(['1']);
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/script-src[^;]*unsafe/);
    expect(CONTENT_SECURITY_POLICY).toContain("object-src 'none'");
  });
});

describe('what the window saves', () => {
  const folder = mkdtempSync(join(tmpdir(), 'signet-downloads-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  /** A finished Chromium download of `name` (written 0644, as with the usual umask), ending in `state`. */
  async function download(name: string, state: 'completed' | 'cancelled'): Promise<string> {
    const { webContents } = open();
    const path = join(folder, name);
    writeFileSync(path, 'order,email,url\n', { mode: 0o644 });
    chmodSync(path, 0o644);
    const item = Object.assign(new EventEmitter(), { getSavePath: () => path });
    webContents.session.emit('will-download', {}, item);
    item.emit('done', {}, state);
    // The chmod is asynchronous.
    await new Promise((r) => setTimeout(r, 50));
    return (statSync(path).mode & 0o777).toString(8);
  }

  it('makes a completed download (the batch’s CSV of links) readable by its owner only', async () => {
    expect(await download('orders-links.csv', 'completed')).toBe('600');
    expect(await download('cancelled.csv', 'cancelled')).toBe('644');
  });
});

describe('a window whose page fails', () => {
  const folders = mkdtempSync(join(tmpdir(), 'signet-window-'));
  afterAll(() => rmSync(folders, { recursive: true, force: true }));
  let stderr: MockInstance<typeof console.error>;
  beforeEach(() => {
    const e = electron.current!;
    e.mock.app.getPath.mockImplementation((name: string) => join(folders, name));
    e.mock.app.exit.mockClear();
    e.mock.dialog.showMessageBoxSync.mockClear();
    e.mock.shell.openPath.mockClear();
    e.dialogAnswer.response = 1; // "Quit"
    stderr = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    return () => stderr.mockRestore();
  });

  /** The one dialog shown, after the app was told to exit. */
  async function shownDialog() {
    const e = electron.current!;
    await vi.waitFor(() => expect(e.mock.app.exit).toHaveBeenCalledWith(1));
    expect(e.mock.dialog.showMessageBoxSync).toHaveBeenCalledTimes(1);
    return (e.mock.dialog.showMessageBoxSync.mock.calls as unknown as [Record<string, unknown>][])[0]![0];
  }

  it('a page that does not load (out/renderer missing): the plain-words dialog, logged, then quit', async () => {
    const { webContents } = open();
    webContents.emit('did-fail-load', {}, -6, 'ERR_FILE_NOT_FOUND', APP_URL, true, 1, 1);
    // The same broken page reports more than one event; the user sees one dialog.
    webContents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 11 });
    const shown = await shownDialog();
    expect(shown).toMatchObject({
      type: 'error',
      title: 'Signet’s window could not be shown',
      message: expect.stringContaining('could not be loaded'),
      buttons: ['Open Data Folder', 'Quit'],
    });
    expect(shown['detail']).toContain(join(folders, 'userData'));
    expect(shown['detail']).toContain(`${APP_URL} did not load: ERR_FILE_NOT_FOUND (-6)`);
    expect(stderr.mock.calls.some(([m]) => String(m).includes('ERR_FILE_NOT_FOUND'))).toBe(true);
    expect(readFileSync(join(folders, 'logs', 'startup.log'), 'utf8')).toContain('ERR_FILE_NOT_FOUND');
  });

  it('a page answered with an HTTP error (a missing file under app:// is a 404 page, not a failed load)', async () => {
    const { webContents } = open();
    webContents.emit('did-navigate', {}, APP_URL, 404, 'Not Found');
    const shown = await shownDialog();
    expect(shown['title']).toBe('Signet’s window could not be shown');
    expect(shown['detail']).toContain(`${APP_URL} answered 404 Not Found`);
  });

  it('a renderer process that dies: a dialog that says the window stopped; Open Data Folder opens it', async () => {
    electron.current!.dialogAnswer.response = 0;
    const { webContents } = open();
    webContents.emit('render-process-gone', {}, { reason: 'oom', exitCode: -1 });
    const shown = await shownDialog();
    expect(shown['title']).toBe('Signet’s window stopped');
    expect(shown['detail']).toContain('oom (exit code -1)');
    expect(electron.current!.mock.shell.openPath).toHaveBeenCalledWith(join(folders, 'userData'));
  });

  it('ignores what is not a broken page: a sub-frame, an aborted load, a good response, a clean exit', async () => {
    const { webContents } = open();
    webContents.emit('did-fail-load', {}, -6, 'ERR_FILE_NOT_FOUND', 'https://example.com/frame', false, 1, 2);
    webContents.emit('did-fail-load', {}, -3, 'ERR_ABORTED', APP_URL, true, 1, 1);
    webContents.emit('did-navigate', {}, APP_URL, 200, 'OK');
    webContents.emit('render-process-gone', {}, { reason: 'clean-exit', exitCode: 0 });
    await settle();
    expect(electron.current!.mock.dialog.showMessageBoxSync).not.toHaveBeenCalled();
    expect(electron.current!.mock.app.exit).not.toHaveBeenCalled();
  });
});

describe('window icon', () => {
  it('is handed to the window', () => {
    createMainWindow({ appUrl: APP_URL, preloadPath: '/p.js', iconPath: '/opt/Signet/resources/icon.png' });
    expect(electron.current!.windows.at(-1)!.options['icon']).toBe('/opt/Signet/resources/icon.png');
  });

  it('comes from next to app.asar when packaged, from the repository’s resources/ otherwise', () => {
    expect(windowIconPath(true, '/opt/Signet/resources', '/ignored')).toBe('/opt/Signet/resources/icon.png');
    const repo = join(__dirname, '..', '..');
    expect(windowIconPath(false, '/ignored', repo)).toBe(join(repo, 'resources', 'icon.png'));
    expect(existsSync(windowIconPath(false, '/ignored', repo))).toBe(true);
  });
});

describe('renderer page CSP', () => {
  it('index.html carries the same policy as the response header (meta tags cannot set frame-ancestors)', async () => {
    const { readFileSync } = await import('node:fs');
    const html = readFileSync(new URL('../../src/renderer/index.html', import.meta.url), 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];
    const directives = (p: string) =>
      new Set(
        p
          .split(';')
          .map((d) => d.trim())
          .filter((d) => !d.startsWith('frame-ancestors')),
      );
    expect(meta).toBeDefined();
    expect(directives(meta!)).toEqual(directives(CONTENT_SECURITY_POLICY));
  });
});
