/**
 * What a customer's browser shows when a download link does not work: one plain sentence saying what
 * happened and what to do, no detail that helps an attacker. Everything dynamic is HTML-escaped.
 */

const INVALID =
  'This download link is not valid. Check that you copied the whole link, or ask the shop for a new one.';
const DAMAGED = 'This download link is incomplete or damaged. Check that you copied the whole link.';
const MISSING = 'The file behind this download link could not be found. Ask the shop for help.';
const NOT_SERVED =
  'This download link points to a place this download server does not serve. Ask the shop for help.';
const LATER = 'Downloads are unavailable for a moment. Please try again in a few minutes.';

const PAGES: Readonly<Record<string, readonly [title: string, sentence: string]>> = {
  expired: ['Link expired', 'This download link has expired. Ask the shop for a new one.'],
  limit_reached: [
    'Download limit reached',
    'This download link has been used as many times as it allows. Ask the shop for a new one.',
  ],
  revoked: ['Link withdrawn', 'This download link has been withdrawn by the shop. Ask the shop for help.'],
  link_shared: [
    'Link used from too many places',
    'This download link has been used from too many places. Ask the shop for a new one.',
  ],
  unknown_kid: ['Invalid link', INVALID],
  bad_signature: ['Invalid link', INVALID],
  slug_mismatch: ['Invalid link', INVALID],
  too_long: ['Damaged link', DAMAGED],
  malformed: ['Damaged link', DAMAGED],
  bad_version: ['Damaged link', DAMAGED],
  bad_encoding: ['Damaged link', DAMAGED],
  invalid_payload: ['Damaged link', DAMAGED],
  missing_token: ['Damaged link', DAMAGED],
  source_missing: ['File not found', MISSING],
  unknown_store: ['File not found', MISSING],
  path_outside_root: ['Download unavailable', NOT_SERVED],
  url_not_allowed: ['Download unavailable', NOT_SERVED],
  range_not_satisfiable: ['Download unavailable', 'The requested part of the file does not exist.'],
  state_unavailable: ['Try again later', LATER],
  source_unavailable: ['Try again later', LATER],
  not_found: ['Not found', 'There is nothing here.'],
  method_not_allowed: ['Not allowed', 'This address cannot be used that way.'],
};
const FALLBACK: readonly [string, string] = [
  'Download unavailable',
  'Something went wrong with this download link. Ask the shop for help.',
];

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c] as string);
}

/** The sentence a person reads for an error code (also used by tests). */
export function errorSentence(code: string): string {
  return (PAGES[code] ?? FALLBACK)[1];
}

export function renderErrorPage(code: string): string {
  const [title, sentence] = PAGES[code] ?? FALLBACK;
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex">' +
    `<title>${escapeHtml(title)}</title>` +
    '<style>body{font:17px/1.5 system-ui,sans-serif;max-width:34rem;margin:15vh auto;padding:0 1.25rem;color:#222}' +
    'h1{font-size:1.4rem}small{color:#777}</style></head><body>' +
    `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(sentence)}</p>` +
    `<p><small>Error code: ${escapeHtml(code)}</small></p></body></html>`
  );
}
