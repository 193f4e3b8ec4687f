// ESLint (flat config): JavaScript's and typescript-eslint's recommended rules, none of the
// type-aware ones (no-floating-promises found nothing and made a lint run 2.5x the CPU time).
// Formatting is Prettier's (.prettierrc.json).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['dist/', 'dist.*/', 'index/', '.cache/', 'tmp/', 'coverage/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { globals: globals.node },
    rules: {
      // `_name` marks a parameter an interface requires and this implementation does not use.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }],
      // `\[` inside a character class is escaped for the reader, as the house regexes do throughout.
      'no-useless-escape': ['error', { allowRegexCharacters: ['['] }],
      // Text processing uses NUL as an in-band placeholder (it cannot occur in the text it marks).
      'no-control-regex': 'off',
      // A `let` that handlers close over before the one assignment is not a const in waiting.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  {
    // pm2 loads its process file with require(): it has to be CommonJS.
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Discord's wire payloads, as the fake sends and receives them and the tests read them, are parsed JSON.
    files: ['src/discord/testing/**/*.ts', 'test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  prettier,
);
