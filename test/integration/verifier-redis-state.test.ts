/**
 * RedisState against a real redis-server: the atomic consume script, revocations, counter TTL,
 * concurrency across connections, and what happens when Redis is unreachable.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { COUNTER_GRACE_SECONDS, RedisState } from '../../src/verifier/state/redis';
import {
  REDIRECT_RESUME_WINDOW_SECONDS,
  REDIRECT_RESUMES_PER_DOWNLOAD,
} from '../../src/verifier/state/types';
import { freePort, startRedis, type TestRedis } from '../support/redis';

let server: TestRedis;
let state: RedisState;
let raw: Redis;
let seq = 0;

/** A fresh jti per test (16+ B64U chars, as in tokens). */
const newJti = (): string => `jti_${process.pid}_${++seq}`.padEnd(22, 'A');
const inAnHour = (): number => Math.floor(Date.now() / 1000) + 3600;

beforeAll(async () => {
  server = await startRedis();
  state = await RedisState.connect(server.url);
  raw = new Redis(server.url);
}, 20_000);

afterAll(async () => {
  await state?.close();
  raw?.disconnect();
  await server?.stop();
});

describe('consume', () => {
  it('counts every download of a link without a limit', async () => {
    const jti = newJti();
    const expires = inAnHour();
    expect(await state.consume({ jti, expires })).toEqual({ outcome: 'ok', downloads: 1 });
    expect(await state.consume({ jti, expires })).toEqual({ outcome: 'ok', downloads: 2 });
    expect(await state.consume({ jti, expires })).toEqual({ outcome: 'ok', downloads: 3 });
    expect(await state.downloads(jti)).toBe(3);
  });

  it('lets exactly max downloads through, then reports exhausted without counting', async () => {
    const jti = newJti();
    const expires = inAnHour();
    expect(await state.consume({ jti, max: 2, expires })).toEqual({ outcome: 'ok', downloads: 1 });
    expect(await state.consume({ jti, max: 2, expires })).toEqual({ outcome: 'ok', downloads: 2 });
    expect(await state.consume({ jti, max: 2, expires })).toEqual({ outcome: 'exhausted', downloads: 2 });
    expect(await state.consume({ jti, max: 2, expires })).toEqual({ outcome: 'exhausted', downloads: 2 });
    expect(await state.downloads(jti)).toBe(2);
  });

  it('bounds file resumes by bytes (downloads × size × 1.25), gives back refunds; a first resume counts', async () => {
    const jti = newJti();
    const expires = inAnHour();
    const file = (bytes: number) => ({ jti, max: 1, expires, bytes, fileSize: 1000 });
    expect(await state.resume(file(999))).toEqual({ outcome: 'ok', downloads: 1 });
    expect(await state.resume(file(251))).toEqual({ outcome: 'ok', downloads: 1 }); // 1250 of 1250
    expect(await state.resume(file(1))).toEqual({ outcome: 'exhausted', downloads: 1 });
    await state.refund(jti, 500);
    expect(await state.resume(file(500))).toEqual({ outcome: 'ok', downloads: 1 });
    expect(await state.resume(file(1))).toEqual({ outcome: 'exhausted', downloads: 1 });
    // Refunds never go below zero and keep the key's expiry.
    await state.refund(jti, 10_000);
    expect(await raw.get(`signet:v1:bytes:${jti}`)).toBe('0');
    expect(await raw.ttl(`signet:v1:bytes:${jti}`)).toBeGreaterThan(COUNTER_GRACE_SECONDS);
    expect(await state.downloads(jti)).toBe(1);
    expect(await raw.ttl(`signet:v1:resumes:${jti}`)).toBeGreaterThan(COUNTER_GRACE_SECONDS);
    await state.revoke({ jti });
    expect(await state.resume(file(1))).toEqual({ outcome: 'revoked' });
  });

  it('bounds redirect resumes by time after the last counted download and by count', async () => {
    const jti = newJti();
    const expires = inAnHour();
    expect(await state.consume({ jti, max: 1, expires })).toEqual({ outcome: 'ok', downloads: 1 });
    for (let i = 0; i < REDIRECT_RESUMES_PER_DOWNLOAD; i++)
      expect(await state.resume({ jti, max: 1, expires })).toEqual({ outcome: 'ok', downloads: 1 });
    expect(await state.resume({ jti, max: 1, expires })).toEqual({ outcome: 'exhausted', downloads: 1 });

    const late = newJti();
    expect(await state.consume({ jti: late, expires })).toEqual({ outcome: 'ok', downloads: 1 });
    // Move the last counted download out of the window.
    const longAgo = Math.floor(Date.now() / 1000) - REDIRECT_RESUME_WINDOW_SECONDS - 2;
    await raw.set(`signet:v1:last:${late}`, String(longAgo));
    expect(await state.resume({ jti: late, expires })).toEqual({ outcome: 'exhausted', downloads: 1 });
    expect(await state.consume({ jti: late, expires })).toEqual({ outcome: 'ok', downloads: 2 });
    expect(await state.resume({ jti: late, expires })).toEqual({ outcome: 'ok', downloads: 2 });
  });

  it('sets a TTL on the counter: the link expiry plus the grace period', async () => {
    const jti = newJti();
    const expires = inAnHour();
    await state.consume({ jti, expires });
    const keys = await raw.keys(`signet:v1:count:${jti}`);
    expect(keys).toEqual([`signet:v1:count:${jti}`]);
    const expireAt = await raw.expiretime(`signet:v1:count:${jti}`);
    expect(expireAt).toBe(expires + COUNTER_GRACE_SECONDS);
  });

  it('never sets a TTL in the past for a link whose expiry is behind the clock', async () => {
    const jti = newJti();
    await state.consume({ jti, expires: 1_000_000 });
    expect(await state.downloads(jti)).toBe(1);
    const ttl = await raw.ttl(`signet:v1:count:${jti}`);
    expect(ttl).toBeGreaterThan(COUNTER_GRACE_SECONDS - 60);
  });
});

