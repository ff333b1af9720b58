/**
 * `governance-coverage mutate [--files GLOB]... [--incremental] [--json] [--config F] [--root DIR]
 * [--concurrency N] [--hints N]`: a StrykerJS run through the engine (run.ts), the per-file
 * mutation scores against the `mutation` targets, the top surviving-mutant gaps with their hints,
 * reports in `<reportDir>/mutation/` (StrykerJS's mutation-testing-report-schema JSON and HTML,
 * the incremental file) and the plan's "Test strength" section.
 * Exit codes: 0 every mutated file meets its mutation target; 1 below target, or the run failed /
 * was cancelled; 2 usage or configuration error (or `--files` matching nothing).
 */
import * as path from 'path';
import { ConfigError, loadConfig, loadConfigFile } from '../coverage/config';
import { integerOption, readOptions, type OptionSpec } from '../coverage/argv';
import { analyzeMutation, loadEquivalents } from './analyze';
import type { MutationAnalysis, MutationRunResult } from './model';
import { MutationInputError } from './options';
import { writeStrengthSection } from './plan';
import { startMutation } from './run';

export const MUTATE_USAGE = `Usage: governance-coverage mutate [--files GLOB]... [--incremental] [--json] [--config FILE] [--root DIR] [--concurrency N] [--hints N]

  --files GLOB     mutate only these files (glob or path relative to the root, repeatable, or
                   comma-separated; a StrykerJS range like src/a.ts:10-20 is kept). Default: every
                   source file with a "mutation" target
  --incremental    reuse the last run's results for unchanged code and tests (StrykerJS incremental)
  --json           print one JSON document (scores, targets, gaps with hints)
  --config FILE    config file (as for "run")
  --root DIR       workspace root (default: the current directory)
  --concurrency N  test-runner processes (default: StrykerJS's choice for this machine)
  --hints N        how many gaps to explain (default 5)`;

export interface MutateArgs {
  config?: string;
  root: string;
  files: string[];
  incremental: boolean;
  json: boolean;
  concurrency?: number;
  hints: number;
}

const MUTATE_OPTIONS: OptionSpec = { json: 'boolean', incremental: 'boolean', files: 'string', config: 'string', root: 'string', concurrency: 'string', hints: 'string' };

/** Parse `mutate`'s options (argv after the command); throws a usage message string. */
export function parseMutateArgs(rest: string[]): MutateArgs {
  const args: MutateArgs = { root: process.cwd(), files: [], incremental: false, json: false, hints: 5 };
  for (const t of readOptions(rest, MUTATE_OPTIONS)) {
    if (t.kind !== 'option') continue;
    if (t.name === '--json') args.json = true;
    else if (t.name === '--incremental') args.incremental = true;
    else if (t.name === '--files') args.files.push(...(t.value as string).split(',').filter(Boolean));
    else if (t.name === '--config') args.config = path.resolve(t.value as string);
    else if (t.name === '--root') args.root = path.resolve(t.value as string);
    else if (t.name === '--concurrency') args.concurrency = integerOption(t, 1);
    else if (t.name === '--hints') args.hints = integerOption(t, 0);
  }
  return args;
}

const pct = (n: number) => `${(Math.floor(n * 10) / 10).toFixed(1)}%`;

