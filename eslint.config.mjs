import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const BOTBUILDER = { group: ['botbuilder*'], message: 'Only the Teams layer (bot/teams), the HTTP host and the composition root may depend on botbuilder.' };
const layer = (name, message) => ({ group: [`**/${name}`, `**/${name}/*`], message });
const LOA = layer('loa', 'Use the LoaService port (bot/domain/loaService.ts); bot/index.ts wires bot/loa in.');
const TEAMS = layer('teams', 'The Teams layer calls the others, not the other way round.');
const FLOWS = layer('flows', 'Only the Teams layer and the composition root call the flows.');
const CARDS = { group: ['**/cards/*'], message: 'Cards are rendered by the flows; lower layers do not know them.' };
const STORAGE = layer('storage', 'Storage implements the domain\'s KeyValueStore; only the composition root and the Teams layer pick it.');
const AUTH = layer('auth', 'Token exchanges are wired in by the composition root.');

/** What each layer may not import: the domain decides, the flows use ports, adapters implement them. */
const BOUNDARIES = [
  { files: ['bot/domain/**'], patterns: [BOTBUILDER, LOA, TEAMS, FLOWS, CARDS, STORAGE, AUTH] },
  { files: ['bot/flows/**'], patterns: [BOTBUILDER, LOA, TEAMS, STORAGE, AUTH] },
  { files: ['bot/loa/**'], patterns: [BOTBUILDER, TEAMS, FLOWS, CARDS, STORAGE] },
  { files: ['bot/auth/**'], patterns: [BOTBUILDER, TEAMS, FLOWS, CARDS, LOA, STORAGE] },
  { files: ['bot/storage/**'], patterns: [BOTBUILDER, TEAMS, FLOWS, CARDS, LOA, AUTH] },
  { files: ['cards/**'], patterns: [BOTBUILDER, TEAMS, FLOWS, LOA, STORAGE, AUTH] },
  // The message catalogs are a leaf every layer may read: they know no other layer.
  { files: ['bot/i18n/**'], patterns: [BOTBUILDER, LOA, TEAMS, FLOWS, CARDS, STORAGE, AUTH, layer('domain', 'The catalogs hold words only; the domain reads them, not the other way round.')] },
];

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
  ...BOUNDARIES.map(({ files, patterns }) => ({ files, rules: { 'no-restricted-imports': ['error', { patterns }] } })),
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
