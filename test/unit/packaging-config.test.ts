import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { createRequire } from 'node:module';
import type { Stats } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config';
import type { FileMatcher } from 'app-builder-lib/out/fileMatcher';
import { Platform, type Configuration } from 'app-builder-lib';
import { AppInfo } from 'app-builder-lib/out/appInfo';
import FpmTarget from 'app-builder-lib/out/targets/FpmTarget';
import { PM } from 'app-builder-lib/out/node-module-collector';
import { DebugLogger, TmpDir } from 'builder-util';

/**
 * Electron cannot be downloaded here, so `npm run dist` cannot run in CI. This reads electron-builder's own
 * view of the configuration (its loader and its JSON schema) and runs electron-builder's own file selection
 * (the code that decides what goes into app.asar) so the packaging setup cannot silently rot.
 */
const root = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  name: string;
  type: string;
  main: string;
  homepage?: string;
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const config: Configuration = await getConfig(root, null, null);

// electron-builder's file selection is internal (stripped from its typings), so it is loaded untyped and given
// the narrow types below. app-builder-lib is a devDependency; if an update changes them, this fails loudly.
const load = createRequire(__filename);
interface ResolvedFileSet {
  src: string;
  destination: string;
  files: string[];
  metadata: Map<string, Stats>;
}
const fileMatcher = load('app-builder-lib/out/fileMatcher') as {
  getMainFileMatchers(
    appDir: string,
    destination: string,
    macroExpander: (p: string) => string,
    platformOptions: object,
    platformPackager: object,
    outDir: string,
    isElectronCompile: boolean,
  ): FileMatcher[];
  getNodeModuleFileMatcher(
    appDir: string,
    destination: string,
    macroExpander: (p: string) => string,
    platformOptions: object,
    packager: object,
  ): FileMatcher;
  getFileMatchers(
    config: Configuration,
    name: 'extraResources' | 'asarUnpack',
    destination: string,
    options: {
      macroExpander: (p: string) => string;
      customBuildOptions: object;
      globalOutDir: string;
      defaultSrc: string;
    },
  ): FileMatcher[] | null;
};
const appFileCopier = load('app-builder-lib/out/util/appFileCopier') as {
  computeFileSets(
    matchers: FileMatcher[],
    transformer: null,
    packager: object,
    isElectronCompile: boolean,
  ): Promise<ResolvedFileSet[]>;
  computeNodeModuleFileSets(packager: object, matcher: FileMatcher): Promise<ResolvedFileSet[]>;
};

const noMacros = (p: string) => p;
const linuxOptions = config.linux ?? {};
/** Where the app's files land inside the package (resources/app, then packed into app.asar). */
const appDestination = join(tmpdir(), 'Signet-linux-unpacked', 'resources', 'app');
const resourcesDestination = dirname(appDestination);

/**
 * The parts of electron-builder's Packager and PlatformPackager its file selection reads, for a project in `dir`.
 * electron-builder asks npm for the production dependency tree first and walks node_modules itself when that
 * fails; the walk (PM.TRAVERSAL) gives the same tree without a child process.
 */
function packagerFor(dir: string, tempDirManager: TmpDir) {
  const info = {
    appDir: dir,
    projectDir: dir,
    buildResourcesDir: join(dir, config.directories?.buildResources ?? 'build'),
    config,
    isPrepackedAppAsar: false,
    areNodeModulesHandledExternally: false,
    debugLogger: new DebugLogger(false),
    tempDirManager,
    getWorkspaceRoot: () => Promise.resolve(dir),
    getPackageManager: () => Promise.resolve(PM.TRAVERSAL),
    originalMetadata: pkg,
    nodePackageName: pkg.name,
    appInfo: { type: pkg.type },
  };
  return { info, config, platform: Platform.LINUX, platformSpecificBuildOptions: linuxOptions };
}

/** Paths (relative to the package's app folder) electron-builder would pack, with the file stats it keeps. */
const packagedFiles = new Map<string, Stats>();
const packaged = (path: string) => packagedFiles.has(path);

