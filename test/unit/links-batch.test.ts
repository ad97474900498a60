/**
 * The CSV batch preview on a real in-memory catalog: a row whose file is public is still ready but carries a
 * warning that says what to do (per file, or for a bucket open to everyone), and `max` is bound by the same cap
 * as a link made in the window (MaxDownloadsSchema), with a plain per-row error above it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/main/db/database';
import { AccountRepository } from '../../src/main/repositories/account-repository';
import { ActivityRepository } from '../../src/main/repositories/activity-repository';
import { BucketRepository } from '../../src/main/repositories/bucket-repository';
import { CatalogRepository } from '../../src/main/repositories/catalog-repository';
import { LinkRepository } from '../../src/main/repositories/link-repository';
import { SettingsRepository } from '../../src/main/repositories/settings-repository';
import type { AccountCredentialStore } from '../../src/main/services/accounts/account-credentials';
import { AccountService } from '../../src/main/services/accounts/account-service';
import type { ConnectionTester } from '../../src/main/services/accounts/connection-tester';
import { ActivityService } from '../../src/main/services/activity-service';
import type { Clock } from '../../src/main/services/clock';
import { LinkBatchService } from '../../src/main/services/links/link-batch';
import type { LinkService } from '../../src/main/services/links/link-service';
import { SettingsService } from '../../src/main/services/settings-service';
import type { AccessType } from '../../src/shared/library/schemas';
import { MAX_DOWNLOADS, MaxDownloadsSchema } from '../../src/shared/links/schemas';
import { seedShopAccount } from '../support/test-services';

const AT = '2026-12-01T10:00:00.000Z';
const clock: Clock = { now: () => new Date(AT) };
const HEADER = 'order,email,product,max,expires';

const dbs: Db[] = [];
afterEach(() => dbs.splice(0).forEach((db) => db.close()));

/** One account with the bucket "media", holding one file per access type asked for. */
function setup(
  files: Record<string, AccessType>,
  options: { links?: LinkService; ledger?: LinkRepository; db?: Db } = {},
): LinkBatchService {
  const db = options.db ?? openDatabase(':memory:');
  dbs.push(db);
  const bucketId = seedShopAccount(db, AT);
  const catalog = new CatalogRepository(db);
  const keys = Object.keys(files);
  catalog.upsertPage(
    bucketId,
    keys.map((key) => ({ key, size: 10, lastModified: AT, etag: 'e1', storageClass: null })),
    0,
    new Set(),
  );
  catalog.setAccess(
    bucketId,
    keys.map((key) => ({ key, access: files[key]!, grants: null })),
    AT,
  );
  const activity = new ActivityService(new ActivityRepository(db), clock);
  return new LinkBatchService({
    // The preview never issues a link; issuing (signing keys, keychain) is covered by the integration tests.
    links: options.links ?? ({} as LinkService),
    ledger: options.ledger ?? new LinkRepository(db),
    catalog,
    buckets: new BucketRepository(db),
    // The preview reads accounts as stored; it never asks the keychain or tests a connection.
    accounts: new AccountService({
      repo: new AccountRepository(db),
      credentials: {} as AccountCredentialStore,
      tester: {} as ConnectionTester,
      activity,
      clock,
    }),
    settings: new SettingsService(new SettingsRepository(db), activity, clock),
    activity,
    clock,
  });
}

describe('batch preview: public files', () => {
  it('issues a public file’s row but warns, per file or for the whole bucket, and says what to do', async () => {
    const batch = setup({
      'products/plugin.zip': 'private',
      'free/sample.zip': 'public',
      'open/cover.png': 'public-bucket',
    });
    const preview = await batch.preview(
      [
        HEADER,
        '1,a@example.com,products/plugin.zip,2,7d',
        '2,b@example.com,free/sample.zip,2,7d',
        '3,c@example.com,open/cover.png,2,7d',
        '4,not-an-email,free/sample.zip,2,7d',
      ].join('\n'),
    );
    expect(preview).toMatchObject({ valid: 3, invalid: 1 });
    const [plain, file, bucket, bad] = preview.rows;
    expect(plain).toMatchObject({ key: 'products/plugin.zip', error: null, warning: null });
    expect(file).toMatchObject({ key: 'free/sample.zip', error: null });
    expect(file!.warning).toBe(
      'This file is public: anyone can download it without the link. Make it private in the Library (Make private) so that only your links work.',
    );
    expect(bucket).toMatchObject({ key: 'open/cover.png', error: null });
    expect(bucket!.warning).toBe(
      'The bucket “media” is public as a whole: anyone can download this file without the link. Make the bucket private at your storage provider, or move the file to your private bucket (Library → Make private).',
    );
    // A row that is not issued has its error only: a warning about its file would be noise.
    expect(bad).toMatchObject({ warning: null });
    expect(bad!.error).toMatch(/^email:/);
  });
});

