import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MemorySecretStore } from '../../src/main/services/memory-secret-store';
import { createMainServices, type MainServices } from '../../src/main/wiring';

const open: { services: MainServices; dir: string }[] = [];
function services(dir = mkdtempSync(join(tmpdir(), 'signet-settings-'))): MainServices {
  let t = Date.parse('2026-11-22T10:00:00Z');
  const s = createMainServices({
    databaseFile: join(dir, 'signet.db'),
    secrets: new MemorySecretStore(),
    clock: { now: () => new Date((t += 1000)) },
    facts: {
      name: 'Signet',
      version: '0.0.0',
      versions: { electron: null, chrome: null, node: '20' },
      platform: 'test',
      dataFolder: dir,
    },
    emit: () => undefined,
  });
  open.push({ services: s, dir });
  return s;
}
afterEach(() =>
  open.splice(0).forEach(({ services: s, dir }) => {
    s.close();
    rmSync(dir, { recursive: true, force: true });
  }),
);

describe('settings on a real SQLite file', () => {
  it('starts from defaults, saves only what changed and survives reopening', () => {
    const s = services();
    expect(s.settings.get()).toEqual({
      defaultLinkExpiryHours: 72,
      defaultMaxDownloads: 5,
      verifierBaseUrl: '',
      verifierAdminUrl: '',
      confirmBulkChanges: true,
      theme: 'auto',
    });
    const next = s.settings.update({ defaultLinkExpiryHours: 24, defaultMaxDownloads: null, theme: 'auto' });
    expect(next).toMatchObject({ defaultLinkExpiryHours: 24, defaultMaxDownloads: null, theme: 'auto' });
    expect(s.db.prepare('SELECT key FROM settings ORDER BY key').all()).toEqual([
      { key: 'defaultLinkExpiryHours' },
      { key: 'defaultMaxDownloads' },
    ]);
    const dir = open[0]!.dir;
    s.close();
    open.length = 0;
    const again = services(dir);
    expect(again.settings.get()).toMatchObject({ defaultLinkExpiryHours: 24, defaultMaxDownloads: null });
  });

  it('records each change in the activity log, in plain words, newest first', () => {
    const s = services();
    s.settings.update({ theme: 'dark' });
    s.settings.update({ theme: 'dark' }); // no change, no entry
    s.settings.update({ verifierBaseUrl: 'https://shop.example.com', confirmBulkChanges: false });
    expect(s.activity.recent(10).map((e) => e.message)).toEqual([
      'Changed Verifier address, Confirm bulk changes.',
      'Changed Theme.',
    ]);
  });

  it('falls back to the default for a stored value that no longer validates', () => {
    const s = services();
    s.db
      .prepare(
        "INSERT INTO settings (key, value) VALUES ('defaultLinkExpiryHours', '-3'), ('theme', 'not json')",
      )
      .run();
    expect(s.settings.get()).toMatchObject({ defaultLinkExpiryHours: 72, theme: 'auto' });
  });
});
