/**
 * Starts the built Signet verifier (out/verifier/cli.js) as the bench's child, with a config in a
 * temp dir: one S3 store at a fake endpoint (pre-signing is local; the 302 is never followed) and
 * SQLite state in the temp dir.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';

import { freePort, startProcess, waitForHttp } from './procs.mjs';
import { b64u } from './token.mjs';

/** The built verifier; SIGNET_BENCH_CLI points the bench at another build (e.g. before/after a change). */
export const CLI = process.env.SIGNET_BENCH_CLI
  ? resolve(process.env.SIGNET_BENCH_CLI)
  : resolve(import.meta.dirname, '../../out/verifier/cli.js');

/** `config`: more config fields (e.g. `shareGuard`), merged over the defaults below. */
export async function startVerifier({ kid, secret, store, workers = 2, nodeArgs = [], config: extra = {} }) {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
  const dir = mkdtempSync(join(tmpdir(), 'signet-bench-verifier-'));
  const port = await freePort();
  const adminToken = b64u(randomBytes(32));
  const fileRoot = join(dir, 'files');
  mkdirSync(fileRoot);
  const config = {
    listen: { host: '127.0.0.1', port },
    keys: { [kid]: b64u(secret) },
    stores: {
      main: {
        endpoint: store.endpoint,
        region: store.region,
        forcePathStyle: true,
        accessKeyId: store.credentials.accessKeyId,
        secretAccessKey: store.credentials.secretAccessKey,
      },
    },
    fileRoot,
    allowedHosts: ['cdn.example.com'],
    presignExpirySeconds: 300,
    state: { sqlite: join(dir, 'verifier.db') },
    adminToken,
    ...extra,
  };
  const configPath = join(dir, 'verifier.json');
  writeFileSync(configPath, JSON.stringify(config, null, 2), { mode: 0o600 });
  const proc = startProcess(
    process.execPath,
    [...nodeArgs, CLI, '--config', configPath, '--workers', String(workers), '--quiet'],
    { cwd: dir },
  );
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${base}/healthz`, proc);
  } catch (err) {
    await proc.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    base,
    adminToken,
    dir,
    output: () => proc.output,
    stop: async ({ keepDir = false, signal = 'SIGTERM' } = {}) => {
      await proc.stop(signal, 10_000);
      if (!keepDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
