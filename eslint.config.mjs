import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// Layers (docs/architecture.md). ESLint replaces a rule's options rather than merging them, so each block below
// lists every restriction for the files it matches; blocks go from general to specific and the last match wins.
const electronOnlyInPlatform = {
  name: 'electron',
  message:
    'Only src/main/index.ts, src/main/platform/* and src/preload may import electron (docs/architecture.md).',
};
const s3OnlyInStorage = {
  group: ['@aws-sdk/*', '@smithy/*'],
  message: 'Only src/main/services/storage (the storage port) speaks S3 (docs/architecture.md).',
};
const sqliteOnlyInRepositories = {
  name: 'better-sqlite3',
  message:
    'Only src/main/repositories, src/main/db and src/main/wiring.ts touch the database (docs/architecture.md).',
};
const dbOnlyInRepositories = {
  group: ['**/db', '**/db/**'],
  message:
    'Only src/main/repositories, src/main/db and src/main/wiring.ts touch the database: use a repository (docs/architecture.md).',
};
/** Shared code by its alias: `@shared/…` (browser-safe) or `@shared-node/…` (needs Node), never `../../../../shared`. */
const sharedByAlias = {
  regex: '^(\\.\\./)+(.*/)?shared(-node)?(/|$)',
  message:
    'Import shared code as @shared/… or @shared-node/…, not by climbing folders (docs/architecture.md).',
};
/** src/shared-node needs Node: the window (sandboxed, no Node) and src/shared (used by the window) never import it. */
const noNodeSharedInTheWindow = {
  group: ['@shared-node', '@shared-node/*', '**/shared-node', '**/shared-node/**'],
  message:
    'src/shared-node needs Node (crypto): tokens are issued and URLs pre-signed in main, never in the window (docs/architecture.md).',
};
const noRepositoryAtTheEdges = {
  group: ['**/repositories', '**/repositories/**'],
  message: 'IPC handlers and CLI commands go through services, never a repository (docs/architecture.md).',
};

/** The `no-restricted-imports` rule with these `paths` and `patterns` restrictions. */
function restrict(...restrictions) {
  const paths = restrictions.filter((r) => 'name' in r);
  const patterns = [sharedByAlias, ...restrictions.filter((r) => 'group' in r)];
  return { 'no-restricted-imports': ['error', { paths, patterns }] };
}

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', '.ceph-test/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // Layers: by default, no Electron, no S3 and no database anywhere in src.
  {
    files: ['src/**'],
    rules: restrict(electronOnlyInPlatform, s3OnlyInStorage, sqliteOnlyInRepositories, dbOnlyInRepositories),
  },
  // The edges of the app may import Electron.
  {
    files: ['src/main/index.ts', 'src/main/platform/**', 'src/preload/**'],
    rules: restrict(s3OnlyInStorage, sqliteOnlyInRepositories, dbOnlyInRepositories),
  },
  // The storage port speaks S3.
  {
    files: ['src/main/services/storage/**'],
    rules: restrict(electronOnlyInPlatform, sqliteOnlyInRepositories, dbOnlyInRepositories),
  },
  // Repositories, the database module and the composition root touch the database.
  {
    files: ['src/main/repositories/**', 'src/main/db/**', 'src/main/wiring.ts'],
    rules: restrict(electronOnlyInPlatform, s3OnlyInStorage),
  },
  // IPC handlers and CLI commands reach data through services only.
  {
    files: ['src/main/ipc/**', 'src/cli/**'],
    rules: restrict(
      electronOnlyInPlatform,
      s3OnlyInStorage,
      sqliteOnlyInRepositories,
      dbOnlyInRepositories,
      noRepositoryAtTheEdges,
    ),
  },
  // The verifier is its own process with its own SQLite state store (src/verifier/state: better-sqlite3 allowed),
  // apart from the app's database; it signs and checks with src/shared's SigV4 and needs no S3 SDK.
  {
    files: ['src/verifier/**'],
    rules: restrict(electronOnlyInPlatform, s3OnlyInStorage, dbOnlyInRepositories),
  },
  // Exception (issue #20): the sync worker thread is a composition root of its own: it opens its own connection
  // to the database (better-sqlite3 connections cannot cross threads) and builds the CatalogRepository it writes
  // through.
  {
    files: ['src/main/workers/sync-worker.ts'],
    rules: restrict(electronOnlyInPlatform, s3OnlyInStorage),
  },
  {
    files: ['src/renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          paths: [electronOnlyInPlatform],
          patterns: [
            s3OnlyInStorage,
            {
              group: ['**/main/**', '**/preload/**', '**/verifier/**'],
              message: 'The renderer talks to main only through window.api.',
            },
            sharedByAlias,
            noNodeSharedInTheWindow,
            {
              group: ['node:*', 'fs', 'path', 'child_process', 'keytar', 'better-sqlite3'],
              message: 'The renderer runs in a sandbox without Node.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/shared/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [electronOnlyInPlatform, sqliteOnlyInRepositories],
          patterns: [
            s3OnlyInStorage,
            noNodeSharedInTheWindow,
            {
              group: ['**/main/**', '**/preload/**', '**/renderer/**', '**/verifier/**'],
              message: 'src/shared depends on nothing else in src.',
            },
          ],
        },
      ],
    },
  },
  // src/shared-node: Node-only code for main, the CLI and the verifier; like src/shared, it depends on nothing
  // else in src but src/shared.
  {
    files: ['src/shared-node/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [electronOnlyInPlatform, sqliteOnlyInRepositories],
          patterns: [
            s3OnlyInStorage,
            {
              group: ['**/main/**', '**/preload/**', '**/renderer/**', '**/verifier/**'],
              message: 'src/shared-node depends on nothing else in src but src/shared.',
            },
          ],
        },
      ],
    },
  },
  prettier,
);
