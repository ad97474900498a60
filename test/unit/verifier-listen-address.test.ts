/**
 * The verifier's listen addresses (src/shared/links/verifier-listen-address.ts): HOST:PORT split as the config
 * file holds it, and the admin API address the config export offers to save in Settings.
 */
import { describe, expect, it } from 'vitest';
import { ListenSchema } from '../../src/shared/links/schemas';
import { adminUrlFor, parseListen } from '../../src/shared/links/verifier-listen-address';

describe('parseListen', () => {
  it.each([
    ['127.0.0.1:8787', { host: '127.0.0.1', port: 8787 }],
    ['0.0.0.0:0', { host: '0.0.0.0', port: 0 }],
    ['verifier.internal:443', { host: 'verifier.internal', port: 443 }],
    ['[::1]:8788', { host: '::1', port: 8788 }],
    ['[fd00::5]:9000', { host: 'fd00::5', port: 9000 }],
  ])('%s → host and port, an IPv6 host without brackets', (listen, expected) => {
    expect(ListenSchema.safeParse(listen).success).toBe(true);
    expect(parseListen(listen)).toEqual(expected);
  });
});

describe('adminUrlFor', () => {
  it.each([
    ['127.0.0.1:8788', 'http://127.0.0.1:8788'],
    ['localhost:8788', 'http://localhost:8788'],
    ['[::1]:8788', 'http://[::1]:8788'],
    // Listening on every interface: Signet reaches it on this computer.
    ['0.0.0.0:8788', 'http://127.0.0.1:8788'],
    ['[::]:8788', 'http://[::1]:8788'],
  ])('%s → %s', (listen, url) => {
    expect(adminUrlFor(listen)).toBe(url);
  });

  it('offers nothing for port 0: the system picks the port when the verifier starts', () => {
    expect(adminUrlFor('127.0.0.1:0')).toBeNull();
    expect(adminUrlFor('0.0.0.0:0')).toBeNull();
  });

  it('offers nothing the settings refuse: the admin token would travel in plain http to another computer', () => {
    expect(adminUrlFor('10.0.0.5:8788')).toBeNull();
    expect(adminUrlFor('verifier.internal:8788')).toBeNull();
    expect(adminUrlFor('[fd00::5]:8788')).toBeNull();
  });
});
