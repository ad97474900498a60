/**
 * Share guard on real parts (spec "Share guard"): the verifier over real HTTP with client sockets bound to
 * different loopback networks (127.1.0.1, 127.2.0.1, …: all loopback on Linux, each its own /24), and
 * through `trustProxy` with X-Forwarded-For from 127.0.0.1; both state stores (a SQLite file, and a real
 * redis-server shared by two verifier instances); flag and block; the order of checks (a refusal counts
 * nothing, revocation and limit come first); the admin API's usage answer; and a byte scan of the SQLite
 * files and of every Redis key and value for the addresses the tests used.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request, type IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { RedisState } from '../../src/verifier/state/redis';
import { SqliteState } from '../../src/verifier/state/sqlite';
import { NETWORKS_PER_LINK } from '../../src/verifier/state/networks';
import type { ConsumeRequest, VerifierState } from '../../src/verifier/state/types';
import { startRedis, type TestRedis } from '../support/redis';
import {
  adminFetch,
  downloadUrl,
  makeToken,
  newTestKeys,
  rawConfig,
  startTestVerifier,
  tempDir,
  type TestVerifier,
} from '../support/verifier';

const keys = newTestKeys();
const tmp = tempDir('signet-share-guard-');
let redis: TestRedis;

beforeAll(async () => {
  redis = await startRedis();
}, 20_000);
afterAll(async () => {
  await redis?.stop();
  tmp.cleanup();
});

/** Every client address the tests use (sockets and X-Forwarded-For), for the scans at the end. */
const USED = new Set<string>();

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A request from a socket bound to `from` (a loopback address), without following redirects; node:http
 * because fetch cannot choose its source address.
 */
function ask(
  url: string,
  opts: { from?: string; method?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const from = opts.from ?? '127.0.0.1';
  USED.add(from);
  const forwarded = opts.headers?.['x-forwarded-for'];
  if (forwarded !== undefined) for (const a of forwarded.split(',')) USED.add(a.trim());
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: opts.method ?? 'GET',
      headers: opts.headers,
      localAddress: from,
      agent: false,
    });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function usage(v: TestVerifier, jti: string): Promise<unknown> {
  const res = await adminFetch(v.base, keys.adminToken, 'GET', `/admin/links/${jti}`);
  expect(res.status).toBe(200);
  return res.json();
}

const statusFrom = async (v: TestVerifier, token: string, from: string): Promise<number> =>
  (await ask(downloadUrl(v.base, token), { from })).status;

