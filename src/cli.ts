#!/usr/bin/env node
/**
 * Headless entry: `governance-coverage run [--config F] [--root DIR] [--grep G] [--json] [--per-test] [--node N]`,
 * `governance-coverage report --from <lcov.info | coverage-final.json | cobertura.xml>`
 * and `governance-coverage mutate …` (test strength through StrykerJS, see mutation/cli.ts).
 * `run --shard k/n` runs one part of the test files and writes a shard record; `merge DIR…` makes
 * one run of the shard records: the same table, gaps, hints and reports (src/continuous).
 *
 * Runs the suite with coverage (progress on a terminal), prints the table against targets, the
 * top gaps with hints and the closing `N passed, N failed` line; writes the reports.
 * `--json` prints one JSON document and nothing else.
 * Exit codes: 0 all tests pass and every target is met; 1 failures, below target, no test or
 * no source file found, or interrupted (SIGINT/SIGTERM/SIGHUP, watchdog, a crashed test process);
 * 2 usage, configuration or environment error (a missing --root, reports that cannot be written).
 * An interrupted run writes no reports (the previous ones are kept); a signal ends the test
 * process and everything it started (runner.ts) before the CLI exits.
 */
import * as fs from 'fs';
import * as path from 'path';
import {
  analyze, closingLine, ConfigError, findRoots, loadConfig, loadConfigFile, NoSetupError, readCoverageReport, renderHints, renderTable, reportResult,
  ReportWriteError, resolveNode, runComplete, RuntimeError, startRun, writeReports,
  type Analysis, type FailureInfo, type ResolvedConfig, type RunHandle, type RunResult,
} from './coverage/index';
import { ReportError } from './coverage/importReport';
import { isPackagedSuite } from './coverage/config';
import { mutateMain, MUTATE_USAGE } from './mutation/cli';
import { checkSplit, eventRecorder, parseShard, readDurations, readShards, splitShards, writeDurations, writeShard } from './continuous/shard';
import { mergeShards } from './continuous/merge';
import { findTestFiles } from './coverage/runner';
import { integerOption, readOptions, type OptionSpec } from './coverage/argv';

const USAGE = `Usage: governance-coverage run [--config FILE] [--root DIR] [--grep PATTERN] [--json] [--per-test] [--hints N] [--node PATH]
       governance-coverage report --from REPORT [--config FILE] [--root DIR] [--json] [--hints N]
       governance-coverage run --shard k/n [options of run]
       governance-coverage merge [--config FILE] [--root DIR] [--json] [--hints N] DIR...

  run             run the root's mocha tests with coverage: the root's own mocha setup (.mocharc.*,
                  package.json "mocha", the mocha command of an npm script) with our config on top
  report          the same table, gaps and hints for coverage made elsewhere (c8, nyc, CI), running nothing
  --from REPORT   lcov.info, coverage-final.json or cobertura.xml (relative paths in it: from the root)
  --config FILE   our config file (default: governance-coverage.config.json or package.json#governanceCoverage
                  in the root); its globs, requires and reportDir are relative to the root, not to the file
  --root DIR      workspace root (default: the current directory); this project's root without a config
                  runs the embedded governance suite
  --grep PATTERN  run only tests whose full title matches (regular expression)
  --json          print one JSON document (summary, per-file figures, targets, gaps with hints)
  --per-test      record per-test coverage (closest tests in the hints; the default)
  --no-per-test   do not record per-test coverage
  --shard k/n     run the k-th of n parts of the test files (split by file and the durations in
                  <reportDir>/test-durations.json) and write a shard record into the report folder
  merge DIR...    merge the shard records in the DIRs (the shards' report folders) into one run
  --hints N       how many gaps to explain (default 5)
  --node PATH     the Node.js that runs the tests (default: node on PATH, else this one)`;

/** Parsed command line. */
export interface CliArgs {
  command: 'run' | 'report' | 'merge';
  /** `--shard k/n` */
  shard?: { k: number; n: number };
  /** merge: folders (or files) holding shard records */
  dirs: string[];
  config?: string;
  root: string;
  grep?: string;
  json: boolean;
  perTest: boolean;
  hints: number;
  node?: string;
  from?: string;
}

const RUN_OPTIONS: OptionSpec = {
  json: 'boolean', 'per-test': 'boolean', 'no-per-test': 'boolean', config: 'string', root: 'string', grep: 'string', hints: 'string',
};
const COMMAND_OPTIONS: Record<CliArgs['command'], OptionSpec> = {
  run: { ...RUN_OPTIONS, shard: 'string', node: 'string' },
  report: { ...RUN_OPTIONS, from: 'string' },
  merge: RUN_OPTIONS,
};