/** The per-file table. */
export function renderMutationTable(analysis: MutationAnalysis): string {
  const rows = analysis.files.map((f) => [f.relative, pct(f.score.pct), String(f.score.killed + f.score.timeout), String(f.score.survived), String(f.score.noCoverage),
    f.target !== undefined ? `${f.target}%` : '-', f.meetsTarget ? 'ok' : 'BELOW', String(f.needed)]);
  const t = analysis.totals;
  const all = [['File', 'Score', 'Killed', 'Survived', 'NoCov', 'Target', 'Status', 'Mutants needed'], ...rows,
    ['All files', pct(t.pct), String(t.detected), String(t.survived), String(t.noCoverage), analysis.overallTarget !== undefined ? `${analysis.overallTarget}%` : '-', analysis.allTargetsMet ? 'ok' : 'BELOW', '']];
  const widths = all[0].map((_, c) => Math.max(...all.map((r) => r[c].length)));
  const line = (r: string[]) => r.map((cell, c) => (c === 0 || c === 6 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ').trimEnd();
  return [line(all[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...all.slice(1, -1).map(line), line(all[all.length - 1])].join('\n');
}

/** The top gaps' hints, files below target first. */
export function renderMutationHints(analysis: MutationAnalysis, n: number): string {
  const gaps = [...analysis.files].sort((a, b) => Number(a.meetsTarget) - Number(b.meetsTarget) || b.needed - a.needed).flatMap((f) => f.gaps);
  if (!gaps.length) return 'No surviving or uncovered mutant.';
  const top = gaps.slice(0, n);
  return [`Top ${top.length} test-strength gap${top.length === 1 ? '' : 's'}:`, ...top.map((g) => g.hint.text)].join('\n\n');
}

/** `N mutants: K killed, S survived, U not covered — score x% (tested T, reused R)` */
export function mutationClosingLine(analysis: MutationAnalysis, result: MutationRunResult): string {
  const t = analysis.totals;
  return `${t.valid} mutants: ${t.detected} killed, ${t.survived} survived, ${t.noCoverage} not covered — score ${pct(t.pct)} (tested ${result.tested}, earlier results ${result.early})`;
}

function jsonDocument(result: MutationRunResult, analysis: MutationAnalysis | undefined, reports: string[]) {
  return {
    summary: {
      cancelled: result.cancelled, ...(result.error ? { error: result.error } : {}), durationMs: result.durationMs, mutate: result.mutate,
      tested: result.tested, early: result.early, ...(analysis ? { totals: analysis.totals, allTargetsMet: analysis.allTargetsMet } : {}),
    },
    staleEquivalents: analysis?.staleEquivalents ?? [],
    killedEquivalents: analysis?.killedEquivalents ?? [],
    files: (analysis?.files ?? []).map((f) => ({
      file: f.relative, score: f.score, target: f.target ?? null, meetsTarget: f.meetsTarget, needed: f.needed,
      gaps: f.gaps.map((g) => ({ qualifiedName: g.qualifiedName, functionRange: g.functionRange, gain: g.gain, mutants: g.mutants, hint: g.hint })),
    })),
    reports,
  };
}

/** Run `governance-coverage mutate`; resolves to the exit code. */
export async function mutateMain(rest: string[], out: NodeJS.WriteStream, err: NodeJS.WriteStream): Promise<number> {
  let args: MutateArgs;
  try {
    args = parseMutateArgs(rest);
  } catch (e) {
    err.write(`governance-coverage: ${String(e)}\n\n${MUTATE_USAGE}\n`);
    return 2;
  }
  let handle;
  let config;
  try {
    config = args.config ? await loadConfigFile(args.config, rest.includes('--root') ? args.root : undefined) : await loadConfig(args.root);
    loadEquivalents(config); // a malformed list is refused before the run
    handle = startMutation({ config, files: args.files, incremental: args.incremental, concurrency: args.concurrency });
  } catch (e) {
    if (e instanceof ConfigError || e instanceof MutationInputError) {
      err.write(`governance-coverage: ${e instanceof ConfigError ? `invalid configuration\n${e.message}` : e.message}\n`);
      return 2;
    }
    throw e;
  }
  const tty = !args.json && !!out.isTTY;
  handle.onEvent((e) => {
    if (tty && e.type === 'mutant') out.write(`\r  [${e.done}/${e.total}] ${path.relative(config.root, e.file)}`.padEnd((out.columns || 100) - 1).slice(0, (out.columns || 100) - 1));
    else if (tty && e.type === 'plan') out.write(`\r  ${e.total} mutants, ${e.run} to test, ${e.early} with earlier results`);
  });
  const onSignal = () => handle.cancel();
  process.once('SIGINT', onSignal);
  const result = await handle.result;
  process.removeListener('SIGINT', onSignal);
  if (tty) out.write(`\r${' '.repeat((out.columns || 100) - 1)}\r`);
  const analysis = result.report ? analyzeMutation(result.report, config) : undefined;
  const reports = [...result.reportFiles, ...(analysis ? await writeStrengthSection(analysis, config) : [])];
  if (args.json) out.write(`${JSON.stringify(jsonDocument(result, analysis, reports), null, 2)}\n`);
  else {
    if (result.error) out.write(`ERROR ${result.error}\n\n`);
    if (result.cancelled) out.write('Cancelled: no report written.\n');
    if (analysis) {
      out.write(`${renderMutationTable(analysis)}\n\n`);
      if (analysis.totals.equivalent) out.write(`${analysis.totals.equivalent} surviving mutant(s) listed as equivalent in ${path.relative(config.root, config.equivalentMutants ?? '')} (not counted).\n\n`);
      for (const stale of analysis.staleEquivalents) out.write(`STALE equivalent-mutant entry: ${stale}\n`);
      for (const killed of analysis.killedEquivalents) out.write(`Listed as equivalent but detected: ${killed}\n`);
      if (analysis.staleEquivalents.length || analysis.killedEquivalents.length) out.write('\n');
      if (args.hints > 0) out.write(`${renderMutationHints(analysis, args.hints)}\n\n`);
      out.write(`Reports: ${path.relative(config.root, path.resolve(config.root, config.reportDir, 'mutation')) || '.'}/ (mutation.json, mutation.html, stryker-incremental.json, test-strength.md) and the plan's "Test strength" section\n`);
      out.write(`${mutationClosingLine(analysis, result)}\n`);
    }
  }
  return analysis && analysis.allTargetsMet && !result.error && !result.cancelled ? 0 : 1;
}
