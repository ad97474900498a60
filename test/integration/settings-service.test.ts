import { afterEach, describe, expect, it } from 'vitest';
import type { MainServices } from '../../src/main/wiring';
import { openTestServices, type TestServices } from '../support/test-services';

const open: TestServices[] = [];
function services(dir?: string): MainServices {
  let t = Date.parse('2026-11-22T10:00:00Z');
  const opened = openTestServices({
    clock: { now: () => new Date((t += 1000)) },
    prefix: 'settings',
    ...(dir ? { dir } : {}),
  });
  open.push(opened);
  return opened.services;
}
afterEach(() => open.splice(0).forEach((t) => t.close()));

describe('settings on a real SQLite file', () => {
  it('starts from defaults, saves only what changed and survives reopening', () => {
    const s = services();
    expect(s.settings.get()).toEqual({
      defaultLinkExpiryHours: 72,
      defaultMaxDownloads: 5,
      verifierBaseUrl: '',
      verifierAdminUrl: '',
      shareNetworks: 3,
      shareAction: 'flag',
      watchEveryMinutes: 360,
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