/** Parse argv (without node and script); throws a usage message string on error. */
export function parseArgs(argv: string[]): CliArgs {
  const [command, ...rest] = argv;
  if (command !== 'run' && command !== 'report' && command !== 'merge') throw command ? `unknown command "${command}"` : 'missing command';
  const args: CliArgs = { command, root: process.cwd(), json: false, perTest: true, hints: 5, dirs: [] };
  for (const t of readOptions(rest, COMMAND_OPTIONS[command], command === 'merge')) {
    if (t.kind === 'positional') args.dirs.push(path.resolve(t.value));
    else if (t.name === '--json') args.json = true;
    else if (t.name === '--per-test' || t.name === '--no-per-test') args.perTest = t.name === '--per-test';
    else if (t.name === '--shard') args.shard = parseShard(t.value as string);
    else if (t.name === '--config') args.config = path.resolve(t.value as string);
    else if (t.name === '--root') args.root = path.resolve(t.value as string);
    else if (t.name === '--node') args.node = t.value;
    else if (t.name === '--from') args.from = path.resolve(t.value as string);
    else if (t.name === '--hints') args.hints = integerOption(t, 0);
    else if (t.name === '--grep') args.grep = validRegExp(t.value as string);
  }
  if (command === 'report' && !args.from) throw 'report needs --from REPORT';
  if (command === 'merge' && !args.dirs.length) throw 'merge needs the folders of the shard records';
  return args;
}

function validRegExp(pattern: string): string {
  try {
    new RegExp(pattern);
  } catch (e) {
    throw `--grep: invalid regular expression (${(e as Error).message})`;
  }
  return pattern;
}

/**
 * Why a finished run cannot be green although nothing failed: no source file measured. (No test
 * file or no test is the runner's error, see `emptyRunError` in runner.ts.)
 */
export function emptinessProblem(config: ResolvedConfig, result: RunResult, analysis: Analysis): string | undefined {
  if (!runComplete(result) || result.loadErrors.length || result.stats.total === 0) return undefined;
  if (analysis.files.length === 0) return `no coverage measured: sourceGlobs ${config.sourceGlobs.map((x) => JSON.stringify(x)).join(', ')} matched no source file under ${config.root}`;
  return undefined;
}

function jsonDocument(result: RunResult, analysis: Analysis, failures: Array<{ title: string; failure: FailureInfo }>, reports: string[], problem?: string) {
  const complete = runComplete(result);
  return {
    summary: {
      passed: result.stats.passed, failed: result.stats.failed, skipped: result.stats.skipped, total: result.stats.total,
      durationMs: result.stats.durationMs, cancelled: result.cancelled, timedOut: result.timedOut, complete,
      ...(result.error ? { error: result.error } : {}),
      ...(problem ? { problem } : {}),
      allTargetsMet: complete && !problem && analysis.allTargetsMet, totals: analysis.totals,
    },
    files: analysis.files.map((f) => ({
      file: f.relative, path: f.file, figures: f.figures, target: f.target ?? null, meetsTarget: f.meetsTarget, failing: f.failing, needed: f.needed,
      gaps: f.gaps.map((g) => ({
        qualifiedName: g.qualifiedName, functionRange: g.functionRange, uncoveredRanges: g.uncoveredRanges, branches: g.branches,
        functionCalled: g.functionCalled, closestTests: g.closestTests, gain: g.gain, hint: g.hint,
      })),
    })),
    loadErrors: result.loadErrors,
    failures,
    ...(result.warnings ? { warnings: result.warnings } : {}),
    reports,
  };
}

/** SIGINT/SIGTERM/SIGHUP cancel the run (its processes are killed); a second signal exits at once. */
function onSignals(handle: RunHandle): { signal?: NodeJS.Signals; dispose(): void } {
  const state: { signal?: NodeJS.Signals; dispose(): void } = { dispose: () => undefined };
  const listener = (sig: NodeJS.Signals) => {
    handle.cancel();
    if (state.signal) process.exit(1);
    state.signal = sig;
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const sig of signals) process.on(sig, listener);
  state.dispose = () => signals.forEach((sig) => process.removeListener(sig, listener));
  return state;
}

