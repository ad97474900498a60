import {
  PutObjectAclCommand,
  PutObjectCommand,
  type ObjectCannedACL,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { Locator } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { UserFacingError } from '../../src/main/services/errors';
import {
  createTestBucket,
  emptyAndDeleteBucket,
  ensureCeph,
  s3ClientFor,
  type CephEnv,
} from '../support/ceph';
import { startApp, type AppUnderTest } from './support/harness';

/**
 * The Library page in Chromium on the real handlers, catalog, keychain and Ceph: a bucket of 3,000 files under
 * nested folders with awkward names, synced, browsed, searched, filtered, selected and verified, with a leak
 * planted behind Signet's back.
 */

let app: AppUnderTest;
let env: CephEnv;
let admin: S3Client;
let bucket: string;

interface Seed {
  key: string;
  acl?: ObjectCannedACL;
  size: number;
  type: string;
}

const pad = (n: number) => String(n).padStart(4, '0');

/** 3,000 objects: 2,410 private, 550 public-read, 40 authenticated-read, in four top folders and the top. */
function seeds(): Seed[] {
  const out: Seed[] = [];
  for (let i = 1; i <= 1200; i++)
    out.push({ key: `products/ebooks/book-${pad(i)}.pdf`, size: 100 + (i % 97), type: 'application/pdf' });
  for (let i = 1; i <= 600; i++)
    out.push({ key: `products/audio/track ${pad(i)}.mp3`, size: 200 + (i % 89), type: 'audio/mpeg' });
  for (let i = 1; i <= 600; i++)
    out.push({ key: `products/video/4k/clip+${pad(i)}.mp4`, size: 300 + (i % 83), type: 'video/mp4' });
  for (let i = 1; i <= 550; i++)
    out.push({
      key: `samples/preview-${pad(i)}.jpg`,
      acl: 'public-read',
      size: 50 + (i % 31),
      type: 'image/jpeg',
    });
  for (let i = 1; i <= 40; i++)
    out.push({
      key: `members/bonus-${String(i).padStart(2, '0')}.zip`,
      acl: 'authenticated-read',
      size: 400 + i,
      type: 'application/zip',
    });
  const top = [
    'big-bundle.zip',
    'price list 2024.pdf',
    'a+b=c.txt',
    'Ünïcødé — файл.txt',
    'read me (1).txt',
    '100% done.txt',
    'emoji 🎉.txt',
    'tom&jerry.txt',
  ];
  for (const key of top)
    out.push({ key, size: key === 'big-bundle.zip' ? 200_000 : 64, type: 'application/octet-stream' });
  out.push({ key: 'café/menü ☕.png', size: 90, type: 'image/png' });
  out.push({ key: 'café/über+spaces file.jpg', size: 91, type: 'image/jpeg' });
  return out;
}

/** Puts every seed with at most `limit` requests in flight: fast, without drowning the one-node gateway. */
async function putAll(items: Seed[], limit = 32): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const item = items[next++]!;
        await admin.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: item.key,
            Body: Buffer.alloc(item.size, 'x'),
            ContentType: item.type,
            ACL: item.acl,
          }),
        );
      }
    }),
  );
}

const grid = () => app.page.getByRole('grid');
const row = (key: string) => grid().getByRole('row', { name: key, exact: true });
const folderRow = (name: string) => grid().getByRole('row', { name: `Folder ${name}`, exact: true });
const accessChip = (label: string) =>
  app.page.getByRole('group', { name: 'Show access types' }).getByText(label, { exact: true });
const summary = () => app.page.getByLabel('Bucket summary');

/** Scrolls the virtual table down until `target` is rendered (pages load as the end comes near). */
async function scrollUntil(target: Locator): Promise<void> {
  await expect
    .poll(
      async () => {
        await grid().evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
        return target.count();
      },
      { timeout: 30_000, interval: 150 },
    )
    .toBe(1);
}

async function settle(): Promise<void> {
  await app.page.mouse.move(0, 0);
  await expect
    .poll(() => app.page.locator('.mantine-Notification-root').count(), { timeout: 15_000 })
    .toBe(0);
}

beforeAll(async () => {
  env = await ensureCeph();
  admin = s3ClientFor(env);
  bucket = await createTestBucket(admin, 'e2e-library');
  await putAll(seeds());
  app = await startApp();
  await app.page.reload();
  // Setup logged nothing: errors are checked, not cleared, so the last test's "none" covers the whole file.
  expect(app.errors).toEqual([]);
});
afterAll(async () => {
  await app?.close();
  if (admin) {
    await emptyAndDeleteBucket(admin, bucket);
    admin.destroy();
  }
});
// Each test also checks what was logged while it ran, so a test run on its own (-t) checks it too; the
// last test still checks the whole file.
afterEach(() => {
  expect(app.errors).toEqual([]);
});

