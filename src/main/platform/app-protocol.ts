import { protocol } from 'electron';
import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';
import { CONTENT_SECURITY_POLICY } from './csp';

/**
 * The renderer is served from a scheme of Signet's own instead of `file://`: a page under `file://` shares its
 * origin with every other local file, and Chromium grants file URLs extra powers. `app://signet/` is one origin,
 * serves only the built renderer folder, and every response carries the CSP.
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'signet';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_URL = `${APP_ORIGIN}/index.html`;

/**
 * Must run before the app is ready (Electron's rule). `standard` gives the scheme real origins and relative
 * URLs, `secure` makes it a secure context like https; no CSP bypass, no service workers, no CORS.
 */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

/** After ready: answers every `app://` request from `rootDir` (out/renderer). */
export function handleAppProtocol(rootDir: string): void {
  protocol.handle(APP_SCHEME, (request) => serveAppFile(rootDir, request.url, request.method));
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.map': 'application/json',
};

function headers(extra: Record<string, string> = {}): Headers {
  return new Headers({
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-cache',
    ...extra,
  });
}

const refuse = (status: number, text: string) =>
  new Response(text, { status, headers: headers({ 'Content-Type': 'text/plain; charset=utf-8' }) });

/** True when `child` is `root` or inside it (both already absolute and resolved). */
function inside(root: string, child: string): boolean {
  const rel = relative(root, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel) && !rel.split(sep).includes('..'));
}

/**
 * Serves one file of the built renderer. Refused: other hosts, methods other than GET/HEAD, any `..` or
 * encoded separator in the path, and paths whose real location (symlinks resolved) is outside `rootDir`.
 */
export async function serveAppFile(rootDir: string, rawUrl: string, method = 'GET'): Promise<Response> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return refuse(400, 'Bad request');
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return refuse(404, 'Not found');
  if (method !== 'GET' && method !== 'HEAD') return refuse(405, 'Method not allowed');
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    return refuse(400, 'Bad request');
  }
  // URL parsing already folds `/a/../b`; what is left here came encoded (%2e%2e, %2f, %5c) or as a NUL.
  if (path.split(/[/\\]/).includes('..') || path.includes('\0') || path.includes('\\')) {
    return refuse(403, 'Forbidden');
  }
  if (path === '/' || path === '') path = '/index.html';
  let root: string;
  let file: string;
  try {
    root = await realpath(rootDir);
    const requested = resolve(root, `.${path}`);
    if (!inside(root, requested)) return refuse(403, 'Forbidden');
    file = await realpath(requested);
  } catch {
    return refuse(404, 'Not found');
  }
  if (!inside(root, file)) return refuse(403, 'Forbidden');
  try {
    if (!(await stat(file)).isFile()) return refuse(404, 'Not found');
    const body = method === 'HEAD' ? null : new Uint8Array(await readFile(file));
    return new Response(body, {
      status: 200,
      headers: headers({ 'Content-Type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream' }),
    });
  } catch {
    return refuse(404, 'Not found');
  }
}
