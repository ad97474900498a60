#!/usr/bin/env node
/**
 * npm 11 runs no install scripts that package.json's allowScripts does not list, and Electron's is left out
 * on purpose: it downloads the Electron binary from outside the npm registry, which CI machines cannot
 * reach. So the download happens here, on the first `npm start`, instead of at install time.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

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
    .filter((l) => l && !l.startsWith('at '));
  const reason =
    lines.find((l) => /error|ENOTFOUND|ECONN|ETIMEDOUT|EAI_AGAIN|403|404/i.test(l)) ?? lines.at(-1);
  return [
    `Signet could not start: Electron ${v} (the desktop runtime) is not installed and could not be downloaded`,
    reason ? ` (${reason.replace(/^Error:\s*/, '')}).` : '.',
    ' If this machine reaches the internet through a proxy, set HTTPS_PROXY; if github.com is blocked, set',
    ' ELECTRON_MIRROR to a mirror of the Electron releases. Then run `npm start` again.',
    ' Everything else (tests, `npm run build`, the command line) works without Electron.',
  ].join('');
}
