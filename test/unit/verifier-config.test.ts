/**
 * Verifier configuration: every mistake is refused with a message that names the field, secrets can
 * come from the environment (and are never echoed), values are clamped and paths resolved.
 */
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { ConfigError, loadConfigFile, parseConfig } from '../../src/verifier/config';

const SECRET = 'AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE';
const ADMIN = 'x'.repeat(40);
const dir = mkdtempSync(join(tmpdir(), 'signet-verifier-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const base = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  keys: { k1: SECRET },
  adminToken: ADMIN,
  ...over,
});

function errorOf(raw: unknown, env: Record<string, string> = {}): string {
  try {
    parseConfig(raw, { baseDir: dir, env });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('config was accepted');
}

describe('verifier config: refused with the field named', () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    [
      'short secret',
      base({ keys: { k1: 'abc' } }),
      /^config: keys\.k1: must be 43 characters of base64url \(32 bytes\)$/,
    ],
    [
      'secret with non-zero spare bits',
      base({ keys: { k1: `${SECRET.slice(0, 42)}F` } }),
      /^config: keys\.k1: must be 43 characters of base64url/,
    ],
    ['padded secret', base({ keys: { k1: `${SECRET.slice(0, 42)}=` } }), /^config: keys\.k1: must be 43/],
    ['bad kid', base({ keys: { 'k 1': SECRET } }), /^config: keys\.k 1: key ids must be 1–32 characters/],
    ['no keys', base({ keys: {} }), /^config: keys: needs at least one key \(or set SIGNET_VERIFIER_KEYS\)$/],
    ['missing keys', { adminToken: ADMIN }, /^config: keys: required \(or set SIGNET_VERIFIER_KEYS\)$/],
    [
      'missing admin token',
      { keys: { k1: SECRET } },
      /^config: adminToken: required \(or set SIGNET_VERIFIER_ADMIN_TOKEN\)$/,
    ],
    [
      'short admin token',
      base({ adminToken: 'short' }),
      /^config: adminToken: must be at least 32 characters$/,
    ],
    ['port out of range', base({ listen: { port: 70000 } }), /^config: listen\.port: must be 0–65535$/],
    ['port not a number', base({ listen: { port: '80' } }), /^config: listen\.port: must be an integer/],
    [
      'typo in a field name',
      base({ presignExpirySecond: 300 }),
      /^config: presignExpirySecond: unknown field$/,
    ],
    [
      'store without secret key',
      base({ stores: { main: { endpoint: 'http://127.0.0.1:7480', accessKeyId: 'a' } } }),
      /^config: stores\.main\.secretAccessKey: required \(or set SIGNET_STORE_MAIN_SECRET_ACCESS_KEY\)$/,
    ],
    [
      'store endpoint not a URL',
      base({ stores: { main: { endpoint: 'ceph:7480', accessKeyId: 'a', secretAccessKey: 'b' } } }),
      /^config: stores\.main\.endpoint: must be an http\(s\) URL/,
    ],
    [
      'unknown store field',
      base({
        stores: { main: { endpoint: 'http://h', accessKeyId: 'a', secretAccessKey: 'b', pathStyle: true } },
      }),
      /^config: stores\.main\.pathStyle: unknown field$/,
    ],
    [
      'allowed host with scheme',
      base({ allowedHosts: ['https://cdn.example.com'] }),
      /^config: allowedHosts\.0: must be a host name/,
    ],
    [
      'both state backends',
      base({ state: { sqlite: 'a.db', redis: 'redis://127.0.0.1' } }),
      /^config: state: must have exactly one/,
    ],
    [
      'redis URL of another scheme',
      base({ state: { redis: 'http://127.0.0.1:6379' } }),
      /^config: state\.redis: must be a redis:\/\//,
    ],
    [
      'presign expiry not an integer',
      base({ presignExpirySeconds: 1.5 }),
      /^config: presignExpirySeconds: must be an integer/,
    ],
    ['missing file root', base({ fileRoot: './nope' }), /^config: fileRoot: .*nope: ENOENT$/],
  ];
  for (const [name, raw, expected] of cases) {
    it(name, () => expect(errorOf(raw)).toMatch(expected));
  }

  it('lists every problem, one per line', () => {
    const msg = errorOf({ keys: { k1: 'x' }, adminToken: 'y', listen: { port: -1 } });
    expect(msg.split('\n')).toHaveLength(3);
  });

  it('refuses a file that is not JSON, naming the file', () => {
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{ "keys": ');
    expect(() => loadConfigFile(file, {})).toThrow(/^config: .*broken\.json is not valid JSON/);
    expect(() => loadConfigFile(join(dir, 'absent.json'), {})).toThrow(
      /^config: cannot read .*absent\.json: ENOENT/,
    );
  });

  it('never echoes a secret in an error', () => {
    const msg = errorOf(base({ keys: { k1: 'SECRETSECRETSECRET' } }));
    expect(msg).not.toContain('SECRETSECRETSECRET');
    const env = errorOf(base(), { SIGNET_VERIFIER_KEYS: '{"k1": "TOPSECRETVALUE' });
    expect(env).toBe(
      'config: SIGNET_VERIFIER_KEYS: must be a JSON object {"kid": "<43 base64url characters>"}',
    );
    expect(env).not.toContain('TOPSECRETVALUE');
  });
});

