/**
 * The library code under test, bundled from src/ with Vite's build API into a temp folder (one CommonJS file per
 * entry, shared chunks between them), so the bench measures the TypeScript sources as they are now. Like the CLI's
 * build (vite.cli.config.mts), Node built-ins and the package's dependencies stay external: better-sqlite3 is
 * native and loads from node_modules (built for Node's ABI by `node scripts/native-abi.mjs node`).
 */
import { readFileSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { join } from 'node:path';
import { pathAliases } from '../../path-aliases.mjs';

const ROOT = new URL('../../', import.meta.url).pathname;
const require = createRequire(join(ROOT, 'package.json'));

/** A package's entry as the project's node_modules resolves it (the id itself when it cannot be resolved). */
function resolveFromRoot(id) {
  try {
    return require.resolve(id);
  } catch {
    return id;
  }
}

/** Entry name → source file; each becomes `<name>.cjs` in the output folder. */
const ENTRIES = {
  database: 'src/main/db/database.ts',
  catalog: 'src/main/repositories/catalog-repository.ts',
  accounts: 'src/main/repositories/account-repository.ts',
  buckets: 'src/main/repositories/bucket-repository.ts',
  library: 'src/main/services/library/library-service.ts',
  sync: 'src/main/services/library/sync-service.ts',
  wiring: 'src/main/wiring.ts',
  router: 'src/main/ipc/router.ts',
  handlers: 'src/main/ipc/handlers.ts',
  trusted: 'src/main/ipc/trusted-sender.ts',
  secrets: 'src/main/services/memory-secret-store.ts',
  clock: 'src/main/services/clock.ts',
};

/** Worker thread entries: built beside the others but not loaded here (they run only inside a worker). */
const WORKER_ENTRIES = {
  syncWorker: 'src/main/workers/sync-worker.ts',
  storageWorker: 'src/main/workers/storage-worker.ts',
};

/**
 * Builds the entries into `outDir` and loads them. Answers `{ database: {openDatabase…}, catalog: {…}, … }`:
 * the modules' exports, by entry name.
 */
export async function buildLibrary(outDir) {
  const { build } = await import('vite');
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const deps = Object.keys(pkg.dependencies ?? {});
  const external = (id) => isBuiltin(id) || deps.some((d) => id === d || id.startsWith(`${d}/`));
  await build({
    configFile: false,
    resolve: { alias: pathAliases },
    logLevel: 'silent',
    publicDir: false,
    build: {
      ssr: true,
      outDir,
      emptyOutDir: true,
      target: 'node22',
      minify: false,
      rollupOptions: {
        input: Object.fromEntries(
          Object.entries({ ...ENTRIES, ...WORKER_ENTRIES }).map(([name, file]) => [name, join(ROOT, file)]),
        ),
        external,
        output: {
          format: 'cjs',
          entryFileNames: '[name].cjs',
          chunkFileNames: 'chunk-[name]-[hash].cjs',
          // The output lives in a temp folder, outside the project: packages are required by absolute path.
          paths: (id) => (isBuiltin(id) ? id : resolveFromRoot(id)),
        },
      },
    },
  });
  const modules = Object.fromEntries(
    Object.keys(ENTRIES).map((name) => [name, require(join(outDir, `${name}.cjs`))]),
  );
  // A worker entry is answered by its file, to hand to the wiring (e.g. `syncWorkerFile`).
  const workers = Object.fromEntries(
    Object.keys(WORKER_ENTRIES).map((name) => [name, join(outDir, `${name}.cjs`)]),
  );
  return { ...modules, workerFiles: workers };
}
