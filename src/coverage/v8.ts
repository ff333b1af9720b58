/**
 * V8 precise coverage → istanbul. The test child (child.ts) takes the coverage and sends the
 * raw takes; the runner converts them here, with converters it loaded while the tests ran.
 *
 * ## Why V8 coverage (and not istanbul-lib-instrument)
 * Both engines are implemented (child.ts, `engine: 'v8' | 'istanbul'`) and measured side by side
 * by `npm run bench` and `npx tsx bench/c8-compare.ts [root] [--engine=istanbul]`. Measured on
 * 2026-11-25 (node 20.20.2, 2 cpus, load average 1.6; 5 interleaved runs; ratio to bare mocha,
 * median / fastest; earlier runs under heavy load from other work ranked the engines the same):
 *
 * | suite                               | bare mocha | V8            | istanbul-lib-instrument |
 * |-------------------------------------|-----------:|---------------|-------------------------|
 * | governance, 246 tests               |    1314 ms | 1.12 / 1.09 × | 1.48 / 1.48 ×           |
 * | generated, 200 files × 50 tests     |     844 ms | 1.80 / 1.73 ×¹| 3.90 / 3.77 ×           |
 * | lines vs c8, fixture `basic`        |            | 0.00 points   | 6.02 points             |
 * | lines vs c8, fixture `branches`     |            | 0.00 points   | 8.46 points             |
 * | lines vs c8, governance (per file)  |            | ≤ 0.94 points | ≤ 0.94 (all 100%)       |
 *
 * ¹ 1.27 / 1.24 × since the changes described below (the events channel, conversion in the runner).
 *
 * - Speed: V8 keeps block counters in its feedback vectors; instrumentation re-parses and
 *   re-generates every file with Babel after tsx compiled it, bumps a global counter per
 *   statement, and needs istanbul-lib-source-maps to map back. V8 was faster on both suites,
 *   in every run.
 * - Agreement: the issue holds us to c8 within 1 point per file for lines. c8 is V8 coverage +
 *   v8-to-istanbul, so with the same converter on the same tsx output our lines equal c8's
 *   (the one exception is explained in normalize.ts); istanbul counts the lines that hold a
 *   statement — another denominator — and was 6 to 8.5 points off on the fixtures.
 * - Per-test: `Profiler.takePreciseCoverage` returns the counts since the previous take and
 *   resets them, so a take at each test end gives exact deltas. Its cost grows with every
 *   function V8 has compiled (test closures included): ~2 ms per test at 2 000 tests, ~9 ms
 *   at 10 000 (the generated suite took 42-48 s with per-test against ~1 s without). That is why
 *   per-test is opt-in (`perTest`, CLI `--per-test`): worth it for the governance suite (1.7×
 *   bare mocha), not for a 10 000-test run.
 * - On the generated suite (10 000 trivial tests, ~80 µs each) the fixed costs of coverage
 *   weigh more than on real tests. Profiled on 2026-11-25 (`GOVCOV_TIMING=1`, `--cpu-prof` on
 *   the child), the engine was 1.7-1.8× bare mocha there: ~550 ms of the child's CPU went into
 *   20 000 `process.send` calls (one per event), ~160 ms into converting 200 files after the
 *   run, ~50 ms into the final take (~14 700 functions, test closures included), and the rest
 *   into V8 compiling and running every function loaded after coverage starts with block
 *   counters (~+80 ms loading, ~+140 ms running the tests). Changed since: events go through
 *   a shared-memory ring and a writer thread (channel.ts) in a compact form; the runner loads
 *   each file's converter (source map parsed and decoded) while the tests run and converts as
 *   soon as the takes arrive, overlapping the child's exit. Median / fastest ratio to bare mocha:
 *
 * | `npm run bench` and a 7-run interleaved A/B          | before         | after          |
 * |------------------------------------------------------|----------------|----------------|
 * | generated 200 × 50, `npm run bench` (load 0.2-0.4)   | 1.72 / 1.72 ×  | 1.27 / 1.24 ×  |
 * | generated 200 × 50, before/after/bare interleaved    | 1.68 / 1.71 ×  | 1.29 / 1.29 ×  |
 * | governance suite, `npm run bench` (load 0.2-0.4)     | 1.12 / 1.12 ×  | 1.09 / 1.10 ×  |
 *
 *   With coverage off the child now runs the generated suite as fast as bare mocha (~830 ms).
 *   What remains (`GOVCOV_TIMING=1`) is V8's and the conversion: block counters in everything
 *   compiled after coverage starts — the 200 test files with their 10 000 closures and the
 *   mocha code first run by the tests (~+55 ms loading, ~+85 ms running) —, the final take
 *   (~43 ms for ~14 600 functions, most of them test closures), and ~55 ms of conversion and
 *   normalisation in the runner once the takes arrive.
 * What V8 gives up — branch "kinds" (if / cond-expr / binary-expr / switch) — we recover from the
 * TypeScript AST in the analysis (see branches.ts).
 *
 * ## Merging per-test windows
 * With per-test coverage every window (test, or the time between tests) is a separate delta.
 * V8 omits a nested block range whose count equals its parent's, so deltas can't simply be
 * summed range by range. For each function we take the union of ranges seen in any window and
 * give each range, per window, the count of the innermost range of that window containing it
 * (an omitted range has its parent's count, by V8's rule); totals are the sum over windows.
 * Every window is projected on the same union of ranges, so branch and function ids of a test's
 * coverage are those of the total.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Profiler } from 'inspector';
import type { CoverageMapData } from 'istanbul-lib-coverage';
import type { TestCoverage } from './model';

type FunctionCoverage = Profiler.FunctionCoverage;
type CoverageRange = Profiler.CoverageRange;

/** One coverage take: the functions of each source script (by absolute file path). */
export interface Window {
  testId?: string;
  scripts: Map<string, FunctionCoverage[]>;
}

