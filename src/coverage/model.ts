/**
 * The coverage engine's public data model: the contract between `src/coverage` (the engine),
 * `src/cli.ts` (headless) and `src/editor` (VS Code). Plain data only, JSON-serialisable,
 * no `vscode` import.
 *
 * Conventions:
 * - Paths are absolute, normalised with `path.resolve`.
 * - Lines are **1-based**, columns **0-based** (istanbul's convention). The editor converts to
 *   VS Code's 0-based lines at its boundary.
 * - Percentages are numbers in [0, 100] with full precision (round only when printing).
 */
import type { CoverageMapData, FileCoverageData } from 'istanbul-lib-coverage';

export type { CoverageMapData, FileCoverageData };

/** 1-based line, 0-based column. */
export interface Position {
  line: number;
  column: number;
}

export interface Range {
  start: Position;
  end: Position;
}

// ---------------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------------

/** Minimum percentages; a missing metric is not checked. */
export interface Thresholds {
  lines?: number;
  branches?: number;
  functions?: number;
  statements?: number;
}

/** A target applies to every source file matching `glob` (relative to the root). */
export interface TargetRule extends Thresholds {
  glob: string;
  /** Minimum mutation score (killed + timed out over valid mutants, %), checked by `governance-coverage mutate`. */
  mutation?: number;
}

/** A domain label for gaps in functions matching `match` (a qualified name or a glob on it). */
export interface HintRule {
  /** e.g. `ProposalService.execute*` or `src/governance/proposalService.ts` */
  match: string;
  /** e.g. "action execution: an approved proposal acts on the real world" */
  label: string;
}

/** Configuration as the user writes it (`governance-coverage.config.json` or package.json key). */
export interface UserConfig {
  testGlobs?: string[];
  sourceGlobs?: string[];
  /** Modules required before the tests (e.g. `tsx/cjs`, `./test/setup.ts`). */
  require?: string[];
  /** Per-test timeout in ms. */
  timeout?: number;
  /** Whole-run watchdog in ms. */
  runTimeout?: number;
  targets?: TargetRule[];
  hints?: HintRule[];
  /** Where reports are written, relative to the root. Default `coverage`. */
  reportDir?: string;
  /**
   * JSON list of surviving mutants proven equivalent, each `{ file, mutator, line, column,
   * replacement, reason }` (StrykerJS report positions): they leave the mutation score's
   * denominator; an entry matching no survivor fails the check. Relative to the root.
   */
  equivalentMutants?: string;
}

/**
 * What the workspace's mocha setup says beyond the test globs (`.mocharc.*`, package.json
 * "mocha", the mocha command of an npm script, read with mocha's own `loadOptions`).
 */
export interface MochaSetup {
  /** The mocha package the child drives: the project's own when it has one, else ours. */
  mochaDir: string;
  /** Its version, e.g. `11.7.5`. */
  mochaVersion: string;
  /** True when `mochaDir` is the project's own mocha. */
  projectMocha: boolean;
  /** Where the options came from, e.g. `.mocharc.json`, `package.json#mocha`, `npm script "test"`; `defaults` when none. */
  sources: string[];
  /** mocha `ignore` globs (relative to the root). */
  ignore: string[];
  /** mocha `file`: loaded first, in order (absolute). */
  files: string[];
  /** Flags for the test process's Node: `node-option` and node flags such as `--import=tsx`. */
  nodeOptions: string[];
  ui?: string;
  slow?: number;
  retries?: number;
  bail?: boolean;
  checkLeaks?: boolean;
  globals?: string[];
  /** mocha `fail-zero`; `false` (explicitly) lets a run with zero tests pass. */
  failZero?: boolean;
  /** mocha `allow-uncaught`, `delay`, `async-only`, `forbid-only`, `forbid-pending`. */
  allowUncaught?: boolean;
  delay?: boolean;
  asyncOnly?: boolean;
  forbidOnly?: boolean;
  forbidPending?: boolean;
}

/** Configuration after defaults and validation. Every field is present. */
export interface ResolvedConfig {
  /** Workspace root all globs are relative to. */
  root: string;
  /** Where the config came from: a file path, `package.json#governanceCoverage`, or `embedded`. */
  source: string;
  /** True when no config was found and the embedded governance suite is used. */
  embedded: boolean;
  testGlobs: string[];
  sourceGlobs: string[];
  require: string[];
  timeout: number;
  runTimeout: number;
  targets: TargetRule[];
  hints: HintRule[];
  reportDir: string;
  /** Absolute path of the equivalent-mutants list, when configured (embedded: test/governance/equivalent-mutants.json if present). */
  equivalentMutants?: string;
  /** Test files matching these globs are left out (mocha `ignore`). */
  testIgnore: string[];
  /** The mocha setup the run follows (options, the mocha to drive, node flags). */
  mocha: MochaSetup;
}

/** A configuration problem: names the file, the field and what was expected. */
export interface ConfigProblem {
  file: string;
  field: string;
  expected: string;
  actual?: string;
}

