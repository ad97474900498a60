/**
 * Two verifier processes (as behind a load balancer) sharing one real redis-server: the download limit
 * holds across both, and a revocation made through one instance's admin API applies on the other at
 * once. The CLI is built from the current source (test/support/verifier.ts) and run as two children.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { generateJti } from '../../src/shared-node/token';
import { startRedis, type TestRedis } from '../support/redis';
import {
  adminFetch,
  buildVerifierCli,
  downloadUrl,
  drain,
  makeToken,
  newTestKeys,
  rawConfig,
  spawnVerifier,
  tempDir,
  type VerifierProcess,
} from '../support/verifier';

const keys = newTestKeys();
let redis: TestRedis;
let tmp: ReturnType<typeof tempDir>;
let build: Awaited<ReturnType<typeof buildVerifierCli>>;
let a: VerifierProcess;
let b: VerifierProcess;

/** One instance: its own config file and port, the shared Redis, one worker. */
async function startInstance(name: string): Promise<VerifierProcess> {
  const configPath = join(tmp.dir, `${name}.json`);
  writeFileSync(
    configPath,
    JSON.stringify(rawConfig(keys, { fileRoot: tmp.fileRoot, state: { redis: redis.url } })),
  );
  return spawnVerifier(build.cli, configPath, ['--workers', '1', '--quiet']);
}

const token = (extra: Parameters<typeof makeToken>[1] = {}): { jti: string; token: string } =>
  makeToken(keys, extra);

/** A response whose body was read and dropped (only status and headers matter), freeing the socket. */
async function drained(pending: Promise<Response>): Promise<Response> {
  const res = await pending;
  await drain(res);
  return res;
}

/** GET without following the redirect. */
const download = (inst: VerifierProcess, t: string): Promise<Response> =>
  drained(fetch(downloadUrl(inst.base, t), { redirect: 'manual' }));

const admin = (inst: VerifierProcess, method: string, path: string, body?: unknown): Promise<Response> =>
  adminFetch(inst.base, keys.adminToken, method, path, body);

beforeAll(async () => {
  tmp = tempDir('signet-redis-multi-');
  [redis, build] = await Promise.all([startRedis(), buildVerifierCli()]);
  [a, b] = await Promise.all([startInstance('a'), startInstance('b')]);
}, 60_000);

afterAll(async () => {
  await Promise.all([a, b].filter(Boolean).map((i) => i.stop()));
  await redis?.stop();
  build?.cleanup();
  tmp?.cleanup();
});

describe('two verifier instances sharing one Redis', () => {
  it('50 concurrent requests split across both against max = 5 give exactly 5 redirects', async () => {
    const { jti, token: t } = token({ max: 5 });
    const responses = await Promise.all(Array.from({ length: 50 }, (_, i) => download(i % 2 ? b : a, t)));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 302)).toHaveLength(5);
    expect(statuses.filter((s) => s === 410)).toHaveLength(45);
    for (const inst of [a, b]) {
      const status = await admin(inst, 'GET', `/admin/links/${jti}`);
      expect(status.status).toBe(200);
      expect(await status.json()).toEqual({
        downloads: 5,
        revoked: false,
        revoked_by: null,
        networks: 0,
        shared: false,
      });
    }
  }, 30_000);

  it('a jti revoked through one instance is refused by the other at once, and restored the same way', async () => {
    const { jti, token: t } = token();
    expect((await download(b, t)).status).toBe(302);

    expect((await admin(a, 'POST', '/admin/revocations', { jti })).ok).toBe(true);
    expect((await download(b, t)).status).toBe(403);
    expect((await download(a, t)).status).toBe(403);
    expect(await (await admin(b, 'GET', `/admin/links/${jti}`)).json()).toEqual({
      downloads: 1,
      revoked: true,
      revoked_by: 'jti',
      networks: 0,
      shared: false,
    });

    expect((await admin(b, 'DELETE', '/admin/revocations', { jti })).ok).toBe(true);
    expect((await download(a, t)).status).toBe(302);
  });

  it('a licence revoked through one instance is refused by the other at once', async () => {
    const first = token({ license_id: 'order-77' });
    const second = token({ license_id: 'order-77' });
    const unrelated = token({ license_id: 'order-78' });

    expect((await admin(b, 'POST', '/admin/revocations', { license_id: 'order-77' })).ok).toBe(true);
    expect((await download(a, first.token)).status).toBe(403);
    expect((await download(a, second.token)).status).toBe(403);
    expect((await download(a, unrelated.token)).status).toBe(302);

    expect((await admin(a, 'DELETE', '/admin/revocations', { license_id: 'order-77' })).ok).toBe(true);
    expect((await download(b, first.token)).status).toBe(302);
  });

  it('refuses the admin API without the admin token on either instance', async () => {
    for (const inst of [a, b]) {
      const res = await drained(
        fetch(`${inst.base}/admin/revocations`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ jti: generateJti() }),
        }),
      );
      expect(res.status).toBe(401);
    }
  });

  // Runs last: it stops the shared Redis.
  it('answers 503 (never an uncounted download) while Redis is down, and recovers when it is back', async () => {
    const limited = token({ max: 3 });
    expect((await download(a, limited.token)).status).toBe(302);

    // Fail closed: with the count out of reach, no download goes out uncounted, whatever `max` says.
    const port = redis.port;
    await redis.stop();
    for (const inst of [a, b]) {
      const res = await fetch(downloadUrl(inst.base, limited.token), { redirect: 'manual' });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      expect(await res.json()).toEqual({ error: 'state_unavailable' });
      expect((await drained(fetch(`${inst.base}/healthz`))).status).toBe(503);
      expect((await drained(admin(inst, 'POST', '/admin/revocations', { jti: limited.jti }))).status).toBe(
        503,
      );
    }

    // The same port, an empty Redis (this one keeps no data): the instances reconnect on their own.
    redis = await startRedis({ port });
    for (const inst of [a, b]) {
      const deadline = Date.now() + 10_000;
      let status = 0;
      while (Date.now() < deadline) {
        status = (await drained(fetch(`${inst.base}/healthz`))).status;
        if (status === 200) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(status).toBe(200);
      expect((await download(inst, limited.token)).status).toBe(302);
    }
  }, 30_000);
});
