/**
 * A batch of 10,000 orders through the service on the real keychain and a SQLite file: preview and issue stay
 * quick (the issue asks for "instant"; `links batch` of 10,000 rows under 2 s end to end), every row gets its
 * own link, and the ledger holds them all. No network: verifier links are signed locally.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/main-harness';
import { readTokenPerSpec } from '../support/token-spec-reader';
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

  // Every row's token, read per the spec (not by the app's own code), carries its row's order, limit and expiry.
  const key = await h.services.keys.activeKey();
  const keys = { [key.kid]: Buffer.from(key.secret).toString('base64url') };
  const latest = Math.floor(Date.now() / 1000) + 30 * 86_400;
  const problem = (line: string): string | null => {
    // No cell of these rows needs CSV quoting (digits, plain emails, URLs of B64U tokens).
    const [order, , , max, , url, jti, expiresAt, error] = line.split(',');
    if (error !== '') return `error ${error}`;
    const r = readTokenPerSpec(new URL(url!).searchParams.get('token')!, keys);
    if (!r.ok) return r.reason;
    const expires = Date.parse(expiresAt!) / 1000;
    const want = { product_slug: 'my-plugin', license_id: order, max: Number(max), jti, expires };
    const got = Object.fromEntries(Object.keys(want).map((f) => [f, r.payload[f]]));
    if (JSON.stringify(got) !== JSON.stringify(want)) return `payload ${JSON.stringify(got)}`;
    if (expires > latest || expires < latest - 300) return `expires ${expires}, not 30 days from now`;
    return r.unknownFields.length > 0 ? `unknown fields ${r.unknownFields.join(', ')}` : null;
  };
  const wrong = lines.slice(1).flatMap((line) => {
    const p = problem(line);
    return p === null ? [] : [`${line.split(',')[0]}: ${p}`];
  });
  // One assertion over all rows (10,000 expects would dominate the run); the list says which rows differ.
  expect(wrong.slice(0, 5)).toEqual([]);
  expect(wrong).toHaveLength(0);
});