// ---------------------------------------------------------------------------------------------
// Static test discovery (parsing, never executing)
// ---------------------------------------------------------------------------------------------

export type TestNodeKind = 'file' | 'suite' | 'test';

export interface DiscoveredNode {
  kind: TestNodeKind;
  /** Stable id, see `testId`; equal to the id runtime events carry for the same node. */
  id: string;
  /** The node's own title (file: path relative to the root). */
  label: string;
  file: string;
  /** Titles from the outermost suite down to this node (empty for a file). */
  titlePath: string[];
  range?: Range;
  children: DiscoveredNode[];
  /** `.skip`/`xit` in source. */
  skipped?: boolean;
  /** A parse problem for a file node (syntax error), shown as an errored item. */
  error?: string;
}

/**
 * Stable id shared by discovery and runtime events: the absolute file and the title path,
 * joined by U+001F (unit separator), which never appears in titles.
 */
export function testId(file: string, titlePath: readonly string[]): string {
  return [file, ...titlePath].join('\u001f');
}

// ---------------------------------------------------------------------------------------------
// Running
// ---------------------------------------------------------------------------------------------

export interface RunOptions {
  config: ResolvedConfig;
  /** Run only these test files (absolute); default: every file of `config.testGlobs`. */
  files?: string[];
  /** Regex source matched against each test's full title (suite titles + test title, space-joined). */
  grep?: string;
  /** Collect coverage (default true). */
  coverage?: boolean;
  /** Record which statements/branches/functions each test executed (default true with coverage; see src/continuous/probes.ts). */
  perTest?: boolean;
  /** Start the child with `--inspect-brk=<port>` for debugging (0 = pick). */
  debugPort?: number;
  /** Extra environment for the child. */
  env?: Record<string, string>;
  /** Keep the raw coverage in the result (`RunResult.raw`), for merging shards (src/continuous). */
  keepRaw?: boolean;
  /** The Node.js executable for the test process (see runtime.ts); default: `node` on PATH, else this process's. */
  node?: string;
}

export interface FailureInfo {
  message: string;
  expected?: string;
  actual?: string;
  stack?: string;
  /** Failing location mapped to the TypeScript source (the first stack frame in a test file). */
  location?: { file: string; line: number; column: number };
}

export interface RunStats {
  total: number;
  passed: number;
  failed: number;
  skipped: number;
  durationMs: number;
}

export type RunEvent =
  | { type: 'start'; total: number; files: string[] }
  | { type: 'fileLoaded'; file: string }
  | { type: 'fileError'; file: string; error: FailureInfo }
  | { type: 'suiteStart'; id: string; file: string; titlePath: string[] }
  | { type: 'suiteEnd'; id: string; file: string; titlePath: string[] }
  | { type: 'testStart'; id: string; file: string; titlePath: string[] }
  | { type: 'testPass'; id: string; file: string; titlePath: string[]; durationMs: number }
  | {
      type: 'testFail';
      id: string;
      file: string;
      titlePath: string[];
      durationMs: number;
      failure: FailureInfo;
      /** True when the failure is a per-test timeout. */
      timedOut?: boolean;
    }
  | { type: 'testSkip'; id: string; file: string; titlePath: string[] }
  /** Child process output, line-buffered. */
  | { type: 'output'; stream: 'stdout' | 'stderr'; text: string }
  | { type: 'end'; stats: RunStats; cancelled: boolean; timedOut: boolean; error?: string };

/** Which statements, branch sides and functions one test executed, per file (istanbul keys). */
export interface TestCoverage {
  [file: string]: {
    /** statement ids (keys of `statementMap`) */
    s: number[];
    /** [branch id, side index] pairs (keys of `branchMap`, index into its `locations`) */
    b: Array<[number, number]>;
    /** function ids (keys of `fnMap`) */
    f: number[];
  };
}

export interface RunResult {
  stats: RunStats;
  cancelled: boolean;
  timedOut: boolean;
  /** A problem that stopped the run (child crash, watchdog), if any. */
  error?: string;
  /** Files that failed to load, with the error. */
  loadErrors: Array<{ file: string; error: FailureInfo }>;
  /** Istanbul coverage mapped to the original (TypeScript) sources; `{}` when coverage was off. */
  coverage: CoverageMapData;
  /** test id → what it executed; present when `perTest` was requested. */
  perTest?: Record<string, TestCoverage>;
  /** test id → full title (for hints and the editor). */
  testTitles: Record<string, string>;
  /** The raw coverage when `keepRaw` was requested (see src/continuous/raw.ts). */
  raw?: import('../continuous/raw').RawCoverage;
  /** Problems that did not stop the run (a malformed line on the message pipe was skipped). */
  warnings?: string[];
}

export interface RunHandle {
  /** Subscribe to events as they happen. Returns an unsubscribe function. */
  onEvent(listener: (event: RunEvent) => void): () => void;
  /** Kill the child now; the result resolves with what was gathered, `cancelled: true`. */
  cancel(): void;
  /** Resolves when the run has ended (never rejects; errors are in `RunResult.error`). */
  readonly result: Promise<RunResult>;
  /** The inspector port when started for debugging. */
  readonly debugPort?: Promise<number>;
}

