import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

/** The dependency direction of style.md, checked: core -> core only; ports -> core types; adapters never import each other. */
const adapterNames = ['store', 'counters', 'smtp', 'postfix-policy', 'http', 'cli', 'portal'];

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
      // Allow core to import its own files and port *types* (import type is erased).
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^(?!\\.{1,2}/)', message: 'core imports no packages and no node: modules.' },
            { group: ['**/adapters/**'], message: 'core never imports adapters.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/ports/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/adapters/**', 'node:*'], message: 'ports hold only types over core.' }] },
      ],
    },
  },
  ...adapterNames.map((name) => ({
    files: [`src/adapters/${name}/**/*.{ts,tsx}`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: adapterNames
                .filter((n) => n !== name)
                .map((n) => `**/adapters/${n}/**`)
                .concat(adapterNames.filter((n) => n !== name).map((n) => `../${n}/**`)),
              message: 'An adapter never imports another adapter; move shared code to core or adapters/shared.',
            },
            { group: ['**/main.js', '**/main.ts'], message: 'Only main.ts wires adapters.' },
          ],
        },
      ],
    },
  })),
  {
    files: ['src/adapters/portal/app/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
  },
);
