import { PutObjectAclCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Notice } from '../../src/main/services/notifier';
import {
  createLeastPrivilegeBucket,
  createTestBucket,
  emptyAndDeleteBucket,
  ensureCeph,
  ownerClientFor,
  s3ClientFor,
  type CephEnv,
} from '../support/ceph';
import { startApp, type AppUnderTest } from './support/harness';

/**
 * Trust in the window (issues 18 and 21), in Chromium on the real handlers, catalog, keychain and Ceph:
 * - a bucket whose rules the account's key cannot read (owned by the rig's second user, `leak/` public by its
 *   policy): the Library says each file is checked as a stranger would, and shows `leak/` as public through
 *   the bucket and the rest as private;
 * - the leak watch: Settings → Leak watch → Check now finds a linked file made public behind Signet's back,
 *   notifies, and the Library's navigation shows the leak count.
 */

let app: AppUnderTest;
let env: CephEnv;
let user: S3Client;
let owner: S3Client;
let least: string;
let shop: string;
let accountId: string;
const notices: Notice[] = [];

beforeAll(async () => {
  env = await ensureCeph();
  user = s3ClientFor(env);
  owner = ownerClientFor(env);
  least = await createLeastPrivilegeBucket(env, owner, 'e2e-least', ['leak/']);
  for (const Key of ['leak/free-sample.zip', 'safe/course.zip', 'safe/ebook.pdf'])
    await user.send(new PutObjectCommand({ Bucket: least, Key, Body: Key, ACL: 'private' }));
  shop = await createTestBucket(user, 'e2e-watch');
  for (const Key of ['products/linked.zip', 'products/other.zip'])
    await user.send(new PutObjectCommand({ Bucket: shop, Key, Body: Key, ACL: 'private' }));
  app = await startApp({ notifier: { notify: (n) => notices.push(n) } });
  const account = await app.services.accounts.add({
    settings: {
      name: 'Ceph shop',
      provider: 'custom',
      endpoint: env.endpoint,
      region: env.region,
      forcePathStyle: true,
      buckets: [shop, least],
      privateBucket: null,
    },
    credentials: { accessKeyId: env.accessKeyId, secretAccessKey: env.secretAccessKey },
  });
  accountId = account.id;
  await app.services.library.sync({ accountId, bucket: shop });
  await app.services.library.sync({ accountId, bucket: least });
  await app.page.reload();
  expect(app.errors).toEqual([]);
});

afterAll(async () => {
  await app?.close();
  if (least) await emptyAndDeleteBucket(owner, least);
  if (shop) await emptyAndDeleteBucket(user, shop);
  user?.destroy();
  owner?.destroy();
});

afterEach(() => {
  expect(app.errors).toEqual([]);
});

async function openBucket(name: string): Promise<void> {
  const { page } = app;
  await page.getByRole('link', { name: /Library/ }).click();
  await page.getByRole('heading', { name: 'Library', level: 2 }).waitFor();
  await page.getByRole('combobox', { name: 'Bucket' }).click();
  await page.getByRole('option', { name: new RegExp(name) }).click();
  expect(await page.getByRole('combobox', { name: 'Bucket' }).inputValue()).toBe(name);
}

describe('trust in the window', () => {
  it('says why a bucket whose rules cannot be read is checked file by file, and shows what strangers got', async () => {
    const { page } = app;
    await openBucket(least);
    const note = page.getByRole('alert').filter({ hasText: 'Access here is checked file by file' });
    await note.waitFor();
    await note.getByText(/checks each file as a stranger would/).waitFor();
    // A search looks in every folder.
    await page.getByRole('textbox', { name: 'Search files' }).fill('zip');
    const grid = page.getByRole('grid');
    const leakRow = grid.getByRole('row', { name: 'leak/free-sample.zip', exact: true });
    await leakRow.waitFor();
    expect(await leakRow.textContent()).toContain('Public bucket');
    expect(await grid.getByRole('row', { name: 'safe/course.zip', exact: true }).textContent()).toContain(
      'Private',
    );
    await app.screenshot('e2e-watch-stranger-checked');
  });

  it('Check now finds a linked file made public elsewhere: an alert, a notification and a badge', async () => {
    const { page } = app;
    const [shopView] = (await app.services.library.buckets()).filter((b) => b.name === shop);
    const linked = (
      await app.services.library.page({ bucketId: shopView!.id, recursive: true, search: 'linked' })
    ).rows[0]!;
    await app.services.links.create({
      objectId: linked.id,
      kind: 'direct',
      productSlug: 'linked',
      expiry: { type: 'seconds', seconds: 3600 },
    });
    await user.send(
      new PutObjectAclCommand({ Bucket: shop, Key: 'products/linked.zip', ACL: 'public-read' }),
    );

    await page.getByRole('link', { name: /Settings/ }).click();
    await page.getByRole('heading', { name: 'Leak watch' }).waitFor();
    await page.getByText('No check has run yet.').waitFor();
    await page.getByRole('button', { name: 'Check now' }).click();
    await page.getByText('1 file(s) can be downloaded by anyone').waitFor();
    await page.getByText(new RegExp(`${shop}/products/linked.zip`)).waitFor();
    await page
      .getByLabel('Last leak watch')
      .getByText(/Last check:/)
      .waitFor();
    await page.getByLabel('1 leaks').waitFor(); // the Library's badge in the navigation
    await app.screenshot('e2e-watch-leak-found');
    expect(notices).toEqual([
      {
        title: 'A protected file can be downloaded by anyone',
        body: `“products/linked.zip” in “${shop}” answered a stranger. Open the Library and press Show leaks to make them private.`,
      },
    ]);
  });
});
