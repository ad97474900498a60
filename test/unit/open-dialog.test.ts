import { describe, expect, it, vi } from 'vitest';

const showOpenDialog = vi.hoisted(() =>
  vi.fn(async (..._args: unknown[]) => ({ canceled: false, filePaths: ['/home/shop/a.zip'] })),
);
vi.mock('electron', () => ({ dialog: { showOpenDialog } }));

const { makeOpenFilesDialog } = await import('../../src/main/platform/open-dialog');

describe('open dialog adapter', () => {
  it('asks for several files to upload, with the window as parent when there is one', async () => {
    const window = { id: 1 };
    const open = makeOpenFilesDialog(() => window as never);
    await expect(open({ title: 'Choose files to upload' })).resolves.toEqual(['/home/shop/a.zip']);
    expect(showOpenDialog).toHaveBeenLastCalledWith(window, {
      title: 'Choose files to upload',
      properties: ['openFile', 'multiSelections'],
    });
  });

  it('asks for one file with filters (a backup to restore), and answers none when cancelled', async () => {
    showOpenDialog.mockResolvedValueOnce({ canceled: true, filePaths: [] });
    const open = makeOpenFilesDialog(() => null);
    const filters = [{ name: 'Signet backup', extensions: ['signetbackup'] }];
    await expect(open({ title: 'Choose the backup to restore', multiple: false, filters })).resolves.toEqual(
      [],
    );
    expect(showOpenDialog).toHaveBeenLastCalledWith({
      title: 'Choose the backup to restore',
      properties: ['openFile'],
      filters,
    });
  });
});
