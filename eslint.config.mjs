import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const electronOnlyInPlatform = {
  name: 'electron',
  message:
    'Only src/main/index.ts, src/main/platform/* and src/preload may import electron (see README, Layers).',
};

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
  // Layers: Electron stays at the edges.
  {
    files: [
      'src/shared/**',
      'src/main/services/**',
      'src/main/repositories/**',
      'src/main/db/**',
      'src/main/ipc/**',
      'src/main/workers/**',
      'src/main/wiring.ts',
      'src/verifier/**',
      'src/cli/**',
    ],
    rules: { 'no-restricted-imports': ['error', { paths: [electronOnlyInPlatform] }] },
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
            {
              group: ['**/main/**', '**/preload/**', '**/verifier/**'],
              message: 'The renderer talks to main only through window.api.',
            },
            {
              group: ['**/shared/token', '**/shared/token/**'],
              message: 'Tokens are issued in main (Node crypto), never in the renderer.',
            },
            {
              group: ['**/shared/s3/sigv4'],
              message: 'URLs are pre-signed in main (Node crypto), never in the renderer.',
            },
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
          paths: [electronOnlyInPlatform],
          patterns: [
            {
              group: ['**/main/**', '**/preload/**', '**/renderer/**', '**/verifier/**'],
              message: 'src/shared depends on nothing else in src.',
            },
          ],
        },
      ],
    },
  },
  prettier,
);
