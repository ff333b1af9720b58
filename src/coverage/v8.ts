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
 * Branch kinds come with istanbul's branch map; branches.ts words each side from the TypeScript AST.
 *
 * ## From V8 ranges to istanbul figures (static denominators)
 * The denominators are static (staticMap.ts: istanbul-lib-instrument's own program visitor run on
 * the source, so statements, branches and functions are exactly istanbul's, by construction),
 * the counts come from V8 (hits.ts: each statement, function and branch side reads the count of
 * the innermost V8 range around its first token, mapped through tsx's source map). A file's
 * totals never move: not when a function first runs, not with `--per-test`, not under `--grep`
 * (test/unit/coverage/denominators.test.ts). Lines are istanbul's: the lines a statement starts on.
 *
 * Chosen over the previous v8-to-istanbul + normaliser (deleted) and over
 * monocart-coverage-reports 2.13 (`npx tsx bench/monocart-eval.ts`, same V8 data; 2026-12-03,
 * 2 cpus under a load average of 20-35 from other work, so times are rough):
 * - Accuracy. Ours vs nyc per file (`npx tsx bench/compare.ts DIR`): 0.00 points on the CommonJS
 *   fixture (nyc instruments the source itself); on tsx-compiled files (TypeScript, ESM) equal on
 *   every item at a source position — nyc also counts what esbuild adds (helpers, export getters)
 *   and the one item V8 cannot see, a parameter default (below). monocart converts the compiled
 *   JavaScript and maps it back, so its denominators are not istanbul's: on the governance suite
 *   agents.ts 85 statements / 55 branches / 19 functions (istanbul: 71 / 53 / 18), audit.ts
 *   14 / 3 / 5 (7 / 3 / 4), executors.ts 151 / 83 / 34 (123 / 81 / 30), index.ts 14 statements for
 *   a file of re-exports (0); lines 78 / 13 / 123 (istanbul 67 / 7 / 106). v8-to-istanbul counted
 *   physical lines as statements and had no denominators for functions that never ran (the issue).
 * - Speed. Conversion of the governance suite's 15 files: monocart ~3.0 s; ours ~7.4 s cold in the
 *   same process (Babel loaded and every file parsed once) — in a real run the runner prepares
 *   each file's static map while the tests still run (the child reports each compiled file), so
 *   what is left after the run is reading counts (a sweep over sorted ranges). The static maps
 *   are cached per content hash (the editor's reruns parse nothing again).
 * - Known limit: V8 keeps no range for a parameter default (`values = [1, 2]`), so a default reads
 *   as taken once its function ran; nyc reports it untaken when no call omitted the argument.
 *   `??=`-style assignments are not istanbul branches (istanbul-lib-instrument 6 counts logical
 *   expressions, not logical assignments), so they are not counted here either.
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
  /** The code V8 ran (probe offsets are into it). */
  code: string;
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
    return { map, parsed, code: code ?? text, offsets: probeOffsets(map, mapper ?? positionMapper(code ?? text)) };
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

/** A test's executed ids over its windows (a file loaded twice is in two windows of one test). */
function testEntry(list: Array<ReturnType<typeof hitsOf>>): TestCoverage[string] | undefined {
  const ran = (pick: (h: ReturnType<typeof hitsOf>) => number) => list.some((h) => pick(h) > 0);
  const first = list[0];
  const s = first.s.map((_, i) => i).filter((i) => ran((h) => h.s[i]));
  const f = first.f.map((_, i) => i).filter((i) => ran((h) => h.f[i]));
  const b = first.b.flatMap((cs, i) => cs.map((_, j) => [i, j] as [number, number])).filter(([i, j]) => ran((h) => h.b[i][j]));
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
  for (const w of windows) for (const k of w.scripts.keys()) files.add(k);
  for (const file of files) {
    const p = await (prepared?.get(file) ?? Promise.resolve(prepare(file, compiled.get(file))));
    if (!p) continue;
    const data = p.map.data;
    // A source loaded twice is two scripts, each in its own window (child.ts): counts add up.
    const byTest = new Map<string, Array<ReturnType<typeof hitsOf>>>();
    for (const w of windows) {
      const fns = w.scripts.get(file);
      if (!fns) continue;
      const hits = hitsOf(p.map, p.offsets, fns);
      addInto(data, hits);
      if (perTest && w.testId) byTest.set(w.testId, [...(byTest.get(w.testId) ?? []), hits]);
    }
    for (const [id, list] of byTest) {
      const entry = testEntry(list);
      if (entry) (tests[id] ??= {})[file] = entry;
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
