import Database from 'better-sqlite3';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createElectronMock } from '../support/electron-mock';

const electron = vi.hoisted(() => ({ current: null as ReturnType<typeof createElectronMock> | null }));
vi.mock('electron', () => {
  electron.current = createElectronMock();
  return electron.current.mock;
});

const { APP_URL, handleAppProtocol, registerAppScheme, serveAppFile } =
  await import('../../src/main/platform/app-protocol');
const { CONTENT_SECURITY_POLICY } = await import('../../src/main/platform/csp');
const { registerIpcHandlers } = await import('../../src/main/platform/ipc-main');
const { createIpcRouter } = await import('../../src/main/ipc/router');
const { makeTrustedSenderCheck } = await import('../../src/main/ipc/trusted-sender');
const { describeStartupFailure } = await import('../../src/main/platform/startup-failure');
const { menuTemplate } = await import('../../src/main/platform/menu');

let dir: string;
let root: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'signet-shell-'));
  root = join(dir, 'out', 'renderer');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>Signet</title>');
  writeFileSync(join(root, 'assets', 'index-abc.js'), 'console.log(1)');
  writeFileSync(join(root, 'assets', 'index-abc.css'), 'body{}');
  writeFileSync(join(dir, 'out', 'secret.txt'), 'outside the renderer folder');
  symlinkSync(join(dir, 'out', 'secret.txt'), join(root, 'assets', 'link-out.txt'));
  symlinkSync(join(dir, 'out'), join(root, 'dir-out'));
  symlinkSync(join(root, 'index.html'), join(root, 'assets', 'link-in.html'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('app:// protocol', () => {
  it('is registered privileged as a standard, secure scheme, without bypassing the CSP', () => {
    registerAppScheme();
    const calls = electron.current!.mock.protocol.registerSchemesAsPrivileged.mock.calls as unknown[][];
    expect(calls.at(-1)![0]).toEqual([
      { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
    ]);
    expect(APP_URL).toBe('app://signet/index.html');
  });

  it('serves the built files with their type and the CSP on every response', async () => {
    handleAppProtocol(root);
    const handler = electron.current!.protocolHandlers.get('app')!;
    const index = await handler(new Request('app://signet/index.html'));
    expect(index.status).toBe(200);
    expect(await index.text()).toContain('<title>Signet</title>');
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(index.headers.get('x-content-type-options')).toBe('nosniff');

    const root1 = await serveAppFile(root, 'app://signet/');
    expect(await root1.text()).toContain('<title>Signet</title>');
    const js = await serveAppFile(root, 'app://signet/assets/index-abc.js');
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await js.text()).toBe('console.log(1)');
    const css = await serveAppFile(root, 'app://signet/assets/index-abc.css?v=1#x');
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    // A symlink that stays inside the folder is fine.
    expect((await serveAppFile(root, 'app://signet/assets/link-in.html')).status).toBe(200);
    const head = await serveAppFile(root, 'app://signet/index.html', 'HEAD');
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('refuses traversal, symlinks out of the folder, other hosts, folders, missing files and writes', async () => {
    const refused: [string, number][] = [
      ['app://signet/../secret.txt', 404], // URL parsing folds this to /secret.txt, which is not in the folder
      ['app://signet/%2e%2e/secret.txt', 404], // so is this (%2e%2e is a dot segment too)
      ['app://signet/assets/%2e%2e%2f%2e%2e%2fsecret.txt', 403],
      ['app://signet/..%2fsecret.txt', 403],
      ['app://signet/assets%5c..%5c..%5csecret.txt', 403],
      ['app://signet/index.html%00.js', 403],
      ['app://signet/assets/link-out.txt', 403],
      ['app://signet/dir-out/secret.txt', 403],
      ['app://signet/assets', 404],
      ['app://signet/nope.js', 404],
      ['app://signet/%E0%A4%A', 400],
      ['app://other/index.html', 404],
      ['https://signet/index.html', 404],
    ];
    for (const [url, status] of refused) {
      const response = await serveAppFile(root, url);
      expect({ url, status: response.status }).toEqual({ url, status });
      expect(await response.text()).not.toContain('outside the renderer folder');
      expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    }
    expect((await serveAppFile(root, 'app://signet/index.html', 'POST')).status).toBe(405);
  });

  it('answers IPC only to the app:// main frame; a page from any other origin gets no answer', async () => {
    const handlersCalled: string[] = [];
    const router = createIpcRouter({
      handlers: new Proxy({} as never, {
        get: (_t, name: string) => () => (
          handlersCalled.push(name),
          { available: true, backend: 'x', message: null }
        ),
      }),
      isTrustedSender: makeTrustedSenderCheck(APP_URL),
      logger: { error: () => undefined },
    });
    registerIpcHandlers(router);
    const handler = electron.current!.handlers.get('keychain:status')!;
    const call = (url: string) => {
      const frame = { url };
      return handler({ senderFrame: frame, sender: { mainFrame: frame } }, undefined);
    };
    expect(await call('app://signet/index.html#/settings')).toMatchObject({ ok: true });
    for (const url of [
      'file:///opt/Signet/resources/app.asar/out/renderer/index.html',
      'https://signet/index.html',
      'app://evil/index.html',
      'http://localhost:5173/',
      'about:blank',
      '',
    ]) {
      expect(await call(url)).toMatchObject({ ok: false, error: { code: 'forbidden-sender' } });
    }
    expect(handlersCalled).toEqual(['keychain:status']);
  });
});

describe('start-up failure', () => {
  it('a database from a newer Signet: the composition root shows a dialog with the plain reason and quits', async () => {
    const userData = join(dir, 'user-data');
    mkdirSync(userData, { recursive: true });
    const db = new Database(join(userData, 'signet.db'));
    db.pragma('user_version = 999');
    db.close();
    const e = electron.current!;
    e.mock.app.getPath.mockImplementation((name: string) =>
      join(dir, name === 'userData' ? 'user-data' : name),
    );
    const stderr = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    e.dialogAnswer.response = 0; // "Open Data Folder"

    await import('../../src/main/index');
    await vi.waitFor(() => expect(e.mock.app.exit).toHaveBeenCalledWith(1));

    expect(e.mock.dialog.showMessageBoxSync).toHaveBeenCalledTimes(1);
    const shown = (
      e.mock.dialog.showMessageBoxSync.mock.calls as unknown as [Record<string, unknown>][]
    )[0]![0];
    expect(shown).toMatchObject({
      type: 'error',
      title: 'Signet needs an update',
      message: expect.stringContaining('saved by a newer version of Signet'),
      buttons: ['Open Data Folder', 'Quit'],
    });
    expect(shown['detail']).toContain(userData);
    expect(shown['detail']).toContain('schema 999');
    expect(e.mock.shell.openPath).toHaveBeenCalledWith(userData);
    expect(stderr.mock.calls.some(([m]) => String(m).includes('newer version of Signet'))).toBe(true);
    // No window was opened on a half-started app.
    expect(e.windows).toHaveLength(0);
    stderr.mockRestore();
  });

  it('names each kind of failure in plain words', () => {
    const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });
    const cases: [unknown, RegExp][] = [
      [
        withCode("EACCES: permission denied, open '/d/signet.db'", 'EACCES'),
        /could not read or write its data folder/,
      ],
      [
        withCode('unable to open database file', 'SQLITE_CANTOPEN'),
        /could not read or write its data folder/,
      ],
      [withCode('file is not a database', 'SQLITE_NOTADB'), /damaged/],
      [
        new Error("The module 'better_sqlite3.node' was compiled against a different Node.js version"),
        /could not be loaded/,
      ],
      [withCode("Cannot find module 'better-sqlite3'", 'MODULE_NOT_FOUND'), /could not be loaded/],
      ['something odd', /Something went wrong/],
    ];
    for (const [error, expected] of cases) {
      const text = describeStartupFailure(error, '/d');
      expect(text.message).toMatch(expected);
      expect(text.detail).toContain('Technical detail:');
    }
  });
});

describe('application menu', () => {
  const labelsAndRoles = (items: unknown): string[] =>
    (items as { label?: string; role?: string; submenu?: unknown }[]).flatMap((i) => [
      i.label ?? i.role ?? '',
      ...(Array.isArray(i.submenu) ? labelsAndRoles(i.submenu) : []),
    ]);

  it('has no DevTools or reload outside development', () => {
    const packaged = labelsAndRoles(
      menuTemplate({ isDevelopment: false, isMac: false, openDataFolder: () => undefined }),
    );
    expect(packaged).not.toContain('toggleDevTools');
    expect(packaged).not.toContain('reload');
    expect(packaged).toContain('Open Data Folder');
    const dev = labelsAndRoles(
      menuTemplate({ isDevelopment: true, isMac: true, openDataFolder: () => undefined }),
    );
    expect(dev).toContain('toggleDevTools');
    expect(dev).toContain('appMenu');
  });
});