describe('batch preview: max', () => {
  it('caps max at the single-link schema’s limit, with a plain error per row above it', async () => {
    expect(MaxDownloadsSchema.safeParse(MAX_DOWNLOADS).success).toBe(true);
    expect(MaxDownloadsSchema.safeParse(MAX_DOWNLOADS + 1).success).toBe(false);

    const batch = setup({ 'products/plugin.zip': 'private' });
    const rows = ['1000000', '1000001', '9999999', '123456789012345678901', '0', 'none', '', '2.5'].map(
      (max, i) => `${i + 1},,products/plugin.zip,${max},7d`,
    );
    const preview = await batch.preview([HEADER, ...rows].join('\n'));
    expect(preview.rows.map((r) => [r.maxDownloads, r.error])).toEqual([
      [MAX_DOWNLOADS, null],
      [
        null,
        'max: 1000001 is more than the 1,000,000 downloads a link can allow; give a smaller number, or none for no limit',
      ],
      [
        null,
        'max: 9999999 is more than the 1,000,000 downloads a link can allow; give a smaller number, or none for no limit',
      ],
      [
        null,
        'max: 123456789012345678901 is more than the 1,000,000 downloads a link can allow; give a smaller number, or none for no limit',
      ],
      [null, 'max: “0” is not a number of downloads (1 or more, or none)'],
      [null, null],
      // Empty: the default from Settings (5 unless changed).
      [5, null],
      [null, 'max: “2.5” is not a number of downloads (1 or more, or none)'],
    ]);
    expect(preview).toMatchObject({ valid: 3, invalid: 5 });
  });
});

describe('batch issue: all or nothing', () => {
  it('removes the chunks it wrote when a later chunk cannot be written, and says what failed', async () => {
    const db = openDatabase(':memory:');
    // Links built without signing keys: what is under test is how the batch writes them, not the token.
    let n = 0;
    const links = {
      verifierIssuer: async () => ({}),
      verifierLink: (_issuer: unknown, target: { bucketId: number; accountId: string; key: string }) => {
        n++;
        return {
          jti: `jti-${n}`,
          kind: 'verifier',
          bucketId: target.bucketId,
          accountId: target.accountId,
          accountName: 'Shop',
          bucket: 'media',
          key: target.key,
          kid: 'k1',
          productSlug: 'plugin',
          orderId: String(n),
          email: '',
          note: '',
          maxDownloads: 2,
          filename: '',
          createdAt: AT,
          expiresAt: '2026-12-08T10:00:00.000Z',
          url: `https://dl.example.com/downloads/plugin?token=${n}`,
        };
      },
    } as unknown as LinkService;
    let writes = 0;
    class FailingLedger extends LinkRepository {
      override insertMany(records: Parameters<LinkRepository['insertMany']>[0]): void {
        if (++writes === 3) throw new Error('disk I/O error');
        super.insertMany(records);
      }
    }
    const batch = setup({ 'products/plugin.zip': 'private' }, { db, links, ledger: new FailingLedger(db) });
    const rows = Array.from({ length: 1000 }, (_, i) => `${i + 1},,products/plugin.zip,2,7d`);
    await expect(batch.issue([HEADER, ...rows].join('\n'))).rejects.toThrow('disk I/O error');
    // Two chunks had been written before the third failed; none of their links was handed out.
    expect(writes).toBe(3);
    expect(db.prepare('SELECT count(*) AS n FROM links').get()).toEqual({ n: 0 });
  });
});
