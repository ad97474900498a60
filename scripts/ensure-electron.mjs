#!/usr/bin/env node
/**
 * npm 11 runs no install scripts that package.json's allowScripts does not list, and Electron's is left out
 * on purpose: it downloads the Electron binary from outside the npm registry, which CI machines cannot
 * reach. So the download happens here, on the first `npm start`, instead of at install time.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// From the working directory: npm runs scripts in the project root, and test/unit/ensure-electron.test.ts runs
// this script in a scratch project the same way.
const dir = join(process.cwd(), 'node_modules', 'electron');
const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
const installed = existsSync(join(dir, 'path.txt')) && existsSync(join(dir, 'dist', 'version'));
if (
  !installed ||
  readFileSync(join(dir, 'dist', 'version'), 'utf8')
    .replace(/^v/, '')
    .trim() !== version
) {
  console.log(`Downloading Electron ${version} (once)…`);
  try {
    // The installer's own stack trace is kept out of sight; its last line goes into one plain paragraph.
    execFileSync(process.execPath, [join(dir, 'install.js')], {
      stdio: ['ignore', 'inherit', 'pipe'],
      cwd: dir,
      encoding: 'utf8',
    });
  } catch (err) {
    console.error(cannotDownload(version, err));
    process.exit(1);
  }
}

/** One paragraph: what failed, what usually helps, how to retry. */
function cannotDownload(v, err) {
  const lines = String(err?.stderr ?? err?.message ?? err)
    .split('\n')
    .map((l) => l.trim())
    // Node's report of an uncaught error also quotes the source line with a caret, and ends with its version.
    .filter((l) => l && !l.startsWith('at ') && !/^\^+$/.test(l) && !/^Node\.js v\d/.test(l));
  const reason =
    lines.find((l) => /^[A-Za-z]*Error( \[\w+\])?: /.test(l)) ??
    lines.find((l) => /ENOTFOUND|ECONN|ETIMEDOUT|EAI_AGAIN|\b40[34]\b/.test(l)) ??
    lines.at(-1);
  return [
    `Signet could not start: Electron ${v} (the desktop runtime) is not installed and could not be downloaded`,
    reason ? ` (${reason.replace(/^Error:\s*/, '')}).` : '.',
    // @electron/get uses HTTPS_PROXY only when ELECTRON_GET_USE_PROXY is set too (its index.js, initializeProxy).
    ' If this machine reaches the internet through a proxy, set ELECTRON_GET_USE_PROXY=1 and',
    ' HTTPS_PROXY=http://<proxy host>:<port>; if github.com is blocked, set ELECTRON_MIRROR to a mirror of the',
    ' Electron releases (https://www.electronjs.org/docs/latest/tutorial/installation#mirror). Then run the same command',
    ' (`npm start` or `npm run dev`) again.',
    ' Everything else (tests, `npm run build`, the command line) works without Electron.',
  ].join('');
}
