/**
 * The mutation engine's data model (no `vscode` import): what a mutation run takes, the events it
 * streams and what it returns, plus the subset of the mutation-testing-report-schema JSON
 * (https://github.com/stryker-mutator/mutation-testing-elements, the format StrykerJS's `json`
 * reporter writes) that the analysis reads. Lines in the report are 1-based, columns 1-based
 * (the schema's convention); the analysis converts columns to the engine's 0-based ones.
 */
import type { ResolvedConfig } from '../coverage/model';

/** Mutant statuses of the schema. */
export type MutantStatus = 'Killed' | 'Survived' | 'NoCoverage' | 'Timeout' | 'CompileError' | 'RuntimeError' | 'Ignored' | 'Pending';

export interface SchemaLocation {
  start: { line: number; column: number };
  end: { line: number; column: number };
}

export interface SchemaMutant {
  id: string;
  mutatorName: string;
  replacement?: string;
  location: SchemaLocation;
  status: MutantStatus;
  statusReason?: string;
  description?: string;
  /** Test ids (keys into `testFiles[*].tests[*].id`) that ran this mutant (perTest coverage). */
  coveredBy?: string[];
  killedBy?: string[];
  testsCompleted?: number;
  static?: boolean;
}

export interface SchemaFile {
  language: string;
  source: string;
  mutants: SchemaMutant[];
}

export interface SchemaTest {
  id: string;
  name: string;
  location?: { start: { line: number; column: number } };
}

/** A mutation-testing-report-schema document (the fields the engine reads). */
export interface MutationReport {
  schemaVersion: string;
  thresholds: { high: number; low: number; break?: number | null };
  /** Paths relative to `projectRoot` (or absolute when Stryker could not relativise them). */
  files: Record<string, SchemaFile>;
  testFiles?: Record<string, { tests: SchemaTest[]; source?: string }>;
  projectRoot?: string;
  framework?: { name: string; version?: string };
}

export interface MutationOptions {
  config: ResolvedConfig;
  /**
   * What to mutate: globs or paths relative to the root (or absolute), optionally with a Stryker
   * mutation range (`src/a.ts:10-20`). Default: every source file with a `mutation` target.
   */
  files?: string[];
  /** Reuse the previous run's results for unchanged code and tests (StrykerJS incremental mode). */
  incremental?: boolean;
  /** Test-runner processes (default: StrykerJS's default for the machine). */
  concurrency?: number;
  /** StrykerJS log level in the worker's output (default `warn`). */
  logLevel?: 'off' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
}

export type MutationEvent =
  | { type: 'start'; mutate: string[] }
  /** The initial test run (with per-test coverage) finished. */
  | { type: 'dryRun'; tests: number }
  /** Mutants instrumented: `run` will be tested, `early` have a result already (no coverage, static, reused). */
  | { type: 'plan'; total: number; run: number; early: number }
  | {
      type: 'mutant';
      /** Mutants with a result so far and the total. */
      done: number;
      total: number;
      id: string;
      file: string;
      status: MutantStatus;
      mutatorName: string;
      replacement?: string;
      line: number;
    }
  | { type: 'output'; stream: 'stdout' | 'stderr'; text: string }
  | { type: 'end'; cancelled: boolean; error?: string };

export interface MutationRunResult {
  /** The report (absent when the run was cancelled or failed before reporting). */
  report?: MutationReport;
  cancelled: boolean;
  /** What stopped the run, if anything (StrykerJS's error message, a crashed worker). */
  error?: string;
  durationMs: number;
  /** The `mutate` patterns given to StrykerJS (relative to the root). */
  mutate: string[];
  /** Mutants StrykerJS ran tests for, and mutants with an early result (reused in incremental mode, no coverage, static). */
  tested: number;
  early: number;
  /** Report files written (JSON, HTML, incremental), absolute. */
  reportFiles: string[];
}

