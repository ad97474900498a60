/**
 * The verifier as operators run it: the CLI built from source, as a child process. Start-up line and
 * exit codes, config errors naming the field, secrets from the environment, counts surviving a
 * restart, and cluster mode (two workers sharing SQLite: one limit, one revocation list, summed
 * metrics, a crashed worker replaced).
 */
import { execFileSync } from 'node:child_process';
import { request } from 'node:http';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { freePort } from '../support/redis';
import {
  buildVerifierCli,
  downloadUrl,
  drain,
  makeToken,
  newTestKeys,
  rawConfig,
  runVerifierToExit,
  spawnVerifier,
  tempDir,
  writeConfigFile,
  type VerifierProcess,
} from '../support/verifier';

const keys = newTestKeys();
const tmp = tempDir('signet-verifier-cli-');
let cli: string;
let cleanupBuild: () => void;
const running: VerifierProcess[] = [];

beforeAll(async () => {
  ({ cli, cleanup: cleanupBuild } = await buildVerifierCli());
}, 60_000);
afterAll(async () => {
  await Promise.all(running.map((p) => p.stop()));
  cleanupBuild?.();
  tmp.cleanup();
});

async function start(
  name: string,
  raw: unknown,
  args: string[] = ['--workers', '1', '--quiet'],
  env = {},
): Promise<VerifierProcess> {
  const p = await spawnVerifier(cli, writeConfigFile(tmp.dir, name, raw), args, env);
  running.push(p);
  return p;
}

