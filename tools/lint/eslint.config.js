// Type-aware lint of runnerform (typescript-eslint, flat config). Run from the repository root by
// `npm run lint`; this folder holds the linter's own dependencies (see package.json for why).
import { resolve } from 'node:path';
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

const root = resolve(import.meta.dirname, '../..');

export default tseslint.config(
  // src/generated: ajv standalone code written by scripts/validators.mjs (a test checks it against the schema).
  { ignores: ['dist/**', 'node_modules/**', 'tools/**', 'src/generated/**', '**/*.js', '**/*.mjs', 'vitest*.config.ts'] },
  eslint.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: root } },
    rules: {
      // Escaping control characters is what these patterns are for (terminal safety).
      'no-control-regex': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Tests read JSON answers of the fake GitLab and the CLI: `any` from JSON.parse is their daily bread.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
);
