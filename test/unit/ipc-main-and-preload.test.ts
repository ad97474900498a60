import { describe, expect, it, vi } from 'vitest';
import { CHANNEL_NAMES, EVENT_CHANNEL_PREFIX, PRELOAD_CHANNEL_NAMES } from '../../src/shared/ipc/contract';
import { SettingsSchema } from '../../src/shared/settings';
import { createElectronMock, FakeWebContents } from '../support/electron-mock';

const electron = vi.hoisted(() => ({ current: null as ReturnType<typeof createElectronMock> | null }));
vi.mock('electron', () => {
  electron.current = createElectronMock();
  return electron.current.mock;
});

const { registerIpcHandlers, makeEmitter } = await import('../../src/main/platform/ipc-main');

describe('ipcMain registration', () => {
  it('registers every contract channel and passes the sender frame to the router', async () => {
    const dispatch = vi.fn(async () => ({ ok: true as const, data: null }));
    registerIpcHandlers({ dispatch });
    const { handlers } = electron.current!;
    expect([...handlers.keys()].sort()).toEqual([...CHANNEL_NAMES, ...PRELOAD_CHANNEL_NAMES].sort());

    const mainFrame = { url: 'file:///app/index.html' };
    await handlers.get('settings:get')!({ senderFrame: mainFrame, sender: { mainFrame } }, undefined);
    expect(dispatch).toHaveBeenLastCalledWith('settings:get', undefined, {
      url: mainFrame.url,
      isMainFrame: true,
    });

    const subFrame = { url: 'file:///app/index.html' };
    await handlers.get('settings:get')!({ senderFrame: subFrame, sender: { mainFrame } }, { x: 1 });
    expect(dispatch).toHaveBeenLastCalledWith(
      'settings:get',
      { x: 1 },
      { url: subFrame.url, isMainFrame: false },
    );

    await handlers.get('settings:get')!({ senderFrame: null, sender: { mainFrame } }, undefined);
    expect(dispatch).toHaveBeenLastCalledWith('settings:get', undefined, { url: '', isMainFrame: false });
  });

  it('validates event payloads before sending them', () => {
    const contents = new FakeWebContents();
    const emit = makeEmitter(() => contents as never);
    const settings = SettingsSchema.parse({});
    emit('settings:changed', settings);
    expect(contents.sent).toEqual([[`${EVENT_CHANNEL_PREFIX}settings:changed`, settings]]);
    expect(() => emit('task:progress', { taskId: 1 } as never)).toThrow();
  });
});

describe('preload', () => {
  it('exposes window.api built from the contract, never ipcRenderer itself', async () => {
    await import('../../src/preload/index');
    const { exposed, invoked, rendererListeners } = electron.current!;
    expect([...exposed.keys()]).toEqual(['api', 'signetFiles']);
    const api = exposed.get('api') as Record<string, Record<string, (i?: unknown) => Promise<unknown>>> & {
      on: (e: string, l: (p: unknown) => void) => () => void;
    };
    expect(Object.values(api).some((v) => v === (electron.current!.mock.ipcRenderer as unknown))).toBe(false);

    expect(await api['settings']!['update']!({ theme: 'light' })).toEqual({
      ok: true,
      data: 'settings:update',
    });
    expect(invoked).toEqual([['settings:update', { theme: 'light' }]]);

    const received: unknown[] = [];
    const off = api.on('task:progress', (p) => received.push(p));
    const channel = `${EVENT_CHANNEL_PREFIX}task:progress`;
    rendererListeners.get(channel)![0]!({}, { taskId: 't' });
    expect(received).toEqual([{ taskId: 't' }]);
    off();
    expect(rendererListeners.get(channel)).toEqual([]);
    expect(() => api.on('not:an-event', () => undefined)).toThrow(/Unknown event/);
  });

  it('resolves dropped files through webUtils and has main grant them, giving the page nothing else', async () => {
    await import('../../src/preload/index');
    const { exposed, invoked, mock } = electron.current!;
    const files = exposed.get('signetFiles') as Record<string, (f: unknown[]) => Promise<string[]>>;
    expect(Object.keys(files)).toEqual(['pathsFor']);
    // files:dropped is not on window.api: the page cannot name paths, only hand over what it was given.
    const api = exposed.get('api') as Record<string, Record<string, unknown>>;
    expect(api['files']).toEqual({ choose: expect.any(Function) });
    mock.ipcRenderer.invoke.mockImplementationOnce(async (channel: string, input: unknown) => {
      invoked.push([channel, input]);
      // The router's answer to files:dropped: the paths, granted.
      return { ok: true, data: input as never };
    });
    const dropped = [{ name: 'guide.pdf' }, { name: 'cover.png' }];
    expect(await files['pathsFor']!(dropped)).toEqual(['/dropped/guide.pdf', '/dropped/cover.png']);
    expect(mock.webUtils.getPathForFile).toHaveBeenCalledWith(dropped[0]);
    expect(invoked.at(-1)).toEqual([
      'files:dropped',
      { paths: ['/dropped/guide.pdf', '/dropped/cover.png'] },
    ]);
  });
});