/** GET on a fresh TCP connection (so the cluster's round robin spreads them over the workers). */
function freshGet(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, headers: { connection: 'close' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

const admin = (base: string, method: string, path: string, body?: unknown): Promise<Response> =>
  fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${keys.adminToken}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

/** /metrics on the download listener needs the admin token. */
const metricsAuth = () => ({ authorization: `Bearer ${keys.adminToken}` });

/** The child processes of `pid`. pgrep exits 1 when there is none; any other failure (no pgrep) throws. */
function childPids(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch (err) {
    if ((err as { status?: number }).status === 1) return [];
    throw err;
  }
}

async function waitFor(cond: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`condition not met within ${ms} ms`);
}

function requestLines(proc: VerifierProcess, jti: string): { pid: number; status: number }[] {
  return proc
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{') && l.includes('"msg":"request"') && l.includes(jti))
    .map((l) => JSON.parse(l) as { pid: number; status: number });
}

function metricsTotal(text: string): number {
  return [...text.matchAll(/^signet_verifier_requests_total\{outcome="[^"]+"\} (\d+)$/gm)].reduce(
    (n, m) => n + Number(m[1]),
    0,
  );
}

describe('command line', () => {
  it('prints its usage for --help and refuses bad arguments with exit code 2', async () => {
    const help = await runVerifierToExit(cli, ['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: signet-verifier --config <file>/);
    for (const [args, message] of [
      [[], /--config <file> is required/],
      [['--config', 'x.json', '--workers', '0'], /--workers must be an integer from 1 to 64/],
      [['--config', 'x.json', '--log-level', 'loud'], /--log-level must be one of/],
      [['--config', 'x.json', '--bogus'], /Unknown option '--bogus'/],
    ] as const) {
      const r = await runVerifierToExit(cli, [...args]);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stderr).toMatch(message);
    }
  });

  it('refuses a bad config at start with exit code 2, naming the field and never a secret', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [
        rawConfig(keys, { keys: { k1: 'tooshort' } }),
        'config: keys.k1: must be 43 characters of base64url (32 bytes)',
      ],
      [rawConfig(keys, { adminToken: 'short' }), 'config: adminToken: must be at least 32 characters'],
      [
        rawConfig(keys, { listen: { host: '127.0.0.1', port: 99999 } }),
        'config: listen.port: must be 0–65535',
      ],
      [rawConfig(keys, { fileRoot: './does-not-exist' }), 'config: fileRoot:'],
      [rawConfig(keys, { stats: true }), 'config: stats: unknown field'],
    ];
    for (const [raw, message] of cases) {
      const r = await runVerifierToExit(cli, [
        '--config',
        writeConfigFile(tmp.dir, 'bad.json', raw),
        '--workers',
        '2',
      ]);
      expect({ message, code: r.code }).toEqual({ message, code: 2 });
      expect(r.stderr).toContain(`signet-verifier: ${message}`);
      expect(r.stderr + r.stdout).not.toContain(keys.adminToken);
      expect(r.stderr + r.stdout).not.toContain(keys.secretB64u);
    }
  });

  it('takes its secrets from the environment', async () => {
    const raw = rawConfig(keys, { state: { sqlite: './env.db' } });
    delete raw.keys;
    delete raw.adminToken;
    const p = await start('env.json', raw, ['--workers', '1', '--quiet'], {
      SIGNET_VERIFIER_KEYS: JSON.stringify({ k1: keys.secretB64u }),
      SIGNET_VERIFIER_ADMIN_TOKEN: keys.adminToken,
    });
    expect(p.base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(downloadUrl(p.base, makeToken(keys).token), { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect((await admin(p.base, 'GET', '/healthz')).status).toBe(200);
    expect(await p.stop()).toBe(0);
  });

  it('exits 1 with a clear message when it cannot start', async () => {
    const blocker: Server = createServer();
    const port = await new Promise<number>((resolve) =>
      blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as { port: number }).port)),
    );
    try {
      for (const workers of ['1', '2']) {
        const r = await runVerifierToExit(cli, [
          '--config',
          writeConfigFile(
            tmp.dir,
            'taken.json',
            rawConfig(keys, { listen: { host: '127.0.0.1', port }, state: { sqlite: './taken.db' } }),
          ),
          '--workers',
          workers,
        ]);
        expect({ workers, code: r.code }).toEqual({ workers, code: 1 });
        expect(r.stderr).toMatch(/EADDRINUSE|exited during start-up/);
      }
    } finally {
      blocker.close();
    }
    const redisPort = await freePort();
    const r = await runVerifierToExit(cli, [
      '--config',
      writeConfigFile(
        tmp.dir,
        'redis-down.json',
        rawConfig(keys, { state: { redis: `redis://:pw@127.0.0.1:${redisPort}` } }),
      ),
      '--workers',
      '1',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`cannot connect to Redis at redis://:***@127.0.0.1:${redisPort}`);
    expect(r.stderr).not.toContain(':pw@');
  });

  it('writes one JSON line per request unless quiet', async () => {
    const p = await start('log.json', rawConfig(keys, { state: { sqlite: './log.db' } }), ['--workers', '1']);
    const { token, jti } = makeToken(keys);
    await drain(await fetch(downloadUrl(p.base, token), { redirect: 'manual' }));
    await waitFor(() => p.output().includes('"msg":"request"'), 5000);
    const line = p
      .output()
      .split('\n')
      .find((l) => l.includes('"msg":"request"')) as string;
    expect(JSON.parse(line)).toMatchObject({
      route: '/downloads/:slug',
      status: 302,
      outcome: 'redirect',
      jti,
    });
    expect(p.output()).not.toContain(token.split('.')[3]);
    await p.stop();
  });
});

describe('restart', () => {
  it('keeps download counts and revocations across a restart', async () => {
    const raw = rawConfig(keys, { state: { sqlite: './restart.db' } });
    const limited = makeToken(keys, { max: 3 });
    const revoked = makeToken(keys);

    const first = await start('restart.json', raw);
    for (let i = 0; i < 2; i++) {
      expect((await fetch(downloadUrl(first.base, limited.token), { redirect: 'manual' })).status).toBe(302);
    }
    expect((await admin(first.base, 'POST', '/admin/revocations', { jti: revoked.jti })).status).toBe(200);
    expect(await first.stop()).toBe(0);

    const second = await start('restart.json', raw);
    expect(await (await admin(second.base, 'GET', `/admin/links/${limited.jti}`)).json()).toEqual({
      downloads: 2,
      revoked: false,
      revoked_by: null,
      networks: 0,
      shared: false,
    });
    expect((await fetch(downloadUrl(second.base, limited.token), { redirect: 'manual' })).status).toBe(302);
    expect((await fetch(downloadUrl(second.base, limited.token), { redirect: 'manual' })).status).toBe(410);
    expect((await fetch(downloadUrl(second.base, revoked.token), { redirect: 'manual' })).status).toBe(403);
    expect(await second.stop()).toBe(0);
  });
});

describe('cluster mode (2 workers, SQLite)', () => {
  let p: VerifierProcess;
  /** A verifier with two workers (request lines on: they carry the worker's pid), both of them up. */
  async function startCluster(name: string): Promise<VerifierProcess> {
    const proc = await start(
      `${name}.json`,
      rawConfig(keys, { state: { sqlite: join(tmp.dir, `${name}.db`) } }),
      ['--workers', '2'],
    );
    const pid = proc.child.pid as number;
    await waitFor(() => childPids(pid).length === 2, 10_000).catch((err: Error) => {
      throw new Error(`want 2 worker processes, found [${childPids(pid).join(', ')}]: ${err.message}`);
    });
    return proc;
  }
  beforeAll(async () => {
    p = await startCluster('cluster');
  }, 30_000);

  it('runs two worker processes behind one port', async () => {
    await waitFor(() => childPids(p.child.pid as number).length === 2, 5000);
    const metrics = await (await fetch(`${p.base}/metrics`, { headers: metricsAuth() })).text();
    expect(metrics).toMatch(/^signet_verifier_workers 2$/m);
  });

  it('lets exactly 5 of 50 concurrent requests (on separate connections) through against max = 5', async () => {
    const { token, jti } = makeToken(keys, { max: 5 });
    const statuses = await Promise.all(
      Array.from({ length: 50 }, () => freshGet(downloadUrl(p.base, token))),
    );
    expect(statuses.filter((s) => s === 302)).toHaveLength(5);
    expect(statuses.filter((s) => s === 410)).toHaveLength(45);
    expect(await (await admin(p.base, 'GET', `/admin/links/${jti}`)).json()).toEqual({
      downloads: 5,
      revoked: false,
      revoked_by: null,
      networks: 0,
      shared: false,
    });
    await waitFor(() => requestLines(p, jti).length === 51, 5000);
    const pids = new Set(requestLines(p, jti).map((l) => l.pid));
    expect(pids.size).toBe(2);
  });

  it('applies a revocation made through one worker on every worker at once', async () => {
    const { token, jti } = makeToken(keys);
    expect(await freshGet(downloadUrl(p.base, token))).toBe(302);
    expect((await admin(p.base, 'POST', '/admin/revocations', { jti })).status).toBe(200);
    const after = await Promise.all(Array.from({ length: 20 }, () => freshGet(downloadUrl(p.base, token))));
    expect(new Set(after)).toEqual(new Set([403]));
    expect((await admin(p.base, 'DELETE', '/admin/revocations', { jti })).status).toBe(200);
    const restored = await Promise.all(
      Array.from({ length: 20 }, () => freshGet(downloadUrl(p.base, token))),
    );
    expect(new Set(restored)).toEqual(new Set([302]));
  });

  it('sums the metrics of all workers, whichever worker answers the scrape', async () => {
    const before = metricsTotal(
      await (await fetch(`${p.base}/metrics`, { headers: { connection: 'close', ...metricsAuth() } })).text(),
    );
    await Promise.all(Array.from({ length: 40 }, () => freshGet(`${p.base}/downloads/my-plugin?token=bad`)));
    const scrapes: number[] = [];
    for (let i = 0; i < 4; i++) {
      scrapes.push(
        metricsTotal(
          await (
            await fetch(`${p.base}/metrics`, { headers: { connection: 'close', ...metricsAuth() } })
          ).text(),
        ),
      );
    }
    // Every scrape sees all 40 requests (plus the scrapes before it), not one worker's share.
    for (const total of scrapes) expect(total).toBeGreaterThanOrEqual(before + 40);
  });

  it('replaces a worker that crashes; the service keeps answering and totals do not go back', async () => {
    const before = metricsTotal(await (await fetch(`${p.base}/metrics`, { headers: metricsAuth() })).text());
    const workers = childPids(p.child.pid as number);
    expect(workers).toHaveLength(2);
    const victim = workers[0]!;
    process.kill(victim, 'SIGKILL');
    await waitFor(() => {
      const pids = childPids(p.child.pid as number);
      return pids.length === 2 && !pids.includes(victim);
    }, 10_000);
    const statuses = await Promise.all(Array.from({ length: 10 }, () => freshGet(`${p.base}/healthz`)));
    expect(new Set(statuses)).toEqual(new Set([200]));
    const after = metricsTotal(await (await fetch(`${p.base}/metrics`, { headers: metricsAuth() })).text());
    expect(after).toBeGreaterThanOrEqual(before);
  }, 20_000);

  it('stops all workers on SIGTERM and exits 0', async () => {
    // A cluster of its own: stopping the shared one would leave nothing for a test run after this one.
    const own = await startCluster('cluster-stop');
    const workers = childPids(own.child.pid as number);
    // Checked first: with no worker found, the loop below would check nothing.
    expect(workers).toHaveLength(2);
    for (const pid of workers) expect(process.kill(pid, 0)).toBe(true);
    const started = Date.now();
    expect(await own.stop()).toBe(0);
    // Within the primary's 10 s shutdown bound (after which it kills the workers itself); the output
    // (last lines) says what was still running when it is not.
    expect(Date.now() - started, own.output().slice(-3000)).toBeLessThan(9500);
    for (const pid of workers) expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
  }, 30_000);
});