/** The share guard's behaviour over HTTP, the same for both stores. */
function httpBehaviour(name: string, start: (raw: Record<string, unknown>) => Promise<TestVerifier[]>): void {
  describe(`over HTTP, ${name}`, () => {
    let block: TestVerifier[];
    let flag: TestVerifier[];
    beforeAll(async () => {
      block = await start({ shareGuard: { networks: 2, action: 'block' } });
      flag = await start({ shareGuard: { networks: 2, action: 'flag' } });
    });
    afterAll(async () => {
      await Promise.all([...(block ?? []), ...(flag ?? [])].map((v) => v.close()));
    });
    /** Round-robin over the instances (one for SQLite, two sharing Redis). */
    const on = (vs: TestVerifier[], i: number): TestVerifier => vs[i % vs.length] as TestVerifier;

    it('block: refuses a third network with 403 link_shared, counts nothing for it, keeps the first two working', async () => {
      const { jti, token } = makeToken(keys);
      expect(await statusFrom(on(block, 0), token, '127.1.0.1')).toBe(302);
      // Same /24: the same network.
      expect(await statusFrom(on(block, 1), token, '127.1.0.2')).toBe(302);
      expect(await statusFrom(on(block, 0), token, '127.2.0.1')).toBe(302);

      const refused = await ask(downloadUrl(on(block, 1).base, token), { from: '127.3.0.1' });
      expect(refused.status).toBe(403);
      expect(refused.headers['content-type']).toMatch(/^application\/json/);
      expect(JSON.parse(refused.body)).toEqual({ error: 'link_shared' });
      const page = await ask(downloadUrl(on(block, 0).base, token), {
        from: '127.3.0.7',
        headers: { accept: 'text/html' },
      });
      expect(page.status).toBe(403);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.body).toContain(
        'This download link has been used from too many places. Ask the shop for a new one.',
      );

      // The networks already seen keep working, on every instance.
      for (let i = 0; i < 4; i++) {
        expect(await statusFrom(on(block, i), token, i % 2 ? '127.1.0.9' : '127.2.0.200')).toBe(302);
      }
      // A HEAD records nothing, but is refused where its GET would be.
      expect(
        (await ask(downloadUrl(on(block, 0).base, token), { from: '127.4.0.1', method: 'HEAD' })).status,
      ).toBe(403);
      expect(
        (await ask(downloadUrl(on(block, 1).base, token), { from: '127.2.0.1', method: 'HEAD' })).status,
      ).toBe(302);
      // 7 answered GETs; the refused ones were recorded (the link is shared), not counted.
      const expected = { downloads: 7, revoked: false, revoked_by: null, networks: 3, shared: true };
      for (const v of block) expect(await usage(v, jti)).toEqual(expected);
    });

    it('block: a new network passes while the link has fewer than N; HEAD from there does not take a place', async () => {
      const { jti, token } = makeToken(keys);
      expect(
        (await ask(downloadUrl(on(block, 0).base, token), { from: '127.5.0.1', method: 'HEAD' })).status,
      ).toBe(302);
      expect(await usage(on(block, 1), jti)).toEqual({
        downloads: 0,
        revoked: false,
        revoked_by: null,
        networks: 0,
        shared: false,
      });
      expect(await statusFrom(on(block, 1), token, '127.6.0.1')).toBe(302);
      expect(await statusFrom(on(block, 0), token, '127.7.0.1')).toBe(302);
      expect(await statusFrom(on(block, 1), token, '127.5.0.1')).toBe(403);
    });

    it('block: revocation and the limit come first; a request they refuse records no network', async () => {
      const { jti, token } = makeToken(keys, { max: 2 });
      expect(await statusFrom(on(block, 0), token, '127.1.0.1')).toBe(302);
      expect(await statusFrom(on(block, 1), token, '127.2.0.1')).toBe(302);
      // Limit used up: 410 from a third network, not 403, and it is not recorded.
      expect(await statusFrom(on(block, 0), token, '127.3.0.1')).toBe(410);
      expect(await usage(on(block, 1), jti)).toEqual({
        downloads: 2,
        revoked: false,
        revoked_by: null,
        networks: 2,
        shared: false,
      });

      const other = makeToken(keys);
      expect(await statusFrom(on(block, 0), other.token, '127.1.0.1')).toBe(302);
      expect(await statusFrom(on(block, 1), other.token, '127.2.0.1')).toBe(302);
      const revoke = await adminFetch(on(block, 0).base, keys.adminToken, 'POST', '/admin/revocations', {
        jti: other.jti,
      });
      expect(revoke.status).toBe(200);
      const refused = await ask(downloadUrl(on(block, 1).base, other.token), { from: '127.3.0.1' });
      expect([refused.status, JSON.parse(refused.body)]).toEqual([403, { error: 'revoked' }]);
      expect(await usage(on(block, 0), other.jti)).toMatchObject({ networks: 2, shared: false });
    });

    it('flag: answers every network as usual and reports the link shared past N', async () => {
      const { jti, token } = makeToken(keys);
      const from = ['127.1.0.1', '127.2.0.1', '127.3.0.1', '127.4.0.1', '127.1.0.50'];
      for (const [i, a] of from.entries()) expect(await statusFrom(on(flag, i), token, a)).toBe(302);
      for (const v of flag) {
        expect(await usage(v, jti)).toEqual({
          downloads: 5,
          revoked: false,
          revoked_by: null,
          networks: 4,
          shared: true,
        });
      }
      const two = makeToken(keys);
      expect(await statusFrom(on(flag, 0), two.token, '127.1.0.1')).toBe(302);
      expect(await statusFrom(on(flag, 1), two.token, '127.2.0.1')).toBe(302);
      expect(await usage(on(flag, 0), two.jti)).toMatchObject({ downloads: 2, networks: 2, shared: false });
    });
  });
}

// ---- SQLite --------------------------------------------------------------------------------------

const sqliteDir = tempDir('signet-share-guard-sqlite-');
afterAll(() => sqliteDir.cleanup());
let sqliteSeq = 0;

httpBehaviour('SQLite state', async (over) => [
  await startTestVerifier(
    rawConfig(keys, { state: { sqlite: `./state-${++sqliteSeq}.db` }, ...over }),
    sqliteDir.dir,
  ),
]);

