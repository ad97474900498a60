/**
 * Build of the `signet` command line: one Node 20 CommonJS file, out/cli/signet.js, run as
 * `node out/cli/signet.js …`, through `npm run signet -- …` or the `signet` bin. Like the verifier's build,
 * Node built-ins and the package's dependencies stay external (better-sqlite3 and keytar are native; the others
 * load from node_modules), so the output holds only our own code: the same main-process services the app uses.
 */
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { pathAliases } from './path-aliases.mjs';

const root = fileURLToPath(new URL('.', import.meta.url));
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as {
  version: string;
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
  define: { __SIGNET_VERSION__: JSON.stringify(pkg.version) },
  build: {
    ssr: `${root}src/cli/main.ts`,
    outDir: `${root}out/cli`,
    emptyOutDir: true,
    target: 'node22',
    sourcemap: true,
    minify: false,
    rollupOptions: {
      external,
      output: { format: 'cjs', entryFileNames: 'signet.js', banner: '#!/usr/bin/env node' },
    },
  },
});
