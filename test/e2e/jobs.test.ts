import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SdkS3ClientFactory, type S3ClientFactory } from '../../src/main/services/storage/s3-client-factory';
import {
  createTestBucket,
  emptyAndDeleteBucket,
  ensureCeph,
  anonymousStatus,
  s3ClientFor,
  type CephEnv,
} from '../support/ceph';
import { startApp, type AppUnderTest } from './support/harness';

/**
 * Jobs in Chromium on the real handlers, job runner, catalog, keychain and Ceph: two files uploaded through the
 * file dialog (private unless asked), a second upload that must ask about the names that already exist, a drop
 * on the table, then 300 public images made private after a confirmation, paused and resumed while it runs,
 * one file deleted behind Signet's back failing with its reason, and retried from the Activity page.
 */

let app: AppUnderTest;
let env: CephEnv;
let admin: S3Client;
let bucket: string;
let folder: string;
/** What the native "Open" dialog answers next (the harness's openFiles). */
let chosen: string[] = [];
/** A delay before every per-file ACL change, so a job of 300 runs long enough to be paused by a click. */
let aclDelayMs = 0;

const IMAGES = 300;
const MISSING = 'shop-images/img-150.jpg';
const image = (i: number) => `shop-images/img-${String(i).padStart(3, '0')}.jpg`;

/** The SDK's clients, with a middleware that waits `aclDelayMs` before each PutObjectAcl. */
const slowAclClients: S3ClientFactory = {
  create(settings, credentials, options) {
    const client = new SdkS3ClientFactory().create(settings, credentials, options);
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'PutObjectAclCommand' && aclDelayMs > 0)
          await new Promise((r) => setTimeout(r, aclDelayMs));
        return next(args);
      },
      { step: 'initialize', name: 'e2eSlowAcl' },
    );
    return client;
  },
};

const anonymousStatusOf = (key: string) => anonymousStatus(env, bucket, key);

const grid = () => app.page.getByRole('grid');
const row = (key: string) => grid().getByRole('row', { name: key, exact: true });
const folderRow = (name: string) => grid().getByRole('row', { name: `Folder ${name}`, exact: true });
const dock = () => app.page.getByRole('region', { name: 'Jobs in progress' });
const dockJob = (title: string) => dock().getByRole('group', { name: title, exact: true });
const summary = () => app.page.getByLabel('Bucket summary');

/** Waits until no notification is on screen (they would cover the dock in screenshots and clicks). */
async function settle(): Promise<void> {
  await app.page.mouse.move(0, 0);
  await expect
    .poll(() => app.page.locator('.mantine-Notification-root').count(), { timeout: 15_000 })
    .toBe(0);
}

beforeAll(async () => {
  env = await ensureCeph();
  admin = s3ClientFor(env);
  bucket = await createTestBucket(admin, 'e2e-jobs');
  for (let start = 1; start <= IMAGES; start += 30) {
    await Promise.all(
      Array.from({ length: 30 }, (_, j) =>
        admin.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: image(start + j),
            Body: Buffer.alloc(64 + j, 'i'),
            ContentType: 'image/jpeg',
            ACL: 'public-read',
          }),
        ),
      ),
    );
  }
  folder = mkdtempSync(join(tmpdir(), 'signet-e2e-upload-'));
  writeFileSync(join(folder, 'ebook.pdf'), Buffer.alloc(262_144, 'p'));
  writeFileSync(join(folder, 'bonus track.mp3'), Buffer.alloc(3_000_000, 'm'));
  writeFileSync(join(folder, 'dropped.txt'), 'dropped on the table');

  app = await startApp({ openFiles: () => Promise.resolve(chosen), s3: slowAclClients });
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
  await app.page.reload();
  await app.page.getByRole('button', { name: 'Sync', exact: true }).click();
  await app.page.getByText(`Synced ${bucket}`).waitFor({ timeout: 60_000 });
  await folderRow('shop-images').waitFor();
  // Setup logged nothing: errors are checked, not cleared, so the last test's "none" covers the whole file.
  expect(app.errors).toEqual([]);
});
afterAll(async () => {
  await app?.close();
  if (admin) {
    await emptyAndDeleteBucket(admin, bucket);
    admin.destroy();
  }
  if (folder) rmSync(folder, { recursive: true, force: true });
});
// Each test also checks what was logged while it ran, so a test run on its own (-t) checks it too; the
// last test still checks the whole file.
afterEach(() => {
  expect(app.errors).toEqual([]);
});

