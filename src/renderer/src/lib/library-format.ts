/**
 * How the library writes numbers, sizes and times, in one place so the table, the summary and the details
 * panel never say the same thing two ways. The user's own locale decides separators and date order.
 */

const count = new Intl.NumberFormat();
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const UNITS = ['byte', 'kilobyte', 'megabyte', 'gigabyte', 'terabyte', 'petabyte'] as const;

export const formatCount = (n: number) => count.format(n);

/** "1 file" / "3,000 files". */
export const plural = (n: number, one: string, many = `${one}s`) =>
  `${formatCount(n)} ${n === 1 ? one : many}`;

/** A count that may have stopped at its cap (a search's does: ObjectPage `totalCapped`): "10,000+". */
export const formatTotal = (n: number, capped: boolean) => `${formatCount(n)}${capped ? '+' : ''}`;

/** "1 file" / "3,000 files" / "10,000+ files". */
export const pluralTotal = (n: number, capped: boolean, one: string, many = `${one}s`) =>
  `${formatTotal(n, capped)} ${n === 1 && !capped ? one : many}`;

/** Sizes the way file managers show them (1 kB = 1,000 bytes, as macOS, Windows Explorer's details aside). */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return new Intl.NumberFormat(undefined, {
    style: 'unit',
    unit: UNITS[unit],
    unitDisplay: unit === 0 ? 'long' : 'short',
    maximumFractionDigits: unit === 0 || value >= 100 ? 0 : 1,
  }).format(value);
}

export const formatDateTime = (iso: string) => dateTime.format(new Date(iso));

/** "just now", "2 min ago", "3 h ago", "5 days ago", then the date: short enough for a table cell. */
export function formatAgo(iso: string, now = Date.now()): string {
  const seconds = Math.max(0, (now - Date.parse(iso)) / 1000);
  if (seconds < 45) return 'just now';
  if (seconds < 3600) return `${Math.max(1, Math.round(seconds / 60))} min ago`;
  if (seconds < 86_400) return `${Math.round(seconds / 3600)} h ago`;
  if (seconds < 30 * 86_400) return plural(Math.round(seconds / 86_400), 'day') + ' ago';
  return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' }).format(new Date(iso));
}

/** What an anonymous GET answered, in words: the number alone means nothing to a shop owner. */
export function describeStatus(status: number): string {
  if (status === 0) return 'No answer: the storage could not be reached';
  if (status === 200 || status === 206) return 'Anyone with the plain address can download this file';
  if (status === 403) return 'Refused: strangers cannot download this file';
  if (status === 404) return 'Not found: the file is no longer in the bucket';
  return `The storage answered HTTP ${status}`;
}

const KNOWN_TYPES: Record<string, string> = {
  'application/pdf': 'PDF',
  'application/zip': 'ZIP archive',
  'application/x-zip-compressed': 'ZIP archive',
  'application/epub+zip': 'EPUB e-book',
  'application/json': 'JSON file',
  'text/plain': 'Text',
  'text/csv': 'CSV table',
  'text/html': 'Web page',
};

/** A content type as a person would say it ("PNG image"); the exact type is in the cell's tooltip. */
export function friendlyType(contentType: string | null, name: string): string {
  let type = contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
  // "Some bytes" says nothing: the file name's extension says more.
  if (type === 'application/octet-stream' || type === 'binary/octet-stream') type = '';
  if (type in KNOWN_TYPES) return KNOWN_TYPES[type]!;
  const [main, sub = ''] = type.split('/');
  const short = sub
    .replace(/^(x-|vnd\.)/, '')
    .split(/[.+-]/)[0]!
    .toUpperCase();
  if (main === 'image') return `${short} image`;
  if (main === 'video') return `${short} video`;
  if (main === 'audio') return `${short} audio`;
  if (main === 'font') return 'Font';
  if (type) return short || type;
  const ext = /\.([a-z0-9]{1,8})$/i.exec(name)?.[1];
  return ext ? `${ext.toUpperCase()} file` : '—';
}

/** The folder as a person reads it: the top of the bucket is the bucket. */
export const folderLabel = (folder: string, bucket: string) =>
  folder === '' ? bucket : folder.replace(/\/$/, '');
