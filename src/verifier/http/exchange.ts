/**
 * One request and its answer, plus what the log line and the metrics need to know about it. Every
 * answer goes through here, so the common headers, the JSON-or-HTML choice for errors and the outcome
 * label are set in one place.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';

import type { LogFields } from '../log';
import { renderErrorPage } from './error-page';

/** On every answer: no MIME sniffing, and the token-bearing URL never leaks as a Referer. */
const COMMON = { 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' } as const;
const HTML_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

/**
 * Hot-path answers (redirects, and errors without extra headers) go out as flat header arrays built once:
 * the same headers, in the same order, as the object form, without spreading objects per request.
 */
const COMMON_FLAT = ['x-content-type-options', 'nosniff', 'referrer-policy', 'no-referrer'];

interface PreparedError {
  headers: string[];
  body: string;
}
const preparedJson = new Map<string, PreparedError>();
const preparedHtml = new Map<string, PreparedError>();

function prepared(code: string, html: boolean): PreparedError {
  const cache = html ? preparedHtml : preparedJson;
  let p = cache.get(code);
  if (p === undefined) {
    const body = html ? renderErrorPage(code) : JSON.stringify({ error: code });
    const headers = html
      ? [
          ...COMMON_FLAT,
          'content-type',
          'text/html; charset=utf-8',
          'cache-control',
          'no-store',
          'content-security-policy',
          HTML_CSP,
          'content-length',
          String(Buffer.byteLength(body)),
        ]
      : [
          ...COMMON_FLAT,
          'content-type',
          'application/json; charset=utf-8',
          'cache-control',
          'no-store',
          'content-length',
          String(Buffer.byteLength(body)),
        ];
    p = { headers, body };
    // Codes are a fixed set of labels; the bound only guards against a future caller passing free text.
    if (cache.size < 256) cache.set(code, p);
  }
  return p;
}

export class Exchange {
  /** Route template for logs and metrics (never the raw path: it could carry a token). */
  route = 'unknown';
  /** Metrics/log label: a fixed code per kind of answer, never free text. */
  outcome = 'internal_error';
  jti: string | undefined;
  kid: string | undefined;
  /** More facts for this request's log line (e.g. what an admin call changed): one line per request. */
  logFields: LogFields | undefined;
  /** Set when the answer's headers went out (for the latency histogram: time to headers). */
  doneAt = 0;
  readonly start = performance.now();

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
  ) {}

  get isHead(): boolean {
    return this.req.method === 'HEAD';
  }

  /** Writes status and headers (plus the common ones) and records the outcome. */
  head(status: number, outcome: string, headers: OutgoingHttpHeaders): void {
    this.outcome = outcome;
    this.res.writeHead(status, { ...COMMON, ...headers });
    this.doneAt = performance.now();
  }

  /**
   * A complete answer with a small body (omitted for HEAD, with the same Content-Length). The body stays
   * a string: Node then sends headers and body in one write, one TCP segment. A Buffer body goes out as
   * a second segment, which halved the requests per second of small answers (measured on loopback).
   */
  send(status: number, outcome: string, headers: OutgoingHttpHeaders, body = ''): void {
    this.head(status, outcome, { ...headers, 'content-length': Buffer.byteLength(body) });
    this.res.end(this.isHead || body === '' ? undefined : body);
  }

  json(status: number, outcome: string, value: unknown, headers: OutgoingHttpHeaders = {}): void {
    this.send(
      status,
      outcome,
      { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
      JSON.stringify(value),
    );
  }

  /** `{"error": code}` for programs, a short human page for browsers (Accept: text/html). */
  error(status: number, code: string, headers?: OutgoingHttpHeaders): void {
    if (headers === undefined) {
      const p = prepared(code, wantsHtml(this.req));
      this.outcome = code;
      this.res.writeHead(status, p.headers);
      this.doneAt = performance.now();
      this.res.end(this.isHead ? undefined : p.body);
      return;
    }
    if (wantsHtml(this.req)) {
      this.send(
        status,
        code,
        {
          'content-type': 'text/html; charset=utf-8',
          'cache-control': 'no-store',
          'content-security-policy': HTML_CSP,
          ...headers,
        },
        renderErrorPage(code),
      );
    } else {
      this.json(status, code, { error: code }, headers);
    }
  }

  redirect(location: string, outcome: string): void {
    this.outcome = outcome;
    this.res.writeHead(302, [
      'x-content-type-options',
      'nosniff',
      'referrer-policy',
      'no-referrer',
      'location',
      location,
      'cache-control',
      'no-store',
      'content-length',
      '0',
    ]);
    this.doneAt = performance.now();
    this.res.end();
  }
}

export function wantsHtml(req: IncomingMessage): boolean {
  const accept = req.headers.accept;
  return accept !== undefined && accept.includes('text/html');
}
