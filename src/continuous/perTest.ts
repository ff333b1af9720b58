/**
 * Per-test coverage from probes (see probes.ts), in the runner: which statements, branch sides
 * and functions of the run's istanbul coverage each test executed.
 *
 * The totals come from V8 (one take at the end, converted as without per-test data). Every line
 * belongs to the innermost probe block holding it; every branch side and function to the
 * innermost probe containing the V8 range that decides it (the conversion's rule) — or to none:
 * module top level runs while the test files load, in no test. A test executed what belongs to
 * the probes it touched and ran at all in the totals. Precision is the probe's block: code after an early `return` inside a
 * block counts for every test that entered the block (V8's own per-test deltas would tell them
 * apart; they cost a take per test, see src/coverage/v8.ts).
 */
import type { Profiler } from 'inspector';
import type { TestCoverage } from '../coverage/model';
import type { Converter } from '../coverage/v8';

/** One instrumented file as the child described it. */
export interface ProbeFile {
  base: number;
  /** flattened `[start, end, fn]` per probe (original offsets) */
  blocks: number[];
}

type Entry = TestCoverage[string];

/** Index of the innermost probe containing `[start, end)`, -1 when none does. */
function owner(blocks: number[], start: number, end: number): number {
  let best = -1;
  let span = Infinity;
  for (let i = 0; i < blocks.length; i += 3) {
    const s = blocks[i];
    const e = blocks[i + 1];
    if (s <= start && end <= e && e - s < span) {
      best = i / 3;
      span = e - s;
    }
  }
  return best;
}

function apply(conv: Converter, fns: Profiler.FunctionCoverage[]): void {
  for (const { source } of conv.covSources) for (const line of source.lines) line.count = 1;
  conv.branches = {};
  conv.functions = {};
  conv.applyCoverage(fns);
}

/** The converter's line, branch and function tables after applying `fns` with each range's count = its index + 2. */
function decide(conv: Converter, file: string, fns: Profiler.FunctionCoverage[]): { lines: number[]; branches: number[]; functions: number[] } {
  let next = 2;
  apply(conv, fns.map((f) => ({ ...f, ranges: f.ranges.map((r) => ({ ...r, count: next++ })) })));
  return {
    lines: conv.covSources[0].source.lines.map((l) => (l.ignore ? -1 : l.count - 2)),
    branches: (conv.branches[file] ?? []).map((b) => b.count - 2),
    functions: (conv.functions[file] ?? []).map((f) => f.count - 2),
  };
}

/**
 * What each probe of one file decides, among what ran in the totals (`fns`): a line belongs to the innermost probe block holding
 * it whole (probe blocks applied as ranges); a branch side or a function to the innermost probe
 * containing the V8 range that decides it (as in the conversion, so its ids are the totals').
 */
export function probeEntries(conv: Converter, file: string, fns: Profiler.FunctionCoverage[], probe: ProbeFile): Entry[] {
  apply(conv, fns);
  const lineRan = conv.covSources[0].source.lines.map((l) => l.count > 0);
  const entries: Entry[] = Array.from({ length: probe.blocks.length / 3 }, () => ({ s: [], b: [], f: [] }));
  // Lines: by probe blocks alone, so a test's lines do not depend on how V8 merged ranges.
  const blocks: Profiler.CoverageRange[] = [];
  for (let i = 0; i < probe.blocks.length; i += 3) blocks.push({ startOffset: probe.blocks[i], endOffset: probe.blocks[i + 1], count: 0 });
  const order = blocks.map((_, i) => i).sort((a, b) => blocks[a].startOffset - blocks[b].startOffset || blocks[b].endOffset - blocks[a].endOffset);
  const root = { startOffset: 0, endOffset: Math.max(...fns.map((f) => f.ranges[0].endOffset), ...blocks.map((b) => b.endOffset)), count: 0 };
  const byProbe = decide(conv, file, [{ functionName: '', isBlockCoverage: true, ranges: [root, ...order.map((i) => blocks[i])] }]);
  byProbe.lines.forEach((r, line) => {
    if (r >= 1 && lineRan[line]) entries[order[r - 1]].s.push(line);
  });
  // Branches and functions: by the V8 ranges that decide them.
  const ranges = fns.flatMap((f) => f.ranges);
  const owners = ranges.map((r) => owner(probe.blocks, r.startOffset, r.endOffset));
  const at = (r: number) => (r >= 0 && ranges[r].count > 0 && owners[r] >= 0 ? entries[owners[r]] : undefined);
  const byRange = decide(conv, file, fns);
  byRange.branches.forEach((r, i) => at(r)?.b.push([i, 0]));
  byRange.functions.forEach((r, i) => at(r)?.f.push(i));
  return entries;
}

/** Per-test coverage: `touched` (test id → probe ids) against each file's probe entries. */
export function perTestCoverage(files: Map<string, { base: number; entries: Entry[] }>, touched: Map<string, number[]>): Record<string, TestCoverage> {
  const list = [...files].sort((a, b) => a[1].base - b[1].base);
  const bases = list.map(([, f]) => f.base);
  const fileOf = (id: number) => {
    let lo = 0;
    let hi = bases.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (bases[mid] <= id) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return best;
  };
  const out: Record<string, TestCoverage> = {};
  for (const [test, ids] of touched) {
    const cov: TestCoverage = {};
    for (const id of ids) {
      const k = fileOf(id);
      if (k < 0) continue;
      const [file, { base, entries }] = list[k];
      const e = entries[id - base];
      if (!e || (!e.s.length && !e.b.length && !e.f.length)) continue;
      const into = (cov[file] ??= { s: [], b: [], f: [] });
      into.s.push(...e.s);
      into.b.push(...e.b);
      into.f.push(...e.f);
    }
    for (const e of Object.values(cov)) {
      e.s.sort((a, b) => a - b);
      e.b.sort((a, b) => a[0] - b[0]);
      e.f.sort((a, b) => a - b);
    }
    for (const [file, e] of Object.entries(cov)) if (!e.f.length && !e.b.length) delete cov[file];
    if (Object.keys(cov).length) out[test] = cov;
  }
  return out;
}

/**
 * The runner's step after the totals are converted: per-test coverage of every instrumented
 * file. `total` is the final take (helpers stripped, as `convert` leaves it), `converters` the
 * loaded converters (reused: their totals were already read).
 */
export async function perTestFromProbes(
  total: { scripts: Map<string, Profiler.FunctionCoverage[]> } | undefined,
  converters: Map<string, Promise<Converter | undefined>>,
  probeFiles: Map<string, ProbeFile>,
  touched: Map<string, number[]>,
): Promise<Record<string, TestCoverage>> {
  const files = new Map<string, { base: number; entries: Entry[] }>();
  for (const [file, probe] of probeFiles) {
    const fns = total?.scripts.get(file);
    const conv = fns && (await converters.get(file));
    if (!fns || !conv) continue;
    files.set(file, { base: probe.base, entries: probeEntries(conv, file, fns, probe) });
  }
  return perTestCoverage(files, touched);
}
