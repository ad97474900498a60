import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * scripts/ensure-electron.mjs (`npm start`, `npm run dev`) run as a child process in scratch projects: it
 * finds Electron under the working directory's node_modules, as npm runs it from the project root.
 */
const root = join(__dirname, '..', '..');
const script = join(root, 'scripts', 'ensure-electron.mjs');
const realElectron = join(root, 'node_modules', 'electron');
const { version } = JSON.parse(readFileSync(join(realElectron, 'package.json'), 'utf8')) as {
  version: string;
};

let scratch: string;
let closedPort: number;
beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'signet-ensure-electron-'));
  // A port nothing listens on: bound once by us, then released, so a connection to it is refused at once.
  closedPort = await new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A project whose node_modules/electron is the real package (its real installer) or one with `installJs`. */
function project(name: string, installJs?: string): string {
  const dir = join(scratch, name);
  const electron = join(dir, 'node_modules', 'electron');
  mkdirSync(electron, { recursive: true });
  for (const file of ['package.json', 'install.js', 'checksums.json']) {
    copyFileSync(join(realElectron, file), join(electron, file));
  }
  if (installJs !== undefined) writeFileSync(join(electron, 'install.js'), installJs);
  mkdirSync(join(dir, 'node_modules', '@electron'));
  symlinkSync(join(root, 'node_modules', '@electron', 'get'), join(dir, 'node_modules', '@electron', 'get'));
  return dir;
}

/** Runs the script with a clean environment: no proxy, no mirror or cache of the developer's, nothing cached. */
function run(cwd: string, env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [script], {
    cwd,
    encoding: 'utf8',
    timeout: 60_000,
    env: {
      PATH: process.env['PATH'] ?? '',
      HOME: cwd,
      electron_config_cache: join(cwd, 'electron-cache'),
      ELECTRON_MIRROR: `http://127.0.0.1:${closedPort}/`,
      ...env,
    },
  });
  return {
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    output: result.stdout + result.stderr,
  };
}

/** What every failure must look like: one paragraph on stderr, no stack trace anywhere, a way forward. */
function expectOnePlainParagraph(r: ReturnType<typeof run>) {
  expect(r.status).toBe(1);
  expect(r.output).not.toMatch(/^\s+at /m);
  const paragraph = r.stderr.trim();
  expect(paragraph).not.toContain('\n');
  expect(paragraph).toMatch(
    new RegExp(`^Signet could not start: Electron ${version.replace(/\./g, '\\.')} `),
  );
  expect(paragraph).toContain('ELECTRON_MIRROR');
  expect(paragraph).toContain('ELECTRON_GET_USE_PROXY=1 and HTTPS_PROXY=');
  expect(paragraph).toContain('Then run the same command (`npm start` or `npm run dev`) again.');
  return paragraph;
}

describe('npm start when Electron is not installed', () => {
  it('the real installer cannot reach the download host: one plain paragraph, no stack trace, exit 1', () => {
    const r = run(project('unreachable'));
    expect(r.stdout).toContain(`Downloading Electron ${version} (once)…`);
    const paragraph = expectOnePlainParagraph(r);
    // The installer's own error line is kept as the reason, without its stack.
    expect(paragraph).toMatch(/could not be downloaded \(.*fetch failed.*\)\./);
    expect(existsSync(join(scratch, 'unreachable', 'node_modules', 'electron', 'path.txt'))).toBe(false);
  });

  it('names the installer’s reason when it gives one (DNS failure)', () => {
    const dir = project(
      'no-dns',
      "const e = new Error('getaddrinfo ENOTFOUND github.com'); e.code = 'ENOTFOUND'; throw e;\n",
    );
    const paragraph = expectOnePlainParagraph(run(dir));
    expect(paragraph).toContain('(getaddrinfo ENOTFOUND github.com).');
  });

  it('does nothing when this Electron version is already installed', () => {
    const dir = project('installed', "require('fs').writeFileSync(__dirname + '/ran', '');\n");
    const electron = join(dir, 'node_modules', 'electron');
    mkdirSync(join(electron, 'dist'));
    writeFileSync(join(electron, 'dist', 'version'), `v${version}`);
    writeFileSync(join(electron, 'path.txt'), 'electron');
    const r = run(dir);
    expect({ status: r.status, output: r.output }).toEqual({ status: 0, output: '' });
    expect(existsSync(join(electron, 'ran'))).toBe(false);
  });
});
