/**
 * Share guard, the parts without a server (spec "Share guard"): the client network (/24 and /48, IPv4-mapped
 * IPv6 as IPv4, X-Forwarded-For honoured only from a trusted proxy, right-most untrusted hop), the config's
 * `shareGuard` and `trustProxy` with their errors, the keyed hash of a network, and the browser page of
 * `link_shared`. Servers and both state stores: test/integration/verifier-share-guard.test.ts.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';

import { ConfigError, parseConfig, SHARE_GUARD_MAX_NETWORKS } from '../../src/verifier/config';
import {
  createClientNetwork,
  networkOf,
  parseIp,
  parseIpRange,
  UNKNOWN_NETWORK,
} from '../../src/verifier/http/client-network';
import { errorSentence, renderErrorPage } from '../../src/verifier/http/error-page';
import {
  createNetworkHasher,
  NETWORK_DIGEST_BYTES,
  NETWORKS_PER_LINK,
  networkDigest,
  networkKey,
} from '../../src/verifier/state/networks';

const SECRET = 'AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE';
const base = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  keys: { k1: SECRET },
  adminToken: 'x'.repeat(40),
  ...over,
});

function configError(raw: unknown): string {
  try {
    parseConfig(raw, { baseDir: '/tmp' });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('config was accepted');
}

describe('client network', () => {
  const direct = createClientNetwork([]);

  it('cuts IPv4 to /24 and IPv6 to /48', () => {
    expect(direct('203.0.113.77', undefined)).toBe('203.0.113.0/24');
    expect(direct('203.0.113.1', undefined)).toBe(direct('203.0.113.254', undefined));
    expect(direct('203.0.114.1', undefined)).not.toBe(direct('203.0.113.1', undefined));
    expect(direct('127.0.0.1', undefined)).not.toBe(direct('127.0.1.1', undefined));
    expect(direct('2001:db8:abcd:12::1', undefined)).toBe('2001:db8:abcd::/48');
    expect(direct('2001:db8:abcd:ffff:1:2:3:4', undefined)).toBe('2001:db8:abcd::/48');
    expect(direct('2001:db8:abce::1', undefined)).toBe('2001:db8:abce::/48');
    // Written in other forms, the same /48.
    expect(direct('2001:0DB8:ABCD:0012:0000:0000:0000:0001', undefined)).toBe('2001:db8:abcd::/48');
    expect(direct('fe80::1%eth0', undefined)).toBe('fe80:0:0::/48');
  });

  it('treats IPv4-mapped IPv6 (a dual-stack socket) as IPv4', () => {
    expect(direct('::ffff:203.0.113.9', undefined)).toBe('203.0.113.0/24');
    expect(direct('::ffff:cb00:7109', undefined)).toBe('203.0.113.0/24');
    expect(parseIp('::ffff:10.1.2.3')).toEqual(new Uint8Array([10, 1, 2, 3]));
    // ::a.b.c.d (IPv4-compatible, deprecated) is not mapped: an IPv6 address.
    expect(parseIp('::10.1.2.3')).toHaveLength(16);
  });

  it('ignores X-Forwarded-For without trusted proxies, and from a peer that is not one', () => {
    expect(direct('127.0.0.1', '198.51.100.7')).toBe('127.0.0.0/24');
    const trusting = createClientNetwork(['10.0.0.0/8']);
    expect(trusting('192.0.2.5', '198.51.100.7')).toBe('192.0.2.0/24');
    expect(trusting('::ffff:192.0.2.5', '198.51.100.7')).toBe('192.0.2.0/24');
  });

  it('takes the right-most X-Forwarded-For address that is not a trusted proxy', () => {
    const trust = createClientNetwork(['127.0.0.1', '10.0.0.0/8', 'fd00::/8']);
    expect(trust('127.0.0.1', '198.51.100.7')).toBe('198.51.100.0/24');
    // A client's own entry on the left is skipped: the hop the proxies appended is the client.
    expect(trust('127.0.0.1', '1.2.3.4, 198.51.100.7')).toBe('198.51.100.0/24');
    expect(trust('127.0.0.1', '1.2.3.4, 198.51.100.7, 10.1.1.1, 10.2.2.2')).toBe('198.51.100.0/24');
    expect(trust('::ffff:127.0.0.1', '2001:db8:1:2::3, fd00::1')).toBe('2001:db8:1::/48');
    // Ports and brackets as some proxies write them.
    expect(trust('127.0.0.1', '198.51.100.7:4711')).toBe('198.51.100.0/24');
    expect(trust('127.0.0.1', '[2001:db8:5::1]:443')).toBe('2001:db8:5::/48');
    // Repeated headers (an array) are read as one list.
    expect(trust('127.0.0.1', ['1.2.3.4', '198.51.100.7'])).toBe('198.51.100.0/24');
    // Everything trusted: the left-most (the client is inside the trusted network).
    expect(trust('127.0.0.1', '10.9.9.9, 10.1.1.1')).toBe('10.9.9.0/24');
    // Garbage where the client should be: the nearest trusted hop, never something the client chose.
    expect(trust('127.0.0.1', '198.51.100.7, bogus, 10.1.1.1')).toBe('10.1.1.0/24');
    expect(trust('127.0.0.1', 'unknown')).toBe('127.0.0.0/24');
    expect(trust('127.0.0.1', '')).toBe('127.0.0.0/24');
    expect(trust('127.0.0.1', '010.1.2.3')).toBe('127.0.0.0/24');
    expect(trust('127.0.0.1', undefined)).toBe('127.0.0.0/24');
  });

  it('names a peer it cannot read as one network of its own', () => {
    expect(direct(undefined, undefined)).toBe(UNKNOWN_NETWORK);
    expect(createClientNetwork(['10.0.0.0/8'])('not an address', undefined)).toBe(UNKNOWN_NETWORK);
  });

  it('parses addresses and ranges strictly', () => {
    for (const bad of [
      '1.2.3',
      '1.2.3.4.5',
      '256.1.1.1',
      '01.2.3.4',
      '1.2.3.4 ',
      'a.b.c.d',
      '1::2::3',
      ':::',
      '',
    ]) {
      expect(parseIp(bad), bad).toBeNull();
    }
    expect(networkOf(parseIp('1:2:3:4:5:6:7:8') as Uint8Array)).toBe('1:2:3::/48');
    expect(parseIpRange('10.0.0.0/8')).toEqual({ bytes: new Uint8Array([10, 0, 0, 0]), prefix: 8 });
    expect(parseIpRange('::ffff:10.0.0.0/104')).toEqual({ bytes: new Uint8Array([10, 0, 0, 0]), prefix: 8 });
    expect(parseIpRange('2001:db8::/32')?.prefix).toBe(32);
    expect(parseIpRange('192.0.2.1')?.prefix).toBe(32);
    for (const bad of [
      '10.0.0.0/33',
      '10.0.0.0/',
      '10.0.0.0/08',
      'fd00::/129',
      '::ffff:10.0.0.0/95',
      'localhost',
    ]) {
      expect(parseIpRange(bad), bad).toBeNull();
    }
    // Host bits past the prefix are ignored, as most proxy configs do.
    const trust = createClientNetwork(['10.0.0.1/8']);
    expect(trust('10.200.1.1', '198.51.100.7')).toBe('198.51.100.0/24');
    expect(trust('11.0.0.1', '198.51.100.7')).toBe('11.0.0.0/24');
  });
});

describe('config: shareGuard and trustProxy', () => {
  it('is off by default and trusts no proxy', () => {
    const c = parseConfig(base(), { baseDir: '/tmp' });
    expect(c.shareGuard).toBeUndefined();
    expect(c.trustProxy).toEqual([]);
  });

  it('reads both', () => {
    const c = parseConfig(
      base({ shareGuard: { networks: 3, action: 'block' }, trustProxy: ['127.0.0.1', 'fd00::/8'] }),
      { baseDir: '/tmp' },
    );
    expect(c.shareGuard).toEqual({ networks: 3, action: 'block' });
    expect(c.trustProxy).toEqual(['127.0.0.1', 'fd00::/8']);
  });

  const cases: [string, Record<string, unknown>, RegExp][] = [
    [
      'zero networks',
      base({ shareGuard: { networks: 0, action: 'flag' } }),
      /^config: shareGuard\.networks: must be a whole number from 1 to 255$/,
    ],
    [
      'too many networks',
      base({ shareGuard: { networks: SHARE_GUARD_MAX_NETWORKS + 1, action: 'flag' } }),
      /^config: shareGuard\.networks: must be a whole number from 1 to 255$/,
    ],
    [
      'fractional networks',
      base({ shareGuard: { networks: 2.5, action: 'flag' } }),
      /^config: shareGuard\.networks: must be a whole number/,
    ],
    [
      'networks as text',
      base({ shareGuard: { networks: '3', action: 'flag' } }),
      /^config: shareGuard\.networks: must be a whole number/,
    ],
    [
      'missing networks',
      base({ shareGuard: { action: 'flag' } }),
      /^config: shareGuard\.networks: required$/,
    ],
    [
      'unknown action',
      base({ shareGuard: { networks: 3, action: 'deny' } }),
      /^config: shareGuard\.action: must be "flag" \(report only\) or "block" \(refuse further networks\)$/,
    ],
    [
      'missing action',
      base({ shareGuard: { networks: 3 } }),
      /^config: shareGuard\.action: must be "flag" \(report only\) or "block"/,
    ],
    [
      'unknown field',
      base({ shareGuard: { networks: 3, action: 'flag', window: 60 } }),
      /^config: shareGuard\.window: unknown field$/,
    ],
    [
      'bad proxy',
      base({ trustProxy: ['127.0.0.1', 'proxy.internal'] }),
      /^config: trustProxy\.1: must be an IP address or a CIDR range like 10\.0\.0\.0\/8 or fd00::\/8$/,
    ],
    [
      'bad prefix',
      base({ trustProxy: ['10.0.0.0/33'] }),
      /^config: trustProxy\.0: must be an IP address or a CIDR range/,
    ],
    [
      'not a list',
      base({ trustProxy: '127.0.0.1' }),
      /^config: trustProxy: must be a list of IP addresses or CIDR ranges/,
    ],
  ];
  for (const [name, raw, expected] of cases) {
    it(`refuses ${name}`, () => expect(configError(raw)).toMatch(expected));
  }

  it('keeps N below the networks a link stores, so "more than N" can be seen', () => {
    expect(SHARE_GUARD_MAX_NETWORKS).toBeLessThan(NETWORKS_PER_LINK);
  });
});

describe('network hash', () => {
  it('is keyed and per link', () => {
    const key = networkKey(randomBytes(32));
    const other = networkKey(randomBytes(32));
    const jti = 'AAAAAAAAAAAAAAAAAAAAAA';
    const d = networkDigest(key, jti, '203.0.113.0/24');
    expect(d).toHaveLength(NETWORK_DIGEST_BYTES);
    expect(networkDigest(key, jti, '203.0.113.0/24')).toEqual(d);
    expect(networkDigest(other, jti, '203.0.113.0/24')).not.toEqual(d);
    expect(networkDigest(key, 'BBBBBBBBBBBBBBBBBBBBBB', '203.0.113.0/24')).not.toEqual(d);
    expect(networkDigest(key, jti, '203.0.114.0/24')).not.toEqual(d);
    expect(() => networkKey(randomBytes(16))).toThrow(/16 bytes/);
  });

  it('gives the same hashes through its cache, also after the cache was dropped for being full', () => {
    const secret = randomBytes(32);
    const key = networkKey(secret);
    const hash = createNetworkHasher(secret, (d) => d.toString('hex'));
    const jti = 'CCCCCCCCCCCCCCCCCCCCCC';
    const expected = (n: number): string =>
      networkDigest(key, jti, `10.${n >> 8}.${n & 255}.0/24`).toString('hex');
    for (let round = 0; round < 2; round++) {
      for (let n = 0; n < 5000; n++) expect(hash(jti, `10.${n >> 8}.${n & 255}.0/24`)).toBe(expected(n));
    }
    expect(hash('DDDDDDDDDDDDDDDDDDDDDD', '10.0.0.0/24')).not.toBe(expected(0));
  });
});

describe('link_shared page', () => {
  it('says the link was used from too many places and to ask the shop for a new one', () => {
    expect(errorSentence('link_shared')).toBe(
      'This download link has been used from too many places. Ask the shop for a new one.',
    );
    const page = renderErrorPage('link_shared');
    expect(page).toContain('<title>Link used from too many places</title>');
    expect(page).toContain('Error code: link_shared');
  });
});
