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
  execFileSync(process.execPath, [join(dir, 'install.js')], { stdio: 'inherit', cwd: dir });
}
