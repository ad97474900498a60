import { verifierAddressProblem } from '../settings';

/**
 * The addresses the verifier listens on, as the config export takes them: HOST:PORT (ListenSchema), an IPv6
 * host in brackets. Main writes them into the verifier's config; the window turns the admin one into the
 * address Signet calls.
 */

/** HOST:PORT → host and port, as the verifier's config file holds them (an IPv6 host without its brackets). */
export function parseListen(listen: string): { host: string; port: number } {
  const cut = listen.lastIndexOf(':');
  const host = listen.slice(0, cut).replace(/^\[(.*)\]$/, '$1');
  return { host, port: Number(listen.slice(cut + 1)) };
}

/** A verifier listening on every interface is reached on this computer's loopback address. */
const ALL_INTERFACES: ReadonlyMap<string, string> = new Map([
  ['0.0.0.0', '127.0.0.1'],
  ['::', '::1'],
]);

/**
 * The admin API address Signet calls for a verifier whose admin API listens on `listen` (HOST:PORT), or null when
 * there is none to offer: port 0 (the system picks it at start-up) or an address the settings refuse.
 */
export function adminUrlFor(listen: string): string | null {
  const { host, port } = parseListen(listen);
  if (port === 0) return null;
  const reachable = ALL_INTERFACES.get(host) ?? host;
  const url = `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
  // The admin token travels to it: plain http:// is accepted only to this computer (the settings rule).
  return verifierAddressProblem(url) === null ? url : null;
}
