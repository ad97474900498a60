/**
 * `Content-Disposition: attachment` for the name the customer's browser saves (RFC 6266 with the
 * RFC 5987/8187 `filename*=UTF-8''…` form), built by the `content-disposition` package. We pass our own
 * fallback so the plain `filename="…"` is pure printable ASCII (the package's default keeps Latin-1),
 * which also keeps the header safe inside an S3 `response-content-disposition` parameter.
 */
import { create } from 'content-disposition';
import { withoutControlCharacters } from '@shared/text/unsafe-characters';

/**
 * Strips what a saved file name must not contain: path separators, control characters, and bidi controls (a
 * token from a shop plugin may carry `invoice<U+202E>fdp.exe`, which a download bar shows as `invoiceexe.pdf`).
 */
export function cleanFilename(name: string): string {
  const cleaned = withoutControlCharacters(name).replace(/[/\\]/g, '_').trim();
  return cleaned === '' || cleaned === '.' || cleaned === '..' ? 'download' : cleaned;
}

/** "Résumé – 2024.pdf" → "Resume _ 2024.pdf": accents dropped, anything else non-ASCII becomes "_". */
export function asciiFallback(name: string): string {
  const ascii = name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    // '%' is replaced too: some browsers percent-decode the plain filename parameter.
    .replace(/[^\x20-\x7e]|[%"\\]/gu, '_');
  return ascii.trim() === '' ? 'download' : ascii;
}

/** Headers of recent names: a shop has few products, and building one takes a normalize and regexes. */
const recent = new Map<string, string>();
const RECENT_MAX = 512;

export function attachmentDisposition(filename: string): string {
  let header = recent.get(filename);
  if (header === undefined) {
    const name = cleanFilename(filename);
    header = create(name, { fallback: asciiFallback(name) });
    if (recent.size >= RECENT_MAX) recent.clear();
    recent.set(filename, header);
  }
  return header;
}

/** The last segment of a path or S3 key, the default saved name. */
export function baseName(pathOrKey: string): string {
  const parts = pathOrKey.split(/[/\\]/);
  for (let i = parts.length - 1; i >= 0; i--) if (parts[i]) return parts[i] as string;
  return 'download';
}