describe('revocation', () => {
  it('revokes and unrevokes a jti; a revoked consume counts nothing', async () => {
    const jti = newJti();
    const expires = inAnHour();
    await state.consume({ jti, expires });
    await state.revoke({ jti });
    expect(await state.consume({ jti, expires })).toEqual({ outcome: 'revoked' });
    expect(await state.isRevoked(jti)).toBe(true);
    expect(await state.linkStatus(jti)).toEqual({
      downloads: 1,
      revoked: true,
      revokedBy: 'jti',
      networks: 0,
    });

    await state.unrevoke({ jti });
    expect(await state.isRevoked(jti)).toBe(false);
    expect(await state.consume({ jti, expires })).toEqual({ outcome: 'ok', downloads: 2 });
    expect(await state.linkStatus(jti)).toEqual({
      downloads: 2,
      revoked: false,
      revokedBy: null,
      networks: 0,
    });
  });

  it('revokes a licence for every link carrying it; 42 and "42" are one licence', async () => {
    const a = newJti();
    const b = newJti();
    const other = newJti();
    const expires = inAnHour();
    await state.revoke({ licenseId: 42 });
    expect(await state.consume({ jti: a, licenseId: 42, expires })).toEqual({ outcome: 'revoked' });
    expect(await state.consume({ jti: b, licenseId: '42', expires })).toEqual({ outcome: 'revoked' });
    expect(await state.isRevoked(a, '42')).toBe(true);
    // Another licence and a link without one are untouched.
    expect(await state.consume({ jti: other, licenseId: 43, expires })).toEqual({
      outcome: 'ok',
      downloads: 1,
    });
    expect(await state.isRevoked(a)).toBe(false);
    // A link's licence is known once it was downloaded: `a` never was, `other` was.
    expect(await state.linkStatus(a)).toEqual({ downloads: 0, revoked: false, revokedBy: null, networks: 0 });
    await state.revoke({ licenseId: '43' });
    expect(await state.linkStatus(other)).toEqual({
      downloads: 1,
      revoked: true,
      revokedBy: 'license',
      networks: 0,
    });
    await state.unrevoke({ licenseId: 43 });
    expect(await state.linkStatus(other)).toEqual({
      downloads: 1,
      revoked: false,
      revokedBy: null,
      networks: 0,
    });

    await state.unrevoke({ licenseId: '42' });
    expect(await state.consume({ jti: a, licenseId: 42, expires })).toEqual({ outcome: 'ok', downloads: 1 });
  });

  it('keeps licence ids with separators apart from other keys', async () => {
    const jti = newJti();
    await state.revoke({ licenseId: 'order:7/line 1' });
    expect(await state.isRevoked(jti, 'order:7/line 1')).toBe(true);
    expect(await state.isRevoked(jti, 'order:7')).toBe(false);
    await state.unrevoke({ licenseId: 'order:7/line 1' });
    expect(await state.isRevoked(jti, 'order:7/line 1')).toBe(false);
  });

  it('reports an unknown link as never downloaded and not revoked', async () => {
    expect(await state.linkStatus(newJti())).toEqual({
      downloads: 0,
      revoked: false,
      revokedBy: null,
      networks: 0,
    });
    expect(await state.downloads(newJti())).toBe(0);
  });

  it('keeps every key under the signet:v1: namespace', async () => {
    const jti = newJti();
    await state.consume({ jti, licenseId: 'ns-check', expires: inAnHour() });
    await state.revoke({ jti });
    await state.revoke({ licenseId: 'ns-check' });
    const keys = await raw.keys('*');
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.filter((k) => !k.startsWith('signet:v1:'))).toEqual([]);
  });
});