/** A {@link Window} as it travels from the child to the runner (JSON). */
export interface WireWindow {
  testId?: string;
  scripts: Array<[string, FunctionCoverage[]]>;
}

interface UnionFunction {
  functionName: string;
  isBlockCoverage: boolean;
  ranges: Array<{ startOffset: number; endOffset: number }>;
}

const fnKey = (f: FunctionCoverage) => `${f.ranges[0].startOffset}:${f.ranges[0].endOffset}:${f.functionName}`;

/** Union of the ranges of every window for one script, in V8's order (outer first). */
function unionOf(lists: FunctionCoverage[][]): UnionFunction[] {
  const byKey = new Map<string, { fn: UnionFunction; seen: Set<string> }>();
  for (const list of lists)
    for (const f of list) {
      const key = fnKey(f);
      let entry = byKey.get(key);
      if (!entry) {
        entry = { fn: { functionName: f.functionName, isBlockCoverage: false, ranges: [] }, seen: new Set() };
        byKey.set(key, entry);
      }
      if (f.isBlockCoverage) entry.fn.isBlockCoverage = true;
      for (const r of f.ranges) {
        const rk = `${r.startOffset}:${r.endOffset}`;
        if (!entry.seen.has(rk)) {
          entry.seen.add(rk);
          entry.fn.ranges.push({ startOffset: r.startOffset, endOffset: r.endOffset });
        }
      }
    }
  const out: UnionFunction[] = [];
  for (const { fn } of byKey.values()) {
    const [head, ...rest] = fn.ranges;
    rest.sort((a, b) => a.startOffset - b.startOffset || b.endOffset - a.endOffset);
    fn.ranges = [head, ...rest];
    out.push(fn);
  }
  return out;
}

/** Count of `r` in one window's function: the innermost range containing it. */
function countIn(ranges: CoverageRange[], r: { startOffset: number; endOffset: number }): number {
  let best: CoverageRange | undefined;
  for (const c of ranges) {
    if (c.startOffset <= r.startOffset && r.endOffset <= c.endOffset) {
      if (!best || c.endOffset - c.startOffset <= best.endOffset - best.startOffset) best = c;
    }
  }
  return best ? best.count : 0;
}

