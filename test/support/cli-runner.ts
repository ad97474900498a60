/** Runs the built `signet` command line as a child process, as a script would, and collects what it printed. */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect } from 'vitest';
import type { CephEnv } from './ceph';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `node <cli> …args`, with `stdin` written and closed; rejects when it does not exit within 60 s. */
export function runCli(
  cli: string,
  args: string[],
  opts: { stdin?: string; env?: Record<string, string> } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...opts.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.end(opts.stdin ?? '');
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`signet ${args.join(' ')} did not exit within 60 s:\n${stdout}${stderr}`));
    }, 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The objects of a JSON Lines answer (`--json` listings). */
export function jsonLines<T = Record<string, unknown>>(stdout: string): T[] {
  return stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as T);
}

/** Bad usage per the contract: exit status 2, exactly one line on stderr naming the problem, nothing on stdout. */
export function expectUsageError(r: CliRun, pattern: RegExp): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(pattern);
}

/**
 * Builds the command line from source into a fresh folder (never a stale out/), as `npm run build:cli` does.
 * Answers the entry file and a function that removes the folder.
 */
export async function buildCli(tag: string): Promise<{ cli: string; remove: () => void }> {
  const { build } = await import('vite');
  const root = resolve(__dirname, '../..');
  const outDir = join(
    root,
    'node_modules',
    '.cache',
    'signet-cli-test',
    `${tag}-${process.pid}-${Date.now()}`,
  );
  await build({
    configFile: join(root, 'vite.cli.config.mts'),
    logLevel: 'silent',
    build: { outDir, sourcemap: false },
  });
  return { cli: join(outDir, 'signet.js'), remove: () => rmSync(outDir, { recursive: true, force: true }) };
}

/** `signet accounts add` for the Ceph rig's test user, the secret to go on stdin. */
export function cephAccountAddArgs(env: CephEnv, name: string, bucket: string): string[] {
  return [
    'accounts',
    'add',
    '--name',
    name,
    '--provider',
    'custom',
    '--endpoint',
    env.endpoint,
    '--region',
    env.region,
    '--path-style',
    '--access-key-id',
    env.accessKeyId,
    '--secret-stdin',
    '--bucket',
    bucket,
  ];
}