/** The app's own files that could end up in a package, written into a scratch project (out/ is a build product). */
const APP_FILES = [
  'package.json',
  pkg.main.replace(/^\.\//, ''),
  'out/main/sync-worker.js',
  'out/main/storage-worker.js',
  'out/main/index.js.map',
  'out/preload/index.js',
  'out/renderer/index.html',
  'out/renderer/assets/index-abc123.js',
  'out/verifier/cli.js',
  'out/verifier/server.js',
  'out/cli/signet.js',
  'src/main/index.ts',
  'test/unit/app-shell.test.ts',
  'bench/verifier-bench.mjs',
  'scripts/native-abi.mjs',
  'docs/verifier-deploy.md',
  'resources/icon.png',
  'verifier.json',
  '.env',
];

let scratch: string;
const tempDirManager = new TmpDir('signet-packaging-test');
beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'signet-packaging-'));
  for (const path of APP_FILES) {
    mkdirSync(join(scratch, dirname(path)), { recursive: true });
    writeFileSync(join(scratch, path), path === 'package.json' ? JSON.stringify(pkg) : '');
  }
  // The app's files, exactly as PlatformPackager.doPack/copyAppFiles select them: the main matchers (the user's
  // `files` plus electron-builder's defaults, node_modules left out), minus what extraResources copies instead.
  const app = packagerFor(scratch, tempDirManager);
  const outDir = join(scratch, config.directories?.output ?? 'dist');
  const matchers = fileMatcher.getMainFileMatchers(
    scratch,
    appDestination,
    noMacros,
    linuxOptions,
    app,
    outDir,
    false,
  );
  const excludePatterns: unknown[] = [];
  for (const m of fileMatcher.getFileMatchers(config, 'extraResources', resourcesDestination, {
    macroExpander: noMacros,
    customBuildOptions: linuxOptions,
    globalOutDir: outDir,
    defaultSrc: scratch,
  }) ?? []) {
    m.computeParsedPatterns(excludePatterns as never, scratch);
  }
  for (const m of matchers) m.excludePatterns = excludePatterns as never;
  for (const set of await appFileCopier.computeFileSets(matchers, null, app, false)) {
    for (const file of set.files) {
      const stat = set.metadata.get(file);
      if (stat?.isFile()) packagedFiles.set(relative(set.src, file), stat);
    }
  }
  // node_modules: every production dependency of the real install, each through the `!` patterns of `files`
  // (getNodeModuleFileMatcher) and electron-builder's own per-module exclusions (NodeModuleCopyHelper).
  const real = packagerFor(root, tempDirManager);
  const moduleMatcher = fileMatcher.getNodeModuleFileMatcher(
    root,
    appDestination,
    noMacros,
    linuxOptions,
    real.info,
  );
  for (const set of await appFileCopier.computeNodeModuleFileSets(real, moduleMatcher)) {
    for (const file of set.files) {
      const stat = set.metadata.get(file);
      if (stat?.isFile()) {
        packagedFiles.set(join(relative(appDestination, set.destination), relative(set.src, file)), stat);
      }
    }
  }
});
afterAll(async () => {
  rmSync(scratch, { recursive: true, force: true });
  await tempDirManager.cleanup();
});

/** The production dependency graph from package-lock.json (node's lookup: nearest node_modules upwards). */
function productionGraph() {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
    packages: Record<
      string,
      { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> }
    >;
  };
  const resolve = (from: string, name: string): string | null => {
    for (let at = from; ;) {
      const candidate = `${at ? `${at}/` : ''}node_modules/${name}`;
      if (lock.packages[candidate]) return candidate;
      if (!at) return null;
      const i = at.lastIndexOf('/node_modules/');
      at = i < 0 ? '' : at.slice(0, i);
    }
  };
  /** Every package (as its lock path) the given root dependencies need, directly or not. */
  return (roots: string[]): Set<string> => {
    const seen = new Set<string>();
    const todo = roots.map((r) => resolve('', r));
    while (todo.length > 0) {
      const at = todo.pop();
      if (!at || seen.has(at)) continue;
      seen.add(at);
      const entry = lock.packages[at]!;
      for (const dep of Object.keys({ ...entry.dependencies, ...entry.optionalDependencies }))
        todo.push(resolve(at, dep));
    }
    return seen;
  };
}

/** Module names the `files` patterns exclude whole (`!node_modules/<name>/**`, scoped names too). */
const excludedModules = ([config.files ?? []].flat() as (string | { filter?: string | string[] })[])
  .flatMap((entry) => (typeof entry === 'string' ? [entry] : [entry.filter ?? []].flat()))
  .map((p) => /^!node_modules\/((?:@[^/]+\/)?[^/.@][^/]*)\/\*\*$/.exec(p)?.[1])
  .filter((m): m is string => Boolean(m));

