/**
 * The app's worker threads built from src/ for a test, as electron-vite builds them beside the main bundle (one
 * CommonJS file each, dependencies left to node_modules): the sync worker and a job's storage worker.
 */
import { builtinModules } from 'node:module';
import { readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathAliases } from '../../path-aliases.mjs';

const ROOT = resolve(__dirname, '../..');

export interface WorkerBundles {
  syncWorkerFile: string;
  storageWorkerFile: string;
  remove(): void;
}

/** Builds both workers into a folder of node_modules/.cache named after the test and this process. */
export async function buildWorkerBundles(name: string): Promise<WorkerBundles> {
  const { build } = await import('vite');
  const dir = join(ROOT, 'node_modules', '.cache', `signet-${name}`, `${process.pid}`);
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  const deps = Object.keys(pkg.dependencies);
  await build({
    configFile: false,
    resolve: { alias: pathAliases },
    logLevel: 'silent',
    build: {
      ssr: true,
      outDir: dir,
      emptyOutDir: true,
      target: 'node22',
      minify: false,
      rollupOptions: {
        input: {
          'sync-worker': resolve(ROOT, 'src/main/workers/sync-worker.ts'),
          'storage-worker': resolve(ROOT, 'src/main/workers/storage-worker.ts'),
        },
        external: (id) =>
          id.startsWith('node:') ||
          builtinModules.includes(id) ||
          deps.some((d) => id === d || id.startsWith(`${d}/`)),
        output: { format: 'cjs', entryFileNames: '[name].js', chunkFileNames: 'chunk-[name]-[hash].js' },
      },
    },
  });
  return {
    syncWorkerFile: join(dir, 'sync-worker.js'),
    storageWorkerFile: join(dir, 'storage-worker.js'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
