#!/usr/bin/env node
/**
 * better-sqlite3 and keytar are native modules, built for one ABI at a time: Node's (for `npm test`) or
 * Electron's (for `npm start`). This script switches between the two and keeps both builds in
 * node_modules/.signet-native/<runtime>-<abi>/, so switching back and forth is a file copy after the first
 * build, not a recompile.
 *
 *   node scripts/native-abi.mjs node       # before tests (npm's pretest hook runs it)
 *   node scripts/native-abi.mjs electron   # before starting the app (prestart hook)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const MODULES = [
  { name: 'better-sqlite3', file: 'build/Release/better_sqlite3.node' },
  { name: 'keytar', file: 'build/Release/keytar.node' },
];
const root = process.cwd();
const cacheRoot = join(root, 'node_modules', '.signet-native');
const marker = join(cacheRoot, 'current.json');
const target = process.argv[2];
if (target !== 'node' && target !== 'electron') {
  console.error('usage: native-abi.mjs node|electron');
  process.exit(2);
}

function electronVersion() {
  const require = createRequire(join(root, 'package.json'));
  return require('electron/package.json').version;
}

/** True when every native module loads in this Node (so it is built for Node's ABI). */
function loadsInNode() {
  const probe = MODULES.map(
    (m) => `require(${JSON.stringify(join(root, 'node_modules', m.name, m.file))})`,
  ).join(';');
  return spawnSync(process.execPath, ['-e', probe], { stdio: 'ignore' }).status === 0;
}

// The cache key names the module versions too, so a reinstall never restores a build of an older release.
const modulesTag = MODULES.map(
  (m) =>
    `${m.name}@${JSON.parse(readFileSync(join(root, 'node_modules', m.name, 'package.json'), 'utf8')).version}`,
).join('+');
const nodeTag = `node-${process.versions.modules}-${modulesTag}`;
const wanted = target === 'node' ? nodeTag : `electron-${electronVersion()}-${modulesTag}`;
const current = existsSync(marker) ? JSON.parse(readFileSync(marker, 'utf8')).build : null;

function save(tag) {
  for (const m of MODULES) {
    const dir = join(cacheRoot, tag, m.name);
    mkdirSync(dir, { recursive: true });
    cpSync(join(root, 'node_modules', m.name, m.file), join(dir, 'module.node'));
  }
}
function restoreable(tag) {
  return MODULES.every((m) => existsSync(join(cacheRoot, tag, m.name, 'module.node')));
}
function restore(tag) {
  if (!restoreable(tag)) return false;
  for (const m of MODULES)
    cpSync(join(cacheRoot, tag, m.name, 'module.node'), join(root, 'node_modules', m.name, m.file));
  return true;
}
function mark(tag) {
  mkdirSync(cacheRoot, { recursive: true });
  writeFileSync(marker, JSON.stringify({ build: tag }));
}

function ensureNodeBuild() {
  if (loadsInNode()) {
    if (!restoreable(wanted)) save(wanted);
    return;
  }
  if (restore(wanted)) {
    if (loadsInNode()) return console.log(`native modules: restored the ${wanted} build`);
  }
  console.log('native modules: building for Node (about a minute)…');
  execFileSync('npm', ['rebuild', ...MODULES.map((m) => m.name)], { stdio: 'inherit' });
  save(wanted);
}

if (target === 'node') {
  ensureNodeBuild();
  mark(wanted);
} else if (current !== wanted) {
  if (loadsInNode() && !restoreable(nodeTag)) save(nodeTag);
  if (restore(wanted)) {
    console.log(`native modules: restored the ${wanted} build`);
  } else {
    console.log(
      `native modules: building for Electron ${electronVersion()} (needs Electron's headers; about a minute)…`,
    );
    execFileSync(
      join(root, 'node_modules', '.bin', 'electron-rebuild'),
      ['--force', '--only', MODULES.map((m) => m.name).join(',')],
      { stdio: 'inherit' },
    );
    save(wanted);
  }
  mark(wanted);
}