describe('packaging (electron-builder.yml)', () => {
  it('is a configuration electron-builder itself accepts', async () => {
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
    expect(config.appId).toBe('app.signet.desktop');
    expect(config.productName).toBe('Signet');
  });

  it('flips exactly these fuses, and re-signs an unsigned macOS build ad hoc so Apple silicon starts it', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      enableCookieEncryption: true,
      grantFileProtocolExtraPrivileges: false,
      resetAdHocDarwinSignature: true,
    });
    // Integrity and only-from-ASAR mean nothing without an ASAR archive.
    expect(config.asar).toBe(true);
  });

  it('builds AppImage and deb, dmg, nsis', () => {
    expect(config.linux?.target).toEqual(['AppImage', 'deb']);
    expect(config.mac?.target).toEqual(['dmg']);
    expect(config.win?.target).toEqual(['nsis']);
  });

  it('the deb depends on what Electron needs (GTK, NSS) and on libsecret (keytar)', () => {
    // FpmTarget.build: a `depends` list replaces getDefaultDepends(target) whole; it is never merged.
    const options = { ...linuxOptions, ...config.deb };
    const defaults = (
      FpmTarget.prototype as unknown as { getDefaultDepends(target: string): string[] }
    ).getDefaultDepends('deb');
    const depends = options.depends ?? defaults;
    for (const lib of ['libgtk-3-0', 'libnss3', 'libsecret-1-0']) expect(depends).toContain(lib);
  });

  it('has what a deb needs besides files: a homepage and a maintainer (FpmTarget refuses to build without)', async () => {
    expect(pkg.homepage).toMatch(/^https:\/\//);
    // electron-builder's own check, as for a project whose git origin is not on GitHub (no URL to fall back on).
    const appInfo = Object.assign(Object.create(AppInfo.prototype) as AppInfo, {
      info: { metadata: pkg, devMetadata: pkg, repositoryInfo: Promise.resolve(null) },
    });
    const target = {
      packager: { appInfo, info: { metadata: pkg } },
      options: { ...linuxOptions, ...config.deb },
    };
    const check = (
      FpmTarget.prototype as unknown as {
        computeFpmMetaInfoOptions(this: typeof target): Promise<{ url: string; maintainer: string }>;
      }
    ).computeFpmMetaInfoOptions;
    await expect(check.call(target)).resolves.toMatchObject({ url: pkg.homepage, maintainer: 'Signet' });
  });

  it('ships the desktop app and its native modules, nothing else: no verifier, no command line, no sources', () => {
    for (const path of [
      'package.json',
      pkg.main.replace(/^\.\//, ''),
      'out/main/sync-worker.js',
      'out/main/storage-worker.js',
      'out/preload/index.js',
      'out/renderer/index.html',
      'out/renderer/assets/index-abc123.js',
      'node_modules/better-sqlite3/build/Release/better_sqlite3.node',
      'node_modules/keytar/build/Release/keytar.node',
      'node_modules/better-sqlite3/lib/index.js',
      'node_modules/@aws-sdk/client-s3/package.json',
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
      'resources/icon.png', // goes next to app.asar instead (extraResources)
      'verifier.json',
      '.env',
    ]) {
      expect({ path, packaged: packaged(path) }).toEqual({ path, packaged: false });
    }
    // These exist in the real node_modules, so "not packaged" means excluded, not absent.
    for (const path of [
      'node_modules/ioredis/built/index.js',
      'node_modules/denque/index.js',
      'node_modules/redis-parser/index.js',
      'node_modules/redis-errors/index.js',
      'node_modules/cluster-key-slot/package.json',
      'node_modules/standard-as-callback/package.json',
      'node_modules/@ioredis/commands/package.json',
      'node_modules/range-parser/index.js',
      'node_modules/better-sqlite3/deps/sqlite3/sqlite3.c',
      'node_modules/better-sqlite3/src/better_sqlite3.cpp',
      'node_modules/keytar/src/keytar.h',
    ]) {
      expect({ path, exists: existsSync(join(root, path)), packaged: packaged(path) }).toEqual({
        path,
        exists: true,
        packaged: false,
      });
    }
    expect(
      [...packagedFiles.keys()].filter((p) => /^node_modules\/(ioredis|range-parser)\//.test(p)),
    ).toEqual([]);
    // Nothing of node_modules that is not a package: the native-abi build cache (.signet-native), .bin, .package-lock.json.
    expect([...packagedFiles.keys()].filter((p) => /^node_modules\/\./.test(p))).toEqual([]);
  });

  it('keeps the native modules’ binaries loadable: outside the archive', () => {
    expect(config.asarUnpack).toContain('**/*.node');
    const [unpack] = fileMatcher.getFileMatchers(config, 'asarUnpack', appDestination, {
      macroExpander: noMacros,
      customBuildOptions: linuxOptions,
      globalOutDir: join(root, 'dist'),
      defaultSrc: root,
    })!;
    const isUnpacked = unpack!.createFilter();
    for (const path of [
      'node_modules/better-sqlite3/build/Release/better_sqlite3.node',
      'node_modules/keytar/build/Release/keytar.node',
    ]) {
      const stat = packagedFiles.get(path);
      expect({
        path,
        packaged: stat !== undefined,
        unpacked: stat !== undefined && isUnpacked(join(root, path), stat),
      }).toEqual({
        path,
        packaged: true,
        unpacked: true,
      });
    }
  });

  it('excludes exactly the dependencies only the verifier needs, none the desktop app imports or needs', () => {
    const needs = productionGraph();
    const excludedRoots = excludedModules.filter((m) => m in pkg.dependencies);
    expect(excludedRoots.sort()).toEqual(['ioredis', 'range-parser']);
    const kept = needs(Object.keys(pkg.dependencies).filter((d) => !excludedRoots.includes(d)));
    const all = needs(Object.keys(pkg.dependencies));
    // Only top-level (hoisted) copies need their own pattern; nested ones go with their parent's folder.
    const verifierOnly = [...all].filter(
      (p) => !kept.has(p) && !/\/node_modules\/.*\/node_modules\//.test(`/${p}`),
    );
    expect(excludedModules.map((m) => `node_modules/${m}`).sort()).toEqual(verifierOnly.sort());
    for (const m of excludedModules)
      expect({ module: m, keptNeedsIt: kept.has(`node_modules/${m}`) }).toEqual({
        module: m,
        keptNeedsIt: false,
      });

    const sources: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const full = join(dir, name);
        if (statSync(full).isDirectory()) walk(full);
        else if (/\.tsx?$/.test(name)) sources.push(full);
      }
    };
    for (const dir of ['src/main', 'src/preload', 'src/renderer', 'src/shared']) walk(join(root, dir));
    expect(sources.length).toBeGreaterThan(10);
    for (const file of sources) {
      const text = readFileSync(file, 'utf8');
      for (const dep of excludedModules) {
        const imports = new RegExp(`(from |import\\(|require\\()'${dep}(/[^']*)?'`).test(text);
        expect({ file, dep, imports }).toEqual({ file, dep, imports: false });
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

  it('copies the icon next to app.asar, where the window finds it (process.resourcesPath/icon.png)', () => {
    const matchers = fileMatcher.getFileMatchers(config, 'extraResources', resourcesDestination, {
      macroExpander: noMacros,
      customBuildOptions: linuxOptions,
      globalOutDir: join(root, 'dist'),
      defaultSrc: root,
    });
    expect(matchers?.map((m) => ({ from: m.from, to: m.to }))).toEqual([
      { from: join(root, 'resources', 'icon.png'), to: join(resourcesDestination, 'icon.png') },
    ]);
  });

  it('npm run dist builds the app, switches native modules to Electron, then packages', () => {
    expect(pkg.scripts['dist']).toBe(
      'npm run build && node scripts/native-abi.mjs electron && electron-builder --publish never',
    );
    expect(pkg.devDependencies['electron-builder']).toBeDefined();
    // This test loads electron-builder's internals: they are direct dependencies, not hoisting luck.
    expect(pkg.devDependencies['app-builder-lib']).toBeDefined();
    expect(pkg.devDependencies['builder-util']).toBeDefined();
    expect(pkg.dependencies['electron']).toBeUndefined();
    expect(config.npmRebuild).toBe(false);
  });
});