/** Project one window's functions on the union structure. */
function project(union: UnionFunction[], list: FunctionCoverage[] | undefined): FunctionCoverage[] {
  const byKey = new Map<string, FunctionCoverage>();
  for (const f of list ?? []) byKey.set(fnKey(f), f);
  return union.map((u) => {
    const f = byKey.get(`${u.ranges[0].startOffset}:${u.ranges[0].endOffset}:${u.functionName}`);
    return {
      functionName: u.functionName,
      isBlockCoverage: u.isBlockCoverage,
      ranges: u.ranges.map((r) => ({ ...r, count: f ? countIn(f.ranges, r) : 0 })),
    };
  });
}

/**
 * Drop what esbuild (through tsx) adds around the module: the helper prologue (`__export`,
 * `__copyProps`, export getters, ...) and the trailing `0 && (module.exports = {...})` marker.
 * Their ranges map onto the first lines or the export names of the TypeScript file and would
 * show as functions and never-taken branches that no test can reach.
 */
export function stripHelpers(code: string, fns: FunctionCoverage[]): FunctionCoverage[] {
  const marker = code.indexOf('module.exports=__toCommonJS(');
  const prologueEnd = marker < 0 ? 0 : code.indexOf(';', marker);
  const wrapper = code.startsWith('__filename=') ? code.indexOf('(()=>{') : -1;
  const bodyStart = Math.max(prologueEnd, wrapper < 0 ? 0 : wrapper + 6);
  return fns
    .filter((f) => !(f.ranges[0].startOffset > 0 && f.ranges[0].endOffset <= prologueEnd))
    .map((f) => {
      const ranges = f.ranges.filter((r, i) => i === 0 || !code.startsWith('&&(module.exports=', r.startOffset));
      // V8 infers no name for an arrow passed inline (`xs.map((x) => …)`) or wrapped by
      // esbuild's keepNames in `__name(...)`, and v8-to-istanbul skips unnamed functions; name
      // them so normalize.ts can match them to the TypeScript function and give the qualified
      // name. Only the module wrapper (offset 0, or tsx's prologue) stays unnamed. Any loader:
      // tsx, typescript's transpileModule (tsLoader.ts), the project's own.
      const start = f.ranges[0].startOffset;
      const inBody = bodyStart > 0 ? start >= bodyStart : start > 0;
      const functionName = f.functionName || (inBody ? '(anonymous)' : '');
      return ranges.length === f.ranges.length && functionName === f.functionName ? f : { ...f, functionName, ranges };
    });
}

/** v8-to-istanbul's converter, whose internals we reset between windows. */
export interface Converter {
  load(): Promise<void>;
  applyCoverage(blocks: ReadonlyArray<FunctionCoverage>): void;
  toIstanbul(): CoverageMapData;
  covSources: Array<{ source: { lines: Array<{ count: number; ignore: boolean }> }; path: string }>;
  sourceMap?: unknown;
  branches: Record<string, Array<{ count: number }>>;
  functions: Record<string, Array<{ count: number }>>;
}

function reset(c: Converter): void {
  for (const { source } of c.covSources) for (const line of source.lines) line.count = 1;
  c.branches = {};
  c.functions = {};
}

let traceMappingModule: { decodedMappings(map: unknown): unknown } | undefined;
/** The trace-mapping module v8-to-istanbul itself uses. */
function traceMapping(): { decodedMappings(map: unknown): unknown } {
  if (!traceMappingModule) {
    // A static id, so the bundles hold it (one copy in the tree, the one v8-to-istanbul uses).
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    traceMappingModule = require('@jridgewell/trace-mapping');
  }
  return traceMappingModule!;
}

/**
 * A loaded v8-to-istanbul converter for one source file: `code` is the JavaScript it was
 * compiled to (with tsx's inline source map). Parsing the source map and the line tables is
 * most of a conversion's cost and needs no counts, so the runner loads converters while the
 * tests still run, as the child reports each compiled file. `undefined` when the TypeScript file
 * is unreadable. A converter serves one {@link convert}.
 */
