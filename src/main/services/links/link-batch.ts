import { toCsv } from '@shared/csv/write-csv';
import {
  BATCH_COLUMNS,
  BATCH_MAX_CSV_CHARS,
  BATCH_MAX_ROWS,
  BATCH_OUTPUT_COLUMNS,
  expiryProblem,
  MAX_DOWNLOADS,
  parseExpiryText,
  PRODUCT_SLUG_RE,
  resolveExpiry,
  suggestSlug,
  type BatchIssue,
  type BatchPreview,
  type BatchRow,
  type ExpiryInput,
} from '@shared/links/schemas';
import { PUBLIC_ACCESS } from '@shared/library/schemas';
import type { BucketRepository } from '../../repositories/bucket-repository';
import type { CatalogRepository } from '../../repositories/catalog-repository';
import type { LinkRecord, LinkRepository } from '../../repositories/link-repository';
import type { AccountService } from '../accounts/account-service';
import type { ActivityService } from '../activity-service';
import type { Clock } from '../clock';
import { UserFacingError } from '../errors';
import type { SettingsService } from '../settings-service';
import { readCsvRecords } from './csv-records';
import type { LinkFields, LinkService, LinkTarget } from './link-service';
import { nextTurn } from '../../lib/next-turn';

const MAX_DOWNLOADS_TEXT = MAX_DOWNLOADS.toLocaleString('en-US');

/** Rows issued and written per turn of the event loop: about 10 ms of work each on the bench's machine. */
const ISSUE_CHUNK_ROWS = 100;
/** Rows checked per turn of the event loop while a batch is read (preview and issue). */
const PARSE_CHUNK_ROWS = 2000;
/** Rows of the answer's CSV written per turn of the event loop. */
const OUTPUT_CHUNK_ROWS = 500;

interface ParsedRow extends BatchRow {
  fields: LinkFields | null;
  target: LinkTarget | null;
  /** The cells as read, for the output CSV. */
  cells: string[];
}

interface Parsed {
  header: string[];
  accountId: string | null;
  accountName: string | null;
  rows: ParsedRow[];
}

/**
 * Links for a CSV of orders (`order,email,product,max,expires`): preview with an error per bad row, then
 * issue a verifier link for every good row (written in chunks, main free between two) and answer the CSV with
 * `url,jti,expires_at,error` columns added. `product` is an object key of the account or a product slug
 * (one used in an earlier link, or the slug suggested from exactly one file's name).
 */
export class LinkBatchService {
  constructor(
    private readonly deps: {
      links: LinkService;
      ledger: LinkRepository;
      catalog: CatalogRepository;
      buckets: BucketRepository;
      accounts: AccountService;
      settings: SettingsService;
      activity: ActivityService;
      clock: Clock;
    },
  ) {}

  async preview(csv: string, accountId?: string): Promise<BatchPreview> {
    const parsed = await this.parse(csv, accountId);
    const rows = parsed.rows.map(strip);
    const invalid = rows.filter((r) => r.error !== null).length;
    return {
      accountId: parsed.accountId,
      accountName: parsed.accountName,
      rows,
      valid: rows.length - invalid,
      invalid,
    };
  }

