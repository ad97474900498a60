import { PutBucketPolicyCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestBucket,
  emptyAndDeleteBucket,
  ensureCeph,
  s3ClientFor,
  type CephEnv,
} from '../support/ceph';
import { AccountCreateSchema } from '../../src/shared/accounts/schemas';
import { lockTestKeyring, testKeyringLocked, unlockTestKeyring } from '../support/test-keyring';
import { startApp, type AppUnderTest } from './support/harness';

let app: AppUnderTest;
let env: CephEnv;
let admin: S3Client;
let bucket: string;
const extraBuckets: string[] = [];

beforeAll(async () => {
  env = await ensureCeph();
  admin = s3ClientFor(env);
  bucket = await createTestBucket(admin, 'e2e-accounts');
  app = await startApp();
  await app.page.reload();
  // Setup logged nothing: errors are checked, not cleared, so the last test's "none" covers the whole file.
  expect(app.errors).toEqual([]);
});
afterAll(async () => {
  await app?.close();
  if (admin) {
    for (const b of [bucket, ...extraBuckets]) await emptyAndDeleteBucket(admin, b);
    admin.destroy();
  }
});
// Each test also checks what was logged while it ran, so a test run on its own (-t) checks it too; the
// last test still checks the whole file.
afterEach(() => {
  expect(app.errors).toEqual([]);
});

/** Opens the Accounts page afresh (a reload, so accounts added through the services show). */
async function openAccounts() {
  const { page } = app;
  await page.reload();
  await page
    .getByRole('navigation', { name: 'Main navigation' })
    .getByText('Accounts', { exact: true })
    .click();
  await page.getByRole('heading', { name: 'Accounts', level: 2 }).waitFor();
}

/** An account on the Ceph rig, added and tested through the services (setup, not what a test checks). */
async function cephAccountNamed(name: string, buckets: string[] = [bucket]) {
  const { services } = app;
  const account = await services.accounts.add(
    AccountCreateSchema.parse({
      settings: {
        name,
        provider: 'custom',
        endpoint: env.endpoint,
        region: env.region,
        forcePathStyle: true,
        buckets,
        privateBucket: null,
      },
      credentials: { accessKeyId: env.accessKeyId, secretAccessKey: env.secretAccessKey },
    }),
  );
  await services.accounts.test(account.id);
  return account;
}

const byName = async (name: string) => (await app.services.accounts.list()).find((a) => a.name === name);

