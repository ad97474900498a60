import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  anonymousStatus,
  createTestBucket,
  emptyAndDeleteBucket,
  ensureCeph,
  s3ClientFor,
  type CephEnv,
} from '../support/ceph';
import { startTestVerifier, tempDir, type TestVerifier } from '../support/verifier';
import { startApp, type AppUnderTest } from './support/harness';

/**
 * Download links in Chromium on the real handlers, ledger, keychain and Ceph: a direct link and a verifier
 * link made from the Library, the real verifier started with the config the Settings page exports, copy,
 * QR, usage, revoke (with the verifier down, then up), a batch CSV in and out (a public file's row warned), and
 * a public file made private from the link generator before its link is made.
 */

let app: AppUnderTest;
let env: CephEnv;
let admin: S3Client;
let bucket: string;
let verifier: TestVerifier | null = null;
const work = tempDir('signet-e2e-links-');

const PLUGIN_KEY = 'products/My Plugin v2.zip';
const PLUGIN_BYTES = Buffer.from('the plugin, exactly these bytes\n'.repeat(50));
const EBOOK_KEY = 'ebooks/guide.pdf';
/** Public by its own ACL (the bucket is private): the generator offers to make it private first. */
const SAMPLE_KEY = 'free/sample-pack.zip';
const SAMPLE_BYTES = Buffer.from('a public sample pack\n');

const nav = (name: string) =>
  app.page.getByRole('navigation', { name: 'Main navigation' }).getByText(name, { exact: true });
const ledger = () => app.page.getByRole('table', { name: 'Links' });
const generator = () => app.page.getByRole('dialog', { name: 'Create a download link' });

async function settle(): Promise<void> {
  await app.page.mouse.move(0, 0);
  await expect
    .poll(() => app.page.locator('.mantine-Notification-root').count(), { timeout: 15_000 })
    .toBe(0);
}

/** Opens a file's details from the library table and presses "Create link". */
async function openGenerator(key: string): Promise<void> {
  const { page } = app;
  await nav('Library').click();
  await page.getByRole('heading', { name: 'Library', level: 2 }).waitFor();
  await page.getByRole('textbox', { name: 'Search files' }).fill(key.split('/').pop()!);
  await page.getByRole('grid').getByRole('row', { name: key, exact: true }).click();
  const drawer = page.getByRole('dialog', { name: key.split('/').pop()! });
  await drawer.getByRole('button', { name: 'Create link' }).click();
  await generator().waitFor();
}

async function clipboard(): Promise<string> {
  return app.page.evaluate(() => navigator.clipboard.readText());
}

beforeAll(async () => {
  env = await ensureCeph();
  admin = s3ClientFor(env);
  bucket = await createTestBucket(admin, 'e2e-links');
  await admin.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: PLUGIN_KEY,
      Body: PLUGIN_BYTES,
      ContentType: 'application/zip',
    }),
  );
  await admin.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: EBOOK_KEY,
      Body: Buffer.from('%PDF-1.4 guide'),
      ContentType: 'application/pdf',
    }),
  );
  await admin.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: SAMPLE_KEY,
      Body: SAMPLE_BYTES,
      ContentType: 'application/zip',
      ACL: 'public-read',
    }),
  );
  app = await startApp();
  await app.page.context().grantPermissions(['clipboard-read', 'clipboard-write'], {
    origin: new URL(app.page.url()).origin,
  });
  // The app asks Electron's save dialog where to write the verifier config; here it is a temp file.
  app.services.saveFile = () => Promise.resolve(join(work.dir, 'verifier.json'));
  const account = await app.services.accounts.add({
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
  await app.services.library.sync({ accountId: account.id, bucket });
  await app.page.reload();
  // Setup logged nothing: errors are checked, not cleared, so the last test's "none" covers the whole file.
  expect(app.errors).toEqual([]);
});

