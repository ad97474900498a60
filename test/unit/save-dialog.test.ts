import { describe, expect, it, vi } from 'vitest';
import { createElectronMock } from '../support/electron-mock';

const electron = vi.hoisted(() => ({ current: null as ReturnType<typeof createElectronMock> | null }));
vi.mock('electron', () => {
  electron.current = createElectronMock();
  return electron.current.mock;
});

const { makeSaveFileDialog } = await import('../../src/main/platform/save-dialog');

describe('save dialog adapter', () => {
  it('answers the chosen path, asking before overwriting, with the window as parent when there is one', async () => {
    const e = electron.current!;
    e.saveAnswer.path = '/home/shop/verifier.json';
    const window = { id: 1 };
    const save = makeSaveFileDialog(() => window as never);
    const request = {
      title: 'Export verifier config',
      defaultName: 'signet-verifier.json',
      filters: [{ name: 'JSON', extensions: ['json'] }],
    };
    await expect(save(request)).resolves.toBe('/home/shop/verifier.json');
    expect(e.mock.dialog.showSaveDialog).toHaveBeenCalledWith(window, {
      title: 'Export verifier config',
      defaultPath: 'signet-verifier.json',
      properties: ['createDirectory', 'showOverwriteConfirmation'],
      filters: [{ name: 'JSON', extensions: ['json'] }],
    });
  });

  it('answers null when the user cancels, and works without a window', async () => {
    const e = electron.current!;
    e.saveAnswer.path = null;
    const save = makeSaveFileDialog(() => null);
    await expect(save({ title: 'Export', defaultName: 'x.json' })).resolves.toBeNull();
    expect(e.mock.dialog.showSaveDialog).toHaveBeenLastCalledWith({
      title: 'Export',
      defaultPath: 'x.json',
      properties: ['createDirectory', 'showOverwriteConfirmation'],
    });
  });
});