  async issue(csv: string, accountId?: string): Promise<BatchIssue> {
    const parsed = await this.parse(csv, accountId);
    const good = parsed.rows.filter((r) => r.error === null);
    const out = new Map<ParsedRow, { url: string; jti: string; expiresAt: string } | { error: string }>();
    if (good.length > 0) {
      const issuer = await this.deps.links.verifierIssuer();
      const now = this.deps.clock.now();
      // A chunk at a time, each written in its own transaction, the event loop free between two: 10,000 rows
      // in one go held main (and every call from the window) for most of a second. Still all or nothing: when a
      // later chunk cannot be written, the chunks written before it are removed (nobody got those links).
      const written: string[] = [];
      try {
        for (let at = 0; at < good.length; at += ISSUE_CHUNK_ROWS) {
          if (at > 0) await nextTurn();
          const records: LinkRecord[] = [];
          for (const row of good.slice(at, at + ISSUE_CHUNK_ROWS)) {
            try {
              const record = this.deps.links.verifierLink(issuer, row.target!, row.fields!, now);
              records.push(record);
              out.set(row, { url: record.url, jti: record.jti, expiresAt: record.expiresAt });
            } catch (err) {
              out.set(row, { error: err instanceof UserFacingError ? err.message : (err as Error).message });
            }
          }
          this.deps.ledger.insertMany(records);
          for (const r of records) written.push(r.jti);
        }
      } catch (err) {
        this.deps.ledger.removeUnsent(written);
        throw err;
      }
    }
    // The answer is written a chunk of rows per turn too (toCsv of two chunks is the two answers joined): in one
    // go, the lines and the CSV of 10,000 rows held main for ~20 ms, and longer when a garbage collection fell in.
    let issued = 0;
    const parts = [toCsv([[...parsed.header, ...BATCH_OUTPUT_COLUMNS]])];
    for (let at = 0; at < parsed.rows.length; at += OUTPUT_CHUNK_ROWS) {
      if (at > 0) await nextTurn();
      const lines = parsed.rows.slice(at, at + OUTPUT_CHUNK_ROWS).map((row) => {
        const result = out.get(row);
        const error = row.error ?? (result && 'error' in result ? result.error : null);
        const ok = result && 'url' in result ? result : null;
        if (ok) issued++;
        const cells = parsed.header.map((_, i) => row.cells[i] ?? '');
        return [...cells, ok?.url ?? '', ok?.jti ?? '', ok?.expiresAt ?? '', error ?? ''];
      });
      // Every cell, the echoed input included, through the formula guard of the one CSV writer.
      parts.push(toCsv(lines));
    }
    const failed = parsed.rows.length - issued;
    if (issued > 0 || failed > 0) {
      this.deps.activity.record(
        'links',
        `Batch: made ${issued} verifier link(s) from a CSV; ${failed} row(s) failed.`,
      );
    }
    return { csv: parts.join(''), issued, failed };
  }