describe('over HTTP, SQLite state: client networks and what is stored', () => {
  let v: TestVerifier;
  let noProxy: TestVerifier;
  const jtis: string[] = [];
  beforeAll(async () => {
    writeFileSync(join(sqliteDir.fileRoot, 'plugin.zip'), 'x'.repeat(1000));
    v = await startTestVerifier(
      rawConfig(keys, {
        fileRoot: './files',
        state: { sqlite: './proxied.db' },
        shareGuard: { networks: 1, action: 'block' },
        trustProxy: ['127.0.0.1'],
      }),
      sqliteDir.dir,
    );
    noProxy = await startTestVerifier(
      rawConfig(keys, { state: { sqlite: './direct.db' }, shareGuard: { networks: 1, action: 'block' } }),
      sqliteDir.dir,
    );
  });
  afterAll(async () => {
    await Promise.all([v?.close(), noProxy?.close()]);
  });

  const via = (token: string, forwardedFor: string, from = '127.0.0.1', base = v.base): Promise<Answer> =>
    ask(downloadUrl(base, token), { from, headers: { 'x-forwarded-for': forwardedFor } });
  const link = (extra: Parameters<typeof makeToken>[1] = {}): string => {
    const t = makeToken(keys, extra);
    jtis.push(t.jti);
    return t.token;
  };

  it('honours X-Forwarded-For from a trusted proxy: the right-most untrusted address, cut to /24', async () => {
    const token = link();
    expect((await via(token, '198.51.100.7')).status).toBe(302);
    expect((await via(token, '198.51.100.99')).status).toBe(302);
    // A client's own entry on the left is not the client.
    expect((await via(token, '203.0.113.5, 198.51.100.8')).status).toBe(302);
    expect((await via(token, '::ffff:198.51.100.9')).status).toBe(302);
    expect((await via(token, '203.0.113.5')).status).toBe(403);
    expect((await via(token, '198.51.100.8, 203.0.113.5')).status).toBe(403);
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', async () => {
    const token = link();
    // Untrusted peer: its own network counts, whatever the header says.
    expect((await via(token, '198.51.100.7', '127.8.0.1')).status).toBe(302);
    expect((await via(token, '198.51.100.7')).status).toBe(403);
    expect((await via(token, '192.0.2.1', '127.8.0.2')).status).toBe(302);
    // Without trustProxy nobody's header counts, not even 127.0.0.1's.
    const direct = link();
    expect((await via(direct, '198.51.100.7', '127.0.0.1', noProxy.base)).status).toBe(302);
    expect((await via(direct, '203.0.113.5', '127.0.0.2', noProxy.base)).status).toBe(302);
    expect((await via(direct, '198.51.100.7', '127.9.0.1', noProxy.base)).status).toBe(403);
  });

  it('groups IPv6 by /48', async () => {
    const token = link();
    expect((await via(token, '2001:db8:1:1::1')).status).toBe(302);
    expect((await via(token, '2001:db8:1:ffff:aaaa::2')).status).toBe(302);
    expect((await via(token, '[2001:0db8:0001::3]:443')).status).toBe(302);
    expect((await via(token, '2001:db8:2::1')).status).toBe(403);
  });

  it('guards resumes of a file too; a refused resume sends and charges nothing', async () => {
    const token = link({ src: { type: 'file', path: 'plugin.zip' } });
    const full = await via(token, '198.51.100.7');
    expect([full.status, full.body.length]).toEqual([200, 1000]);
    const resume = (forwardedFor: string): Promise<Answer> =>
      ask(downloadUrl(v.base, token), { headers: { 'x-forwarded-for': forwardedFor, range: 'bytes=750-' } });
    const refused = await resume('203.0.113.5');
    expect([refused.status, refused.body]).toEqual([403, '{"error":"link_shared"}']);
    // The last quarter of the byte budget (1250) is still there: the refused resume charged nothing.
    const resumed = await resume('198.51.100.8');
    expect([resumed.status, resumed.body.length]).toEqual([206, 250]);
  });

  it('stores keyed hashes only: no address or network of any test in the SQLite files', async () => {
    await Promise.all([v.close(), noProxy.close()]);
    const files = readdirSync(sqliteDir.dir).filter((f) => /\.db(-wal|-shm)?$/.test(f));
    expect(files.length).toBeGreaterThanOrEqual(4);
    const bytes = Buffer.concat(files.map((f) => readFileSync(join(sqliteDir.dir, f))));
    // The scan sees what is stored: the links' ids are there.
    for (const jti of jtis) expect(bytes.includes(jti), jti).toBe(true);
    expect(USED.size).toBeGreaterThan(20);
    for (const address of USED) {
      for (const needle of needles(address)) expect(bytes.includes(needle), String(needle)).toBe(false);
    }
    // What is there instead: 16-byte hashes, one row per network, in the order first seen.
    const db = new Database(join(sqliteDir.dir, 'proxied.db'), { readonly: true });
    try {
      const rows = db
        .prepare('SELECT length(net) AS bytes, seq FROM link_networks WHERE jti = ? ORDER BY seq')
        .all(jtis[0]);
      expect(rows).toEqual([
        { bytes: 16, seq: 1 },
        { bytes: 16, seq: 2 },
      ]);
    } finally {
      db.close();
    }
  });
});

