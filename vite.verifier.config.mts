/**
 * Build of the companion verifier: one Node 20 CommonJS file, out/verifier/cli.js (plus a lazily
 * loaded chunk for the Redis state), run as `node out/verifier/cli.js --config <file>` or through the
 * `signet-verifier` bin. Node built-ins and the package's dependencies stay external (better-sqlite3 is
 * native; the others load from node_modules), so the output holds only our own code.
 */
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { pathAliases } from './path-aliases.mjs';

const root = fileURLToPath(new URL('.', import.meta.url));
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as {
  dependencies: Record<string, string>;
};
const deps = Object.keys(pkg.dependencies);
const external = (id: string): boolean =>
  id.startsWith('node:') ||
  builtinModules.includes(id) ||
  deps.some((d) => id === d || id.startsWith(`${d}/`));

export default defineConfig({
  resolve: { alias: pathAliases },
  publicDir: false,
  build: {
    ssr: `${root}src/verifier/cli.ts`,
    outDir: `${root}out/verifier`,
    emptyOutDir: true,
    target: 'node22',
    sourcemap: true,
    minify: false,
    rollupOptions: {
      external,
      output: { format: 'cjs', entryFileNames: 'cli.js', banner: '#!/usr/bin/env node' },
    },
  },
});
