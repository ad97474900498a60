/**
 * The Notifier port's desktop adapter (src/main/platform/desktop-notifier.ts) on the mocked electron: a notice
 * becomes one system notification with its title and body, a click on it calls back (the app brings its window
 * forward), and a desktop without notifications gets none (and no error).
 */
import { describe, expect, it, vi } from 'vitest';
import { createElectronMock } from '../support/electron-mock';

const electron = vi.hoisted(() => ({ current: null as ReturnType<typeof createElectronMock> | null }));
vi.mock('electron', () => {
  electron.current = createElectronMock();
  return electron.current.mock;
});

const { makeDesktopNotifier } = await import('../../src/main/platform/desktop-notifier');

describe('desktop notifier', () => {
  it('shows one system notification per notice, and a click calls back', () => {
    const e = electron.current!;
    e.notificationSupport.supported = true;
    const onClick = vi.fn();
    const notifier = makeDesktopNotifier(onClick);
    notifier.notify({ title: 'A download link is being shared', body: 'The link for guide.pdf was used…' });
    expect(e.notifications).toHaveLength(1);
    const [shown] = e.notifications;
    expect(shown!.options).toEqual({
      title: 'A download link is being shared',
      body: 'The link for guide.pdf was used…',
    });
    expect(shown!.shown).toBe(true);
    expect(onClick).not.toHaveBeenCalled();
    shown!.emit('click');
    expect(onClick).toHaveBeenCalledTimes(1);
  });

  it('shows nothing, and throws nothing, where the desktop has no notifications', () => {
    const e = electron.current!;
    e.notifications.length = 0;
    e.notificationSupport.supported = false;
    const notifier = makeDesktopNotifier(() => undefined);
    notifier.notify({ title: 'x', body: 'y' });
    expect(e.notifications).toEqual([]);
    expect(e.mock.Notification.isSupported).toHaveBeenCalled();
  });
});
