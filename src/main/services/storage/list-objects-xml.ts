import type { ListedObject } from '../../repositories/catalog-repository';

/** One ListObjectsV2 answer: its objects and the token of the next page (null after the last). */
export interface ListPageXml {
  objects: ListedObject[];
  next: string | null;
}

/**
 * Reads a ListObjectsV2 answer (`<ListBucketResult>`) into what the catalog stores.
 *
 * Why not the SDK's own reading: it turns every entry into a generic tree and then into typed output, which costs
 * about 20 ms of CPU per page of 1,000 keys here, a third of the page's whole time on the test Ceph and more than
 * `rclone lsf` spends (`npm run bench:library -- --parts 2`). This reads only the five fields the catalog keeps.
 * The request, its signature, retries and error answers stay the SDK's (StorageGateway.list).
 *
 * XML rules that matter for keys: the five named entities and numeric character references are decoded, and line
 * breaks are normalised (`\r\n` and `\r` to `\n`) before that, as any XML parser does (S3 sends a key's own
 * carriage return as `&#13;`). Fields the catalog does not keep (Owner, ChecksumAlgorithm, …) are skipped whatever
 * they hold.
 */
export function parseListObjectsV2(xml: string): ListPageXml {
  const text = xml.includes('\r') ? xml.replace(/\r\n?/g, '\n') : xml;
  const objects: ListedObject[] = [];
  let from = 0;
  let tail = 0;
  for (;;) {
    const open = text.indexOf('<Contents>', from);
    if (open < 0) break;
    const close = text.indexOf('</Contents>', open);
    if (close < 0) throw new Error('The storage answered a listing with a damaged page (an unclosed entry).');
    const key = field(text, 'Key', open, close);
    if (key !== null) {
      const lastModified = field(text, 'LastModified', open, close);
      const size = field(text, 'Size', open, close);
      const date = lastModified === null ? new Date(0) : new Date(lastModified);
      objects.push({
        key,
        size: size === null ? 0 : Number(size),
        lastModified: (Number.isNaN(date.getTime()) ? new Date(0) : date).toISOString(),
        etag: (field(text, 'ETag', open, close) ?? '').replaceAll('"', ''),
        storageClass: field(text, 'StorageClass', open, close),
      });
    }
    from = close + '</Contents>'.length;
    tail = from;
  }
  // The page's own fields sit outside the entries (before or after them, by provider).
  const head = objects.length ? text.slice(0, text.indexOf('<Contents>')) + text.slice(tail) : text;
  const truncated = field(head, 'IsTruncated', 0, head.length) === 'true';
  return { objects, next: truncated ? field(head, 'NextContinuationToken', 0, head.length) : null };
}

/** The decoded text of the first `<name>` element between `from` and `to`; null when absent. */
function field(text: string, name: string, from: number, to: number): string | null {
  const open = text.indexOf(`<${name}`, from);
  if (open < 0 || open >= to) return null;
  const afterName = open + name.length + 1;
  const c = text.charCodeAt(afterName);
  if (c === 0x2f /* '/' */) return ''; // <Name/>
  if (c !== 0x3e /* '>' */) return field(text, name, afterName, to); // a longer name with this prefix
  const end = text.indexOf(`</${name}>`, afterName);
  if (end < 0 || end > to)
    throw new Error(`The storage answered a listing with a damaged page (no </${name}>).`);
  const raw = text.slice(afterName + 1, end);
  return raw.includes('&') ? decodeEntities(raw) : raw;
}

const NAMED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, ref: string) => {
    if (ref.startsWith('#x')) return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(parseInt(ref.slice(1), 10));
    const named = NAMED[ref];
    if (named === undefined)
      throw new Error(`The storage answered a listing with an unknown XML entity (${whole}).`);
    return named;
  });
}