describe('Accounts page in Chromium, on the real handlers, keychain and Ceph', () => {
  it('shows an empty list that says what to do', async () => {
    const { page, services } = app;
    for (const a of await services.accounts.list()) await services.accounts.remove(a.id);
    await openAccounts();
    await page.getByText('No storage connected yet').waitFor();
  });

  it('checks the form before saving, with the same rules as main', async () => {
    const { page } = app;
    await openAccounts();
    const before = await app.services.accounts.list();
    await page.getByRole('button', { name: 'Add account' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Add a storage account' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Add account' }).click();
    await dialog.getByText('Give the account a name').waitFor();
    await dialog.getByText('Enter the access key ID').waitFor();
    expect(await app.services.accounts.list()).toEqual(before);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
  });

  it('adds a Ceph account through the form and sees it tested green, bucket by bucket', async () => {
    const { page, services } = app;
    const existing = await byName('Ceph (test rig)');
    if (existing) await services.accounts.remove(existing.id);
    await openAccounts();
    await page.getByRole('button', { name: 'Add account' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Add a storage account' });
    await dialog.waitFor();

    // The preset fills the fields: R2 asks for the account ID and builds its endpoint from it…
    await dialog.getByRole('combobox', { name: 'Provider' }).click();
    await page.getByRole('option', { name: 'Cloudflare R2' }).click();
    await dialog
      .getByRole('textbox', { name: 'Cloudflare account ID', exact: true })
      .fill('0123456789abcdef0123456789abcdef');
    await expect
      .poll(() => dialog.getByRole('textbox', { name: 'Endpoint', exact: true }).inputValue())
      .toBe('https://0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com');
    expect(await dialog.getByRole('combobox', { name: 'Region', exact: true }).inputValue()).toBe('auto');

    // …and "MinIO, Ceph or other" switches to a custom endpoint with path-style addresses.
    await dialog.getByRole('combobox', { name: 'Provider' }).click();
    await page.getByRole('option', { name: 'MinIO, Ceph or other S3-compatible' }).click();
    expect(await dialog.getByRole('textbox', { name: 'Endpoint', exact: true }).inputValue()).toBe('');
    expect(await dialog.getByRole('switch', { name: /Path-style addresses/ }).isChecked()).toBe(true);

    await dialog.getByRole('textbox', { name: 'Name', exact: true }).fill('Ceph (test rig)');
    await dialog.getByRole('textbox', { name: 'Endpoint', exact: true }).fill(env.endpoint);
    await dialog.getByRole('textbox', { name: 'Access key ID', exact: true }).fill(env.accessKeyId);
    await dialog.getByRole('textbox', { name: 'Secret access key', exact: true }).fill(env.secretAccessKey);
    const buckets = dialog.getByRole('combobox', { name: 'Buckets Signet uses', exact: true });
    await buckets.fill(bucket);
    await buckets.press('Enter');
    await app.screenshot('e2e-accounts-form');
    await dialog.getByRole('button', { name: 'Add account' }).click();
    await dialog.waitFor({ state: 'hidden' });

    const row = page.getByRole('row', { name: /Ceph \(test rig\)/ });
    await row.getByText('Connected').waitFor({ timeout: 30_000 });
    const result = page.getByLabel('Connection test result', { exact: true });
    await result.getByText('Connected: 1 bucket reachable.').waitFor();
    const card = page.getByLabel(`Bucket ${bucket}`);
    await card.getByText('Per-file access').waitFor();
    await card.getByText('Not public').waitFor();
    await card.getByText(/private one by one/).waitFor();

    const account = await byName('Ceph (test rig)');
    expect(account).toMatchObject({ name: 'Ceph (test rig)', credentials: { hasCredentials: true } });
    expect(await services.secrets.get(`account:${account!.id}:secret-access-key`)).toBe(env.secretAccessKey);
    await page.mouse.move(0, 0); // no hover effects in the picture
    // The page as the owner sees it once the "added" and "connected" notices have gone.
    await expect.poll(() => page.locator('.mantine-Notification-root').count(), { timeout: 15_000 }).toBe(0);
    await app.screenshot('e2e-accounts');
  });

  it('edits the account without retyping the secret, and warns about a bucket a policy made public', async () => {
    const { page, services } = app;
    const open = await createTestBucket(admin, 'e2e-public');
    extraBuckets.push(open);
    await admin.send(
      new PutBucketPolicyCommand({
        Bucket: open,
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${open}/*` },
          ],
        }),
      }),
    );

    for (const name of ['Ceph to edit', 'Ceph shop files']) {
      const old = await byName(name);
      if (old) await services.accounts.remove(old.id);
    }
    await cephAccountNamed('Ceph to edit');
    await openAccounts();
    await page.getByRole('button', { name: 'Edit Ceph to edit' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit “Ceph to edit”' });
    await dialog.waitFor();
    const secret = dialog.getByRole('textbox', { name: 'Secret access key', exact: true });
    expect(await secret.getAttribute('placeholder')).toBe('Stored in keychain — leave empty to keep');
    expect(await secret.inputValue()).toBe('');
    await dialog.getByRole('textbox', { name: 'Name', exact: true }).fill('Ceph shop files');
    const buckets = dialog.getByRole('combobox', { name: 'Buckets Signet uses', exact: true });
    await buckets.fill(open);
    await buckets.press('Enter');
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await dialog.waitFor({ state: 'hidden' });

    await page
      .getByRole('row', { name: /Ceph shop files/ })
      .getByText('Needs attention')
      .waitFor({ timeout: 30_000 });
    const card = page.getByLabel(`Bucket ${open}`);
    await card.getByText('Public', { exact: true }).waitFor();
    await card.getByText('The bucket policy lets everyone download files.').waitFor();
    await card.getByText(/A private file in a public bucket is not private/).waitFor();
    await page.getByLabel(`Bucket ${bucket}`).getByText('Not public').waitFor();
    const account = await byName('Ceph shop files');
    expect(await services.secrets.get(`account:${account!.id}:secret-access-key`)).toBe(env.secretAccessKey);
    await page.mouse.move(0, 0);
    await expect.poll(() => page.locator('.mantine-Notification-root').count(), { timeout: 15_000 }).toBe(0);
    await app.screenshot('e2e-accounts-public-bucket');
  });

  it('disables Test and Add while the keychain cannot be reached, and says why on hover', async () => {
    const { page, services } = app;
    const mine = (await byName('Keychain check')) ?? (await cephAccountNamed('Keychain check'));
    await openAccounts();
    // The test keyring locked for real (the Secret Service's Lock, as a screen lock does): the app reads the
    // keychain as it would read the user's locked one.
    lockTestKeyring();
    try {
      await page.reload(); // a fresh page asks the keychain status again
      await page.getByText('Signet cannot reach your system keychain', { exact: true }).waitFor();
      // The system's own words for a locked keyring, from the probe that stands in for keytar's enumeration
      // (which would crash the process on a locked keyring).
      await page.getByText(/unlocked.*Cannot create an item in a locked collection/).waitFor();
      await page
        .getByRole('row', { name: /Keychain check/ })
        .getByText('Keychain not reachable')
        .waitFor();
      expect(await page.getByRole('button', { name: 'Add account' }).isDisabled()).toBe(true);

      const testButton = page.getByRole('button', { name: 'Test Keychain check' });
      expect(await testButton.getAttribute('data-disabled')).toBe('true');
      expect(await testButton.getAttribute('aria-disabled')).toBe('true');
      const testedAt = (await services.accounts.get(mine.id)).lastTest!.testedAt;
      // Playwright counts aria-disabled as disabled and would wait: a forced click is what a mouse does.
      await testButton.click({ force: true });
      await testButton.hover();
      await page
        .getByRole('tooltip')
        .getByText('Signet cannot test while your system keychain is unreachable: the keys are kept there.')
        .waitFor();
      await app.screenshot('e2e-accounts-keychain-down');
      expect(await page.getByText(/Testing the connection/).count()).toBe(0);
      expect((await services.accounts.get(mine.id)).lastTest!.testedAt).toBe(testedAt);
    } finally {
      unlockTestKeyring();
      await page.reload();
    }
    expect(testKeyringLocked()).toBe(false);
    await page.getByRole('button', { name: 'Test Keychain check' }).waitFor();
    expect(await page.getByText('Signet cannot reach your system keychain').count()).toBe(0);
    expect(
      await page.getByRole('button', { name: 'Test Keychain check' }).getAttribute('data-disabled'),
    ).toBeNull();
  });

  it('shows a wrong secret as a plain failure with what to do, and removes that account after asking', async () => {
    const { page, services } = app;
    const old = await byName('Mistyped secret');
    if (old) await services.accounts.remove(old.id);
    await openAccounts();
    await page.getByRole('button', { name: 'Add account' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Add a storage account' });
    await dialog.getByRole('combobox', { name: 'Provider' }).click();
    await page.getByRole('option', { name: 'MinIO, Ceph or other S3-compatible' }).click();
    await dialog.getByRole('textbox', { name: 'Name', exact: true }).fill('Mistyped secret');
    await dialog.getByRole('textbox', { name: 'Endpoint', exact: true }).fill(env.endpoint);
    await dialog.getByRole('textbox', { name: 'Access key ID', exact: true }).fill(env.accessKeyId);
    await dialog
      .getByRole('textbox', { name: 'Secret access key', exact: true })
      .fill('this-is-not-the-secret');
    await dialog.getByRole('button', { name: 'Add account' }).click();
    await dialog.waitFor({ state: 'hidden' });

    const row = page.getByRole('row', { name: /Mistyped secret/ });
    await row.getByText('Failed').waitFor({ timeout: 30_000 });
    const result = page.getByLabel('Connection test result', { exact: true });
    await result
      .getByText('The secret access key does not match the access key ID (wrong secret).')
      .waitFor();
    await result.getByText(/Paste the secret again/).waitFor();
    await result.getByText('SignatureDoesNotMatch').waitFor();
    await page.mouse.move(0, 0);
    await expect.poll(() => page.locator('.mantine-Notification-root').count(), { timeout: 15_000 }).toBe(0);
    await app.screenshot('e2e-accounts-wrong-secret');

    const id = (await services.accounts.list()).find((a) => a.name === 'Mistyped secret')!.id;
    await page.getByRole('button', { name: 'Remove Mistyped secret' }).click();
    const confirm = page.getByRole('dialog', { name: 'Remove “Mistyped secret”?' });
    await confirm.getByText(/deletes its keys from your system keychain/).waitFor();
    await confirm.getByRole('button', { name: 'Remove account' }).click();
    await confirm.waitFor({ state: 'hidden' });
    await row.waitFor({ state: 'detached' });
    expect((await services.secrets.list()).filter((e) => e.includes(id))).toEqual([]);
    expect((await services.accounts.list()).map((a) => a.name)).not.toContain('Mistyped secret');
  });

  it('logged no IPC, console or page errors', () => {
    expect(app.errors).toEqual([]);
  });
});