// ---------------------------------------------------------------------------------------------
// Analysis: figures against targets, gaps and hints
// ---------------------------------------------------------------------------------------------

export interface Metric {
  total: number;
  covered: number;
  /** 100 when total is 0. */
  pct: number;
}

export interface FileFigures {
  lines: Metric;
  branches: Metric;
  functions: Metric;
  statements: Metric;
}

/**
 * What takes a run down a branch side, as data (conditions.ts phrases it; nothing parses prose):
 * - `test`: an `if`'s or `? :`'s condition, true (`holds`) or false; `path` says what runs then
 *   (the `if` body, the `else` block, the code after an `if` whose body exits, the `if` skipped,
 *   or the `? :` value `value`);
 * - `operand`: the right side `right` of `&&` / `||` / `??` (`assigns`: `&&=` / `||=` / `??=`),
 *   reached when `left` is truthy / falsy / null or undefined;
 * - `case`: a `switch` on `subject` reaching the case `label` (none: the `default` clause);
 * - `default-value`: the parameter `param` left out, so its default `value` is used;
 * - `throws`: the `try` block throws (the `catch` block); `iterates`: a loop body runs;
 * - `unknown`: a side the AST did not identify.
 */
export type BranchWhen =
  | { kind: 'test'; test: string; holds: boolean; path: 'then' | 'else' | 'after-if' | 'skip-if' | 'value'; value?: string }
  | { kind: 'operand'; left: string; operator: '&&' | '||' | '??'; assigns: boolean; right: string }
  | { kind: 'case'; subject: string; label?: string }
  | { kind: 'default-value'; param: string; value: string }
  | { kind: 'throws' }
  | { kind: 'iterates' }
  | { kind: 'unknown' };

/** A branch side that never ran. */
export interface BranchGap {
  line: number;
  range: Range;
  /** Kind from istanbul: if, cond-expr, binary-expr, switch, default-arg, ... */
  kind: string;
  /** The condition's source text, e.g. `payload.fields.length === 0`. */
  conditionText: string;
  /** Which side never ran, in words: `true`, `false`, `case 'chart'`, `right operand`, ... */
  sideNotTaken: string;
  /** What takes a run down this side (the data the words are made from). */
  when: BranchWhen;
  /** In words, e.g. "no test ran the case where `payload.fields.length` is 0" */
  description: string;
}

export interface SuggestedTest {
  /** Absolute path of the test file to add to (existing or proposed). */
  file: string;
  /** e.g. `ProposalService.executeBrowserAction refuses when no browser executor is supplied` */
  title: string;
  /** Arrange / act / assert lines using the project's fixtures. */
  outline: string[];
}

export interface Hint {
  /** One line: what is untested. */
  summary: string;
  /** Why it matters: the domain label, or a generic reason. */
  why: string;
  /** Where the label came from: a `@gap` tag, a config hint, or generic. */
  labelSource: 'gap-tag' | 'config' | 'generic';
  suggestedTest: SuggestedTest;
  /** Full plain-text rendering (several lines) used by the CLI and the hover. */
  text: string;
}

export interface Gap {
  /** Stable within one analysis: `${file}#${qualifiedName}`. */
  id: string;
  file: string;
  /** e.g. `ProposalService.executeBrowserAction`; `(top level)` outside any function. */
  qualifiedName: string;
  /** The enclosing function's range. */
  functionRange: Range;
  /** Uncovered lines inside it, ascending. */
  uncoveredLines: number[];
  /** Contiguous uncovered ranges (merged lines). */
  uncoveredRanges: Array<{ startLine: number; endLine: number }>;
  branches: BranchGap[];
  /** Was the function itself ever called? */
  functionCalled: boolean;
  /** Titles of tests that reach the function but miss the gap (closest first); needs per-test data. */
  closestTests: string[];
  /** Lines/branches this gap would add if closed. */
  gain: { lines: number; branches: number };
  hint: Hint;
}

export interface FileReport {
  file: string;
  /** Path relative to the root, for display. */
  relative: string;
  figures: FileFigures;
  /** The target that applies (merged from the matching rules), if any. */
  target?: Thresholds;
  meetsTarget: boolean;
  /** Metrics below target, e.g. ['lines', 'branches']. */
  failing: Array<keyof Thresholds>;
  /** More covered lines / branches / functions / statements needed to reach the target (0 when met). */
  needed: { lines: number; branches: number; functions: number; statements: number };
  /** Gaps, in the greedy order that reaches the target fastest. */
  gaps: Gap[];
}

export interface Analysis {
  root: string;
  files: FileReport[];
  totals: FileFigures;
  /** The overall target (lines) used by the status bar: the strictest lines target, if any. */
  overallTarget?: number;
  allTargetsMet: boolean;
  /** Milliseconds the analysis took. */
  durationMs: number;
}
