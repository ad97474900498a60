/**
 * Percent-encoding as S3 signs it. Kept apart from sigv4.ts (which needs node:crypto) so object locations
 * can be computed anywhere, the renderer included.
 */

/** RFC 3986 percent-encoding of everything but the unreserved characters, as SigV4 canonicalizes. */
export function encodeRfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** An S3 key as a URL path: every character but "/" encoded (S3 keys are a "greedy" path label). */
export function encodeKeyPath(key: string): string {
  return key.split('/').map(encodeRfc3986).join('/');
}
