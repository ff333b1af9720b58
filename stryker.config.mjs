// @ts-check
/**
 * Mutation testing of the governance services (issue 8): StrykerJS 9.6.1 (the last line that runs on
 * Node 20; 10.x needs Node 22) with its mocha runner. Mocha loads the TypeScript tests and the mutated
 * sources through `tsx/cjs`, so nothing is compiled ahead; `perTest` coverage runs each mutant against
 * only the tests that reach it. `npm run mutation` runs this and then scripts/mutation-check.mjs, which
 * prints the per-file scores and fails below the per-file targets (Stryker's own `thresholds.break`
 * is global only).
 *
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  testRunner: 'mocha',
  plugins: ['@stryker-mutator/mocha-runner'],
  mutate: ['src/governance/**/*.ts'],
  mochaOptions: {
    spec: ['test/governance/**/*.test.ts'],
    require: ['tsx/cjs'],
  },
  coverageAnalysis: 'perTest',
  concurrency: 2,
  // Static mutants restart the test process and run the whole suite; on a loaded 2-core machine the
  // default 5 s allowance turns slow restarts into false 'Timeout' (counted as killed).
  timeoutMS: 15000,
  reporters: ['clear-text', 'progress-append-only', 'html', 'json'],
  clearTextReporter: { allowColor: false, logTests: false, reportTests: false, reportMutants: false, reportScoreTable: true },
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  // Scores are enforced per file by scripts/mutation-check.mjs; these only colour the table.
  thresholds: { high: 95, low: 90, break: null },
  // The sandbox needs only the sources, the governance tests and the configs.
  ignorePatterns: ['out', 'reports', 'coverage', 'test-results', '.tmp', 'bench', 'docs', 'test/editor', 'test/unit', 'test/fixtures', '.vscode-test'],
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  incrementalFile: 'reports/stryker-incremental.json',
};
