import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'test-artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read configuration through bot/config.ts only.' }],
    },
  },
  {
    files: ['bot/config.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    files: ['bot/domain/**', 'bot/flows/**', 'bot/loa/**', 'bot/storage/**', 'bot/auth/**', 'cards/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['botbuilder*'], message: 'Only the Teams layer (bot/teams), the HTTP host and the composition root may depend on botbuilder.' }] }],
    },
  },
  {
    files: ['test/**', 'testkit/**'],
    rules: {
      '@typescript-eslint/no-unused-expressions': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  { files: ['**/*.mjs'], ...tseslint.configs.disableTypeChecked },
);
