import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestBucket,
  emptyAndDeleteBucket,
  ensureCeph,
  s3ClientFor,
  type CephEnv,
} from '../support/ceph';
import { tempDir } from '../support/verifier';
import type { SignetApi } from '../../src/shared/ipc/api';
import { startApp, type AppUnderTest } from './support/harness';

/**
 * The window never throws a QR code or a blank page at the owner, in Chromium on the real handlers and Ceph: a
 * direct link too long for a QR code (a file whose key is 1,000 bytes of non-ASCII letters, each sent as %XX%XX%XX)
 * shows a plain note instead; a page whose data makes it throw (an accounts answer naming a provider this
 * Signet does not know, standing in for any bug) shows what happened and a Reload button, with the navigation still
 * there, and Reload brings the page back. The Accounts page's verifier-key form stores a read-only key, and the
 * Settings export warns while an account has none.
 */

let app: AppUnderTest;
let env: CephEnv;
let admin: S3Client;
let bucket: string;
let accountId: string;
const work = tempDir('signet-e2e-crash-');

/** 333 × "日" (3 bytes each in UTF-8): a 1,010-byte key, within S3's 1,024. */
const LONG_NAME = `${'日'.repeat(333)}.zip`;
const LONG_KEY = `long/${LONG_NAME}`;

const nav = (name: string) =>
  app.page.getByRole('navigation', { name: 'Main navigation' }).getByText(name, { exact: true });

beforeAll(async () => {
  env = await ensureCeph();
  admin = s3ClientFor(env);
  bucket = await createTestBucket(admin, 'e2e-crash');
  await admin.send(new PutObjectCommand({ Bucket: bucket, Key: LONG_KEY, Body: 'a file with a long name' }));
  app = await startApp();
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
  accountId = account.id;
  await app.services.library.sync({ accountId, bucket });
  await app.page.reload();
  expect(app.errors).toEqual([]);
});

afterAll(async () => {
  await app?.close();
  if (admin) {
    await emptyAndDeleteBucket(admin, bucket);
    admin.destroy();
  }
  work.cleanup();
});

