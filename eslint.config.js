// Lint of the whole repo (run per workspace by turbo: `npm run lint`).
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/test-results/**', '**/playwright-report/**', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@tabla/*/src/*', '../../packages/*'], message: 'Import a package by its name, not its files.' }] },
      ],
    },
  },
  {
    // Playwright fixtures must destructure their (unused) dependencies: `async ({}, use) =>`.
    files: ['e2e/**/*.ts'],
    rules: { 'no-empty-pattern': 'off' },
  },
  {
    files: ['apps/board/**/*.{ts,tsx}', 'packages/plan-react/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'warn' },
  },
  {
    // The board speaks the wire through @tabla/sync-protocol, never through the server's package.
    // (A later object's no-restricted-imports replaces the global one, so its pattern is repeated.)
    files: ['apps/board/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@tabla/*/src/*', '../../packages/*'], message: 'Import a package by its name, not its files.' },
            { group: ['@tabla/sync-server', '@tabla/sync-server/*'], message: 'The board must not depend on the server: use @tabla/sync-protocol.' },
          ],
          // The package root carries pdfmake and the spreadsheet writer: the board takes the model only.
          paths: [{ name: '@tabla/plan-export', message: 'Import @tabla/plan-export/model: the root pulls pdfmake into the bundle.' }],
        },
      ],
    },
  },
  {
    // The wire protocol runs in browsers and on the server alike: lib0 only.
    files: ['packages/sync-protocol/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@tabla/*/src/*', '../../packages/*'], message: 'Import a package by its name, not its files.' },
            { group: ['node:*', 'yjs', 'y-*', 'ws', 'react', 'react-*', 'hono', 'hono/*', '@tabla/*'], message: 'sync-protocol is browser-safe and depends on lib0 only.' },
          ],
        },
      ],
    },
  },
  {
    // @tabla/plan-export/model runs in the board: the print model imports no writer and no Node module.
    files: ['packages/plan-export/src/{model,document,texts,dates}.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@tabla/*/src/*', '../../packages/*'], message: 'Import a package by its name, not its files.' },
            { group: ['node:*', 'pdfmake', 'pdfmake/*', 'write-excel-file', 'write-excel-file/*', 'dejavu-fonts-ttf', 'dejavu-fonts-ttf/*', './pdf.js', './spreadsheet.js', './index.js'], message: 'The print model is browser-safe: no writer, no Node module.' },
          ],
        },
      ],
    },
  },
  {
    // The domain model knows nothing of React, the network or Hono.
    files: ['packages/plan-model/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['react', 'react-*', 'hono', 'hono/*', 'ws', 'y-websocket', 'node:*'], message: 'plan-model depends on yjs only.' }] }],
    },
  },
  {
    files: ['packages/sync-server/src/**/*.ts', 'packages/plan-react/src/**/*.{ts,tsx}'],
    ignores: ['packages/plan-react/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['react', 'react-*', 'hono', 'hono/*'], message: 'Hono lives in apps/server; React only in plan-react and the board.' }] }],
    },
  },
);
