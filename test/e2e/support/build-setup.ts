import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { build } from 'vite';
import { pathAliases } from '../../../path-aliases.mjs';

export const ROOT = resolve(__dirname, '../../..');
export const PRELOAD_BUNDLE = resolve(ROOT, 'test-results/.e2e/preload.js');

/**
 * vitest globalSetup for browser tests: builds the app with electron-vite (the same renderer the app ships)
 * and bundles the test preload, once per run.
 */
export default async function setup(): Promise<void> {
  execFileSync(resolve(ROOT, 'node_modules/.bin/electron-vite'), ['build'], { cwd: ROOT, stdio: 'inherit' });
  await build({
    configFile: false,
    resolve: { alias: pathAliases },
    logLevel: 'warn',
    build: {
      outDir: resolve(ROOT, 'test-results/.e2e'),
      emptyOutDir: true,
      minify: false,
      lib: {
        entry: resolve(__dirname, 'browser-preload.ts'),
        formats: ['iife'],
        name: 'SignetTestPreload',
        fileName: () => 'preload.js',
      },
    },
  });
}