describe('QR codes and crashes in Chromium', () => {
  it('shows a plain note instead of a QR code for a link too long for one', async () => {
    const { page } = app;
    const [bucketView] = await app.services.library.buckets();
    const object = (await app.services.library.page({ bucketId: bucketView!.id, recursive: true })).rows[0]!;
    expect(object.key).toBe(LONG_KEY);
    const link = await app.services.links.create({
      objectId: object.id,
      kind: 'direct',
      productSlug: 'long-name',
      expiry: { type: 'seconds', seconds: 3600 },
    });
    // Past what a QR code holds at error correction M (2,331 bytes).
    expect(link.url.length).toBeGreaterThan(3000);

    await nav('Links').click();
    await page.getByRole('heading', { name: 'Links', level: 2 }).waitFor();
    await page.getByRole('button', { name: /^QR code for / }).click();
    const dialog = page.getByRole('dialog');
    const note = dialog.getByRole('note', { name: 'No QR code' });
    await note.waitFor();
    expect(await note.textContent()).toBe(
      `This link is too long for a QR code (${link.url.length.toLocaleString('en-US')} characters; a QR code holds about 2,300). Copy the link and send it instead.`,
    );
    expect(await dialog.getByRole('img', { name: 'QR code of the link' }).count()).toBe(0);
    await app.screenshot('e2e-qr-too-long');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(app.errors).toEqual([]);
  });

  it('shows what happened and a Reload button when a page throws, never a blank window', async () => {
    const { page } = app;
    await nav('Library').click();
    await page.getByRole('heading', { name: 'Library', level: 2 }).waitFor();
    // An accounts answer this window cannot draw (a provider it does not know): the Accounts page throws.
    await page.evaluate(() => {
      const { api } = window as unknown as { api: SignetApi };
      const real = api.accounts.list;
      api.accounts.list = async () => {
        const answer = await real();
        if (!answer.ok) return answer;
        return {
          ok: true,
          data: answer.data.map((a) => ({ ...a, provider: 'no-such-provider' as 'custom' })),
        };
      };
    });
    await nav('Accounts').click();
    const screen = page.getByRole('alert', { name: 'Something went wrong' });
    await screen.getByRole('heading', { name: 'This page could not be shown' }).waitFor();
    await screen.getByText(/Your files, accounts, jobs and links are safe/).waitFor();
    // The navigation is still there: only the page failed.
    await nav('Library').waitFor();
    await app.screenshot('e2e-crash-page');
    // React and the boundary log the error on the console; that is the only thing logged.
    expect(app.errors.length).toBeGreaterThan(0);
    expect(app.errors.every((e) => e.startsWith('console: ') || e.startsWith('page: '))).toBe(true);
    expect(app.errors.join('\n')).toMatch(/Cannot read properties of undefined/);
    app.errors.length = 0;

    await screen.getByRole('button', { name: 'Reload' }).click();
    await page.getByRole('heading', { name: 'Accounts', level: 2 }).waitFor();
    await page.getByRole('table', { name: 'Storage accounts' }).getByText('Ceph shop').waitFor();
    await app.screenshot('e2e-crash-reloaded');
    expect(app.errors).toEqual([]);
  });

  /** Exports the verifier config from Settings; answers the dialog, left open on its result. */
  async function exportFromSettings() {
    const { page } = app;
    await nav('Settings').click();
    const keys = page.getByRole('region', { name: 'Download link keys' });
    await keys.getByRole('button', { name: 'Export verifier config…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Export the verifier config' });
    await dialog.getByRole('button', { name: 'Choose where to save…' }).click();
    await dialog.getByText('Verifier config saved').waitFor();
    return dialog;
  }

  it('stores a read-only verifier key from the Accounts page; the Settings export says when it is missing', async () => {
    const { page } = app;
    app.services.saveFile = () => Promise.resolve(join(work.dir, 'verifier.json'));
    const before = await exportFromSettings();
    const warning = before
      .getByRole('alert')
      .filter({ hasText: 'A full-permission key is going to your server' });
    await warning.getByText(/carries the own key of “Ceph shop”, a full-permission key/).waitFor();
    await warning.getByText(/may only read objects \(s3:GetObject\)/).waitFor();
    await app.screenshot('e2e-verifier-export-full-key');
    await before.getByRole('button', { name: 'Done' }).click();
    await before.waitFor({ state: 'hidden' });
    const config = () =>
      JSON.parse(readFileSync(join(work.dir, 'verifier.json'), 'utf8')) as {
        stores: Record<string, { accessKeyId: string }>;
      };
    expect(config().stores['Ceph-shop']?.accessKeyId).toBe(env.accessKeyId);

    await nav('Accounts').click();
    const card = page.getByRole('region', { name: 'Verifier key of Ceph shop' });
    await card.getByText('The verifier would get the account’s own key').waitFor();
    await card.getByRole('button', { name: 'Enter verifier key…' }).click();
    await card
      .getByRole('textbox', { name: 'Access key ID of the read-only key' })
      .fill(env.owner.accessKeyId);
    await card.getByLabel('Secret access key').fill(env.owner.secretAccessKey);
    await app.screenshot('e2e-verifier-key-form');
    await card.getByRole('button', { name: 'Save verifier key' }).click();
    await card.getByText('A read-only key is stored in your keychain.', { exact: false }).waitFor();
    await app.screenshot('e2e-verifier-key-stored');
    expect(await app.services.secrets.get(`account:${accountId}:verifier-secret-access-key`)).toBe(
      env.owner.secretAccessKey,
    );

    const after = await exportFromSettings();
    expect(await after.getByText('A full-permission key is going to your server').count()).toBe(0);
    expect(config().stores['Ceph-shop']?.accessKeyId).toBe(env.owner.accessKeyId);
    await after.getByRole('button', { name: 'Done' }).click();
    expect(app.errors).toEqual([]);
  });
});
