#!/usr/bin/env node
/**
 * Headless entry: `governance-coverage run [--config F] [--root DIR] [--grep G] [--json] [--per-test]
 * [--shard k/n]` and `governance-coverage merge [--config F] [--root DIR] [--json] DIR…` (the shard
 * records of `run --shard` made one run: same table, gaps, hints and reports; src/continuous).
 *
 * Runs the suite with coverage (progress on a terminal), prints the table against targets, the
 * top gaps with hints and the closing `N passed, N failed` line; writes the reports.
 * `--json` prints one JSON document and nothing else.
 * Exit codes: 0 all tests pass and every target is met; 1 failures or below target; 2 usage or
 * configuration error.
 */
import * as path from 'path';
import {
  analyze, closingLine, ConfigError, findTestFiles, loadConfig, loadConfigFile, renderHints, renderTable, startRun, writeReports,
  type Analysis, type FailureInfo, type ResolvedConfig, type RunResult,
} from './coverage/index';
import { checkSplit, eventRecorder, parseShard, readDurations, readShards, splitShards, writeDurations, writeShard } from './continuous/shard';
import { mergeShards } from './continuous/merge';

const USAGE = `Usage: governance-coverage run [--config FILE] [--root DIR] [--grep PATTERN] [--json] [--per-test] [--hints N] [--shard k/n]
       governance-coverage merge [--config FILE] [--root DIR] [--json] [--hints N] DIR...

  --config FILE   config file (default: governance-coverage.config.json or package.json#governanceCoverage
                  in the root; none: the embedded governance suite)
  --root DIR      workspace root (default: the current directory)
  --grep PATTERN  run only tests whose full title matches (regular expression)
  --json          print one JSON document (summary, per-file figures, targets, gaps with hints)
  --per-test      record per-test coverage (closest tests in the hints; the default)
  --no-per-test   do not record per-test coverage
  --hints N       how many gaps to explain (default 5)
  --shard k/n     run the k-th of n parts of the test files (split by recorded duration) and write a
                  shard record into the report folder; no table (the merge prints it)
  merge DIR...    merge the shard records found in the DIRs (report folders of the shards)`;

/** Parsed command line. */
export interface CliArgs {
  command: 'run' | 'merge';
  /** `--shard k/n` */
  shard?: { k: number; n: number };
  /** merge: folders holding shard records */
  dirs: string[];
  config?: string;
  root: string;
  grep?: string;
  json: boolean;
  perTest: boolean;
  hints: number;
}

/** Parse argv (without node and script); throws a usage message string on error. */
export function parseArgs(argv: string[]): CliArgs {
  const [command, ...rest] = argv;
  if (command !== 'run' && command !== 'merge') throw command ? `unknown command "${command}"` : 'missing command';
  const args: CliArgs = { command, root: process.cwd(), json: false, perTest: true, hints: 5, dirs: [] };
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    const value = () => {
      const v = rest[++i];
      if (v === undefined || v.startsWith('--')) throw `${a} needs a value`;
      return v;
    };
    if (a === '--json') args.json = true;
    else if (a === '--per-test') args.perTest = true;
    else if (a === '--no-per-test') args.perTest = false;
    else if (a === '--config') args.config = path.resolve(value());
    else if (a === '--root') args.root = path.resolve(value());
    else if (a === '--grep') {
      args.grep = value();
      try {
        new RegExp(args.grep);
      } catch (e) {
        throw `--grep: invalid regular expression (${(e as Error).message})`;
      }
    } else if (a === '--hints') {
      args.hints = Number(value());
      if (!Number.isInteger(args.hints) || args.hints < 0) throw '--hints needs a non-negative integer';
    } else if (a === '--shard' && command === 'run') args.shard = parseShard(value());
    else if (command === 'merge' && !a.startsWith('--')) args.dirs.push(path.resolve(a));
    else throw `unknown option "${a}"`;
  }
  if (command === 'merge' && !args.dirs.length) throw 'merge needs the folders of the shard records';
  return args;
}

