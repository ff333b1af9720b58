/**
 * `analyze`: per-file figures against targets, the lines still needed, and the gaps — uncovered
 * lines and untaken branch sides grouped by enclosing named function (qualified name), with the
 * tests that reach the function but miss the gap (per-test data), each gap's gain and a hint —
 * in the greedy order that reaches the target fastest (biggest gain on the failing metrics first).
 *
 * The gaps themselves (grouping, merging, hints) are built in gaps.ts.
 *
 * Fast by construction: sources are parsed once per content hash (ast.ts), branch candidates
 * once per parse, fixtures once per change of the fixture files.
 */
import * as fs from 'fs';
import * as path from 'path';
import libCoverage from 'istanbul-lib-coverage';
import picomatch from 'picomatch';
import { parseSource } from './ast';
import { gapContext, gapsOf, type GapContext } from './gaps';
import type { Analysis, FileCoverageData, FileFigures, FileReport, Gap, Metric, ResolvedConfig, RunResult, TestCoverage, Thresholds } from './model';

const METRICS = ['lines', 'branches', 'functions', 'statements'] as const;

function metric(total: number, covered: number): Metric {
  return { total, covered, pct: total === 0 ? 100 : (covered / total) * 100 };
}

/** Figures of one file's coverage. */
export function figuresOf(data: FileCoverageData): FileFigures {
  const s = libCoverage.createFileCoverage(data).toSummary();
  return {
    lines: metric(s.lines.total, s.lines.covered),
    branches: metric(s.branches.total, s.branches.covered),
    functions: metric(s.functions.total, s.functions.covered),
    statements: metric(s.statements.total, s.statements.covered),
  };
}

/** The target for a file: the matching rules merged in order (later rules override per metric). */
export function targetFor(relative: string, config: ResolvedConfig): Thresholds | undefined {
  let out: Thresholds | undefined;
  for (const rule of config.targets) {
    if (!picomatch.isMatch(relative, rule.glob, { dot: true })) continue;
    out ??= {};
    for (const m of METRICS) if (rule[m] !== undefined) out[m] = rule[m];
  }
  return out;
}

/** Covered items still needed to reach `pct` of `m`. */
export function neededFor(m: Metric, pct: number | undefined): number {
  if (pct === undefined) return 0;
  return Math.max(0, Math.ceil((pct * m.total) / 100 - 1e-9) - m.covered);
}

/** Hold a run's coverage against the config's targets and explain every gap. */
export async function analyze(result: RunResult, config: ResolvedConfig): Promise<Analysis> {
  const started = performance.now();
  const isSource = picomatch(config.sourceGlobs, { dot: true });
  let ctx: GapContext | undefined;
  const files: FileReport[] = [];
  // Per-test data inverted once: file → the tests that executed something in it.
  let testsByFile: Map<string, Array<[string, TestCoverage[string]]>> | undefined;
  if (result.perTest) {
    testsByFile = new Map();
    for (const [tid, tc] of Object.entries(result.perTest)) {
      for (const [file, entry] of Object.entries(tc)) {
        let list = testsByFile.get(file);
        if (!list) testsByFile.set(file, (list = []));
        list.push([tid, entry]);
      }
    }
  }
  const totals = { lines: [0, 0], branches: [0, 0], functions: [0, 0], statements: [0, 0] } as Record<(typeof METRICS)[number], [number, number]>;
  for (const file of Object.keys(result.coverage).sort()) {
    const relative = path.relative(config.root, file).split(path.sep).join('/');
    if (!isSource(relative)) continue;
    const data = result.coverage[file] as FileCoverageData;
    const figures = figuresOf(data);
    for (const m of METRICS) {
      totals[m][0] += figures[m].total;
      totals[m][1] += figures[m].covered;
    }
    const target = targetFor(relative, config);
    const failing = METRICS.filter((m) => target?.[m] !== undefined && figures[m].pct < target[m]! - 1e-9);
    const needed = { lines: 0, branches: 0, functions: 0, statements: 0 };
    for (const m of METRICS) needed[m] = neededFor(figures[m], target?.[m]);
    let gaps: Gap[] = [];
    const hasGaps = figures.lines.covered < figures.lines.total || figures.branches.covered < figures.branches.total;
    if (hasGaps && fs.existsSync(file)) {
      ctx ??= gapContext(config, result, Object.keys(result.coverage).filter((f) => isSource(path.relative(config.root, f).split(path.sep).join('/'))));
      gaps = gapsOf(ctx, file, relative, data, parseSource(file), new Set(failing), testsByFile?.get(file));
    }
    files.push({ file, relative, figures, ...(target ? { target } : {}), meetsTarget: failing.length === 0, failing, needed, gaps });
  }
  const lineTargets = files.map((f) => f.target?.lines).filter((x): x is number => x !== undefined);
  return {
    root: config.root,
    files,
    totals: {
      lines: metric(totals.lines[0], totals.lines[1]),
      branches: metric(totals.branches[0], totals.branches[1]),
      functions: metric(totals.functions[0], totals.functions[1]),
      statements: metric(totals.statements[0], totals.statements[1]),
    },
    ...(lineTargets.length ? { overallTarget: Math.max(...lineTargets) } : {}),
    allTargetsMet: files.every((f) => f.meetsTarget),
    durationMs: performance.now() - started,
  };
}
