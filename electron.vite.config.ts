import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import { resolve } from 'node:path';
import { pathAliases } from './path-aliases.mjs';

export default defineConfig({
  main: {
    resolve: { alias: pathAliases },
    build: {
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src/main/index.ts'),
          // Syncs run in a worker thread (services/library/worker-sync-engine.ts): its own entry file.
          'sync-worker': resolve(__dirname, 'src/main/workers/sync-worker.ts'),
          // A job's object calls run in a worker thread too (services/storage/worker-storage.ts).
          'storage-worker': resolve(__dirname, 'src/main/workers/storage-worker.ts'),
        },
      },
    },
  },
  preload: {
    resolve: { alias: pathAliases },
    build: {
      // A sandboxed preload cannot require() packages, so everything it uses (zod) is bundled in.
      externalizeDeps: false,
      rollupOptions: { input: { index: resolve(__dirname, 'src/preload/index.ts') } },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    // Relative asset URLs so the same build loads from file:// in the app and from http:// in browser tests.
    base: './',
    resolve: { alias: pathAliases },
    build: {
      rollupOptions: { input: { index: resolve(__dirname, 'src/renderer/index.html') } },
    },
    plugins: [react()],
  },
});
