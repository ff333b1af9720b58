/**
 * What to mutate and how StrykerJS is configured for it.
 *
 * - `mutationTargetFor`: the `mutation` figure of the target rules matching a file (later rules win,
 *   like the coverage thresholds).
 * - `resolveMutate`: the files the user asked for (globs or paths, with an optional StrykerJS
 *   mutation range `:10-20`), else every source file with a mutation target; refuses, with the
 *   pattern, anything that matches no source file.
 * - `strykerOptions`: the StrykerJS options — mocha runner with the project's test globs and
 *   `require` hooks (e.g. `tsx/cjs`, so TypeScript runs as in `governance-coverage run`),
 *   per-test coverage analysis (each mutant runs only the tests that reach it), incremental mode
 *   always on with `force` for a full run (so every run leaves an incremental file for the next
 *   `--incremental`), the json + html reporters plus our progress reporter, and the sandbox in
 *   `<root>/.stryker-tmp/governance-*` (a folder of its own per run, removed after it).
 * A StrykerJS config file in the root (stryker.config.*) is still read by StrykerJS; the options
 * here override it.
 */
import * as fs from 'fs';
import * as path from 'path';
import fg from 'fast-glob';
import picomatch from 'picomatch';
import type { ResolvedConfig } from '../coverage/model';

/** A request that cannot run (no file to mutate); the message says what to change. */
export class MutationInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MutationInputError';
  }
}

const rel = (root: string, file: string) => path.relative(root, file).split(path.sep).join('/');

/** The mutation target (%) of a file relative to the root, if any rule gives one. */
export function mutationTargetFor(relative: string, config: ResolvedConfig): number | undefined {
  let out: number | undefined;
  for (const rule of config.targets) {
    if (rule.mutation !== undefined && picomatch.isMatch(relative, rule.glob, { dot: true })) out = rule.mutation;
  }
  return out;
}

const RANGE = /(:\d+(?::\d+)?-\d+(?::\d+)?)$/;

/** StrykerJS `mutate` patterns (relative to the root, sorted) for a request. */
export function resolveMutate(config: ResolvedConfig, files?: string[]): string[] {
  const ignore = ['**/node_modules/**', '**/*.d.ts'];
  if (!files?.length) {
    const sources = fg.sync(config.sourceGlobs, { cwd: config.root, ignore }).sort();
    const targeted = sources.filter((f) => mutationTargetFor(f, config) !== undefined);
    const out = targeted.length ? targeted : sources;
    if (!out.length) throw new MutationInputError(`No source file matches sourceGlobs ${JSON.stringify(config.sourceGlobs)} in ${config.root}.`);
    return out;
  }
  const out = new Set<string>();
  for (const pattern of files) {
    const range = RANGE.exec(pattern)?.[1] ?? '';
    const bare = range ? pattern.slice(0, -range.length) : pattern;
    const relative = path.isAbsolute(bare) ? rel(config.root, bare) : bare.split(path.sep).join('/');
    const matches = fg.isDynamicPattern(relative)
      ? fg.sync(relative, { cwd: config.root, ignore }).sort()
      : fs.existsSync(path.resolve(config.root, relative)) && fs.statSync(path.resolve(config.root, relative)).isFile() ? [relative] : [];
    if (!matches.length) throw new MutationInputError(`--files ${JSON.stringify(pattern)} matches no file under ${config.root}.`);
    if (matches.some((m) => m.startsWith('../'))) throw new MutationInputError(`--files ${JSON.stringify(pattern)} points outside the root ${config.root}.`);
    for (const m of matches) out.add(`${m}${range}`);
  }
  return [...out].sort();
}

/** Where a run keeps its reports (inside the workspace) and its sandbox (outside it). */
export interface MutationPaths {
  /** `<root>/<reportDir>/mutation` */
  reportDir: string;
  /** Folder the reporters write into; moved into `reportDir` when the run succeeds. */
  stagingDir: string;
  incrementalFile: string;
  /** Parent of StrykerJS's sandbox (its `tempDirName`). */
  sandboxParent: string;
}

/** Absolute path of the reporter plugin (plain CommonJS, found from the compiled or source tree). */
export function progressPluginPath(): string {
  const candidates = [path.join(__dirname, 'progressPlugin.cjs'), path.resolve(__dirname, '..', '..', '..', 'src', 'mutation', 'progressPlugin.cjs')];
  return candidates.find((c) => fs.existsSync(c)) ?? candidates[0];
}

/** The StrykerJS options of one run. */
export function strykerOptions(config: ResolvedConfig, mutate: string[], paths: MutationPaths, opts: { incremental?: boolean; concurrency?: number; logLevel?: string }): Record<string, unknown> {
  const reportRel = rel(config.root, path.resolve(config.root, config.reportDir));
  // The report folder's lock and staging folders beside it (reportFolder.ts) come and go while a
  // coverage run writes: StrykerJS must not copy them into its sandboxes (a lock gone between its
  // listing and its copy failed the whole mutation run).
  const beside = (name: string) => `/${path.posix.join(path.posix.dirname(reportRel), name)}`;
  const reportSide = [beside(`.${path.posix.basename(reportRel)}.lock`), beside(`.${path.posix.basename(reportRel)}.tmp-*`)];
  return {
    testRunner: 'mocha',
    plugins: ['@stryker-mutator/mocha-runner', progressPluginPath()],
    reporters: ['json', 'html', 'governance-progress'],
    jsonReporter: { fileName: path.join(paths.stagingDir, 'mutation.json') },
    htmlReporter: { fileName: path.join(paths.stagingDir, 'mutation.html') },
    coverageAnalysis: 'perTest',
    mutate,
    mochaOptions: { spec: config.testGlobs, require: config.require, ...(config.testIgnore?.length ? { ignore: config.testIgnore } : {}) },
    // node flags of the project's mocha setup (`node-option`, `--import=tsx`) for StrykerJS's test-runner processes
    ...(config.mocha?.nodeOptions.length ? { testRunnerNodeArgs: config.mocha.nodeOptions } : {}),
    incremental: true,
    force: !opts.incremental,
    incrementalFile: paths.incrementalFile,
    tempDirName: paths.sandboxParent,
    cleanTempDir: 'always',
    ignorePatterns: [`/${reportRel}`, ...reportSide, '/out', '/.vscode-test', '/test-results', '/.tmp', '/.stryker-tmp', '/reports', '*.vsix',
      // the embedded suite needs only src/governance, test/governance and the configs in the sandbox
      ...(config.embedded ? ['/test/editor', '/test/unit', '/test/fixtures', '/bench', '/docs'] : [])],
    checkers: [],
    logLevel: opts.logLevel ?? 'warn',
    fileLogLevel: 'off',
    allowConsoleColors: false,
    ...(opts.concurrency ? { concurrency: opts.concurrency } : {}),
  };
}