// ---- Redis, two instances ------------------------------------------------------------------------

const redisDir = tempDir('signet-share-guard-redis-');
afterAll(() => redisDir.cleanup());

httpBehaviour('two instances sharing Redis', async (over) =>
  Promise.all(
    [0, 1].map(() =>
      startTestVerifier(rawConfig(keys, { state: { redis: redis.url }, ...over }), redisDir.dir),
    ),
  ),
);

describe('Redis: what is stored', () => {
  it('no address or network of any test in any Redis key or value; the hash key is the state’s own', async () => {
    const raw = new Redis(redis.url);
    try {
      const names: string[] = [];
      let cursor = '0';
      do {
        const [next, batch] = await raw.scan(cursor, 'COUNT', 1000);
        cursor = next;
        names.push(...batch);
      } while (cursor !== '0');
      // Values as stored (GET), not DUMP: DUMP may LZF-compress a string, which a byte scan cannot read.
      const values = await Promise.all(
        names.map(async (k) => ((await raw.type(k)) === 'string' ? raw.getBuffer(k) : raw.dumpBuffer(k))),
      );
      // A link's networks are 22-character base64url entries: scanned decoded too, so an encoded
      // address could not slip through.
      const decoded = names.flatMap((k, i) =>
        k.startsWith('signet:v1:nets:')
          ? (values[i]?.toString('latin1').match(/.{22}/g) ?? []).map((e) => Buffer.from(e, 'base64url'))
          : [],
      );
      expect(decoded.length).toBeGreaterThan(10);
      const bytes = Buffer.concat([
        Buffer.from(names.join('\n')),
        ...values.filter((x) => x !== null),
        ...decoded,
      ]);
      // The scan sees what is stored: network lists and the secret are there.
      expect(names.some((k) => k.startsWith('signet:v1:nets:'))).toBe(true);
      expect(names).toContain('signet:v1:secret:networks');
      expect(await raw.strlen('signet:v1:secret:networks')).toBe(43);
      expect(USED.size).toBeGreaterThan(20);
      for (const address of USED) {
        for (const needle of needles(address)) expect(bytes.includes(needle), String(needle)).toBe(false);
      }
    } finally {
      raw.disconnect();
    }
  });
});

// ---- both state stores, directly -----------------------------------------------------------------