describe('Library page in Chromium, on the real handlers, catalog and Ceph', () => {
  it('says where to connect storage when there is no account', async () => {
    const { page } = app;
    await page.getByRole('heading', { name: 'Library', level: 2 }).waitFor();
    await page.getByText('Connect your storage on the Accounts page').waitFor();
    await app.screenshot('library-no-accounts');
    await page.getByRole('button', { name: 'Go to Accounts' }).click();
    await page.getByRole('heading', { name: 'Accounts', level: 2 }).waitFor();
  });

  it('opens on the library and says the bucket has not been synced', async () => {
    const { page } = app;
    // The Accounts form is tested elsewhere: the account goes in through the service.
    await app.services.accounts.add({
      settings: {
        name: 'Ceph shop',
        provider: 'custom',
        endpoint: env.endpoint,
        region: env.region,
        forcePathStyle: true,
        buckets: [bucket],
        privateBucket: null,
      },
      credentials: { accessKeyId: env.accessKeyId, secretAccessKey: env.secretAccessKey },
    });
    await page
      .getByRole('navigation', { name: 'Main navigation' })
      .getByText('Library', { exact: true })
      .click();
    await page.getByRole('heading', { name: 'Library', level: 2 }).waitFor();
    await page.getByText(`Not synced yet — press Sync to list the files in ${bucket}`).waitFor();
    expect(await page.getByRole('combobox', { name: 'Bucket' }).inputValue()).toBe(bucket);
    await app.screenshot('library-not-synced');
  });

  it('syncs 3,000 files with progress and shows the counts per access type', async () => {
    const { page } = app;
    await page.getByRole('button', { name: 'Sync', exact: true }).click();
    // The progress strip shows while the listing and ACL reads run; the listing lands in the catalog page by
    // page, so the table fills in before the access types are all read.
    const progress = page.getByRole('status', { name: `Syncing ${bucket}` });
    await progress.waitFor({ timeout: 10_000 });
    await page.getByRole('button', { name: 'Syncing…' }).waitFor();
    await folderRow('products').waitFor({ timeout: 60_000 });
    await app.screenshot('library-syncing');
    await progress.waitFor({ state: 'detached', timeout: 120_000 });
    await page.getByText(`Synced ${bucket}`).waitFor();
    const strip = summary();
    await strip.getByText('3,000', { exact: true }).waitFor();
    for (const text of [
      'Public: 550',
      'Authenticated: 40',
      'Private: 2,410',
      'Public bucket: 0',
      'Unknown: 0',
    ])
      await strip.getByText(text, { exact: true }).waitFor();
    await strip.getByText('Leaks: 0', { exact: true }).waitFor();

    // Top of the bucket: the four folders first, then the eight files there.
    for (const name of ['café', 'members', 'products', 'samples']) await folderRow(name).waitFor();
    await row('Ünïcødé — файл.txt').waitFor();
    await row('100% done.txt').waitFor();
    await page.getByText('4 folders · 8 files').waitFor();
    expect(await grid().getAttribute('aria-rowcount')).toBe(String(1 + 4 + 8));
    await settle();
    await app.screenshot('library-synced');
  });

  it('says what failed and retries when the catalog cannot be read', async () => {
    const { page, services } = app;
    const failing = vi.spyOn(services.library, 'page').mockImplementation(() => {
      throw new UserFacingError('internal', 'The catalog is locked by another program (test).');
    });
    try {
      await page.reload();
      await page.getByText('Could not load the files').waitFor({ timeout: 15_000 });
      await page.getByText('The catalog is locked by another program (test).').waitFor();
      await app.screenshot('library-load-error');
    } finally {
      failing.mockRestore();
    }
    await page.getByRole('button', { name: 'Retry' }).click();
    await folderRow('products').waitFor();
  });

  it('sorts by size when the column header is clicked', async () => {
    const { page } = app;
    await page.getByRole('columnheader', { name: 'Size' }).getByRole('button').click();
    await expect
      .poll(() => page.getByRole('columnheader', { name: 'Size' }).getAttribute('aria-sort'))
      .toBe('descending');
    // Folders stay on top; the biggest file leads the files.
    await expect.poll(() => grid().getByRole('row').nth(5).getAttribute('aria-label')).toBe('big-bundle.zip');
    await page.getByRole('columnheader', { name: 'Name' }).getByRole('button').click();
    await expect
      .poll(() => page.getByRole('columnheader', { name: 'Name' }).getAttribute('aria-sort'))
      .toBe('ascending');
  });

  it('opens folders, scrolls the virtual table to the end, and goes back with the breadcrumbs', async () => {
    const { page } = app;
    await folderRow('products').click();
    await folderRow('ebooks').click();
    await page.getByRole('navigation', { name: 'Folder path' }).getByText('ebooks').waitFor();
    await page.getByText('1,200 files', { exact: true }).waitFor();
    expect(await grid().getAttribute('aria-rowcount')).toBe(String(1 + 1200));

    await scrollUntil(row('products/ebooks/book-1200.pdf'));
    // Six pages of 200 came in as the end approached; the DOM holds only what is on screen.
    expect(await grid().getByRole('row').count()).toBeLessThan(60);
    expect(await row('products/ebooks/book-1200.pdf').getAttribute('aria-rowindex')).toBe('1201');
    await app.screenshot('library-scrolled-to-end');

    await page.getByRole('button', { name: 'Go to folder products' }).click();
    await folderRow('audio').waitFor();
    await folderRow('video').waitFor();
    await page.getByRole('button', { name: `Go to the top of ${bucket}` }).click();
    await folderRow('samples').waitFor();
  });

  it('searches any part of a key below the current folder, and says when nothing matches', async () => {
    const { page } = app;
    const search = page.getByRole('textbox', { name: 'Search files' });
    await search.fill('track 0042');
    await row('products/audio/track 0042.mp3').waitFor();
    await page.getByText(`1 file found in ${bucket} and below`).waitFor();
    // A piece of 99 keys: the page and its count, from one read where the index plan is taken (firstPage).
    await search.fill('track 00');
    await row('products/audio/track 0001.mp3').waitFor();
    await page.getByText(`99 files found in ${bucket} and below`).waitFor();
    await settle();
    await app.screenshot('library-search-hits');

    await search.fill('menü ☕');
    await row('café/menü ☕.png').waitFor();

    await search.fill('no-such-file-anywhere');
    await page.getByText(`No files match “no-such-file-anywhere” in ${bucket}`).waitFor();
    await settle();
    await app.screenshot('library-search-no-hits');
    await page.getByRole('button', { name: 'Clear search' }).first().click();
    await folderRow('products').waitFor();
  });

  it('filters by access type and multi-selects with shift-click and ctrl-click', async () => {
    const { page } = app;
    await accessChip('Authenticated').click();
    await page.getByText(`40 files found in ${bucket} and below`).waitFor();
    await row('members/bonus-01.zip').waitFor();

    await page.getByRole('checkbox', { name: 'Select bonus-03.zip' }).click();
    await page.getByRole('checkbox', { name: 'Select bonus-10.zip' }).click({ modifiers: ['Shift'] });
    const bar = page.getByRole('region', { name: 'Selection' });
    await bar.getByText('8 selected', { exact: true }).waitFor();
    await row('members/bonus-05.zip').click({ modifiers: ['ControlOrMeta'] });
    await bar.getByText('7 selected', { exact: true }).waitFor();
    expect(await row('members/bonus-05.zip').getAttribute('aria-selected')).toBe('false');
    expect(await row('members/bonus-06.zip').getAttribute('aria-selected')).toBe('true');
    await settle();
    await app.screenshot('library-multi-select');

    await bar.getByRole('button', { name: 'Select all 40 matching' }).click();
    await bar.getByText('All 40 matching selected').waitFor();
    await bar.getByRole('button', { name: 'Verify access' }).click();
    const result = page.getByRole('dialog', { name: 'Access check finished' });
    await result.waitFor({ timeout: 60_000 });
    const counts = result.getByLabel('Access check counts');
    await counts.getByText('40', { exact: true }).first().waitFor();
    await result.getByText('No leaks').waitFor();
    await result.getByRole('button', { name: 'Done' }).click();
    await result.waitFor({ state: 'hidden' });
    // Verified rows say what a stranger got.
    await row('members/bonus-01.zip')
      .getByText(/^403 · /)
      .waitFor();

    await page.getByRole('region', { name: 'Selection' }).getByRole('button', { name: 'Clear' }).click();
    await accessChip('Authenticated').click();
    await folderRow('products').waitFor();
  });

  it('finds a file made public behind Signet’s back, shows the leak in red, and explains it in the details', async () => {
    const { page } = app;
    // Behind Signet's back: a private book and an authenticated-only bonus become public-read.
    for (const key of ['products/ebooks/book-0707.pdf', 'members/bonus-07.zip'])
      await admin.send(new PutObjectAclCommand({ Bucket: bucket, Key: key, ACL: 'public-read' }));

    // "-07" matches book-0700…0799 and bonus-07: 101 files across two folders.
    await page.getByRole('textbox', { name: 'Search files' }).fill('-07');
    await page.getByText(`101 files found in ${bucket} and below`).waitFor();
    await row('products/ebooks/book-0700.pdf').getByRole('checkbox').click();
    const bar = page.getByRole('region', { name: 'Selection' });
    await bar.getByRole('button', { name: 'Select all 101 matching' }).click();
    await bar.getByRole('button', { name: 'Verify access' }).click();

    const result = page.getByRole('dialog', { name: 'Access check finished' });
    await result.waitFor({ timeout: 60_000 });
    await result.getByText(/^2 leaks:/).waitFor();
    const leaks = result.getByRole('list', { name: 'Leaked files' });
    await leaks.getByText('products/ebooks/book-0707.pdf').waitFor();
    await leaks.getByText('members/bonus-07.zip').waitFor();
    await settle();
    await app.screenshot('library-verify-leaks');
    await result.getByRole('button', { name: 'Show leaks in the list' }).click();
    await result.waitFor({ state: 'hidden' });

    // The list now shows only the two leaks, highlighted, and the summary says so loudly.
    await expect.poll(() => page.getByRole('switch', { name: 'Leaks only' }).isChecked()).toBe(true);
    await page.getByText(`2 files found in ${bucket} and below`).waitFor();
    const leakRow = row('products/ebooks/book-0707.pdf');
    await leakRow.getByText('Leak', { exact: true }).waitFor();
    expect(await leakRow.getAttribute('data-leak')).toBe('true');
    await page
      .getByRole('alert')
      .getByText('2 files are readable by anyone although Signet holds them as private')
      .waitFor();
    await summary().getByText('Leaks: 2', { exact: true }).waitFor();
    await settle();
    await app.screenshot('library-leaks');

    await leakRow.click();
    const drawer = page.getByRole('dialog', { name: 'book-0707.pdf' });
    await drawer.waitFor();
    await drawer.getByText('Strangers can download this file').waitFor();
    await drawer.getByText('products/ebooks/book-0707.pdf').waitFor();
    const history = drawer.getByRole('table', { name: 'Access checks' });
    await history.getByText('200', { exact: true }).waitFor();
    const url = await drawer.getByRole('textbox', { name: 'Plain address' }).inputValue();
    expect(url).toContain(bucket);
    expect(url).toContain('book-0707.pdf');
    // The address the drawer shows is the one a stranger can use right now.
    expect((await fetch(url)).status).toBe(200);
    await app.screenshot('library-details');
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'hidden' });

    // The keyboard does what the mouse does: arrows move, Enter opens, Space selects.
    await grid().focus();
    await page.keyboard.press('Home');
    await page.keyboard.press('Enter');
    const first = page.getByRole('dialog', { name: 'bonus-07.zip' });
    await first.waitFor();
    await page.keyboard.press('Escape');
    await first.waitFor({ state: 'hidden' });
    await grid().focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press(' ');
    await page.getByRole('region', { name: 'Selection' }).getByText('1 selected', { exact: true }).waitFor();
    expect(await row('products/ebooks/book-0707.pdf').getAttribute('aria-selected')).toBe('true');
  });

  it('cancels a running sync and keeps the files it knew', async () => {
    const { page } = app;
    await page.getByRole('button', { name: 'Sync', exact: true }).click();
    const progress = page.getByRole('status', { name: `Syncing ${bucket}` });
    await progress.waitFor({ timeout: 10_000 });
    // The table stays usable while the sync runs.
    await page.getByRole('switch', { name: 'Leaks only' }).click({ force: true });
    await folderRow('products').waitFor();
    await progress.getByRole('button', { name: 'Cancel sync' }).click();
    await page.getByText(`Sync of ${bucket} cancelled`).waitFor({ timeout: 30_000 });
    await progress.waitFor({ state: 'detached' });
    await summary().getByText('3,000', { exact: true }).waitFor();
    expect(await page.getByText('The last sync did not finish').count()).toBe(0);
  });

  it('logged no IPC, console or page errors', () => {
    expect(app.errors).toEqual([]);
  });
});
