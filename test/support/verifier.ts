/**
 * Helpers for the companion verifier's tests: a config in a temp folder, the real server in-process
 * (port 0), tokens signed with the test key, and the real CLI built from source and run as a child
 * process (for cluster mode, restarts and start-up errors).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { b64uEncode, generateJti, issueToken, type TokenPayload } from '../../src/shared-node/token';
import { parseConfig, type VerifierConfig } from '../../src/verifier/config';
import { createLogger, type Logger } from '../../src/verifier/log';
import { startVerifier, type RunningVerifier, type VerifierOptions } from '../../src/verifier/server';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const KID = 'k1';
export const SLUG = 'my-plugin';

export interface TestKeys {
  secret: Uint8Array;
  secretB64u: string;
  adminToken: string;
}

export function newTestKeys(): TestKeys {
  const secret = randomBytes(32);
  return { secret, secretB64u: b64uEncode(secret), adminToken: b64uEncode(randomBytes(32)) };
}

/** A raw (file-shaped) config object with sensible test defaults; `overrides` are merged on top. */
export function rawConfig(keys: TestKeys, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    listen: { host: '127.0.0.1', port: 0 },
    keys: { [KID]: keys.secretB64u },
    stores: {
      main: {
        endpoint: 'http://127.0.0.1:9',
        region: 'us-east-1',
        forcePathStyle: true,
        accessKeyId: 'test-access-key',
        secretAccessKey: 'test-secret-key',
      },
    },
    allowedHosts: ['cdn.example.com'],
    adminToken: keys.adminToken,
    ...overrides,
  };
}

/** A temp folder (with `files/` as the file root) removed by `cleanup()`. */
export function tempDir(prefix = 'signet-verifier-'): { dir: string; fileRoot: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const fileRoot = join(dir, 'files');
  mkdirSync(fileRoot);
  return { dir, fileRoot, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export const silentLogger = (): Logger => createLogger('silent');

export interface TestVerifier extends RunningVerifier {
  base: string;
  config: VerifierConfig;
}

/** The real server, in this process, on a free port. */
export async function startTestVerifier(
  raw: Record<string, unknown>,
  baseDir: string,
  opts: VerifierOptions = {},
): Promise<TestVerifier> {
  const config = parseConfig(raw, { baseDir });
  const v = await startVerifier(config, { logger: silentLogger(), ...opts });
  return { ...v, base: v.url, config };
}

export const inAnHour = (): number => Math.floor(Date.now() / 1000) + 3600;

/** Signs a token for SLUG with an S3 source unless `extra` says otherwise. */
export function makeToken(keys: TestKeys, extra: Partial<TokenPayload> = {}): { jti: string; token: string } {
  const jti = extra.jti ?? generateJti();
  const payload = {
    product_slug: SLUG,
    expires: inAnHour(),
    jti,
    src: { type: 's3', store: 'main', bucket: 'shop', key: 'products/my-plugin.zip' },
    ...extra,
  } as TokenPayload;
  return { jti, token: issueToken(payload, KID, keys.secret) };
}

export function downloadUrl(base: string, token: string, slug = SLUG): string {
  return `${base}/downloads/${slug}?token=${encodeURIComponent(token)}`;
}

export function adminFetch(
  base: string,
  adminToken: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<Response> {
  return fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** Reads and discards a response body (keeps undici's connection pool healthy). */
export async function drain(res: Response): Promise<void> {
  await res.arrayBuffer().catch(() => undefined);
}

// ---- the CLI as a child process -------------------------------------------------------------------

/**
 * Builds src/verifier/cli.ts with the project's verifier build config into a folder of its own inside
 * node_modules/.cache (so the bundle finds the dependencies), and returns the cli.js path.
 */
export async function buildVerifierCli(): Promise<{ cli: string; cleanup(): void }> {
  const { build } = await import('vite');
  const outDir = join(
    REPO_ROOT,
    'node_modules',
    '.cache',
    'signet-verifier-test',
    `${process.pid}-${Date.now()}`,
  );
  await build({
    configFile: join(REPO_ROOT, 'vite.verifier.config.mts'),
    logLevel: 'silent',
    build: { outDir, sourcemap: false },
  });
  return { cli: join(outDir, 'cli.js'), cleanup: () => rmSync(outDir, { recursive: true, force: true }) };
}

export interface VerifierProcess {
  child: ChildProcess;
  base: string;
  output(): string;
  stop(): Promise<number | null>;
}

/** Runs `node cli.js --config <file> …args` and waits for its "listening on" line. */
export async function spawnVerifier(
  cli: string,
  configPath: string,
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<VerifierProcess> {
  const child = spawn(process.execPath, [cli, '--config', configPath, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`verifier did not start within 20 s:\n${output}`)),
      20_000,
    );
    const check = (): void => {
      const m = /Signet verifier listening on (http:\/\/\S+)/.exec(output);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout?.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`verifier exited (${code}) before listening:\n${output}`));
    });
  });

  return {
    child,
    base,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        const code = await exited;
        clearTimeout(timer);
        return code;
      }
      return child.exitCode;
    },
  };
}

/** Runs the CLI expecting it to exit (bad config, bad arguments); resolves with code and output. */
export function runVerifierToExit(
  cli: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`verifier did not exit within 15 s:\n${stdout}${stderr}`));
    }, 15_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export function writeConfigFile(dir: string, name: string, raw: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof raw === 'string' ? raw : JSON.stringify(raw, null, 2));
  return path;
}
