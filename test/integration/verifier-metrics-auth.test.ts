/**
 * /metrics is never open on the listener that serves downloads: with one listener it needs the admin token
 * (401 with a Bearer challenge without it, or with a wrong one); with `adminListen` it is served only there
 * (the download listener answers 404). The real verifier in this process, on free loopback ports.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  drain,
  newTestKeys,
  rawConfig,
  startTestVerifier,
  tempDir,
  type TestVerifier,
} from '../support/verifier';

const keys = newTestKeys();
const tmp = tempDir('signet-verifier-metrics-');
let single: TestVerifier;
let apart: TestVerifier;

beforeAll(async () => {
  single = await startTestVerifier(rawConfig(keys, { state: { sqlite: './single.db' } }), tmp.dir);
  apart = await startTestVerifier(
    rawConfig(keys, { adminListen: { port: 0 }, state: { sqlite: './apart.db' } }),
    tmp.dir,
  );
});

afterAll(async () => {
  await single?.close();
  await apart?.close();
  tmp.cleanup();
});

async function metrics(base: string, authorization?: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`${base}/metrics`, authorization ? { headers: { authorization } } : {});
  return { status: res.status, text: await res.text() };
}

describe('/metrics on one listener (downloads and admin together)', () => {
  it('needs the admin token', async () => {
    for (const authorization of [undefined, `Bearer ${keys.adminToken}x`, `Basic ${keys.adminToken}`]) {
      const res = await fetch(`${single.base}/metrics`, authorization ? { headers: { authorization } } : {});
      expect([authorization, res.status, res.headers.get('www-authenticate')]).toEqual([
        authorization,
        401,
        'Bearer realm="signet-verifier"',
      ]);
      expect(await res.json()).toEqual({ error: 'unauthorized' });
    }
    const head = await fetch(`${single.base}/metrics`, { method: 'HEAD' });
    expect(head.status).toBe(401);
    await drain(head);

    const allowed = await metrics(single.base, `Bearer ${keys.adminToken}`);
    expect(allowed.status).toBe(200);
    expect(allowed.text).toMatch(/^signet_verifier_requests_total\{outcome="unauthorized"\} \d+$/m);
  });

  it('keeps /healthz open: it says only whether the verifier answers', async () => {
    expect((await fetch(`${single.base}/healthz`)).status).toBe(200);
  });
});

describe('/metrics with adminListen', () => {
  it('is 404 on the download listener, token or not, and open on the admin listener only', async () => {
    expect((await metrics(apart.base)).status).toBe(404);
    expect((await metrics(apart.base, `Bearer ${keys.adminToken}`)).status).toBe(404);
    const onAdmin = await metrics(apart.adminUrl!);
    expect(onAdmin.status).toBe(200);
    expect(onAdmin.text).toMatch(/^# TYPE signet_verifier_request_duration_seconds histogram$/m);
  });
});
