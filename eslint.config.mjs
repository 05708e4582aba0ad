// Lint: typescript-eslint with a few type-aware rules, and the determinism boundary of workflows/.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';

const NODE_BUILTINS = [
  'assert',
  'async_hooks',
  'buffer',
  'child_process',
  'cluster',
  'crypto',
  'dgram',
  'dns',
  'events',
  'fs',
  'fs/promises',
  'http',
  'http2',
  'https',
  'inspector',
  'module',
  'net',
  'os',
  'path',
  'perf_hooks',
  'process',
  'readline',
  'stream',
  'timers',
  'tls',
  'tty',
  'url',
  'util',
  'v8',
  'vm',
  'worker_threads',
  'zlib',
];

export default tseslint.config(
  { ignores: ['node_modules/', '.venv/', '.modelship/', 'dist/', 'coverage/', 'examples/custom-activity/', '**/*.js', '**/*.cjs', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    // No import cycles: a cycle means two modules are one concern, or a shared piece wants its own room.
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json'] })],
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  {
    // Layers: the data plane and the shared rooms (store, runtime, protocol) never reach into
    // activities/; the shared rooms never reach into the gateway.
    files: ['serving/**/*.ts', 'store/**/*.ts', 'runtime/**/*.ts', 'protocol/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/activities', '**/activities/*'], message: 'serving/, store/, runtime/ and protocol/ must not depend on activities/.' }] },
      ],
    },
  },
  {
    files: ['store/**/*.ts', 'runtime/**/*.ts', 'protocol/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/activities', '**/activities/*', '**/serving', '**/serving/*', '**/cli/*', '**/workers/*'],
              message: 'store/, runtime/ and protocol/ are shared rooms: they depend on sdk/ and each other only.',
            },
          ],
        },
      ],
    },
  },
  {
    // Workflow code is replayed: it may import only @temporalio/workflow, sdk/ schemas and types,
    // and other workflow files. Activities come in as types only.
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: NODE_BUILTINS.flatMap((m) => [
            { name: m, message: 'workflows/ must be deterministic: no Node built-ins.' },
            { name: `node:${m}`, message: 'workflows/ must be deterministic: no Node built-ins.' },
          ]),
          patterns: [
            { group: ['node:*'], message: 'workflows/ must be deterministic: no Node built-ins.' },
            {
              group: ['onnxruntime-node', '@aws-sdk/*', 'yaml', '@temporalio/activity', '@temporalio/worker', '@temporalio/client', '@temporalio/envconfig'],
              message: 'workflows/ must not do I/O: call an activity instead.',
            },
            {
              group: [
                '**/activities',
                '**/activities/*',
                '**/store',
                '**/store/*',
                '**/runtime',
                '**/runtime/*',
                '**/protocol/*',
                '**/serving/*',
                '**/cli/*',
                '**/workers/*',
                '**/sdk/client',
                '**/sdk/client/*',
                '**/sdk/specFile',
                '**/sdk/connection',
                '**/sdk/packageRoot',
              ],
              allowTypeImports: true,
              message: 'workflows/ may import activities and server code as types only (import type).',
            },
          ],
        },
      ],
    },
  },
);
