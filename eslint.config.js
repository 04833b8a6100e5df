import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The dependency direction of style.md, checked: core -> core only (ports as types); ports -> core
 * types; adapters never import each other. The adapters are every folder of src/adapters except
 * shared, read from disk, so a new adapter is guarded the day it is created
 * (test/lint/import-guard.test.ts probes every direction).
 */
const adaptersDir = fileURLToPath(new URL('./src/adapters/', import.meta.url));
const adapterNames = fs
  .readdirSync(adaptersDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && entry.name !== 'shared')
  .map((entry) => entry.name)
  .sort();

/** A relative import that climbs out of the importing file's adapter into one of `names`. */
function crossAdapterImport(names) {
  const escaped = names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return `^(\\.\\./)+(adapters/)?(${escaped.join('|')})(/|$)`;
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'test/artifacts/**', 'src/adapters/portal/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Time comes through the Clock port.' },
        { object: 'Math', property: 'random', message: 'Randomness comes through the Random port.' },
        { object: 'process', property: 'env', message: 'Core reads no environment.' },
      ],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^(?!\\.{1,2}/)', message: 'core imports no packages and no node: modules.' },
            { regex: '^(\\.\\./)+(adapters|main|config)(/|\\.js$)', message: 'core imports only core.' },
            { regex: '^(\\.\\./)+ports/', allowTypeImports: true, message: 'core uses ports as types only.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/ports/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^(?!\\.{1,2}/)', message: 'ports hold only types: no packages, no node: modules.' },
            { regex: '^\\.\\./(?!core/)', message: 'ports import only other ports and core.' },
            {
              regex: '^(\\./|\\.\\./core/)',
              allowTypeImports: true,
              message: 'ports import types only (import type).',
            },
          ],
        },
      ],
    },
  },
  ...adapterNames.map((name) => ({
    files: [`src/adapters/${name}/**/*.{ts,tsx}`],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: crossAdapterImport(adapterNames.filter((n) => n !== name)),
              message: 'An adapter never imports another adapter; move shared code to core or adapters/shared.',
            },
            { regex: '(^|/)main(\\.[jt]s)?$', message: 'Only main.ts wires adapters.' },
          ],
        },
      ],
    },
  })),
  {
    files: ['src/adapters/shared/**/*.{ts,tsx}'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: crossAdapterImport(adapterNames), message: 'adapters/shared sits below every adapter.' },
            { regex: '(^|/)main(\\.[jt]s)?$', message: 'Only main.ts wires adapters.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/adapters/portal/app/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
  },
);
