// Lint: recommended JS + TypeScript rules; `any` is an error in shared/ (the code every handler trusts) and in
// cli/src (the code on every user's machine), which also write to the console only through their own modules; regular
// expressions that can backtrack polynomially are errors wherever a pattern may see request text or a broker's answer
// (docs/security.md).
import js from '@eslint/js';
import regexp from 'eslint-plugin-regexp';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', '.aws-sam/**', 'dist/**', 'cli/dist/**', 'coverage/**', 'test-results/**', '.bench/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['shared/**/*.ts', 'functions/**/*.ts', 'cli/src/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'error',
    },
  },
  {
    // ReDoS: one request must not buy seconds of CPU. Both rules reason about the pattern alone, so a disable
    // needs a comment saying why the input is bounded.
    files: ['shared/**/*.ts', 'functions/**/*.ts', 'tools/**/*.ts', 'cli/src/**/*.ts'],
    plugins: { regexp },
    rules: {
      'regexp/no-super-linear-backtracking': 'error',
      'regexp/no-super-linear-move': 'error',
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
