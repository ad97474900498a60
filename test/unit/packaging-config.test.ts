import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config';
import { DebugLogger } from 'builder-util';
import type { Configuration } from 'app-builder-lib';

/**
 * Electron cannot be downloaded here, so `npm run dist` cannot run in CI. This reads electron-builder's own
 * view of the configuration (its loader and its JSON schema) so the packaging setup cannot silently rot.
 */
const root = join(__dirname, '..', '..');
// The glob matcher electron-builder itself uses (the hoisted top-level minimatch is an older major).
const { minimatch } = createRequire(require.resolve('app-builder-lib'))('minimatch') as {
  minimatch: (path: string, pattern: string, options?: { dot?: boolean }) => boolean;
};
const config: Configuration = await getConfig(root, null, null);

/** The `files` patterns as electron-builder normalised them (strings, or `{ filter }` entries). */
const filePatterns: string[] = (
  [config.files ?? []].flat() as (string | { filter?: string | string[] })[]
).flatMap((entry) => (typeof entry === 'string' ? [entry] : [entry.filter ?? []].flat()));

/** electron-builder's rule: patterns in order, a later `!pattern` excludes, a later pattern includes again. */
function packaged(path: string): boolean {
  const patterns = filePatterns;
  let included = false;
  for (const p of patterns) {
    if (p.startsWith('!')) {
      if (minimatch(path, p.slice(1), { dot: true })) included = false;
    } else if (minimatch(path, p, { dot: true })) included = true;
  }
  return included;
}

describe('packaging (electron-builder.yml)', () => {
  it('is a configuration electron-builder itself accepts', async () => {
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
    expect(config.appId).toBe('app.signet.desktop');
    expect(config.productName).toBe('Signet');
  });

  it('flips exactly these fuses', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      enableCookieEncryption: true,
      grantFileProtocolExtraPrivileges: false,
    });
    // Integrity and only-from-ASAR mean nothing without an ASAR archive.
    expect(config.asar).toBe(true);
  });

  it('builds AppImage and deb, dmg, nsis', () => {
    expect(config.linux?.target).toEqual(['AppImage', 'deb']);
    expect(config.mac?.target).toEqual(['dmg']);
    expect(config.win?.target).toEqual(['nsis']);
    expect(config.deb?.depends).toContain('libsecret-1-0');
  });

  it('ships the desktop app and nothing else: no verifier, no command line, no sources', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main: string };
    for (const path of [
      'package.json',
      pkg.main.replace(/^\.\//, ''),
      'out/main/sync-worker.js',
      'out/preload/index.js',
      'out/renderer/index.html',
      'out/renderer/assets/index-abc123.js',
    ]) {
      expect({ path, packaged: packaged(path) }).toEqual({ path, packaged: true });
    }
    for (const path of [
      'out/verifier/cli.js',
      'out/verifier/server.js',
      'out/cli/signet.js',
      'out/main/index.js.map',
      'src/main/index.ts',
      'test/unit/app-shell.test.ts',
      'bench/verifier-bench.mjs',
      'scripts/native-abi.mjs',
      'docs/verifier-deploy.md',
      'verifier.json',
      '.env',
      'node_modules/ioredis/built/index.js',
      'node_modules/range-parser/index.js',
      'node_modules/.signet-native/current.json',
      'node_modules/better-sqlite3/deps/sqlite3/sqlite3.c',
    ]) {
      expect({ path, packaged: packaged(path) }).toEqual({ path, packaged: false });
    }
    // The native modules' binaries stay loadable: outside the archive.
    expect(config.asarUnpack).toContain('**/*.node');
  });

  it('excludes only dependencies the desktop app never imports', () => {
    const excluded = filePatterns
      .map((p) => /^!node_modules\/([^/.][^/]*)\/\*\*$/.exec(p)?.[1])
      .filter((m): m is string => Boolean(m));
    expect(excluded.sort()).toEqual(['ioredis', 'range-parser']);
    const sources: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const full = join(dir, name);
        if (statSync(full).isDirectory()) walk(full);
        else if (/\.tsx?$/.test(name)) sources.push(full);
      }
    };
    for (const dir of ['src/main', 'src/preload', 'src/renderer', 'src/shared']) walk(join(root, dir));
    for (const file of sources) {
      const text = readFileSync(file, 'utf8');
      for (const dep of excluded) {
        expect({ file, imports: new RegExp(`from '${dep}'|require\\('${dep}'\\)`).test(text) }).toEqual({
          file,
          imports: false,
        });
      }
    }
  });

  it('has the app icon in resources/: a PNG of at least 512×512 (electron-builder makes .icns and .ico)', () => {
    expect(config.directories?.buildResources).toBe('resources');
    expect(config.icon).toBe('resources/icon.png');
    const png = readFileSync(join(root, 'resources', 'icon.png'));
    expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
    const width = png.readUInt32BE(16);
    const height = png.readUInt32BE(20);
    expect(width).toBe(height);
    expect(width).toBeGreaterThanOrEqual(512);
  });

  it('npm run dist builds the app, switches native modules to Electron, then packages', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
      devDependencies: Record<string, string>;
      dependencies: Record<string, string>;
    };
    expect(pkg.scripts['dist']).toBe(
      'npm run build && node scripts/native-abi.mjs electron && electron-builder --publish never',
    );
    expect(pkg.devDependencies['electron-builder']).toBeDefined();
    expect(pkg.dependencies['electron']).toBeUndefined();
    expect(config.npmRebuild).toBe(false);
  });
});
