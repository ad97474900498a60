/**
 * Settings' "Back up…" and "Restore…" through the IPC router, as the window calls them: main asks the save or
 * open dialog (stubbed here) and writes or reads the file itself; the answers follow the contract.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createHandlers } from '../../src/main/ipc/handlers';
import { createIpcRouter, type SenderInfo } from '../../src/main/ipc/router';
import type { Clock } from '../../src/main/services/clock';
import { MemorySecretStore } from '../../src/main/services/memory-secret-store';
import { createMainServices, type MainServices, type OpenFilesDialog } from '../../src/main/wiring';
import type { ChannelInput, ChannelName } from '../../src/shared/ipc/contract';
import { testFacts } from '../support/test-services';

const frame: SenderInfo = { url: 'app://signet/index.html', isMainFrame: true };
const clock: Clock = { now: () => new Date('2026-11-02T10:00:00.000Z') };
const PASS = 'the window’s passphrase';
const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((f) => f()));

function app(opts: { save: () => string | null; open: OpenFilesDialog }) {
  const dir = mkdtempSync(join(tmpdir(), 'signet-backup-ipc-'));
  const events: string[] = [];
  const secrets = new MemorySecretStore();
  const services: MainServices = createMainServices({
    databaseFile: join(dir, 'signet.db'),
    secrets,
    clock,
    facts: testFacts(dir),
    emit: (event) => events.push(event),
    saveFile: async () => opts.save(),
    openFiles: opts.open,
  });
  cleanups.push(() => {
    services.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const router = createIpcRouter({
    handlers: createHandlers(services),
    isTrustedSender: () => true,
    logger: { error: () => undefined },
  });
  const call = <C extends ChannelName>(channel: C, input: ChannelInput<C>) =>
    router.dispatch(channel, input, frame);
  return { dir, services, secrets, events, call };
}

describe('backup over IPC', () => {
  it('backs up where the save dialog says, restores what the open dialog picks, and refuses what it must', async () => {
    const work = mkdtempSync(join(tmpdir(), 'signet-backup-ipc-file-'));
    cleanups.push(() => rmSync(work, { recursive: true, force: true }));
    const file = join(work, 'shop.signetbackup');
    let saveAnswer: string | null = null;
    const source = app({ save: () => saveAnswer, open: async () => [] });
    await source.secrets.set('verifier:admin-token', 'x'.repeat(40));
    await source.services.keys.create();

    expect(await source.call('backup:status', undefined)).toEqual({
      ok: true,
      data: { lastBackupAt: null, daysSince: null, hasData: true, restoreNeedsReplace: true, reminder: true },
    });
    // Cancelled in the dialog: nothing written, nothing recorded.
    expect(await source.call('backup:create', { passphrase: PASS })).toEqual({
      ok: true,
      data: { file: null, accounts: 0, keys: 0, links: 0, createdAt: null, warnings: [] },
    });
    expect(await source.call('backup:create', { passphrase: 'short' })).toMatchObject({
      ok: false,
      error: { code: 'invalid-input', message: 'passphrase: At least 8 characters' },
    });
    saveAnswer = file;
    expect(await source.call('backup:create', { passphrase: PASS })).toEqual({
      ok: true,
      data: { file, accounts: 0, keys: 1, links: 0, createdAt: '2026-11-02T10:00:00.000Z', warnings: [] },
    });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(await source.call('backup:status', undefined)).toMatchObject({
      ok: true,
      data: { lastBackupAt: '2026-11-02T10:00:00.000Z', daysSince: 0, reminder: false },
    });

    const asked: Parameters<OpenFilesDialog>[0][] = [];
    let openAnswer: string[] = [];
    const target = app({
      save: () => null,
      open: async (request) => {
        asked.push(request);
        return openAnswer;
      },
    });
    expect(await target.call('backup:restore', { passphrase: PASS, replace: false })).toEqual({
      ok: true,
      data: { file: null, accounts: 0, keys: 0, links: 0, createdAt: null },
    });
    expect(asked[0]).toMatchObject({ multiple: false });
    openAnswer = [file];
    expect(await target.call('backup:restore', { passphrase: 'not the passphrase' })).toMatchObject({
      ok: false,
      error: {
        code: 'invalid-input',
        message: expect.stringMatching(/passphrase is wrong.*Nothing was changed/),
      },
    });
    expect(target.services.keys.list()).toEqual([]);
    expect(await target.call('backup:restore', { passphrase: PASS })).toEqual({
      ok: true,
      data: { file, accounts: 0, keys: 1, links: 0, createdAt: '2026-11-02T10:00:00.000Z' },
    });
    expect(target.events).toContain('settings:changed');
    expect(target.services.keys.list()).toEqual(source.services.keys.list());
    expect(await target.secrets.get('verifier:admin-token')).toBe('x'.repeat(40));
    expect(await target.call('backup:restore', { passphrase: PASS, replace: false })).toMatchObject({
      ok: false,
      error: {
        code: 'conflict',
        message: expect.stringMatching(/already has 0 storage accounts and 1 signing key/),
      },
    });
    expect(await target.call('backup:restore', { passphrase: PASS, replace: true })).toMatchObject({
      ok: true,
    });
  });
});