/** Run the CLI; resolves to the exit code. */
export async function main(argv: string[], out: NodeJS.WriteStream = process.stdout, err: NodeJS.WriteStream = process.stderr): Promise<number> {
  if (argv[0] === 'mutate') return mutateMain(argv.slice(1), out, err);
  let args: CliArgs;
  try {
    args = parseArgs(argv);
  } catch (e) {
    err.write(`governance-coverage: ${String(e)}\n\n${USAGE}\n\n${MUTATE_USAGE}\n`);
    return 2;
  }
  const root = fs.statSync(args.root, { throwIfNoEntry: false });
  if (!root?.isDirectory()) {
    err.write(`governance-coverage: --root ${args.root}: ${root ? 'not a folder' : 'no such folder'}\n`);
    return 2;
  }
  let config: ResolvedConfig;
  let node: string | undefined;
  try {
    node = args.command === 'run' ? (await resolveNode(args.node)).path : undefined;
    config = args.config ? await loadConfigFile(args.config, args.root, { node }) : await loadConfig(args.root, { node });
  } catch (e) {
    const setupError = e instanceof ConfigError || e instanceof NoSetupError || e instanceof RuntimeError;
    if (!setupError) throw e;
    err.write(`governance-coverage: ${e instanceof ConfigError ? 'invalid configuration\n' : ''}${e.message}\n`);
    if (e instanceof NoSetupError) {
      const nested = await findRoots(args.root);
      if (nested.length) err.write(`It holds packages with their own mocha setup; run each with --root:\n${nested.map((r) => `  --root ${path.relative(process.cwd(), r) || '.'}`).join('\n')}\n`);
    }
    return 2;
  }
  // The packaged demo's reports go to the current folder's coverage/ (never into the package).
  if (isPackagedSuite(config)) config = { ...config, reportDir: path.resolve('coverage') };
  if (args.command === 'report') return report(args, config, out, err);
  if (args.command === 'merge') return mergeCommand(args, config, out, err);
  const tty = !args.json && !!out.isTTY;
  const files = args.shard ? splitShards(config.root, await findTestFiles(config), readDurations(config), args.shard.n)[args.shard.k - 1] : undefined;
  const handle = startRun({ config, grep: args.grep, perTest: args.perTest || !!args.shard, node, files, keepRaw: !!args.shard });
  const recorder = eventRecorder(config.root);
  handle.onEvent(recorder.onEvent);
  const signals = onSignals(handle);
  const failures: Array<{ title: string; failure: FailureInfo }> = [];
  let total = 0;
  let done = 0;
  handle.onEvent((e) => {
    if (e.type === 'start') total = e.total;
    else if (e.type === 'testFail') failures.push({ title: e.titlePath.join(' '), failure: e.failure });
    if (e.type === 'testPass' || e.type === 'testFail' || e.type === 'testSkip') done++;
    if (tty && (e.type === 'testStart' || e.type === 'testPass' || e.type === 'testFail')) {
      const line = `  [${done}/${total}] ${path.relative(config.root, e.file)}`;
      out.write(`\r${line.slice(0, (out.columns || 100) - 1).padEnd((out.columns || 100) - 1)}`);
    }
    if (e.type === 'output' && !args.json && e.stream === 'stderr' && /coverage collection failed|^warning: /.test(e.text)) err.write(`${e.text}\n`);
  });
  try {
    const result = await handle.result;
    if (signals.signal && !result.error) result.error = `interrupted by ${signals.signal}`;
    if (tty) out.write(`\r${' '.repeat((out.columns || 100) - 1)}\r`);
    if (args.shard) return shardDone(args, args.shard, config, result, failures, files ?? [], recorder.durations, out);
    const analysis = await analyze(result, config);
    const problem = emptinessProblem(config, result, analysis);
    let reports: string[] = [];
    let reportError: string | undefined;
    try {
      if (!signals.signal) reports = await writeReports(result, analysis, config);
    } catch (e) {
      if (!(e instanceof ReportWriteError)) throw e;
      reportError = e.message;
    }
    print(args, config, result, analysis, failures, reports, out, problem);
    // After the reports (their folder is swapped in whole): what the next sharded run splits by.
    if (reports.length) writeDurations(config, recorder.durations);
    if (reportError) {
      err.write(`governance-coverage: ${reportError}\n`);
      return 2;
    }
    const ok = result.stats.failed === 0 && result.loadErrors.length === 0 && runComplete(result) && !problem && analysis.allTargetsMet;
    return ok ? 0 : 1;
  } finally {
    signals.dispose();
  }
}

/** A shard's end: its record in the report folder (no table: the merge prints it). */
function shardDone(
  args: CliArgs, shard: { k: number; n: number }, config: ResolvedConfig, result: RunResult,
  failures: Array<{ title: string; failure: FailureInfo }>, files: string[], durations: Record<string, number>, out: NodeJS.WriteStream,
): number {
  // No durations file written: the other shards may still read it to split (the merge writes it).
  const file = writeShard(config, { format: 'governance-coverage-shard/1', ...shard, root: config.root, files, result, failures, durations });
  const { k, n } = shard;
  if (args.json) {
    out.write(`${JSON.stringify({ shard: `${k}/${n}`, files: files.map((f) => path.relative(config.root, f)), stats: result.stats, record: file, ...(result.error ? { error: result.error } : {}) }, null, 2)}\n`);
  } else {
    for (const f of failures) out.write(`FAIL ${f.title}\n  ${f.failure.message.split('\n')[0]}\n`);
    if (result.error) out.write(`ERROR ${result.error}\n`);
    out.write(`Shard ${k}/${n}: ${files.length} test file(s). Record: ${path.relative(config.root, file)} (merge the shards with governance-coverage merge)\n${closingLine(result.stats)}\n`);
  }
  return result.stats.failed === 0 && result.loadErrors.length === 0 && runComplete(result) ? 0 : 1;
}

