// Lint (`npm run lint`, in .ci/run): typescript-eslint's recommended rules, and the size limits
// the code keeps: no file over 400 lines, no function over 80.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const SIZE_LIMITS = {
  'max-lines': ['error', { max: 400, skipBlankLines: false, skipComments: false }],
  'max-lines-per-function': ['error', { max: 80, skipBlankLines: false, skipComments: false }],
};

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'results/', 'test/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      ...SIZE_LIMITS,
      // A leading underscore names what is left out on purpose (a destructured field dropped).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    // The report's chart script runs in the page, with uPlot loaded before it.
    files: ['src/report/assets/**/*.js'],
    languageOptions: { sourceType: 'script', globals: { document: 'readonly', window: 'readonly', uPlot: 'readonly' } },
  },
);