afterAll(async () => {
  await verifier?.close();
  await app?.close();
  if (admin) {
    await emptyAndDeleteBucket(admin, bucket);
    admin.destroy();
  }
  work.cleanup();
});
// Each test also checks what was logged while it ran, so a test run on its own (-t) checks it too; the
// last test still checks the whole file.
afterEach(() => {
  expect(app.errors).toEqual([]);
});

describe('Download links in Chromium, on the real handlers, ledger, verifier and Ceph', () => {
  it('says there are no links yet, and where to set the verifier address', async () => {
    const { page } = app;
    await nav('Links').click();
    await page.getByRole('heading', { name: 'Links', level: 2 }).waitFor();
    await page.getByText('No links yet — create one from the Library').waitFor();
    await page.getByText('Set your verifier address in Settings').first().waitFor();
    await settle();
    await app.screenshot('links-empty');
  });

  it('makes a direct link from the Library, copies it, and the link downloads the file', async () => {
    await openGenerator(PLUGIN_KEY);
    const dialog = generator();
    // No verifier address yet: direct is chosen and the verifier option says why it is off.
    expect(
      await dialog.getByRole('radio', { name: 'Direct storage link' }).getAttribute('aria-checked'),
    ).toBe('true');
    expect(await dialog.getByRole('radio', { name: 'Verifier link' }).isDisabled()).toBe(true);
    // Direct links offer no 30 days / 1 year.
    expect(await dialog.getByText('30 days', { exact: true }).count()).toBe(0);
    expect(await dialog.getByRole('textbox', { name: 'Product slug' }).inputValue()).toBe('my-plugin-v2');

    await dialog.getByText('1 hour', { exact: true }).click();
    const expiry = dialog.getByRole('status', { name: 'Expiry' });
    await expiry.getByText(/UTC, the same moment/).waitFor();
    expect(await expiry.textContent()).toMatch(/in 1 hour|in 60 minutes/);
    await dialog.getByRole('textbox', { name: 'Order or licence id' }).fill('1001');
    await dialog.getByRole('textbox', { name: 'Customer email' }).fill('ann@example.com');
    await dialog.getByRole('textbox', { name: 'Download file name' }).fill('my-plugin.zip');
    await settle();
    await app.screenshot('links-generator-direct');

    await dialog.getByRole('button', { name: 'Create link' }).click();
    await dialog.getByText('Your link is ready').waitFor();
    const url = await dialog.getByRole('textbox', { name: 'Download link' }).inputValue();
    expect(url).toContain(bucket);
    expect(url).toContain('X-Amz-Signature=');
    await dialog.getByRole('img', { name: 'QR code of the link' }).waitFor();
    await dialog.getByRole('button', { name: 'Copy', exact: true }).click();
    await dialog.getByRole('button', { name: 'Copied' }).waitFor();
    expect(await clipboard()).toBe(url);
    await app.screenshot('links-created-direct');

    // The link works for a stranger, with the download name asked for.
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain('my-plugin.zip');
    expect(Buffer.from(await res.arrayBuffer()).equals(PLUGIN_BYTES)).toBe(true);

    await dialog.getByRole('button', { name: 'Done' }).click();
    await dialog.waitFor({ state: 'hidden' });
  });

  it('makes a signing key, exports the verifier config with its warning, and the real verifier starts with it', async () => {
    const { page } = app;
    await nav('Settings').click();
    const keys = page.getByRole('region', { name: 'Download link keys' });
    await keys.waitFor();
    await keys.getByRole('button', { name: 'Make a key' }).click();
    const table = keys.getByRole('table', { name: 'Signing keys' });
    await table.getByText('Active', { exact: true }).waitFor();

    await keys.getByRole('button', { name: 'Export verifier config…' }).click();
    const exportDialog = page.getByRole('dialog', { name: 'Export the verifier config' });
    await exportDialog.getByText('Keep this file secret', { exact: true }).waitFor();
    await exportDialog.getByText(/^This file holds secrets: your signing keys/).waitFor();
    await settle();
    await app.screenshot('links-export-config');
    await exportDialog
      .getByRole('textbox', { name: 'Address for its admin API (optional)' })
      .fill('localhost');
    await exportDialog.getByText(/must be HOST:PORT/).waitFor();
    await exportDialog
      .getByRole('textbox', { name: 'Address for its admin API (optional)' })
      .fill('127.0.0.1:8788');
    await exportDialog.getByRole('button', { name: 'Choose where to save…' }).click();
    await exportDialog.getByText('Verifier config saved').waitFor();
    await exportDialog.getByText('Ceph-shop', { exact: false }).waitFor();
    await exportDialog.getByRole('button', { name: 'Done' }).click();

    const { adminListen, ...raw } = JSON.parse(
      readFileSync(join(work.dir, 'verifier.json'), 'utf8'),
    ) as Record<string, unknown>;
    expect(adminListen).toEqual({ host: '127.0.0.1', port: 8788 });
    // This test drives the admin API on the links' own address (revoke, usage), so it starts without it.
    verifier = await startTestVerifier({ ...raw, listen: { host: '127.0.0.1', port: 0 } }, work.dir);

    // The verifier address goes in through the settings form.
    await page.getByRole('textbox', { name: 'Verifier address' }).fill(verifier.base);
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Settings saved.').waitFor();
    await settle();
    await app.screenshot('links-settings-keys');
  });

  it('makes a verifier link limited to 2 downloads; the verifier serves the exact bytes and counts them', async () => {
    const { page } = app;
    await openGenerator(PLUGIN_KEY);
    const dialog = generator();
    // With a verifier address, a verifier link is the default.
    expect(await dialog.getByRole('radio', { name: 'Verifier link' }).getAttribute('aria-checked')).toBe(
      'true',
    );
    await dialog.getByText('30 days', { exact: true }).click();
    await dialog.getByRole('textbox', { name: 'Order or licence id' }).fill('1002');
    await dialog.getByRole('textbox', { name: 'Customer email' }).fill('bob@example.com');
    await dialog.getByRole('textbox', { name: 'Note' }).fill('Bought at the fair');
    const limit = dialog.getByRole('switch', { name: 'Limit how many times it can be downloaded' });
    if (!(await limit.isChecked())) await limit.click();
    await dialog.getByRole('textbox', { name: 'Downloads', exact: true }).fill('2');
    await settle();
    await app.screenshot('links-generator-verifier');
    await dialog.getByRole('button', { name: 'Create link' }).click();
    await dialog.getByText('Your link is ready').waitFor();
    const url = await dialog.getByRole('textbox', { name: 'Download link' }).inputValue();
    expect(url.startsWith(`${verifier!.base}/downloads/my-plugin-v2?token=`)).toBe(true);
    await settle();
    await app.screenshot('links-created-verifier');
    await dialog.getByRole('button', { name: 'Open the Links page' }).click();
    await page.getByRole('heading', { name: 'Links', level: 2 }).waitFor();

    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(PLUGIN_BYTES)).toBe(true);

    // Both links are in the ledger, newest first; usage comes from the verifier on request.
    await expect.poll(() => ledger().getByRole('row').count()).toBe(3);
    const row = ledger().getByRole('row').nth(1);
    await row.getByText('Order 1002').waitFor();
    // The row shows its link id (what `signet links revoke` and the verifier's log use), shortened, and copies it.
    const jti = app.services.links.list({ search: '1002' }).rows[0]!.jti;
    await row.getByText(`${jti.slice(0, 8)}…`, { exact: true }).waitFor();
    await row.getByRole('button', { name: `Copy link id ${jti}` }).click();
    await expect.poll(clipboard).toBe(jti);
    await row.getByRole('button', { name: 'Check downloads of My Plugin v2.zip' }).click();
    await row.getByText('1 of 2 downloads').waitFor();

    // Copy again from the row.
    await row.getByRole('button', { name: 'Copy link for My Plugin v2.zip' }).click();
    await expect.poll(clipboard).toBe(url);

    // QR code of the row.
    await row.getByRole('button', { name: 'QR code for My Plugin v2.zip' }).click();
    const qr = page.getByRole('dialog', { name: /^Link for My Plugin v2\.zip/ });
    await qr.getByRole('img', { name: 'QR code of the link' }).waitFor();
    await settle();
    await app.screenshot('links-qr');
    await page.keyboard.press('Escape');
    await qr.waitFor({ state: 'hidden' });
    await settle();
    await app.screenshot('links-ledger');
  });

  it('searches and filters the ledger', async () => {
    const { page } = app;
    const search = page.getByRole('textbox', { name: 'Search links' });
    await search.fill('ann@');
    await expect.poll(() => ledger().getByRole('row').count()).toBe(2);
    await ledger().getByText('Order 1001').waitFor();
    await search.fill('nobody-has-this');
    await page.getByText('No links match “nobody-has-this”').waitFor();
    await page.getByRole('button', { name: 'Show all links' }).click();
    await expect.poll(() => ledger().getByRole('row').count()).toBe(3);
    // The status filter's segments are labels over hidden radio inputs.
    await page.locator('label', { hasText: /^Revoked$/ }).click();
    await page.getByText('No links match these filters').waitFor();
    await page.locator('label', { hasText: /^All$/ }).first().click();
    await expect.poll(() => ledger().getByRole('row').count()).toBe(3);
  });

  it('keeps a link active and says why when the verifier cannot be reached, then revokes it', async () => {
    const { page, services } = app;
    const row = ledger().getByRole('row').filter({ hasText: 'Order 1002' });
    const url = await page.evaluate(() => navigator.clipboard.readText());

    // The verifier is down (its address points nowhere): the revoke fails with its plain error.
    const base = verifier!.base;
    services.settings.update({ verifierBaseUrl: 'http://127.0.0.1:9' });
    await row.getByRole('button', { name: 'Revoke link for My Plugin v2.zip' }).click();
    const confirm = page.getByRole('dialog', { name: 'Revoke this link?' });
    await confirm.getByText('stops working at once').waitFor();
    await confirm.getByRole('button', { name: 'Revoke link' }).click();
    await confirm.getByText('The link was not revoked').waitFor({ timeout: 30_000 });
    await settle();
    await app.screenshot('links-revoke-unreachable');
    await confirm.getByRole('button', { name: 'Keep the link' }).click();
    await confirm.waitFor({ state: 'hidden' });
    await row.getByText('Active', { exact: true }).waitFor();
    expect(services.links.list({ search: '1002' }).rows[0]!.status).toBe('active');

    // Back up: the revoke goes through, the row says so, and the link is refused at once.
    services.settings.update({ verifierBaseUrl: base });
    await row.getByRole('button', { name: 'Revoke link for My Plugin v2.zip' }).click();
    await confirm.getByRole('button', { name: 'Revoke link' }).click();
    await confirm.waitFor({ state: 'hidden' });
    await page.getByText('Link revoked').waitFor();
    await row.getByText('Revoked', { exact: true }).waitFor();
    expect(await row.getByRole('button', { name: /^Revoke link/ }).count()).toBe(0);
    const after = await fetch(url, { redirect: 'manual' });
    expect(after.status).toBe(403);
    await settle();
    await app.screenshot('links-revoked');
  });

  it('imports a CSV of orders, previews per-row errors, issues the good rows and saves the CSV with links', async () => {
    const { page } = app;
    await page.getByRole('button', { name: 'Issue links from a CSV…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Issue links from a CSV' });
    const csv = [
      'order,email,product,max,expires',
      `2001,carol@example.com,${PLUGIN_KEY},3,7d`,
      `2002,dave@example.com,${EBOOK_KEY},,30d`,
      '2003,erin@example.com,no-such-product,1,7d',
      `2004,frank@example.com,${SAMPLE_KEY},1,7d`,
    ].join('\n');
    await dialog
      .locator('input[type="file"]')
      .setInputFiles({ name: 'orders.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    const preview = dialog.getByRole('table', { name: 'Rows to issue' });
    await preview.getByRole('row', { name: 'Line 5' }).waitFor();
    await dialog.getByText('3 ready').waitFor();
    await dialog.getByText('1 problem').waitFor();
    await dialog.getByText('1 warning').waitFor();
    expect(await preview.getByRole('row', { name: 'Line 2' }).getByText('Ready').count()).toBe(1);
    const bad = preview.getByRole('row', { name: 'Line 4' });
    expect((await bad.textContent()) ?? '').toContain('no-such-product');
    // The public file's row is issued too, with a warning that says what to do.
    const warned = preview.getByRole('row', { name: 'Line 5' });
    await warned.getByText('Ready, but public').waitFor();
    await warned
      .getByText(/anyone can download it without the link\. Make it private in the Library/)
      .waitFor();
    await dialog
      .getByRole('note', { name: 'Public files' })
      .getByText(/1 row links to a public file/)
      .waitFor();
    await settle();
    await app.screenshot('links-batch-preview');

    await dialog.getByRole('button', { name: 'Issue 3 links' }).click();
    await dialog.getByText('3 links issued').waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      dialog.getByRole('button', { name: 'Save orders-links.csv' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('orders-links.csv');
    const out = readFileSync((await download.path())!, 'utf8')
      .trim()
      .split(/\r?\n/);
    expect(out[0]).toBe('order,email,product,max,expires,url,jti,expires_at,error');
    expect(out).toHaveLength(5);
    expect(out[1]).toContain(`${verifier!.base}/downloads/`);
    expect(out[3]).toMatch(/no-such-product/);
    expect(out[4]).toContain(`${verifier!.base}/downloads/`);
    await settle();
    await app.screenshot('links-batch-done');
    await dialog.getByRole('button', { name: 'Done' }).click();
    await dialog.waitFor({ state: 'hidden' });

    // The batch links join the ledger.
    await expect.poll(() => ledger().getByRole('row').count()).toBe(6);
    await ledger().getByText('Order 2002').waitFor();
  });

  it('offers “Create link” for one ticked file in the Library', async () => {
    const { page } = app;
    await nav('Library').click();
    await page.getByRole('textbox', { name: 'Search files' }).fill('guide.pdf');
    await page.getByRole('checkbox', { name: 'Select guide.pdf' }).click();
    const bar = page.getByRole('region', { name: 'Selection' });
    await bar.getByRole('button', { name: 'Create link' }).click();
    const dialog = generator();
    await dialog.getByText(EBOOK_KEY).waitFor();
    expect(await dialog.getByRole('textbox', { name: 'Product slug' }).inputValue()).toBe('guide');

    // Custom expiry: a duration past 7 days is refused for a direct link, before anything is sent.
    await dialog.getByRole('radio', { name: 'Direct storage link' }).click();
    await dialog.locator('label', { hasText: /^Custom…$/ }).click();
    await dialog.getByRole('textbox', { name: 'How long' }).fill('10');
    await dialog
      .getByRole('alert', { name: 'Expiry' })
      .getByText(/at most 7 days/)
      .waitFor();
    expect(await dialog.getByRole('button', { name: 'Create link' }).isDisabled()).toBe(true);
    // A date and time two days ahead, typed in the computer's own time zone, is shown in UTC too.
    await dialog.locator('label', { hasText: /^Until a date$/ }).click();
    const { local, utc } = await page.evaluate(() => {
      const d = new Date(Date.now() + 2 * 86_400_000);
      d.setSeconds(0, 0);
      const p = (n: number) => String(n).padStart(2, '0');
      return {
        local: `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`,
        utc: `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
      };
    });
    await dialog.getByLabel('Stops working at (your time)').fill(local);
    await dialog.getByRole('status', { name: 'Expiry' }).getByText(utc, { exact: false }).waitFor();
    expect(await dialog.getByRole('button', { name: 'Create link' }).isDisabled()).toBe(false);
    await settle();
    await app.screenshot('links-generator-custom');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await bar.getByRole('button', { name: 'Clear' }).click();
  });

  it('offers to make a public file private first, follows the job to its end, then links the file', async () => {
    const { page } = app;
    expect(await anonymousStatus(env, bucket, SAMPLE_KEY)).toBe(200);
    await openGenerator(SAMPLE_KEY);
    const dialog = generator();
    const warning = dialog.getByRole('alert', { name: 'This file is public' });
    await warning.getByText(/a link adds no protection/).waitFor();
    await settle();
    await app.screenshot('links-generator-public');

    await warning.getByRole('button', { name: 'Make it private first' }).click();
    // One file, so no confirmation: the job starts at once and shows in the jobs bar like any other.
    await page
      .getByRole('region', { name: 'Jobs in progress' })
      .getByRole('group', { name: `Make 1 file in ${bucket} private`, exact: true })
      .waitFor({ timeout: 30_000 });
    const notice = dialog.getByRole('status', { name: 'The file is private now' });
    await notice.getByText(/Only your links can download it/).waitFor({ timeout: 30_000 });
    expect(await warning.count()).toBe(0);
    expect(await dialog.getByText('Private', { exact: true }).count()).toBe(1);
    expect(await anonymousStatus(env, bucket, SAMPLE_KEY)).toBe(403);
    await settle();
    await app.screenshot('links-generator-made-private');

    // The link is made for the same file, now private, and it downloads.
    await dialog.getByRole('radio', { name: 'Direct storage link' }).click();
    await dialog.getByRole('button', { name: 'Create link' }).click();
    await dialog.getByText('Your link is ready').waitFor();
    expect(await dialog.getByText(/This file is public/).count()).toBe(0);
    const url = await dialog.getByRole('textbox', { name: 'Download link' }).inputValue();
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(SAMPLE_BYTES)).toBe(true);
    await dialog.getByRole('button', { name: 'Done' }).click();
    await dialog.waitFor({ state: 'hidden' });
  });

  it('rotates the signing key and retires the old one, each after a confirmation', async () => {
    const { page } = app;
    await nav('Settings').click();
    const keys = page.getByRole('region', { name: 'Download link keys' });
    await keys.getByRole('button', { name: 'Rotate (new key)' }).click();
    const rotate = page.getByRole('dialog', { name: 'Make a new signing key?' });
    await rotate.getByText(/export it again and install it/).waitFor();
    await rotate.getByRole('button', { name: 'Make a new key' }).click();
    await rotate.waitFor({ state: 'hidden' });
    const table = keys.getByRole('table', { name: 'Signing keys' });
    await expect.poll(() => table.getByRole('row').count()).toBe(3);
    await table.getByText('Still verifies').waitFor();

    await table.getByRole('button', { name: /^Retire key / }).click();
    const retire = page.getByRole('dialog', { name: /^Retire key / });
    await retire.getByText('This cannot be undone', { exact: false }).waitFor();
    await retire.getByRole('button', { name: 'Retire key' }).click();
    await retire.waitFor({ state: 'hidden' });
    await table.getByText(/^Retired /).waitFor();
    expect((await app.services.keys.list()).filter((k) => k.retiredAt !== null)).toHaveLength(1);
    await settle();
    await app.screenshot('links-keys-rotated');
  });

  it('logged no IPC, console or page errors', () => {
    expect(app.errors).toEqual([]);
  });
});
