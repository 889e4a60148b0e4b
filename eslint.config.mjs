import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const BOTBUILDER = { group: ['botbuilder*'], message: 'Only the Teams layer (bot/teams), the HTTP host and the composition root may depend on botbuilder.' };
const LOA_ADAPTER = { group: ['**/loa', '**/loa/*', '../loa/*', '../../bot/loa/*'], message: 'Use the LoaService port (bot/domain/loaService.ts); bot/index.ts wires bot/loa in.' };
const TEAMS_LAYER = { group: ['**/teams', '**/teams/*', '../teams/*', '../../bot/teams/*'], message: 'The Teams layer calls the flows, not the other way round.' };
const FLOWS_AND_CARDS = { group: ['**/flows', '**/flows/*', '../flows/*', '**/cards/*', '../../cards/*'], message: 'The domain must not depend on the flows or the cards that use it.' };

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
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read configuration through bot/config/ only.' }],
    },
  },
  {
    files: ['bot/config/**'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    files: ['bot/domain/**', 'bot/flows/**', 'bot/loa/**', 'bot/storage/**', 'bot/auth/**', 'cards/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [BOTBUILDER] }],
    },
  },
  {
    // The domain and the flows decide; they reach the LOA API and Teams only through ports the composition root fills.
    files: ['bot/domain/**', 'bot/flows/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [BOTBUILDER, LOA_ADAPTER, TEAMS_LAYER] }] },
  },
  {
    // The flows and the cards build on the domain, never the other way round.
    files: ['bot/domain/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [BOTBUILDER, LOA_ADAPTER, TEAMS_LAYER, FLOWS_AND_CARDS] }] },
  },
  {
    // A function that does not fit on a screen hides what it decides; tests (step tables) are exempt.
    files: ['bot/**', 'cards/**'],
    rules: { 'max-lines-per-function': ['error', { max: 60, skipBlankLines: true, skipComments: true }] },
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