  private async parse(csv: string, accountId: string | undefined): Promise<Parsed> {
    // The size first, then a streaming parse that stops past the row limit: a wrong file (an export of a
    // million orders) is refused in a moment, and main keeps answering the window while it reads.
    if (csv.length > BATCH_MAX_CSV_CHARS) {
      throw new UserFacingError('invalid-input', tooLargeMessage(csv.length));
    }
    let records: string[][] | null;
    try {
      records = await readCsvRecords(csv, BATCH_MAX_ROWS + 1);
    } catch (err) {
      throw new UserFacingError('invalid-input', `The CSV cannot be read: ${(err as Error).message}`);
    }
    if (records === null) throw new UserFacingError('invalid-input', TOO_MANY_ROWS_MESSAGE);
    if (records.length === 0) {
      throw new UserFacingError(
        'invalid-input',
        `The CSV is empty: it needs a header row ${BATCH_COLUMNS.join(',')}.`,
      );
    }
    const header = records[0]!.map((h) => h.trim());
    const lower = header.map((h) => h.toLowerCase());
    const index = Object.fromEntries(BATCH_COLUMNS.map((c) => [c, lower.indexOf(c)])) as Record<
      (typeof BATCH_COLUMNS)[number],
      number
    >;
    const missing = BATCH_COLUMNS.filter((c) => index[c] < 0);
    if (missing.length > 0) {
      throw new UserFacingError(
        'invalid-input',
        `The CSV's header row lacks the column(s) ${missing.join(', ')}; it needs ${BATCH_COLUMNS.join(',')}.`,
      );
    }
    const clash = BATCH_OUTPUT_COLUMNS.filter((c) => lower.includes(c));
    if (clash.length > 0) {
      throw new UserFacingError(
        'invalid-input',
        `The CSV already has the column(s) ${clash.join(', ')}, which the result adds: remove them first.`,
      );
    }

    const account = this.account(accountId);
    const settings = this.deps.settings.get();
    const now = this.deps.clock.now();
    const resolver = account ? this.productResolver(account.id, account.name) : null;
    const defaultExpiry: ExpiryInput = { type: 'seconds', seconds: settings.defaultLinkExpiryHours * 3600 };
    const expiryCache = new Map<string, ExpiryInput | null>();

    const parseRow = (cells: string[], i: number): ParsedRow => {
      const cell = (c: (typeof BATCH_COLUMNS)[number]) => (cells[index[c]] ?? '').trim();
      const row: ParsedRow = {
        line: i + 2,
        order: cell('order'),
        email: cell('email'),
        product: cell('product'),
        bucket: null,
        key: null,
        productSlug: null,
        maxDownloads: null,
        expiresAt: null,
        error: null,
        warning: null,
        fields: null,
        target: null,
        cells,
      };
      const fail = (error: string): ParsedRow => ({ ...row, error });
      // Plain checks with the schemas' rules (zod per cell is the slow part of 10,000 rows).
      if (row.order.length > 128) return fail('order: At most 128 characters');
      if (row.email.length > 320 || (row.email !== '' && !EMAIL_RE.test(row.email))) {
        return fail('email: Enter an email address like name@example.com');
      }

      const maxText = cell('max').toLowerCase();
      let max: number | null;
      if (maxText === '') max = settings.defaultMaxDownloads;
      else if (maxText === 'none' || maxText === 'unlimited') max = null;
      else if (/^\d+$/.test(maxText) && Number(maxText) >= 1) {
        max = Number(maxText);
        // The same cap as a link made in the window or with `signet link` (MaxDownloadsSchema).
        if (max > MAX_DOWNLOADS) {
          return fail(
            `max: ${cell('max')} is more than the ${MAX_DOWNLOADS_TEXT} downloads a link can allow; give a smaller number, or none for no limit`,
          );
        }
      } else return fail(`max: “${cell('max')}” is not a number of downloads (1 or more, or none)`);
      row.maxDownloads = max;

      const expiresText = cell('expires');
      let expiry = expiresText === '' ? defaultExpiry : expiryCache.get(expiresText);
      if (expiry === undefined) {
        expiry = parseExpiryText(expiresText);
        expiryCache.set(expiresText, expiry);
      }
      if (!expiry) {
        return fail(`expires: “${expiresText}” is not a duration (90s, 15m, 1h, 7d) or an ISO date-time`);
      }
      const expiresAt = resolveExpiry(expiry, now);
      const problem = expiryProblem('verifier', expiresAt, now);
      if (problem) return fail(`expires: ${problem}`);
      row.expiresAt = expiresAt.toISOString();

      if (!account || !resolver) return fail('There is no storage account to take the files from.');
      if (row.product === '') return fail('product: empty (give a product slug or an object key)');
      const found = resolver(row.product);
      if ('error' in found) return fail(`product: ${found.error}`);
      row.bucket = found.target.bucket;
      row.key = found.target.key;
      row.productSlug = found.slug;
      return {
        ...row,
        warning: publicWarning(found.target),
        target: found.target,
        fields: {
          kind: 'verifier',
          productSlug: found.slug,
          orderId: row.order,
          email: row.email,
          note: '',
          maxDownloads: max,
          filename: '',
          expiry,
        },
      };
    };
    // A chunk of rows per turn of the event loop: 10,000 rows in one go held main for about 60 ms.
    const rows: ParsedRow[] = [];
    for (let i = 1; i < records.length; i++) {
      if (i % PARSE_CHUNK_ROWS === 0) await nextTurn();
      rows.push(parseRow(records[i]!, i - 1));
    }
    return { header, accountId: account?.id ?? null, accountName: account?.name ?? null, rows };
  }

  private account(accountId: string | undefined): { id: string; name: string } | null {
    if (accountId) {
      const a = this.deps.accounts.find(accountId);
      if (!a) throw new UserFacingError('not-found', 'That storage account does not exist (any more).');
      return a;
    }
    return this.deps.accounts.records()[0] ?? null;
  }

