/**
 * A batch of 10,000 orders through the service on the real keychain and a SQLite file: preview and issue stay
 * quick (the issue asks for "instant"; `links batch` of 10,000 rows under 2 s end to end), every row gets its
 * own link, and the ledger holds them all. No network: verifier links are signed locally.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/main-harness';
import { requirePrivateTestKeyring } from '../support/test-keyring';

requirePrivateTestKeyring();

let h: Harness;
let accountId: string;

beforeAll(async () => {
  h = startHarness({ prefix: 'links-scale' });
  const account = await h.ok('accounts:add', {
    settings: {
      name: 'Scale',
      provider: 'custom',
      endpoint: 'http://127.0.0.1:9',
      region: 'us-east-1',
      forcePathStyle: true,
      buckets: ['shop'],
      privateBucket: null,
    },
    credentials: { accessKeyId: 'AKIDSCALE', secretAccessKey: 'scale-secret-key-not-used-for-network' },
  });
  accountId = account.id;
  await h.ok('settings:update', { verifierBaseUrl: 'https://shop.example.com/' });
  // The product slug becomes known through a first link (the catalog is empty here).
  await h.services.links.createForKey({
    accountId,
    bucket: 'shop',
    key: 'products/my-plugin.zip',
    kind: 'verifier',
    productSlug: 'my-plugin',
    expiry: { type: 'preset', preset: '7d' },
  });
});

afterAll(async () => {
  await h?.close();
});

it('previews and issues 10,000 rows quickly, one link per row', async () => {
  const rows = Array.from({ length: 10_000 }, (_, i) => `${100000 + i},c${i}@example.com,my-plugin,3,30d`);
  const csv = ['order,email,product,max,expires', ...rows].join('\n');

  let t = performance.now();
  const preview = await h.ok('links:batch-preview', { csv, accountId });
  const previewMs = performance.now() - t;
  expect(preview).toMatchObject({ valid: 10_000, invalid: 0 });

  t = performance.now();
  const issued = await h.ok('links:batch-issue', { csv, accountId });
  const issueMs = performance.now() - t;
  expect(issued).toMatchObject({ issued: 10_000, failed: 0 });
  console.log(`batch of 10,000: preview ${previewMs.toFixed(0)} ms, issue ${issueMs.toFixed(0)} ms`);
  // Generous for a loaded CI machine; the benchmark holds the real aim (under 2 s end to end).
  expect(previewMs).toBeLessThan(10_000);
  expect(issueMs).toBeLessThan(10_000);

  const lines = issued.csv.trim().split('\n');
  expect(lines).toHaveLength(10_001);
  const jtis = new Set(lines.slice(1).map((l) => l.split(',')[6]));
  expect(jtis.size).toBe(10_000);
  const count = h.services.db.prepare('SELECT count(*) AS n FROM links').get() as { n: number };
  expect(count.n).toBe(10_001);
  expect(lines[1]).toMatch(
    /^100000,c0@example.com,my-plugin,3,30d,https:\/\/shop\.example\.com\/downloads\/my-plugin\?token=v1\./,
  );
});