export async function loadConverter(file: string, code: string): Promise<Converter | undefined> {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const v8toIstanbul = require('v8-to-istanbul') as (p: string, w: number, s: object) => Converter;
  let original: string;
  try {
    original = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const conv = v8toIstanbul(file, 0, { source: code, originalSource: original });
  await conv.load();
  // trace-mapping decodes the mappings on the first lookup: do it now, off the critical path.
  if (conv.sourceMap) traceMapping().decodedMappings(conv.sourceMap);
  return conv;
}

/**
 * Convert the windows to istanbul coverage of the original (TypeScript) files; with `perTest`,
 * also each test's executed statements, branch sides and functions.
 * `compiled` holds the JavaScript each source file was compiled to (with tsx's inline source map);
 * `loaded`, converters already loaded for some of them (see {@link loadConverter}).
 */
export async function convert(
  windows: Window[],
  compiled: Map<string, string>,
  perTest: boolean,
  loaded?: Map<string, Promise<Converter | undefined>>,
): Promise<{ coverage: CoverageMapData; perTest?: Record<string, TestCoverage> }> {
  const coverage: CoverageMapData = {};
  const tests: Record<string, TestCoverage> = {};
  for (const [file, code] of compiled) {
    for (const w of windows) {
      const fns = w.scripts.get(file);
      if (fns) w.scripts.set(file, stripHelpers(code, fns));
    }
    const present = windows.filter((w) => w.scripts.has(file));
    const lists = present.map((w) => w.scripts.get(file)!);
    if (!lists.length) continue;
    const conv = await (loaded?.get(file) ?? loadConverter(file, code));
    if (!conv) continue;
    let totalFns: FunctionCoverage[];
    let union: UnionFunction[] | undefined;
    let projected: FunctionCoverage[][] | undefined;
    if (lists.length === 1 && !perTest) totalFns = lists[0];
    else {
      union = unionOf(lists);
      projected = present.map((w) => project(union!, w.scripts.get(file)));
      totalFns = union.map((u, i) => ({
        functionName: u.functionName,
        isBlockCoverage: u.isBlockCoverage,
        ranges: u.ranges.map((r, j) => ({ ...r, count: projected!.reduce((sum, p) => sum + p[i].ranges[j].count, 0) })),
      }));
    }
    conv.applyCoverage(totalFns);
    Object.assign(coverage, conv.toIstanbul());
    if (!perTest || !union || !projected) continue;
    // Which union range decides each line, branch and function: apply once with each range's
    // count set to its index + 2 (1 = untouched), instead of converting every window.
    let next = 2;
    reset(conv);
    conv.applyCoverage(union.map((u) => ({ ...u, ranges: u.ranges.map((r) => ({ ...r, count: next++ })) })));
    const lineRange = conv.covSources[0].source.lines.map((l) => (l.ignore ? -1 : l.count - 2));
    const branchRange = (conv.branches[file] ?? []).map((b) => b.count - 2);
    const fnRange = (conv.functions[file] ?? []).map((f) => f.count - 2);
    present.forEach((w, k) => {
      if (!w.testId) return;
      const counts = projected![k].flatMap((fn) => fn.ranges.map((r) => r.count));
      if (!counts.some((c) => c > 0)) return;
      const s: number[] = [];
      lineRange.forEach((r, i) => {
        if (r >= 0 && counts[r] > 0) s.push(i);
      });
      const b: Array<[number, number]> = [];
      branchRange.forEach((r, i) => {
        if (counts[r] > 0) b.push([i, 0]);
      });
      const f: number[] = [];
      fnRange.forEach((r, i) => {
        if (counts[r] > 0) f.push(i);
      });
      if (!f.length && !b.length) return;
      (tests[w.testId] ??= {})[file] = { s, b, f };
    });
  }
  return perTest ? { coverage, perTest: tests } : { coverage };
}
