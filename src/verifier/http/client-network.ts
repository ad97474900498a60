/**
 * The client's network for the share guard (spec "Share guard"): the client address cut to its IPv4 /24
 * or IPv6 /48, so one household or office (whose address changes within its provider's block) is one
 * network, and a link posted on a forum shows up as many.
 *
 * The client address is the socket's peer, or, only when the peer is a trusted proxy (`trustProxy`), the
 * right-most `X-Forwarded-For` address that is not itself a trusted proxy: every proxy appends the peer
 * it saw, so everything left of the last untrusted hop may be written by the client and is ignored.
 *
 * IPv4-mapped IPv6 addresses (`::ffff:a.b.c.d`, what a dual-stack socket reports for an IPv4 peer) are
 * IPv4 everywhere here: in `trustProxy`, in the header and on the socket.
 */
import { isIP } from 'node:net';

/** An address as bytes: 4 for IPv4 (IPv4-mapped IPv6 included), 16 for IPv6; null when not an address. */
export function parseIp(text: string): Uint8Array | null {
  if (text.includes(':')) return parseIpv6(text);
  return parseIpv4(text);
}

function parseIpv4(text: string): Uint8Array | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i] as string;
    // No leading zeros: "010" is octal to some parsers and decimal to others, so it is no address here.
    if (!/^(?:0|[1-9]\d{0,2})$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    out[i] = n;
  }
  return out;
}

function parseIpv6(text: string): Uint8Array | null {
  // A zone (fe80::1%eth0) names an interface of this machine, not part of the address.
  const zone = text.indexOf('%');
  const addr = zone >= 0 ? text.slice(0, zone) : text;
  // node:net's check is the full grammar (one "::", group sizes, an embedded IPv4 tail); after it the
  // expansion below cannot meet a malformed form.
  if (isIP(addr) !== 6) return null;
  const groups: number[] = [];
  const expand = (side: string): number[] => {
    if (side === '') return [];
    const out: number[] = [];
    for (const g of side.split(':')) {
      if (g.includes('.')) {
        const v4 = parseIpv4(g);
        if (v4 === null) return [NaN];
        out.push(((v4[0] as number) << 8) | (v4[1] as number), ((v4[2] as number) << 8) | (v4[3] as number));
      } else out.push(parseInt(g, 16));
    }
    return out;
  };
  const gap = addr.indexOf('::');
  if (gap >= 0) {
    const left = expand(addr.slice(0, gap));
    const right = expand(addr.slice(gap + 2));
    groups.push(...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right);
  } else groups.push(...expand(addr));
  if (groups.length !== 8 || groups.some((g) => !(g >= 0 && g <= 0xffff))) return null;
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return isV4Mapped(out) ? out.slice(12) : out;
}

function isV4Mapped(b: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return false;
  return b[10] === 0xff && b[11] === 0xff;
}

/** A `trustProxy` entry: an address, or a range in CIDR notation. */
export interface IpRange {
  bytes: Uint8Array;
  prefix: number;
}

/**
 * `10.0.0.1`, `10.0.0.0/8`, `fd00::/8`, `::ffff:10.0.0.0/104` (the same as 10.0.0.0/8); null when not
 * one of those. Bits past the prefix are ignored, as in most proxy configs (`10.0.0.1/8` is 10.0.0.0/8).
 */
export function parseIpRange(text: string): IpRange | null {
  const slash = text.indexOf('/');
  const addrText = slash < 0 ? text : text.slice(0, slash);
  if (addrText.includes('%')) return null;
  const bytes = parseIp(addrText);
  if (bytes === null) return null;
  const full = bytes.length * 8;
  if (slash < 0) return { bytes, prefix: full };
  const prefixText = text.slice(slash + 1);
  if (!/^(?:0|[1-9]\d{0,2})$/.test(prefixText)) return null;
  let prefix = Number(prefixText);
  // An IPv4-mapped range is written with an IPv6 prefix (96 + the IPv4 one).
  if (addrText.includes(':') && bytes.length === 4) {
    if (prefix < 96) return null;
    prefix -= 96;
  }
  if (prefix > full) return null;
  return { bytes, prefix };
}

function inRange(addr: Uint8Array, range: IpRange): boolean {
  if (addr.length !== range.bytes.length) return false;
  const whole = range.prefix >> 3;
  for (let i = 0; i < whole; i++) if (addr[i] !== range.bytes[i]) return false;
  const rest = range.prefix & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return ((addr[whole] as number) & mask) === ((range.bytes[whole] as number) & mask);
}

/** One `X-Forwarded-For` entry without what some proxies add around the address (brackets, a port). */
function forwardedEntry(raw: string): string {
  const e = raw.trim();
  if (e.startsWith('[')) {
    const end = e.indexOf(']');
    return end < 0 ? e : e.slice(1, end);
  }
  // "1.2.3.4:5678": an IPv4 address with a port (an IPv6 address has more than one colon).
  const colon = e.indexOf(':');
  return colon > 0 && colon === e.lastIndexOf(':') ? e.slice(0, colon) : e;
}

/** The network key of an address: `a.b.c.0/24` or `h:h:h::/48` (hex groups without leading zeros). */
export function networkOf(addr: Uint8Array): string {
  if (addr.length === 4) return `${addr[0]}.${addr[1]}.${addr[2]}.0/24`;
  const g = (i: number): string => (((addr[i] as number) << 8) | (addr[i + 1] as number)).toString(16);
  return `${g(0)}:${g(2)}:${g(4)}::/48`;
}

/** The network of a peer whose address the socket could not give (a socket already closed). */
export const UNKNOWN_NETWORK = 'unknown';

/** Names a request's client network from its socket peer and its `X-Forwarded-For` header. */
export type ClientNetwork = (peer: string | undefined, forwardedFor: string | string[] | undefined) => string;

/**
 * Builds the function that names a request's client network, from the `trustProxy` entries (already
 * checked by the config).
 */
export function createClientNetwork(trustProxy: readonly string[]): ClientNetwork {
  const trusted = trustProxy.map((t) => {
    const r = parseIpRange(t);
    if (r === null) throw new Error(`trustProxy: not an address or CIDR range: ${t}`);
    return r;
  });
  const isTrusted = (addr: Uint8Array): boolean => trusted.some((r) => inRange(addr, r));

  return (peer, forwardedFor) => {
    if (peer === undefined) return UNKNOWN_NETWORK;
    // The usual case (no proxies, an IPv4 peer in the form the socket gives: canonical dotted decimal)
    // without parsing: the /24 is the text up to the last dot.
    if (trusted.length === 0 && peer.indexOf(':') < 0) {
      const dot = peer.lastIndexOf('.');
      if (dot > 0) return `${peer.slice(0, dot)}.0/24`;
    }
    const peerAddr = parseIp(peer);
    if (peerAddr === null) return UNKNOWN_NETWORK;
    if (trusted.length === 0 || forwardedFor === undefined || !isTrusted(peerAddr))
      return networkOf(peerAddr);
    // Node joins repeated X-Forwarded-For headers with ", "; an array only comes from a caller.
    const entries = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor).split(',');
    let client = peerAddr;
    for (let i = entries.length - 1; i >= 0; i--) {
      const addr = parseIp(forwardedEntry(entries[i] as string));
      // Not an address ("unknown", garbage a client wrote): no trusted proxy wrote it, so the nearest
      // trusted hop is all that is known about the client.
      if (addr === null) break;
      client = addr;
      if (!isTrusted(addr)) break;
    }
    return networkOf(client);
  };
}
