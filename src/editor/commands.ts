/** Command and setting ids shared by the manifest, the extension and the editor tests. */
export const COMMANDS = {
  run: 'governanceCoverage.runTests',
  runWithCoverage: 'governanceCoverage.runTestsWithCoverage',
  debug: 'governanceCoverage.debugTests',
  showPlan: 'governanceCoverage.showPlan',
  toggleHints: 'governanceCoverage.toggleHints',
  runTestsForFile: 'governanceCoverage.runTestsForFile',
  copyTestOutline: 'governanceCoverage.copyTestOutline',
  addSuggestedTest: 'governanceCoverage.addSuggestedTest',
  showLog: 'governanceCoverage.showLog',
  refresh: 'governanceCoverage.refreshTests',
  testState: 'governanceCoverage._testState',
  cancelRuns: 'governanceCoverage._cancelRuns',
  coverageDetails: 'governanceCoverage._coverageDetails',
  waitFor: 'governanceCoverage._waitFor',
  openDemo: 'governanceCoverage.openDemo',
  createMocharc: 'governanceCoverage.createMocharc',
  loadCoverageReport: 'governanceCoverage.loadCoverageReport',
} as const;

/** Settings section. */
export const SECTION = 'governanceCoverage';

/** Arguments of the run commands (all optional: the palette passes none). */
export interface RunCommandArgs {
  /** Test files (absolute paths) to run instead of everything. */
  files?: string[];
  /** Test or suite item ids (as in the tree) to run instead of everything. */
  tests?: string[];
}

/** Arguments of the test-state command. */
export interface TestStateArgs {
  /** With `line`: include the hover text at that place. */
  file?: string;
  /** 0-based line. */
  line?: number;
}

/** Arguments of the wait command. */
export interface WaitForArgs {
  /**
   * `tree`: discovery done (with `count`: until the tree generation reaches it);
   * `run`: `count` runs completed (default: one more than now); `running`: a run is in progress;
   * `progress`: a run is in progress and `count` results of it have streamed in.
   */
  event: 'tree' | 'run' | 'running' | 'progress';
  count?: number;
  timeoutMs?: number;
}
