// Lint rules. The pure core (pathway logic, statistics, FHIR normalisation, knowledge schema, trial matching)
// must run in the browser too, so it may not import Node built-ins; adapters (cli/, io/) may.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const nodeBuiltins = {
  patterns: [
    {
      group: ['node:*', 'fs', 'path', 'os', 'child_process', 'worker_threads'],
      message: 'The core does no I/O: move this to an adapter (src/cli, src/io).',
    },
  ],
};

export default tseslint.config(
  { ignores: ['node_modules/', 'coverage/', 'reference/**/*.js', 'out/', 'dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { files: ['**/*.js', '**/*.mjs'], languageOptions: { globals: globals.node } },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: [
      'src/pathway/**/*.ts',
      'src/stats/**/*.ts',
      'src/fhir/**/*.ts',
      'src/trials/**/*.ts',
      'src/record/**/*.ts',
      'src/units/**/*.ts',
      'src/knowledge/**/*.ts',
      'src/randomization/**/*.ts',
      'src/instruments/**/*.ts',
      'src/safety/**/*.ts',
      'src/trial/**/*.ts',
    ],
    // load.ts files are the Node adapters that read the bundled knowledge for their folder.
    // src/trial/store/ is the trial store adapter (databases, hashing).
    ignores: ['**/*.test.ts', '**/*.test-support.ts', '**/load.ts', 'src/trial/store/**'],
    rules: { 'no-restricted-imports': ['error', nodeBuiltins] },
  },
  {
    // Population screening: the generator's decisions, its ground truth and FHIR/OMOP renderings, the projection SQL
    // and the result lines and counts are pure; the writers, sources and the run are the adapters around them.
    files: [
      'src/synth/**/*.ts',
      'src/screen/dialect.ts',
      'src/screen/pathway-codes.ts',
      'src/screen/result-line.ts',
      'src/screen/summary.ts',
      'src/screen/sources/omop-vocabulary.ts',
      'src/screen/sources/omop-schema.ts',
    ],
    ignores: ['**/*.test.ts', '**/*.test-support.ts', 'src/synth/write-*.ts'],
    rules: { 'no-restricted-imports': ['error', nodeBuiltins] },
  },
);
