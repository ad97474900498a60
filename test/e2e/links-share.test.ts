import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Notice } from '../../src/main/services/notifier';
import type { LinkCreated } from '../../src/shared/links/schemas';
import { loadConfigFile } from '../../src/verifier/config';
import { createLogger } from '../../src/verifier/log';
import { startVerifier, type RunningVerifier } from '../../src/verifier/server';
import { tempDir } from '../support/verifier';
import { startApp, type AppUnderTest } from './support/harness';

/**
 * The share guard and Reissue in Chromium, on the real handlers, ledger and keychain, and the real verifier
 * started from the config the app exports: a link downloaded from two loopback networks (127.1.0.1, 127.2.0.1)
 * gets the ledger's Shared badge after "Check downloads" (and one recorded desktop notification); the Shared
 * filter; Reissue from the row (then Copy: the old link is refused, the new one answers), from a link's details
 * (a direct link: marked replaced), and with the verifier down (nothing changes, the dialog says so); the Share
 * guard card in Settings. The verifier's redirect (302) is all a test asks of it, so no storage is needed.
 */

let app: AppUnderTest;
let verifier: RunningVerifier | null = null;
const work = tempDir('signet-e2e-share-');
const notices: Notice[] = [];
let shared: LinkCreated;
let quiet: LinkCreated;
let direct: LinkCreated;

const nav = (name: string) =>
  app.page.getByRole('navigation', { name: 'Main navigation' }).getByText(name, { exact: true });
const ledger = () => app.page.getByRole('table', { name: 'Links' });
const rowOf = (jti: string) => ledger().getByRole('row', { name: `Link ${jti}` });

async function settle(): Promise<void> {
  await app.page.mouse.move(0, 0);
  await expect
    .poll(() => app.page.locator('.mantine-Notification-root').count(), { timeout: 15_000 })
    .toBe(0);
}

async function clipboard(): Promise<string> {
  return app.page.evaluate(() => navigator.clipboard.readText());
}

/** A GET from a socket bound to `from` (a loopback address), redirects not followed: the status. */
function statusFrom(url: string, from: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { localAddress: from, agent: false });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  app = await startApp({ notifier: { notify: (n) => notices.push(n) } });
  await app.page.context().grantPermissions(['clipboard-read', 'clipboard-write'], {
    origin: new URL(app.page.url()).origin,
  });
  const { services } = app;
  const account = await services.accounts.add({
    settings: {
      name: 'Course shop',
      provider: 'custom',
      endpoint: 'http://127.0.0.1:9',
      region: 'us-east-1',
      forcePathStyle: true,
      buckets: ['courses'],
      privateBucket: null,
    },
    credentials: { accessKeyId: 'AKIAE2ESHARE', secretAccessKey: 'e2e-share-secret' },
  });
  await services.keys.create();
  // The share guard at 1 place, flag: a second network marks a link shared and still answers it.
  services.settings.update({ shareNetworks: 1, shareAction: 'flag' });
  const file = join(work.dir, 'verifier.json');
  await services.verifierConfig.write(file, { listen: '127.0.0.1:0' });
  verifier = await startVerifier(loadConfigFile(file), { logger: createLogger('silent') });
  services.settings.update({ verifierBaseUrl: verifier.url });
  const make = (orderId: string, email: string, kind: 'verifier' | 'direct' = 'verifier') =>
    services.links.createForKey({
      accountId: account.id,
      bucket: 'courses',
      key: `videos/${orderId === '5003' ? 'bonus' : 'masterclass'}.mp4`,
      kind,
      productSlug: 'masterclass',
      orderId,
      email,
      note: 'Bought in the spring sale',
      maxDownloads: kind === 'direct' ? null : 3,
      expiry: { type: 'seconds', seconds: 3 * 86_400 },
    });
  direct = await make('5003', 'cy@example.com', 'direct');
  quiet = await make('5002', 'bo@example.com');
  shared = await make('5001', 'ann@example.com');
  expect(await statusFrom(shared.url, '127.1.0.1')).toBe(302);
  expect(await statusFrom(shared.url, '127.2.0.1')).toBe(302);
  expect(await statusFrom(quiet.url, '127.1.0.1')).toBe(302);
  await app.page.reload();
  expect(app.errors).toEqual([]);
});

