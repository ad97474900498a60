import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type AppUnderTest } from './support/harness';

let app: AppUnderTest;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app?.close();
});
// Each test also checks what was logged while it ran, so a test run on its own (-t) checks it too; the
// last test still checks the whole file.
afterEach(() => {
  expect(app.errors).toEqual([]);
});

describe('app shell in Chromium, wired to the real main-process handlers', () => {
  it('shows the navigation and every page', async () => {
    const { page } = app;
    const nav = page.getByRole('navigation', { name: 'Main navigation' });
    for (const label of ['Library', 'Links', 'Accounts', 'Activity', 'Settings']) {
      await expect.poll(() => nav.getByText(label, { exact: true }).isVisible()).toBe(true);
    }
    for (const [label, heading] of [
      ['Library', 'Library'],
      ['Links', 'Links'],
      ['Accounts', 'Accounts'],
      ['Activity', 'Activity'],
    ] as const) {
      await nav.getByText(label, { exact: true }).click();
      await page.getByRole('heading', { name: heading, level: 2 }).waitFor();
    }
    expect(page.url()).toMatch(/#\/activity$/);
    await page.getByText('Nothing yet.').waitFor();
  });

  it('saves a setting through the contract into SQLite, and it survives a reload', async () => {
    const { page, services } = app;
    await page
      .getByRole('navigation', { name: 'Main navigation' })
      .getByText('Settings', { exact: true })
      .click();
    await page.getByRole('heading', { name: 'Settings', level: 2 }).waitFor();
    await page.getByText('Available', { exact: true }).waitFor(); // the real keychain answered

    const lifetime = page.getByLabel('Link lifetime (hours)');
    await lifetime.fill('48');
    await page.getByText('New links work for 2 days.').waitFor();
    await page.getByLabel('Verifier address').fill('https://shop.example.com');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Settings saved.').waitFor();

    expect(services.settings.get()).toMatchObject({
      defaultLinkExpiryHours: 48,
      verifierBaseUrl: 'https://shop.example.com',
    });
    const rows = services.db.prepare('SELECT key, value FROM settings ORDER BY key').all();
    expect(rows).toEqual([
      { key: 'defaultLinkExpiryHours', value: '48' },
      { key: 'verifierBaseUrl', value: '"https://shop.example.com"' },
    ]);
    await app.screenshot('e2e-settings');

    await page.reload();
    await page.getByRole('heading', { name: 'Settings', level: 2 }).waitFor();
    await expect.poll(() => page.getByLabel('Link lifetime (hours)').inputValue()).toBe('48');
  });

  it('shows a field error from main when a value is refused, and saves nothing', async () => {
    const { page, services } = app;
    await page.getByLabel('Verifier address').fill('shop.example.com');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Enter a full address starting with https://').waitFor();
    expect(services.settings.get().verifierBaseUrl).toBe('https://shop.example.com');
    await page.getByRole('button', { name: 'Discard changes' }).click();
  });

  it('lists the change on the Activity page and shows versions in About', async () => {
    const { page } = app;
    await page
      .getByRole('navigation', { name: 'Main navigation' })
      .getByText('Activity', { exact: true })
      .click();
    await page.getByText('Changed Default link lifetime, Verifier address.').waitFor();
    await page.getByText('About Signet').click();
    const dialog = page.getByRole('dialog', { name: 'About Signet' });
    await dialog.getByText('SQLite').waitFor();
    await expect.poll(() => dialog.getByText(process.versions.node, { exact: true }).isVisible()).toBe(true);
    await app.screenshot('e2e-about');
    await page.keyboard.press('Escape');
  });

  it('refuses calls from a frame that is not the app page', async () => {
    const { page } = app;
    const errorsBefore = app.errors.length;
    const result = await page.evaluate(async () => {
      const frame = document.createElement('iframe');
      frame.srcdoc = '<p>x</p>';
      document.body.appendChild(frame);
      await new Promise((r) => frame.addEventListener('load', r));
      const invoke = (frame.contentWindow as Window & typeof globalThis).__signetInvoke;
      const answer = await invoke('settings:get', undefined);
      frame.remove();
      return answer;
    });
    expect(result).toMatchObject({ ok: false, error: { code: 'forbidden-sender' } });
    // The refusal is logged, and that is the only new entry; it is taken out by exact text, so anything
    // else logged meanwhile still fails the check below.
    const refusal = app.errors.findIndex(
      (e, i) => i >= errorsBefore && /^IPC: refused settings:get from untrusted frame /.test(e),
    );
    expect(refusal).toBeGreaterThanOrEqual(errorsBefore);
    app.errors.splice(refusal, 1);
  });

  it('logged no IPC, console or page errors', () => {
    expect(app.errors).toEqual([]);
  });
});
