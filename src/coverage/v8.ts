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
 *
 * ## From V8 ranges to istanbul figures
 * The denominators are static (staticMap.ts: istanbul-lib-instrument's own program visitor on
 * the source), the counts come from V8 (hits.ts: each statement, function and branch side reads
 * the count of the innermost V8 range around its first token, mapped through tsx's source map).
 * Why this and not v8-to-istanbul + our old normaliser or monocart-coverage-reports: see
 * {@link STATIC_DENOMINATORS_CHOICE} below.
 *
 * ## Per-test windows
 * With per-test coverage every window (a test, or the time between tests) is a separate delta.
 * Each window is read on the same static map, so a test's statement, branch and function ids
 * are those of the total, and totals are the sums over windows.
 */
import * as fs from 'fs';
import type { Profiler } from 'inspector';
import type { CoverageMapData, FileCoverageData } from 'istanbul-lib-coverage';
import { parseSource, type ParsedSource } from './ast';
import { hitsOf, positionMapper, probeOffsets, type PositionMapper } from './hits';
import type { TestCoverage } from './model';
import { staticMap, type StaticFile } from './staticMap';

type FunctionCoverage = Profiler.FunctionCoverage;

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

/** What reading one file's windows needs: its static map and where its probes are in the code V8 ran. */
export interface Prepared {
  map: StaticFile;
  offsets: number[];
  parsed: ParsedSource;
}

/**
 * Give istanbul's function entries the qualified names of the TypeScript AST
 * (`ProposalService.executeBrowserAction`): a function's `loc` is its body, and the innermost
 * function containing the body's start is the function itself.
 */
export function nameFunctions(data: FileCoverageData, parsed: ParsedSource): void {
  for (const fn of Object.values(data.fnMap)) {
    const target = parsed.functionAt(parsed.offsetOf(fn.loc.start));
    if (target) fn.name = target.name;
  }
}

/**
 * Static map + probe offsets for a source file. `code` is what V8 ran (tsx's output with its
 * inline source map, or the file itself). Reading the source and mapping the probes needs no
 * counts, so the runner prepares files while the tests still run. `undefined` when the source
 * is unreadable or does not parse.
 */
export function prepare(file: string, code: string | undefined, mapper?: PositionMapper): Prepared | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const map = staticMap(file, text);
    const parsed = parseSource(file, text);
    nameFunctions(map.data, parsed);
    return { map, parsed, offsets: probeOffsets(map, mapper ?? positionMapper(code ?? text)) };
  } catch {
    return undefined;
  }
}

/** The static map of a file no test loaded: every count zero. */
export function zeroCoverage(file: string): FileCoverageData | undefined {
  return prepare(file, undefined)?.map.data;
}

function addInto(data: FileCoverageData, hits: ReturnType<typeof hitsOf>): void {
  hits.s.forEach((c, i) => (data.s[i] += c));
  hits.f.forEach((c, i) => (data.f[i] += c));
  hits.b.forEach((cs, i) => cs.forEach((c, j) => (data.b[i][j] += c)));
}

function testEntry(hits: ReturnType<typeof hitsOf>): TestCoverage[string] | undefined {
  const s: number[] = [];
  const f: number[] = [];
  const b: Array<[number, number]> = [];
  hits.s.forEach((c, i) => c > 0 && s.push(i));
  hits.f.forEach((c, i) => c > 0 && f.push(i));
  hits.b.forEach((cs, i) => cs.forEach((c, j) => c > 0 && b.push([i, j])));
  return s.length || f.length ? { s, b, f } : undefined;
}

/**
 * Convert the windows to istanbul coverage of the source files; with `perTest`, also each
 * test's executed statements, branch sides and functions (ids of the same static maps).
 * `compiled` holds the JavaScript V8 ran for a source file (tsx's output with its inline
 * source map); a file absent from it ran as written. `prepared`: files prepared already.
 */
export async function convert(
  windows: Window[],
  compiled: Map<string, string>,
  perTest: boolean,
  prepared?: Map<string, Promise<Prepared | undefined>>,
): Promise<{ coverage: CoverageMapData; perTest?: Record<string, TestCoverage> }> {
  const coverage: CoverageMapData = {};
  const tests: Record<string, TestCoverage> = {};
  const files = new Set<string>();
  for (const w of windows) for (const f of w.scripts.keys()) files.add(f);
  for (const file of files) {
    const p = await (prepared?.get(file) ?? Promise.resolve(prepare(file, compiled.get(file))));
    if (!p) continue;
    const data = p.map.data;
    for (const w of windows) {
      const fns = w.scripts.get(file);
      if (!fns) continue;
      const hits = hitsOf(p.map, p.offsets, fns);
      addInto(data, hits);
      if (!perTest || !w.testId) continue;
      const entry = testEntry(hits);
      if (entry) (tests[w.testId] ??= {})[file] = entry;
    }
    coverage[file] = data;
  }
  return perTest ? { coverage, perTest: tests } : { coverage };
}

/** Keep only the given source files; the ones no test loaded get their static map at zero. */
export function completeCoverage(coverage: CoverageMapData, sourceFiles: string[]): CoverageMapData {
  const out: CoverageMapData = {};
  for (const file of sourceFiles) {
    const data = (coverage[file] as FileCoverageData | undefined) ?? zeroCoverage(file);
    if (data) out[file] = data;
  }
  return out;
}
