#!/usr/bin/env node
/**
 * Headless entry: `governance-coverage run [--config F] [--root DIR] [--grep G] [--json] [--per-test]`,
 * and `governance-coverage mutate …` (test strength through StrykerJS, see mutation/cli.ts).
 *
 * Runs the suite with coverage (progress on a terminal), prints the table against targets, the
 * top gaps with hints and the closing `N passed, N failed` line; writes the reports.
 * `--json` prints one JSON document and nothing else.
 * Exit codes: 0 all tests pass and every target is met; 1 failures or below target; 2 usage or
 * configuration error.
 */
import * as path from 'path';
import {
  analyze, closingLine, ConfigError, loadConfig, loadConfigFile, renderHints, renderTable, startRun, writeReports,
  type Analysis, type FailureInfo, type RunResult,
} from './coverage/index';
import { mutateMain, MUTATE_USAGE } from './mutation/cli';

const USAGE = `Usage: governance-coverage run [--config FILE] [--root DIR] [--grep PATTERN] [--json] [--per-test] [--hints N]

  --config FILE   config file (default: governance-coverage.config.json or package.json#governanceCoverage
                  in the root; none: the embedded governance suite)
  --root DIR      workspace root (default: the current directory)
  --grep PATTERN  run only tests whose full title matches (regular expression)
  --json          print one JSON document (summary, per-file figures, targets, gaps with hints)
  --per-test      record per-test coverage (closest tests in the hints)
  --hints N       how many gaps to explain (default 5)`;

/** Parsed command line. */
export interface CliArgs {
  command: 'run';
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
  if (command !== 'run') throw command ? `unknown command "${command}"` : 'missing command';
  const args: CliArgs = { command, root: process.cwd(), json: false, perTest: false, hints: 5 };
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    const value = () => {
      const v = rest[++i];
      if (v === undefined || v.startsWith('--')) throw `${a} needs a value`;
      return v;
    };
    if (a === '--json') args.json = true;
    else if (a === '--per-test') args.perTest = true;
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
    } else throw `unknown option "${a}"`;
  }
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
  if (argv[0] === 'mutate') return mutateMain(argv.slice(1), out, err);
  let args: CliArgs;
  try {
    args = parseArgs(argv);
  } catch (e) {
    err.write(`governance-coverage: ${String(e)}\n\n${USAGE}\n\n${MUTATE_USAGE}\n`);
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
  const tty = !args.json && !!out.isTTY;
  const handle = startRun({ config, grep: args.grep, perTest: args.perTest });
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
  const analysis = await analyze(result, config);
  const reports = await writeReports(result, analysis, config);
  if (args.json) {
    out.write(`${JSON.stringify(jsonDocument(result, analysis, failures, reports), null, 2)}\n`);
  } else {
    for (const le of result.loadErrors) out.write(`LOAD ERROR ${path.relative(config.root, le.file)}: ${le.error.message}\n`);
    for (const f of failures) {
      const loc = f.failure.location ? ` (${path.relative(config.root, f.failure.location.file)}:${f.failure.location.line})` : '';
      out.write(`FAIL ${f.title}${loc}\n  ${f.failure.message.split('\n')[0]}\n`);
    }
    if (result.error) out.write(`ERROR ${result.error}\n`);
    if (result.loadErrors.length || failures.length || result.error) out.write('\n');
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