describe.each([
  {
    name: 'SQLite',
    open: async (): Promise<VerifierState> =>
      SqliteState.open(join(tmp.dir, 'direct.db'), { checkpointer: false }),
  },
  { name: 'Redis', open: (): Promise<VerifierState> => RedisState.connect(redis.url) },
])('$name state', ({ open }) => {
  let state: VerifierState;
  beforeAll(async () => {
    state = await open();
  });
  afterAll(async () => {
    await state?.close();
  });
  let seq = 0;
  const newJti = (): string => `guard_${process.pid}_${++seq}`.padEnd(22, 'A');
  const inAnHour = (): number => Math.floor(Date.now() / 1000) + 3600;

  it('of 20 concurrent requests from 20 networks against N = 3, exactly 3 pass; all 20 are recorded', async () => {
    const jti = newJti();
    const expires = inAnHour();
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        state.consume({ jti, expires, guard: { network: `10.0.${i}.0/24`, blockBeyond: 3 } }),
      ),
    );
    expect(outcomes.filter((o) => o.outcome === 'ok')).toHaveLength(3);
    expect(outcomes.filter((o) => o.outcome === 'shared')).toHaveLength(17);
    expect(await state.linkStatus(jti)).toMatchObject({ downloads: 3, networks: 20 });
  });

  it('keeps at most NETWORKS_PER_LINK networks per link; past it, block still refuses new ones', async () => {
    const jti = newJti();
    const expires = inAnHour();
    const req = (i: number, blockBeyond?: number): ConsumeRequest => ({
      jti,
      expires,
      guard: { network: `10.${i >> 8}.${i & 255}.0/24`, blockBeyond },
    });
    const flagged = await Promise.all(
      Array.from({ length: NETWORKS_PER_LINK + 40 }, (_, i) => state.consume(req(i))),
    );
    expect(flagged.every((o) => o.outcome === 'ok')).toBe(true);
    expect(await state.linkStatus(jti)).toMatchObject({
      downloads: NETWORKS_PER_LINK + 40,
      networks: NETWORKS_PER_LINK,
    });
    expect(await state.consume(req(0, 255))).toMatchObject({ outcome: 'ok' });
    expect(await state.consume(req(NETWORKS_PER_LINK + 1, 255))).toMatchObject({ outcome: 'shared' });
    expect(await state.networkAllowed(jti, '10.0.0.0/24', 1)).toBe(true);
    expect(await state.networkAllowed(jti, '10.0.1.0/24', 1)).toBe(false);
  });

  it('guards resumes after their budget check, charging nothing when it refuses', async () => {
    const jti = newJti();
    const expires = inAnHour();
    const a = { network: '10.1.1.0/24', blockBeyond: 1 };
    const b = { network: '10.2.2.0/24', blockBeyond: 1 };
    expect(await state.consume({ jti, expires, bytes: 1000, fileSize: 1000, guard: a })).toEqual({
      outcome: 'ok',
      downloads: 1,
    });
    // Budget 1250: 250 left. A refused resume would have fit; it charges nothing…
    expect(await state.resume({ jti, expires, bytes: 250, fileSize: 1000, guard: b })).toEqual({
      outcome: 'shared',
      downloads: 1,
    });
    // …so the budget's last 250 bytes are still there for the first network.
    expect(await state.resume({ jti, expires, bytes: 250, fileSize: 1000, guard: a })).toEqual({
      outcome: 'ok',
      downloads: 1,
    });
    expect(await state.resume({ jti, expires, bytes: 1, fileSize: 1000, guard: a })).toEqual({
      outcome: 'exhausted',
      downloads: 1,
    });
    // Past the budget: exhausted first, the guard is not asked (no new network recorded).
    expect(
      await state.resume({ jti, expires, bytes: 1, fileSize: 1000, guard: { ...b, network: '10.3.3.0/24' } }),
    ).toEqual({ outcome: 'exhausted', downloads: 1 });
    expect(await state.linkStatus(jti)).toMatchObject({ downloads: 1, networks: 2 });
  });

  it('records nothing without a guard', async () => {
    const jti = newJti();
    expect(await state.consume({ jti, expires: inAnHour() })).toEqual({ outcome: 'ok', downloads: 1 });
    expect(await state.linkStatus(jti)).toEqual({
      downloads: 1,
      revoked: false,
      revokedBy: null,
      networks: 0,
    });
  });

  it('a second connection to the same state hashes a network the same way (the secret is the state’s)', async () => {
    const jti = newJti();
    const expires = inAnHour();
    expect(
      await state.consume({ jti, expires, guard: { network: '10.9.9.0/24', blockBeyond: 1 } }),
    ).toMatchObject({
      outcome: 'ok',
    });
    const again = await open();
    try {
      expect(
        await again.consume({ jti, expires, guard: { network: '10.9.9.0/24', blockBeyond: 1 } }),
      ).toMatchObject({
        outcome: 'ok',
        downloads: 2,
      });
      expect(
        await again.consume({ jti, expires, guard: { network: '10.9.8.0/24', blockBeyond: 1 } }),
      ).toMatchObject({
        outcome: 'shared',
      });
    } finally {
      await again.close();
    }
  });
});

describe('SQLite: pruning', () => {
  it('drops a link’s networks with its counter, some time after the link expired', async () => {
    let now = Math.floor(Date.now() / 1000);
    const s = SqliteState.open(join(tmp.dir, 'prune.db'), { checkpointer: false, now: () => now });
    try {
      const jti = 'pruned_AAAAAAAAAAAAAAAA';
      await s.consume({ jti, expires: now + 60, guard: { network: '10.0.0.0/24' } });
      expect(await s.linkStatus(jti)).toMatchObject({ downloads: 1, networks: 1 });
      now += 60 + 31 * 24 * 3600;
      expect(await s.prune()).toBe(1);
      expect(await s.linkStatus(jti)).toMatchObject({ downloads: 0, networks: 0 });
    } finally {
      await s.close();
    }
  });
});

/**
 * How an address (or its network) could appear in the state: as text, the address and its /24 or /48 prefix;
 * an IPv4 address also as its 4 bytes (their chance in random hashes is negligible).
 */
function needles(address: string): (string | Buffer)[] {
  const forms: (string | Buffer)[] = [address];
  const v4 = /^(?:::ffff:)?((\d+)\.(\d+)\.(\d+))\.(\d+)$/.exec(address);
  if (v4) forms.push(`${v4[1]}.`, `${v4[1]}.0/24`, Buffer.from([2, 3, 4, 5].map((i) => Number(v4[i]))));
  else if (address.includes(':'))
    forms.push(
      address
        .replace(/^\[|\](:\d+)?$/g, '')
        .split(':')
        .slice(0, 3)
        .join(':'),
    );
  return forms;
}
