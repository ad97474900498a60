/**
 * One copy per counted download: resumes (a Range from after byte 0) do not count, but are bounded by
 * data for files (bytes sent ≤ counted downloads × size × 1.25, unsent bytes of a broken transfer given
 * back) and by time and count for redirects. Real HTTP against the real server and SQLite state.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { SqliteState } from '../../src/verifier/state/sqlite';
import {
  BYTE_BUDGET_SLACK,
  REDIRECT_RESUME_WINDOW_SECONDS,
  REDIRECT_RESUMES_PER_DOWNLOAD,
} from '../../src/verifier/state/types';
import {
  downloadUrl,
  drain,
  makeToken,
  newTestKeys,
  rawConfig,
  startTestVerifier,
  tempDir,
  type TestVerifier,
} from '../support/verifier';

const keys = newTestKeys();
const tmp = tempDir('signet-verifier-resume-');
const SIZE = 100_000;
const content = randomBytes(SIZE);
let now = Math.floor(Date.now() / 1000);
let state: SqliteState;
let v: TestVerifier;

beforeAll(async () => {
  writeFileSync(join(tmp.fileRoot, 'plugin.zip'), content);
  // The state's clock is the test's, so the redirect window can be crossed without waiting.
  state = SqliteState.open(join(tmp.dir, 'state.db'), { now: () => now });
  v = await startTestVerifier(rawConfig(keys, { fileRoot: './files' }), tmp.dir, { state });
});
afterAll(async () => {
  await v?.close();
  await state?.close();
  tmp.cleanup();
});

const get = (token: string, headers: Record<string, string> = {}): Promise<Response> =>
  fetch(downloadUrl(v.base, token), { headers, redirect: 'manual' });

const bodyLength = async (res: Response): Promise<number> => (await res.arrayBuffer()).byteLength;

describe('file sources: bounded by bytes', () => {
  it('20 resume attempts on a max = 1 link deliver at most one copy and a quarter', async () => {
    const { token, jti } = makeToken(keys, { src: { type: 'file', path: 'plugin.zip' }, max: 1 });
    const first = await get(token, { range: 'bytes=0-0' });
    expect(first.status).toBe(206);
    let delivered = await bodyLength(first);
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await get(token, { range: 'bytes=1-' });
      statuses.push(res.status);
      delivered += res.status === 206 ? await bodyLength(res) : (await drain(res), 0);
    }
    // The first resume completes the copy; each further one would be a second copy.
    expect(statuses).toEqual([206, ...Array.from({ length: 19 }, () => 410)]);
    expect(delivered).toBeLessThanOrEqual(SIZE * BYTE_BUDGET_SLACK);
    expect(delivered).toBe(SIZE);
    expect(await state.downloads(jti)).toBe(1);
  });

  it('lets a download manager fetch a file in 8 segments with a few retries', async () => {
    const { token, jti } = makeToken(keys, { src: { type: 'file', path: 'plugin.zip' }, max: 1 });
    const part = SIZE / 8;
    const got = Buffer.alloc(SIZE);
    // The first segment (from byte 0) counts; the other 7 and 2 retries of 10 KB are resumes.
    for (const start of [0, 1, 2, 3, 4, 5, 6, 7].map((i) => i * part)) {
      const res = await get(token, { range: `bytes=${start}-${start + part - 1}` });
      expect(res.status).toBe(206);
      Buffer.from(await res.arrayBuffer()).copy(got, start);
    }
    for (const start of [20_000, 60_000]) {
      const res = await get(token, { range: `bytes=${start}-${start + 9_999}` });
      expect(res.status).toBe(206);
      await drain(res);
    }
    expect(got.equals(content)).toBe(true);
    expect(await state.downloads(jti)).toBe(1);
    // 120 KB of the 125 KB budget are used: a 5 KB retry fits, one more 10 KB does not; from byte 0 it
    // would be a second download, over max = 1.
    const fits = await get(token, { range: 'bytes=1-5000' });
    expect(fits.status).toBe(206);
    await drain(fits);
    const over = await get(token, { range: 'bytes=1-10000' });
    expect([over.status, await over.json()]).toEqual([410, { error: 'limit_reached' }]);
    expect((await get(token, { range: 'bytes=0-9999' })).status).toBe(410);
  });

  it('answers a resume after a complete download of a max = 1 link only within the budget', async () => {
    const { token } = makeToken(keys, { src: { type: 'file', path: 'plugin.zip' }, max: 1 });
    const part = await get(token, { range: 'bytes=0-39999' });
    expect(part.status).toBe(206);
    await drain(part);
    expect((await get(token)).status).toBe(410); // a second whole copy: limit reached
    const rest = await get(token, { range: 'bytes=40000-' });
    expect(rest.status).toBe(206);
    expect(await bodyLength(rest)).toBe(60_000);
    const again = await get(token, { range: 'bytes=40000-' });
    expect([again.status, await again.json()]).toEqual([410, { error: 'limit_reached' }]);
  });
});

describe('S3 sources: bounded by time and count', () => {
  it('20 resume attempts on a max = 1 link get at most the bounded number of redirects, in the window', async () => {
    const { token, jti } = makeToken(keys, { max: 1 });
    const first = await get(token);
    expect(first.status).toBe(302);
    await drain(first);
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await get(token, { range: 'bytes=5000-' });
      statuses.push(res.status);
      await drain(res);
    }
    expect(statuses).toEqual([
      ...Array.from({ length: REDIRECT_RESUMES_PER_DOWNLOAD }, () => 302),
      ...Array.from({ length: 20 - REDIRECT_RESUMES_PER_DOWNLOAD }, () => 410),
    ]);
    // Without a Range (or from byte 0) it is a new download: the limit is used up.
    expect((await get(token)).status).toBe(410);
    expect((await get(token, { range: 'bytes=0-' })).status).toBe(410);
    expect(await state.downloads(jti)).toBe(1);
  });

  it('refuses a resume once the window after the last counted download has passed', async () => {
    const { token } = makeToken(keys, { max: 1 });
    await drain(await get(token));
    now += REDIRECT_RESUME_WINDOW_SECONDS + 1;
    const late = await get(token, { range: 'bytes=5000-' });
    expect([late.status, await late.json()]).toEqual([410, { error: 'limit_reached' }]);
  });

  it('still refuses a revoked link’s resume with 403', async () => {
    const { token, jti } = makeToken(keys, { max: 1 });
    await drain(await get(token));
    await state.revoke({ jti });
    const res = await get(token, { range: 'bytes=5000-' });
    expect([res.status, await res.json()]).toEqual([403, { error: 'revoked' }]);
  });
});
