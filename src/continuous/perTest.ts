/**
 * Per-test coverage from probes (see probes.ts), in the runner: which statements, branch sides
 * and functions of the run's istanbul coverage each test executed.
 *
 * The totals come from V8 (one take at the end, converted as without per-test data). Every
 * statement, branch side and function of the file's static map belongs to the innermost probe
 * block holding its first token (in the code V8 ran: the probes are in the compiled code) — or to none: module top level runs while the test files load,
 * in no test. A test executed what belongs to
 * the probes it touched and ran at all in the totals. Precision is the probe's block: code after an early `return` inside a
 * block counts for every test that entered the block (V8's own per-test deltas would tell them
 * apart; they cost a take per test, see src/coverage/v8.ts).
 */
import type { FileCoverageData, TestCoverage } from '../coverage/model';
import { itemOffsets } from '../coverage/hits';
import type { Prepared } from '../coverage/v8';

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

/**
 * What each probe of one file decides, among what ran in the totals: every statement, branch
 * side and function of the file's static map belongs to the innermost probe block holding its
 * probe position (its first token; see staticMap.ts), or to none (module top level).
 */
export function probeEntries(prepared: Prepared, data: FileCoverageData, probe: ProbeFile): Entry[] {
  const entries: Entry[] = Array.from({ length: probe.blocks.length / 3 }, () => ({ s: [], b: [], f: [] }));
  // Probe blocks are offsets in the code V8 ran (compiled), as are the items' probe offsets.
  const { code } = prepared;
  const items = itemOffsets(prepared.map, prepared.offsets);
  const of = (o: number) => {
    // A body or block starts at its `{`; its probe block starts inside it.
    const at = code[o] === '{' ? o + 1 : o;
    const k = owner(probe.blocks, at, at);
    return k >= 0 ? entries[k] : undefined;
  };
  items.s.forEach((o, i) => data.s[i] > 0 && of(o)?.s.push(i));
  items.f.forEach((o, i) => data.f[i] > 0 && of(o)?.f.push(i));
  items.b.forEach((sides, i) => sides.forEach((o, j) => data.b[i][j] > 0 && of(o)?.b.push([i, j])));
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
 * file. `coverage` holds the converted totals, `prepared` each file's static map and probe
 * offsets (v8.ts `prepare`, reused: nothing is parsed again).
 */
export async function perTestFromProbes(
  coverage: Record<string, FileCoverageData>,
  prepared: Map<string, Promise<Prepared | undefined>>,
  probeFiles: Map<string, ProbeFile>,
  touched: Map<string, number[]>,
): Promise<Record<string, TestCoverage>> {
  const files = new Map<string, { base: number; entries: Entry[] }>();
  for (const [file, probe] of probeFiles) {
    const data = coverage[file];
    const p = data && (await prepared.get(file));
    if (!data || !p) continue;
    files.set(file, { base: probe.base, entries: probeEntries(p, data, probe) });
  }
  return perTestCoverage(files, touched);
}