function jsonDocument(result: RunResult, analysis: Analysis, failures: Array<{ title: string; failure: FailureInfo }>, reports: string[]) {
  return {
    summary: {
      passed: result.stats.passed, failed: result.stats.failed, skipped: result.stats.skipped, total: result.stats.total,
      durationMs: result.stats.durationMs, cancelled: result.cancelled, timedOut: result.timedOut,
      ...(result.error ? { error: result.error } : {}),
      allTargetsMet: analysis.allTargetsMet, totals: analysis.totals,
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
    reports,
  };
}

/** Run the CLI; resolves to the exit code. */
export async function main(argv: string[], out: NodeJS.WriteStream = process.stdout, err: NodeJS.WriteStream = process.stderr): Promise<number> {
  let args: CliArgs;
  try {
    args = parseArgs(argv);
  } catch (e) {
    err.write(`governance-coverage: ${String(e)}\n\n${USAGE}\n`);
    return 2;
  }
  let config;
  try {
    config = args.config ? await loadConfigFile(args.config, argv.includes('--root') ? args.root : undefined) : await loadConfig(args.root);
  } catch (e) {
    if (e instanceof ConfigError) {
      err.write(`governance-coverage: invalid configuration\n${e.message}\n`);
      return 2;
    }
    throw e;
  }
  if (args.command === 'merge') return mergeCommand(args, config, out, err);
  const tty = !args.json && !!out.isTTY;
  const files = args.shard ? splitShards(config.root, await findTestFiles(config), readDurations(config), args.shard.n)[args.shard.k - 1] : undefined;
  const handle = startRun({ config, grep: args.grep, perTest: args.perTest || !!args.shard, files, keepRaw: !!args.shard });
  const recorder = eventRecorder(config.root);
  handle.onEvent(recorder.onEvent);
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
    if (e.type === 'output' && !args.json && e.stream === 'stderr' && /coverage collection failed/.test(e.text)) err.write(`${e.text}\n`);
  });
  const onSignal = () => handle.cancel();
  process.once('SIGINT', onSignal);
  const result = await handle.result;
  process.removeListener('SIGINT', onSignal);
  if (tty) out.write(`\r${' '.repeat((out.columns || 100) - 1)}\r`);
  if (args.shard) {
    // No durations file written: the other shards may still read it to split (the merge writes it).
    const file = writeShard(config, { format: 'governance-coverage-shard/1', ...args.shard, root: config.root, files: files ?? [], result, failures, durations: recorder.durations });
    const { k, n } = args.shard;
    if (args.json) out.write(`${JSON.stringify({ shard: `${k}/${n}`, files: (files ?? []).map((f) => path.relative(config.root, f)), stats: result.stats, record: file, ...(result.error ? { error: result.error } : {}) }, null, 2)}\n`);
    else {
      printProblems(result, failures, config, out);
      out.write(`Shard ${k}/${n}: ${(files ?? []).length} test file(s). Record: ${path.relative(config.root, file)} (merge the shards with governance-coverage merge)\n${closingLine(result.stats)}\n`);
    }
    return result.stats.failed === 0 && result.loadErrors.length === 0 && !result.error && !result.cancelled ? 0 : 1;
  }
  const code = await report(result, failures, config, args, out);
  // After the reports (their folder may be replaced as a whole): the split of the next sharded run.
  if (!result.cancelled && !result.error) writeDurations(config, recorder.durations);
  return code;
}

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
  const code = await report(result, shards.flatMap((s) => s.failures), config, args, out);
  writeDurations(config, Object.assign({}, ...shards.map((s) => s.durations)));
  return code;
}

function printProblems(result: RunResult, failures: Array<{ title: string; failure: FailureInfo }>, config: ResolvedConfig, out: NodeJS.WriteStream): void {
  for (const le of result.loadErrors) out.write(`LOAD ERROR ${path.relative(config.root, le.file)}: ${le.error.message}\n`);
  for (const f of failures) {
    const loc = f.failure.location ? ` (${path.relative(config.root, f.failure.location.file)}:${f.failure.location.line})` : '';
    out.write(`FAIL ${f.title}${loc}\n  ${f.failure.message.split('\n')[0]}\n`);
  }
  if (result.error) out.write(`ERROR ${result.error}\n`);
  if (result.loadErrors.length || failures.length || result.error) out.write('\n');
}

/** Analysis, reports and the printed outcome of a run (or of merged shards); resolves to the exit code. */
async function report(result: RunResult, failures: Array<{ title: string; failure: FailureInfo }>, config: ResolvedConfig, args: CliArgs, out: NodeJS.WriteStream): Promise<number> {
  const analysis = await analyze(result, config);
  const reports = await writeReports(result, analysis, config);
  if (args.json) {
    out.write(`${JSON.stringify(jsonDocument(result, analysis, failures, reports), null, 2)}\n`);
  } else {
    printProblems(result, failures, config, out);
    out.write(`${renderTable(analysis)}\n\n`);
    if (args.hints > 0) out.write(`${renderHints(analysis, args.hints)}\n\n`);
    out.write(`Reports: ${path.relative(config.root, path.dirname(reports[0])) || '.'}/ (lcov.info, coverage-final.json, coverage-summary.json, index.html, gap-closure-plan.md)\n`);
    out.write(`${closingLine(result.stats)}\n`);
  }
  const ok = result.stats.failed === 0 && result.loadErrors.length === 0 && !result.error && !result.cancelled && analysis.allTargetsMet;
  return ok ? 0 : 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`governance-coverage: ${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = 2;
    },
  );
}