/** `merge DIR…`: the shard records as one run — the same table, gaps, hints, reports and exit code. */
async function mergeCommand(args: CliArgs, config: ResolvedConfig, out: NodeJS.WriteStream, err: NodeJS.WriteStream): Promise<number> {
  let shards;
  try {
    shards = readShards(args.dirs);
    checkSplit(shards, await findTestFiles(config), config.root);
  } catch (e) {
    err.write(`governance-coverage merge: ${String(e)}\n`);
    return 2;
  }
  const result = await mergeShards(shards, config);
  const failures = shards.flatMap((s) => s.failures);
  const analysis = await analyze(result, config);
  const problem = emptinessProblem(config, result, analysis);
  let reports: string[];
  try {
    reports = await writeReports(result, analysis, config);
  } catch (e) {
    if (!(e instanceof ReportWriteError)) throw e;
    err.write(`governance-coverage: ${e.message}\n`);
    return 2;
  }
  print(args, config, result, analysis, failures, reports, out, problem);
  writeDurations(config, Object.assign({}, ...shards.map((s) => s.durations)));
  const ok = result.stats.failed === 0 && result.loadErrors.length === 0 && runComplete(result) && !problem && analysis.allTargetsMet;
  return ok ? 0 : 1;
}

/** `report --from`: the analysis of coverage made elsewhere; exit 0 when every target is met. */
async function report(args: CliArgs, config: ResolvedConfig, out: NodeJS.WriteStream, err: NodeJS.WriteStream): Promise<number> {
  let result: RunResult;
  try {
    result = reportResult(readCoverageReport(args.from!, config.root));
  } catch (e) {
    if (!(e instanceof ReportError)) throw e;
    err.write(`governance-coverage: ${e.message}\n`);
    return 2;
  }
  const analysis = await analyze(result, config);
  if (args.json) out.write(`${JSON.stringify(jsonDocument(result, analysis, [], []), null, 2)}\n`);
  else {
    out.write(`${renderTable(analysis)}\n\n`);
    if (args.hints > 0) out.write(`${renderHints(analysis, args.hints)}\n\n`);
    out.write(`Coverage from ${path.relative(config.root, args.from!) || args.from}: ${analysis.files.length} file(s), no tests run\n`);
  }
  return analysis.allTargetsMet ? 0 : 1;
}

function print(
  args: CliArgs, config: ResolvedConfig, result: RunResult, analysis: Analysis,
  failures: Array<{ title: string; failure: FailureInfo }>, reports: string[], out: NodeJS.WriteStream, problem?: string,
): void {
  if (args.json) {
    out.write(`${JSON.stringify(jsonDocument(result, analysis, failures, reports, problem), null, 2)}\n`);
    return;
  }
  for (const le of result.loadErrors) out.write(`LOAD ERROR ${path.relative(config.root, le.file)}: ${le.error.message}\n`);
  for (const f of failures) {
    const loc = f.failure.location ? ` (${path.relative(config.root, f.failure.location.file)}:${f.failure.location.line})` : '';
    out.write(`FAIL ${f.title}${loc}\n  ${f.failure.message.split('\n')[0]}\n`);
  }
  if (result.error) out.write(`ERROR ${result.error}\n`);
  if (problem) out.write(`ERROR ${problem}\n`);
  if (result.loadErrors.length || failures.length || result.error || problem) out.write('\n');
  if (runComplete(result)) {
    out.write(`${renderTable(analysis)}\n\n`);
    if (args.hints > 0) out.write(`${renderHints(analysis, args.hints)}\n\n`);
  }
  const dir = path.relative(isPackagedSuite(config) ? process.cwd() : config.root, path.resolve(config.root, config.reportDir)) || '.';
  if (reports.length) out.write(`Reports: ${dir}/ (lcov.info, coverage-final.json, coverage-summary.json, index.html, gap-closure-plan.md)\n`);
  else if (!runComplete(result)) out.write(`Reports: not written, the run did not complete (the previous reports in ${dir}/ are kept)\n`);
  out.write(`${closingLine(result.stats)}\n`);
}

if (require.main === module) {
  // Exit once the output is written: nothing a test left behind may keep the CLI alive.
  const exit = (code: number) => {
    process.exitCode = code;
    setTimeout(() => process.exit(code), 200).unref();
  };
  main(process.argv.slice(2)).then(exit, (e) => {
    process.stderr.write(`governance-coverage: ${(e as Error).stack ?? String(e)}\n`);
    exit(2);
  });
}
