// Layering is enforced here: engine/ is a pure Node library, renderer/ only sees engine types.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', 'coverage/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['engine/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'electron', message: 'engine/ must stay a pure Node library.' },
            { name: 'react', message: 'engine/ must stay a pure Node library.' },
            { name: 'react-dom', message: 'engine/ must stay a pure Node library.' },
            { name: 'zustand', message: 'engine/ must stay a pure Node library.' },
          ],
          patterns: [
            { group: ['**/main/**', '**/renderer/**'], message: 'engine/ may not import main/ or renderer/.' },
          ],
        },
      ],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The renderer talks only to window.api.' }],
          patterns: [
            {
              group: ['**/engine/**'],
              allowTypeImports: true,
              message: 'renderer/ may import only types from engine/.',
            },
            { group: ['zustand'], message: 'Import zustand only from renderer/state/*.' },
          ],
        },
      ],
    },
  },
  {
    files: ['renderer/state/**/*.{ts,tsx}'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