describe('concurrency and durability', () => {
  it('50 concurrent consumes from two connections against max = 5 let exactly 5 through', async () => {
    const second = await RedisState.connect(server.url);
    try {
      const jti = newJti();
      const expires = inAnHour();
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => (i % 2 ? second : state).consume({ jti, max: 5, expires })),
      );
      const ok = results.filter((r) => r.outcome === 'ok');
      expect(ok).toHaveLength(5);
      expect(results.filter((r) => r.outcome === 'exhausted')).toHaveLength(45);
      // Each admitted request saw a distinct count 1..5: no two requests shared a slot.
      expect(ok.map((r) => (r.outcome === 'ok' ? r.downloads : 0)).sort((a, b) => a - b)).toEqual([
        1, 2, 3, 4, 5,
      ]);
      expect(await second.downloads(jti)).toBe(5);
    } finally {
      await second.close();
    }
  });

  it('counts and revocations survive a reconnect', async () => {
    const jti = newJti();
    const revoked = newJti();
    const expires = inAnHour();
    const first = await RedisState.connect(server.url);
    await first.consume({ jti, max: 3, expires });
    await first.consume({ jti, max: 3, expires });
    await first.revoke({ jti: revoked });
    await first.close();

    const again = await RedisState.connect(server.url);
    try {
      expect(await again.linkStatus(jti)).toEqual({
        downloads: 2,
        revoked: false,
        revokedBy: null,
        networks: 0,
      });
      expect(await again.consume({ jti, max: 3, expires })).toEqual({ outcome: 'ok', downloads: 3 });
      expect(await again.consume({ jti, max: 3, expires })).toEqual({ outcome: 'exhausted', downloads: 3 });
      expect(await again.isRevoked(revoked)).toBe(true);
    } finally {
      await again.close();
    }
  });
});

describe('least privilege', () => {
  it('works as the ACL user that docs/verifier-deploy.md recommends, and that user sees only signet keys', async () => {
    // Keep in step with the ACL SETUSER line in docs/verifier-deploy.md.
    await raw.call(
      'ACL',
      ...'SETUSER signet-verifier on >acl-test-password resetkeys ~signet:v1:* resetchannels -@all'.split(
        ' ',
      ),
      ...'+get +mget +set +del +exists +incr +expireat +eval +evalsha +script|load +ping +info +select +quit'.split(
        ' ',
      ),
    );
    await raw.set('other-app:secret', 'x');
    const limited = await RedisState.connect(
      `redis://signet-verifier:acl-test-password@127.0.0.1:${server.port}`,
    );
    try {
      const jti = newJti();
      expect(await limited.consume({ jti, licenseId: 9, max: 1, expires: inAnHour() })).toEqual({
        outcome: 'ok',
        downloads: 1,
      });
      await limited.revoke({ jti });
      expect(await limited.linkStatus(jti)).toEqual({
        downloads: 1,
        revoked: true,
        revokedBy: 'jti',
        networks: 0,
      });
      await limited.unrevoke({ jti });
      // After a SCRIPT FLUSH (a Redis restart does the same) the script is loaded again by the same user.
      await raw.script('FLUSH');
      expect(await limited.consume({ jti, max: 2, expires: inAnHour() })).toEqual({
        outcome: 'ok',
        downloads: 2,
      });
      // The share guard needs no other command (its networks are a plain string).
      const guarded = newJti();
      const guard = { network: '192.0.2.0/24', blockBeyond: 1 };
      expect(await limited.consume({ jti: guarded, expires: inAnHour(), guard })).toEqual({
        outcome: 'ok',
        downloads: 1,
      });
      expect(await limited.networkAllowed(guarded, '198.51.100.0/24', 1)).toBe(false);
      expect(await limited.linkStatus(guarded)).toMatchObject({ networks: 1 });
    } finally {
      await limited.close();
    }
    const probe = new Redis(`redis://signet-verifier:acl-test-password@127.0.0.1:${server.port}`);
    try {
      await expect(probe.get('other-app:secret')).rejects.toThrow(/NOPERM/);
      await expect(probe.flushall()).rejects.toThrow(/NOPERM/);
    } finally {
      probe.disconnect();
      await raw.del('other-app:secret');
    }
  });
});

describe('Redis unreachable', () => {
  it('refuses to connect, naming the URL without its password', async () => {
    const port = await freePort();
    await expect(RedisState.connect(`redis://:hunter2@127.0.0.1:${port}`)).rejects.toThrow(
      new RegExp(`cannot connect to Redis at redis://:\\*\\*\\*@127\\.0\\.0\\.1:${port}/?: .*ECONNREFUSED`),
    );
  });

  it('says why when Redis refuses the credentials', async () => {
    await expect(RedisState.connect(`redis://nobody:wrong@127.0.0.1:${server.port}`)).rejects.toThrow(
      /WRONGPASS/,
    );
  });

  it('rejects consume promptly once Redis goes away, instead of hanging or letting it through', async () => {
    const own = await startRedis();
    const errors: Error[] = [];
    const s = await RedisState.connect(own.url, { onError: (e) => errors.push(e) });
    try {
      const jti = newJti();
      expect(await s.consume({ jti, max: 1, expires: inAnHour() })).toEqual({ outcome: 'ok', downloads: 1 });
      await own.stop();
      const started = Date.now();
      await expect(s.consume({ jti, max: 1, expires: inAnHour() })).rejects.toThrow();
      await expect(s.isRevoked(jti)).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await s.close();
      await own.stop();
    }
  });
});