  /** product → file: an exact key in one of the account's buckets, else a slug (ledger, then file names). */
  private productResolver(
    accountId: string,
    accountName: string,
  ): (product: string) => { target: LinkTarget; slug: string } | { error: string } {
    const buckets = this.deps.buckets.list().filter((b) => b.accountId === accountId);
    let bySlug: Map<string, { bucketId: number; bucket: string; key: string }[]> | null = null;
    const cache = new Map<string, { target: LinkTarget; slug: string } | { error: string }>();
    const target = (bucketId: number | null, bucket: string, key: string): LinkTarget => {
      const object = bucketId === null ? null : this.deps.catalog.getByKey(bucketId, key);
      return { accountId, accountName, bucketId, bucket, key, access: object?.access ?? null };
    };
    const resolve = (product: string): { target: LinkTarget; slug: string } | { error: string } => {
      for (const b of buckets) {
        if (this.deps.catalog.getByKey(b.id, product)) {
          return { target: target(b.id, b.name, product), slug: suggestSlug(product) };
        }
      }
      if (!PRODUCT_SLUG_RE.test(product) || product.length > 200) {
        return { error: `“${product}” is neither a file of ${accountName} nor a product slug` };
      }
      const linked = this.deps.ledger.keyForSlug(accountId, product);
      if (linked) return { target: target(linked.bucketId, linked.bucket, linked.key), slug: product };
      if (!bySlug) {
        bySlug = new Map();
        for (const b of buckets) {
          for (const key of this.deps.catalog.keys(b.id)) {
            if (key.endsWith('/')) continue;
            const s = suggestSlug(key);
            const list = bySlug.get(s) ?? [];
            list.push({ bucketId: b.id, bucket: b.name, key });
            bySlug.set(s, list);
          }
        }
      }
      const matches = bySlug.get(product) ?? [];
      if (matches.length === 1) {
        const m = matches[0]!;
        return { target: target(m.bucketId, m.bucket, m.key), slug: product };
      }
      if (matches.length > 1) {
        return {
          error: `“${product}” matches ${matches.length} files (${matches
            .slice(0, 3)
            .map((m) => m.key)
            .join(', ')}…): give the object key instead`,
        };
      }
      return {
        error: `no file of ${accountName} has the key or product slug “${product}” (sync the bucket?)`,
      };
    };
    return (product) => {
      let r = cache.get(product);
      if (!r) {
        r = resolve(product);
        cache.set(product, r);
      }
      return r;
    };
  }
}

/**
 * A public file still gets its link (the owner may mean it), but the preview says that the link protects
 * nothing and what to do: one file's ACL can be changed; a bucket open to everyone cannot be fixed per file.
 */
function publicWarning(target: LinkTarget): string | null {
  if (!target.access || !PUBLIC_ACCESS.has(target.access)) return null;
  return target.access === 'public'
    ? 'This file is public: anyone can download it without the link. Make it private in the Library (Make private) so that only your links work.'
    : `The bucket “${target.bucket}” is public as a whole: anyone can download this file without the link. Make the bucket private at your storage provider, or move the file to your private bucket (Library → Make private).`;
}

/** EmailSchema's rule. */
const EMAIL_RE = /^[^\s@]+@[^\s@]+$/;

const TOO_MANY_ROWS_MESSAGE =
  `The CSV has more than ${BATCH_MAX_ROWS.toLocaleString('en-US')} rows, the most Signet takes in one file; ` +
  'nothing was issued. Split it into smaller files and issue them one at a time.';

/** For a CSV over BATCH_MAX_CSV_CHARS (the window's IPC schema and the command line check the same bound). */
export function tooLargeMessage(size: number): string {
  return (
    `The CSV is too large (${megabytes(size)}; Signet takes at most ${megabytes(BATCH_MAX_CSV_CHARS)}); ` +
    'nothing was issued. Split it into smaller files.'
  );
}

function megabytes(n: number): string {
  return `${(n / 1_000_000).toLocaleString('en-US', { maximumFractionDigits: 1 })} MB`;
}

function strip(row: ParsedRow): BatchRow {
  const { fields: _f, target: _t, cells: _c, ...view } = row;
  return view;
}