export interface MutationHandle {
  onEvent(listener: (event: MutationEvent) => void): () => void;
  /** Ends the worker and every test-runner process StrykerJS started (their process group). */
  cancel(): void;
  /** The worker's pid, which is also its process group id. */
  readonly pid?: number;
  readonly result: Promise<MutationRunResult>;
}

// ---------------------------------------------------------------------------------------------
// Analysis: scores against mutation targets, surviving / uncovered mutants as gaps with hints
// ---------------------------------------------------------------------------------------------

/** Mutant counts of a file or of the total, and the mutation score (StrykerJS's definition). */
export interface MutationScore {
  killed: number;
  timeout: number;
  survived: number;
  noCoverage: number;
  /** Survivors listed as equivalent in the config's list (not counted in the score). */
  equivalent: number;
  /** Compile and runtime errors (not counted in the score). */
  errors: number;
  ignored: number;
  /** killed + timeout + survived + noCoverage */
  valid: number;
  /** killed + timeout */
  detected: number;
  /** detected / valid × 100; 100 when there is no valid mutant. */
  pct: number;
}

/** One surviving or uncovered mutant. Lines 1-based, columns 0-based (the engine's convention). */
export interface MutantGap {
  id: string;
  status: 'Survived' | 'NoCoverage';
  mutatorName: string;
  range: { start: { line: number; column: number }; end: { line: number; column: number } };
  original: string;
  replacement: string;
  /** Where it sits: a value path (`RATING_BOOST[1]`) or the enclosing function. */
  subject: string;
  /** A module-level mutant: StrykerJS ran every test for it. */
  static: boolean;
  /** Titles of the tests that ran the mutant and still passed (for a static mutant: the tests of the files that import the module). */
  ranBy: string[];
  /** How many tests ran it (StrykerJS's `testsCompleted`, else `ranBy.length`). */
  testsRan: number;
  /** "no test fails when `-0.1` becomes `+0.1` in `RATING_BOOST[1]`" */
  sentence: string;
  /** What to assert, e.g. `boundary`, and the advice in words. */
  assert: string;
  advice: string;
  /** `- old line` / `+ new line` */
  diff: string;
}

export interface MutationHint {
  /** One line: what no test checks. */
  summary: string;
  /** Why it matters: a config hint's label for the function or file, if any. */
  why?: string;
  /** The assertions to add, one per kind needed, in words. */
  assert: string[];
  /** Test file to add to (absolute) and the test to write. */
  suggestedTest: { file: string; title: string; outline: string[] };
  /** Full plain-text rendering used by the CLI, the plan and the hover. */
  text: string;
}

export interface MutationGap {
  /** `${file}#mutation#${qualifiedName}` */
  id: string;
  file: string;
  qualifiedName: string;
  functionRange: { start: { line: number; column: number }; end: { line: number; column: number } };
  /** Ordered by line. */
  mutants: MutantGap[];
  /** Mutants a good test here would kill (the gap's value). */
  gain: number;
  hint: MutationHint;
}

export interface MutationFileReport {
  file: string;
  relative: string;
  score: MutationScore;
  target?: number;
  meetsTarget: boolean;
  /** More mutants to kill to reach the target (0 when met). */
  needed: number;
  /** By value: most mutants first. */
  gaps: MutationGap[];
}

export interface MutationAnalysis {
  root: string;
  files: MutationFileReport[];
  totals: MutationScore;
  /** Entries of the equivalent-mutants list (for the files mutated) that match no mutant of the run: the list must not rot. */
  staleEquivalents: string[];
  /**
   * Listed entries whose mutant this run killed (it counts as killed). Not a failure: a mutant
   * whose only effect is cost (e.g. a cache bypassed) can be killed by a test that ran out of
   * time or memory on a loaded machine; if a test really detects it, the entry can go.
   */
  killedEquivalents: string[];
  /** The strictest mutation target, for the status bar. */
  overallTarget?: number;
  allTargetsMet: boolean;
  durationMs: number;
}