describe('Jobs in Chromium, on the real handlers, job runner and Ceph', () => {
  it('uploads two files chosen in the file dialog, private unless asked, with the job in the dock', async () => {
    const { page } = app;
    chosen = [join(folder, 'ebook.pdf'), join(folder, 'bonus track.mp3')];
    await page.getByRole('button', { name: 'Upload files' }).click();
    const dialog = page.getByRole('dialog', { name: 'Upload files' });
    const list = dialog.getByRole('table', { name: 'Files to upload' });
    await list.getByRole('row', { name: 'ebook.pdf' }).getByText('262 kB').waitFor();
    await list.getByRole('row', { name: 'bonus track.mp3' }).getByText('3 MB').waitFor();
    const destination = await dialog.getByRole('note', { name: 'Destination' }).textContent();
    expect(destination).toContain(`“${bucket}”`);
    expect(destination).toContain('private');
    expect(await dialog.getByRole('switch', { name: 'Public (for shop images)' }).isChecked()).toBe(false);
    await dialog.getByText('product files').waitFor();
    await settle();
    await app.screenshot('e2e-jobs-upload-dialog');

    await dialog.getByRole('button', { name: 'Upload 2 files' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const job = dockJob(`Upload 2 files to ${bucket}`);
    await job.getByText('2 files uploaded and checked.').waitFor({ timeout: 60_000 });
    await settle();
    await app.screenshot('e2e-jobs-upload-done');

    // Private for real: strangers are refused, and the table says so once the job ended.
    expect(await anonymousStatusOf('ebook.pdf')).toBe(403);
    expect(await anonymousStatusOf('bonus track.mp3')).toBe(403);
    const head = await admin.send(new HeadObjectCommand({ Bucket: bucket, Key: 'bonus track.mp3' }));
    expect(head.ContentLength).toBe(3_000_000);
    await row('ebook.pdf').getByText('Private', { exact: true }).waitFor();
    await row('bonus track.mp3').getByText('Private', { exact: true }).waitFor();

    await job.getByRole('button', { name: `Close the summary of Upload 2 files to ${bucket}` }).click();
    await dock().waitFor({ state: 'detached' });
  });

  it('asks about every name that already exists before uploading again, and uploads public when asked', async () => {
    const { page } = app;
    await page.getByRole('button', { name: 'Upload files' }).click();
    const dialog = page.getByRole('dialog', { name: 'Upload files' });
    await dialog.getByText('2 files with the same name are already in the storage').waitFor();
    // Nothing starts until each existing name has an answer.
    const start = dialog.getByRole('button', { name: 'Upload 2 files' });
    expect(await start.isDisabled()).toBe(true);
    await dialog.getByText('Decide about 2 files that already exist first.').waitFor();
    await settle();
    await app.screenshot('e2e-jobs-upload-collisions');

    await dialog.getByRole('button', { name: 'Replace all' }).click();
    const ebook = dialog.getByRole('row', { name: 'ebook.pdf' });
    const track = dialog.getByRole('row', { name: 'bonus track.mp3' });
    expect(await ebook.getByRole('radio', { name: 'Replace' }).isChecked()).toBe(true);
    expect(await track.getByRole('radio', { name: 'Replace' }).isChecked()).toBe(true);
    await ebook.getByRole('radio', { name: 'Keep existing' }).check();

    await dialog.getByRole('switch', { name: 'Public (for shop images)' }).click({ force: true });
    await expect
      .poll(() => dialog.getByRole('note', { name: 'Destination' }).textContent())
      .toContain('public');
    await dialog.getByRole('button', { name: 'Upload 1 file' }).click();
    await dialog.waitFor({ state: 'hidden' });

    const job = dockJob(`Upload 1 file to ${bucket} (public)`);
    await job.getByText('1 file uploaded and checked.').waitFor({ timeout: 60_000 });
    expect(await anonymousStatusOf('bonus track.mp3')).toBe(200);
    // The file the owner chose to keep was not touched.
    expect(await anonymousStatusOf('ebook.pdf')).toBe(403);
    await row('bonus track.mp3').getByText('Public', { exact: true }).waitFor();
    await job.getByRole('button', { name: /^Close the summary/ }).click();
    await dock().waitFor({ state: 'detached' });
  });

  it('takes files dropped on the table: says a browser cannot, and opens the upload dialog in the app', async () => {
    const { page } = app;
    const zone = page.getByTestId('library-drop-zone');
    const drag = await page.evaluateHandle(() => {
      const data = new DataTransfer();
      data.items.add(new File(['dropped on the table'], 'dropped.txt', { type: 'text/plain' }));
      return data;
    });
    await zone.dispatchEvent('dragenter', { dataTransfer: drag });
    await page.getByText(`Drop to upload to ${bucket}`).waitFor();
    await zone.dispatchEvent('drop', { dataTransfer: drag });
    await page.getByText('Dropping files needs the Signet desktop app').waitFor();

    // What the desktop app's preload adds, standing in here: the dropped file's path (Electron's webUtils), handed
    // to main on the channel only the preload has, which grants it for upload.
    await page.evaluate(
      (path) => {
        const pathsFor = async () => {
          const answer = await window.__signetInvoke('files:dropped', { paths: [path] });
          if (!answer.ok) throw new Error(answer.error.message);
          return (answer.data as { paths: string[] }).paths;
        };
        Object.defineProperty(window, 'signetFiles', { value: { pathsFor }, configurable: true });
      },
      join(folder, 'dropped.txt'),
    );
    await zone.dispatchEvent('drop', { dataTransfer: drag });
    const dialog = page.getByRole('dialog', { name: 'Upload files' });
    await dialog.getByRole('row', { name: 'dropped.txt' }).waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    // Cancelled before anything was sent.
    await expect(admin.send(new HeadObjectCommand({ Bucket: bucket, Key: 'dropped.txt' }))).rejects.toThrow();
    await settle();
  });

  it('makes 300 public files private after a confirmation, pauses and resumes, and says which one failed', async () => {
    const { page } = app;
    // Behind Signet's back: one of them is deleted after the sync, so changing it must fail with a reason.
    await admin.send(new DeleteObjectCommand({ Bucket: bucket, Key: MISSING }));
    aclDelayMs = 400;

    await folderRow('shop-images').click();
    await page.getByText(`${IMAGES} files`, { exact: true }).waitFor();
    await row(image(1)).getByRole('checkbox').click();
    const bar = page.getByRole('region', { name: 'Selection' });
    await bar.getByRole('button', { name: `Select all ${IMAGES} matching` }).click();
    await bar.getByText(`All ${IMAGES} matching selected`).waitFor();
    await bar.getByRole('button', { name: 'Make private' }).click();

    // "Ask before changing many files" is on by default.
    const confirm = page.getByRole('dialog', { name: `Make ${IMAGES} files private?` });
    const plan = await confirm.getByRole('note', { name: 'Plan' }).textContent();
    expect(plan).toBe(
      `${IMAGES} files will get the access setting private, then Signet re-reads each one to prove it.`,
    );
    await confirm
      .getByRole('group', { name: 'What will happen' })
      .getByText('Access setting changed on each file')
      .waitFor();
    const verify = confirm.getByRole('checkbox', { name: 'Also check anonymously afterwards' });
    expect(await verify.isChecked()).toBe(true);
    await app.screenshot('e2e-jobs-private-confirm');
    await confirm.getByRole('button', { name: `Make ${IMAGES} files private` }).click();
    await confirm.waitFor({ state: 'hidden' });
    // The selection is spent: the job works on it now.
    await bar.waitFor({ state: 'detached' });

    const title = `Make ${IMAGES} files in ${bucket} private`;
    const job = dockJob(title);
    await job.getByText('Running', { exact: true }).waitFor({ timeout: 15_000 });
    await job.getByText(new RegExp(`^\\d+ of ${IMAGES} files$`)).waitFor();
    await app.screenshot('e2e-jobs-private-running');

    await job.getByRole('button', { name: 'Pause' }).click();
    await job.getByText('Paused', { exact: true }).waitFor({ timeout: 15_000 });
    await job
      .getByText(new RegExp(`^Paused after \\d+ of ${IMAGES} files\\. Resume it to go on\\.$`))
      .waitFor();
    const pausedAt = (await app.services.jobs.view(3)).done;
    expect(pausedAt).toBeLessThan(IMAGES - 1);
    await settle();
    await app.screenshot('e2e-jobs-private-paused');

    aclDelayMs = 0;
    await job.getByRole('button', { name: 'Resume' }).click();
    await job
      .getByText(
        `${IMAGES - 1} of ${IMAGES} files made private and checked. 1 file failed: see the list and retry them.`,
      )
      .waitFor({ timeout: 90_000 });
    await job.getByText('Some failed', { exact: true }).waitFor();
    await settle();
    await app.screenshot('e2e-jobs-private-failed');

    // Strangers are refused now, and the table and the counts follow.
    expect(await anonymousStatusOf(image(1))).toBe(403);
    expect(await anonymousStatusOf(image(IMAGES))).toBe(403);
    await row(image(1)).getByText('Private', { exact: true }).waitFor();
    await row(image(1))
      .getByText(/^403 · /)
      .waitFor();
    await summary().getByText('Private: 300', { exact: true }).waitFor();
    await summary().getByText('Public: 2', { exact: true }).waitFor();
  });

  it('shows the jobs on the Activity page, the failed file first with its reason, and retries it', async () => {
    const { page } = app;
    const title = `Make ${IMAGES} files in ${bucket} private`;
    await dockJob(title).getByRole('link', { name: 'Details' }).click();
    expect(page.url()).toMatch(/#\/activity\/job\/3$/);
    const details = page.getByRole('dialog', { name: title });
    const items = details.getByRole('table', { name: 'Files of this job' });
    const first = items.getByRole('row').nth(1);
    expect(await first.getAttribute('aria-label')).toBe(MISSING);
    await first.getByText('Failed', { exact: true }).waitFor();
    // What the storage answered, and the next step: a sync, not the account settings.
    await first
      .getByText(/is no longer in .* \(the storage answered NoSuchKey\).* Sync the bucket/)
      .waitFor();
    await details.getByRole('group', { name: 'Job counts' }).getByText('Failed: 1').waitFor();
    await settle();
    await app.screenshot('e2e-jobs-details');

    // The owner fixes the cause (the file is back), then retries only what failed.
    await admin.send(
      new PutObjectCommand({ Bucket: bucket, Key: MISSING, Body: 'back', ACL: 'public-read' }),
    );
    expect(await anonymousStatusOf(MISSING)).toBe(200);
    await details.getByRole('button', { name: 'Retry failed' }).click();
    await details
      .getByRole('status')
      .getByText(`${IMAGES} files made private and checked.`)
      .waitFor({ timeout: 60_000 });
    expect(await anonymousStatusOf(MISSING)).toBe(403);
    await page.keyboard.press('Escape');
    await details.waitFor({ state: 'hidden' });
    expect(page.url()).toMatch(/#\/activity$/);

    const jobs = page.getByRole('region', { name: 'Jobs', exact: true });
    await expect.poll(() => jobs.getByRole('article').count()).toBe(3);
    const done = jobs.getByRole('article', { name: `Job 3: ${title}` });
    await done.getByText('Done', { exact: true }).waitFor();
    await done.getByText(`${IMAGES} of ${IMAGES} files`).waitFor();
    await jobs
      .getByRole('article', { name: `Job 1: Upload 2 files to ${bucket}` })
      .getByText('2 files uploaded and checked.')
      .waitFor();
    await page
      .getByRole('table', { name: 'Activity log' })
      .getByText(`${title}: ${IMAGES} files made private and checked.`)
      .waitFor();
    await settle();
    await app.screenshot('e2e-jobs-activity');
  });

  it('logged no IPC, console or page errors', () => {
    expect(app.errors).toEqual([]);
  });
});
