/**
 * The edges of issue 12: a config file with a JSON syntax error never echoes its contents, Redis URLs
 * are shown without any credential, the socket limits and the admin listener are configurable (with
 * loopback as the admin default), and what counts as a resume for a redirect.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import {
  ConfigError,
  DEFAULT_LIMITS,
  jsonErrorPlace,
  loadConfigFile,
  parseConfig,
} from '../../src/verifier/config';
import { rangeStartsAfterZero } from '../../src/verifier/downloads';
import { redactUrl } from '../../src/verifier/state/redact';

const SECRET = 'AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE';
const ADMIN = 'ADMIN-TOKEN-that-must-never-be-printed-0123456789';
const dir = mkdtempSync(join(tmpdir(), 'signet-verifier-edges-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function loadError(text: string): string {
  const file = join(dir, `c-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, text);
  try {
    loadConfigFile(file, {});
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('config was accepted');
}

describe('a config file that is not JSON', () => {
  const broken: [string, string, RegExp][] = [
    ['a bare word', `{"adminToken": "${ADMIN}", "keys": x}`, /check quotes, commas and brackets/],
    ['a missing comma', `{\n  "adminToken": "${ADMIN}"\n  "keys": {}\n}`, /\(line 3, column 3\)$/],
    [
      'a trailing comma',
      `{"keys": {"k1": "${SECRET}"}, "adminToken": "${ADMIN}",}`,
      /\(line 1, column \d+\)$/,
    ],
    ['a cut-off file', `{"adminToken": "${ADMIN}`, /ends too early|line 1/],
    ['single quotes', `{'adminToken': '${ADMIN}'}`, /line 1, column 2|check quotes/],
  ];
  for (const [name, text, where] of broken) {
    it(`${name}: says where, never what`, () => {
      const message = loadError(text);
      expect(message).toMatch(/^config: .* is not valid JSON/);
      expect(message).toMatch(where);
      expect(message).not.toContain(ADMIN.slice(0, 12));
      expect(message).not.toContain(SECRET.slice(0, 12));
      expect(message).not.toContain('adminToken');
    });
  }

  it('computes line and column from a position', () => {
    expect(jsonErrorPlace('{\n"a": 1\n x}', 'Unexpected token in JSON at position 10')).toBe(
      ' (line 3, column 2)',
    );
  });
});

describe('redactUrl', () => {
  it.each([
    ['redis://signet-verifier:pw@10.0.0.5:6379/0', 'redis://***:***@10.0.0.5:6379/0'],
    ['redis://:pw@host:6379', 'redis://:***@host:6379'],
    ['rediss://user-only@host:6380/1', 'rediss://***@host:6380/1'],
    ['redis://host:6379/0?password=pw&db=2', 'redis://host:6379/0?password=***&db=2'],
    ['redis://host:6379?username=u&Password=pw', 'redis://host:6379?username=***&Password=***'],
    ['redis://host:6379', 'redis://host:6379'],
    ['not a url', '(unparsable URL)'],
  ])('%s → %s', (url, shown) => {
    expect(redactUrl(url)).toBe(shown);
  });
});

describe('socket limits and the admin listener in the config', () => {
  const base = { keys: { k1: SECRET }, adminToken: ADMIN };

  it('has safe defaults and one listener unless adminListen is given', () => {
    const c = parseConfig(base, { baseDir: dir });
    expect(c.limits).toEqual(DEFAULT_LIMITS);
    expect(c.adminListen).toBeUndefined();
  });

  it('puts the admin listener on loopback by default', () => {
    expect(parseConfig({ ...base, adminListen: {} }, { baseDir: dir }).adminListen).toEqual({
      host: '127.0.0.1',
      port: 8788,
    });
    expect(
      parseConfig({ ...base, adminListen: { host: '10.0.0.2', port: 9000 } }, { baseDir: dir }).adminListen,
    ).toEqual({ host: '10.0.0.2', port: 9000 });
  });

  it('refuses bad limits and an admin listener on the public address', () => {
    const refuse = (raw: Record<string, unknown>, message: RegExp): void => {
      expect(() => parseConfig({ ...base, ...raw }, { baseDir: dir })).toThrow(message);
    };
    refuse({ limits: { maxConnections: 0 } }, /limits\.maxConnections: must be at least 1/);
    refuse({ limits: { sendTimeoutSeconds: 0 } }, /limits\.sendTimeoutSeconds: must be more than 0/);
    refuse({ limits: { nope: 1 } }, /limits\.nope: unknown field/);
    refuse(
      { limits: { headersTimeoutSeconds: 40, requestTimeoutSeconds: 30 } },
      /headersTimeoutSeconds must not be more than requestTimeoutSeconds/,
    );
    refuse(
      { listen: { host: '127.0.0.1', port: 8787 }, adminListen: { host: '127.0.0.1', port: 8787 } },
      /adminListen: must be another address or port than listen/,
    );
  });
});

describe('what is a resume for a redirect', () => {
  it.each([
    [undefined, false],
    ['bytes=0-', false],
    ['bytes=0-99', false],
    ['bytes=000-', false],
    ['bytes=1-', true],
    ['bytes=5000-', true],
    [' Bytes = 10 - 20', true],
    ['bytes=-500', false], // a suffix range: the end of the file, from the start of the client's view
    ['items=5-', false],
    ['bytes=5-,0-1', true],
  ])('%s → %s', (range, resume) => {
    expect(rangeStartsAfterZero(range)).toBe(resume);
  });
});