describe('verifier config: values', () => {
  it('fills the defaults and resolves the SQLite path next to the config file', () => {
    const c = parseConfig(base(), { baseDir: dir });
    expect(c.listen).toEqual({ host: '127.0.0.1', port: 8787 });
    expect(c.presignExpirySeconds).toBe(300);
    expect(c.state).toEqual({ kind: 'sqlite', path: join(dir, 'verifier.db') });
    expect(c.keys.get('k1')).toEqual(new Uint8Array(32).fill(1));
    expect(c.fileRoot).toBeUndefined();
  });

  it('clamps presignExpirySeconds to 60–3600 and says so', () => {
    const low = parseConfig(base({ presignExpirySeconds: 5 }), { baseDir: dir });
    expect(low.presignExpirySeconds).toBe(60);
    expect(low.warnings.join()).toMatch(/presignExpirySeconds 5 clamped to 60/);
    expect(parseConfig(base({ presignExpirySeconds: 86_400 }), { baseDir: dir }).presignExpirySeconds).toBe(
      3600,
    );
    for (const odd of [0, -30]) {
      expect(parseConfig(base({ presignExpirySeconds: odd }), { baseDir: dir }).presignExpirySeconds).toBe(
        60,
      );
    }
    const ok = parseConfig(base({ presignExpirySeconds: 900 }), { baseDir: dir });
    expect(ok.presignExpirySeconds).toBe(900);
    expect(ok.warnings).toEqual([]);
  });

  it('lower-cases allowed hosts and drops an explicit :443', () => {
    const c = parseConfig(
      base({ allowedHosts: ['CDN.Example.com', 'files.example.com:443', 'dl.example.com:8443'] }),
      {
        baseDir: dir,
      },
    );
    expect([...c.allowedHosts]).toEqual(['cdn.example.com', 'files.example.com', 'dl.example.com:8443']);
  });

  it('takes secrets from the environment, which win over the file', () => {
    const other = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8';
    const c = parseConfig(
      {
        keys: { old: SECRET },
        stores: { 'eu-main': { endpoint: 'http://127.0.0.1:7480', forcePathStyle: true } },
      },
      {
        baseDir: dir,
        env: {
          SIGNET_VERIFIER_KEYS: JSON.stringify({ k2: other }),
          SIGNET_VERIFIER_ADMIN_TOKEN: 'z'.repeat(32),
          SIGNET_STORE_EU_MAIN_ACCESS_KEY_ID: 'AKID',
          SIGNET_STORE_EU_MAIN_SECRET_ACCESS_KEY: 'SECRET',
          SIGNET_VERIFIER_REDIS_URL: 'redis://:pw@127.0.0.1:6379/2',
        },
      },
    );
    expect([...c.keys.keys()]).toEqual(['k2']);
    expect(c.adminToken).toBe('z'.repeat(32));
    expect(c.stores.get('eu-main')).toMatchObject({
      accessKeyId: 'AKID',
      secretAccessKey: 'SECRET',
      forcePathStyle: true,
    });
    expect(c.state).toEqual({ kind: 'redis', url: 'redis://:pw@127.0.0.1:6379/2' });
  });

  it('names the variable when an environment secret is wrong', () => {
    expect(errorOf(base(), { SIGNET_VERIFIER_KEYS: '{"k1": "short"}' })).toBe(
      'config: keys.k1: must be 43 characters of base64url (32 bytes) (from SIGNET_VERIFIER_KEYS)',
    );
    expect(errorOf(base(), { SIGNET_VERIFIER_ADMIN_TOKEN: 'short' })).toBe(
      'config: adminToken: must be at least 32 characters (from SIGNET_VERIFIER_ADMIN_TOKEN)',
    );
  });

  it('resolves the file root to its real path', () => {
    const c = parseConfig(base({ fileRoot: '.' }), { baseDir: dir });
    expect(c.fileRoot).toBe(realpathSync(dir));
  });
});