afterAll(async () => {
  await verifier?.close();
  await app?.close();
  work.cleanup();
});
afterEach(() => {
  expect(app.errors).toEqual([]);
});

describe('Shared links and Reissue in Chromium, with the real verifier', () => {
  it('shows the Shared badge and the places after Check downloads, tells the owner once, and filters', async () => {
    const { page } = app;
    await nav('Links').click();
    await page.getByRole('heading', { name: 'Links', level: 2 }).waitFor();
    await expect.poll(() => ledger().getByRole('row').count()).toBe(4);
    expect(await rowOf(shared.jti).getByText('Shared', { exact: true }).count()).toBe(0);

    await page.getByRole('button', { name: 'Check downloads', exact: true }).click();
    const row = rowOf(shared.jti);
    await row.getByText('Shared', { exact: true }).waitFor();
    await row.getByText('used from 2 places').waitFor();
    await rowOf(quiet.jti).getByText('used from 1 place').waitFor();
    expect(await rowOf(quiet.jti).getByText('Shared', { exact: true }).count()).toBe(0);
    expect(await row.getAttribute('data-shared')).toBe('true');
    expect(notices).toHaveLength(1);
    expect(notices[0]!.title).toBe('A download link is being shared');
    expect(notices[0]!.body).toContain('masterclass.mp4 (order 5001) was used from 2 different places');
    await settle();
    await app.screenshot('links-share-badge');

    // Asked again: no second notification.
    await page.getByRole('button', { name: 'Check downloads', exact: true }).click();
    await expect
      .poll(() => page.getByRole('button', { name: 'Check downloads', exact: true }).isEnabled())
      .toBe(true);
    expect(notices).toHaveLength(1);

    const sharedOnly = page.getByRole('checkbox', { name: 'Shared only' });
    await page.locator('label', { hasText: /^Shared only$/ }).click();
    expect(await sharedOnly.isChecked()).toBe(true);
    await expect.poll(() => ledger().getByRole('row').count()).toBe(2);
    await rowOf(shared.jti).waitFor();
    await settle();
    await app.screenshot('links-share-filter');
  });

  it('reissues a shared link in one click, then Copy: the old link is refused, the new one works', async () => {
    const { page, services } = app;
    const row = rowOf(shared.jti);
    await row.getByRole('button', { name: 'Reissue link for masterclass.mp4' }).click();
    const dialog = page.getByRole('dialog', { name: 'Reissue this link?' });
    await dialog.getByText('Your verifier revokes the old link first').waitFor();
    expect(await dialog.getByRole('textbox', { name: 'Downloads allowed' }).inputValue()).toBe('3');
    await settle();
    await app.screenshot('links-share-reissue-confirm');
    await dialog.getByRole('button', { name: 'Reissue link' }).click();
    const done = page.getByRole('dialog', { name: 'New link ready' });
    await done.getByText('The old link no longer works.', { exact: false }).waitFor();
    const url = await done.getByRole('textbox', { name: 'Download link' }).inputValue();
    await done.getByRole('button', { name: 'Copy', exact: true }).click();
    await done.getByRole('button', { name: 'Copied' }).waitFor();
    expect(await clipboard()).toBe(url);
    await settle();
    await app.screenshot('links-share-reissued');
    await done.getByRole('button', { name: 'Done' }).click();
    await done.waitFor({ state: 'hidden' });

    const fresh = services.links.list({ search: '5001' }).rows.find((r) => r.replaces === shared.jti)!;
    expect(fresh.url).toBe(url);
    expect(await statusFrom(shared.url, '127.1.0.1')).toBe(403);
    expect(await statusFrom(url, '127.1.0.1')).toBe(302);

    // The old row (still in the Shared filter) says it was revoked and by which link it was replaced.
    await row.getByText('Revoked', { exact: true }).waitFor();
    await row.getByText('Replaced by').waitFor();
    expect(await row.getByRole('button', { name: /^Reissue link/ }).count()).toBe(0);
    await row.getByRole('button', { name: `Replaced by ${fresh.jti}: show it` }).click();
    await expect.poll(() => ledger().getByRole('row').count()).toBe(2);
    const newRow = rowOf(fresh.jti);
    await newRow.getByText('Replaces').waitFor();
    await newRow.getByText('Active', { exact: true }).waitFor();
    await settle();
    await app.screenshot('links-share-replaced');
  });

  it('reissues a direct link from its details: it is marked replaced', async () => {
    const { page } = app;
    await page.getByRole('textbox', { name: 'Search links' }).fill('5003');
    await expect.poll(() => ledger().getByRole('row').count()).toBe(2);
    await rowOf(direct.jti).getByRole('button', { name: 'Details of the link for bonus.mp4' }).click();
    const details = page.getByRole('dialog', { name: /^Link for bonus\.mp4/ });
    const table = details.getByRole('table', { name: 'Link details' });
    await table.getByText('Direct storage link').waitFor();
    await table.getByText('Bought in the spring sale').waitFor();
    await settle();
    await app.screenshot('links-share-details');
    await details.getByRole('button', { name: 'Reissue' }).click();
    const dialog = page.getByRole('dialog', { name: 'Reissue this link?' });
    await dialog.getByText('which cannot be revoked').waitFor();
    expect(await dialog.getByRole('textbox', { name: 'Downloads allowed' }).count()).toBe(0);
    await dialog.getByRole('button', { name: 'Reissue link' }).click();
    const done = page.getByRole('dialog', { name: 'New link ready' });
    await done.getByText(/cannot be revoked and keeps working until/).waitFor();
    await done.getByRole('button', { name: 'Done' }).click();
    await done.waitFor({ state: 'hidden' });
    await rowOf(direct.jti).getByText('Replaced', { exact: true }).waitFor();
    await settle();
    await app.screenshot('links-share-direct-replaced');
  });

  it('with the verifier down, Reissue changes nothing and says so', async () => {
    const { page, services } = app;
    const base = verifier!.url;
    services.settings.update({ verifierBaseUrl: 'http://127.0.0.1:9' });
    await page.getByRole('textbox', { name: 'Search links' }).fill('5002');
    await expect.poll(() => ledger().getByRole('row').count()).toBe(2);
    await rowOf(quiet.jti).getByRole('button', { name: 'Reissue link for masterclass.mp4' }).click();
    const dialog = page.getByRole('dialog', { name: 'Reissue this link?' });
    await dialog.getByRole('button', { name: 'Reissue link' }).click();
    await dialog.getByText('No new link was made', { exact: true }).waitFor({ timeout: 30_000 });
    await dialog.getByText(/The old link still works and no new link was made/).waitFor();
    await settle();
    await app.screenshot('links-share-reissue-unreachable');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(services.links.list({ search: '5002' }).rows.map((r) => [r.status, r.replacedBy])).toEqual([
      ['active', null],
    ]);
    services.settings.update({ verifierBaseUrl: base });
    expect(await statusFrom(quiet.url, '127.1.0.1')).toBe(302);
  });

  it('Settings: flag or block a link used from more than N places', async () => {
    const { page, services } = app;
    await nav('Settings').click();
    const places = page.getByRole('textbox', { name: 'Places' });
    await places.waitFor();
    expect(await page.getByRole('switch', { name: 'Watch for shared links' }).isChecked()).toBe(true);
    expect(await places.inputValue()).toBe('1');
    await page.getByText('a link used from more than').waitFor();
    await page.locator('label', { hasText: /^Block$/ }).click();
    await places.fill('4');
    await page.getByText(/Block: your verifier refuses the link in any further place/).waitFor();
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Settings saved.').waitFor();
    expect(services.settings.get()).toMatchObject({ shareNetworks: 4, shareAction: 'block' });
    await settle();
    await page.getByRole('heading', { name: 'Share guard' }).waitFor();
    // From the top: a full-page screenshot of a scrolled page draws the fixed navigation half-way down.
    await page.evaluate(() => window.scrollTo(0, 0));
    await app.screenshot('links-share-settings');

    await page.getByRole('switch', { name: 'Watch for shared links' }).click({ force: true });
    expect(await places.count()).toBe(0);
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Settings saved.').waitFor();
    expect(services.settings.get().shareNetworks).toBe(0);
  });

  it('logged no IPC, console or page errors', () => {
    expect(app.errors).toEqual([]);
  });
});
