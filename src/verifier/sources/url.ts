/**
 * URL sources: the verifier redirects only to https URLs whose host the operator allowed, so a token
 * (even a correctly signed one from a compromised shop page) cannot turn the verifier into an open
 * redirector. Hosts match exactly, case-insensitively; a port other than 443 must be listed with the
 * host ("cdn.example.com:8443"). URLs with user info ("https://a@b/") are refused outright.
 */
import { isHttpsUrl } from '@shared-node/token';

/** The normalized URL to put in Location, or null when it is not allowed. */
export function allowedRedirect(url: string, allowedHosts: ReadonlySet<string>): string | null {
  if (!isHttpsUrl(url)) return null;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== 'https:' || u.username !== '' || u.password !== '') return null;
  // URL.host is lower-case and omits the default port 443.
  if (!allowedHosts.has(u.host)) return null;
  return u.href;
}
