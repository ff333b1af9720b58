/**
 * `governance-coverage merge`: n shard records (shard.ts) → one {@link RunResult}, as if one run
 * had run every test. Results add up; the coverage is converted once from the shards' raw V8
 * takes merged range by range (`mergeFunctions`: blocks rebuilt, counts summed, V8's normal form), so statements, branches and functions come out of the same
 * conversion as a single run's; per-test coverage is recomputed from each shard's probes
 * against the merged takes. Shards checked out in another folder are rebased onto this root
 * (paths, and the `__filename` prologue tsx puts on the first line of the compiled code).
 */
import type { Profiler } from 'inspector';
import * as path from 'path';
import type { FileCoverageData, ResolvedConfig, RunResult, TestCoverage } from '../coverage/model';
import { completeCoverage, convert, prepare, type Prepared } from '../coverage/v8';
import { perTestFromProbes } from './perTest';
import type { RawCoverage } from './raw';
import type { ShardRecord } from './shard';

type Fns = Profiler.FunctionCoverage[];

/**
 * One script's takes from several processes merged as if one process had run everything. Each
 * process reports V8's normal form of the same source blocks: a block with its parent's count is
 * left out, adjacent blocks with equal counts come as one range. So a range of one process may be
 * two blocks of another (`[a, c)` against `[a, b)` + `[b, c)`), and summing range by range (or
 * c8's tree merge, which keeps both shapes) converts differently from one run. Here the blocks are
 * rebuilt first — every range any process reported, except one that others tile exactly (two
 * blocks merged) —, each block gets the sum of its count in every process (the innermost range
 * containing it, V8's rule for left-out blocks), and the result is put in V8's normal form.
 */
function mergeFunctions(lists: Fns[]): Fns {
  if (lists.length === 1) return lists[0];
  const key = (r: { startOffset: number; endOffset: number }) => `${r.startOffset}:${r.endOffset}`;
  const groups = new Map<string, Array<Profiler.FunctionCoverage>>();
  for (const list of lists) for (const f of list) (groups.get(key(f.ranges[0])) ?? groups.set(key(f.ranges[0]), []).get(key(f.ranges[0]))!).push(f);
  const out: Fns = [];
  for (const fns of groups.values()) {
    const root = fns[0].ranges[0];
    const seen = new Map<string, { startOffset: number; endOffset: number }>();
    for (const f of fns) for (const r of f.ranges.slice(1)) seen.set(key(r), { startOffset: r.startOffset, endOffset: r.endOffset });
    const blocks = rebuildBlocks([...seen.values()]);
    const count = (r: { startOffset: number; endOffset: number }) => fns.reduce((sum, f) => sum + innermost(f.ranges, r), 0);
    const ranges = [{ ...root, count: count(root) }, ...blocks.map((b) => ({ ...b, count: count(b) }))];
    out.push({ functionName: fns.find((f) => f.functionName)?.functionName ?? '', isBlockCoverage: fns.some((f) => f.isBlockCoverage), ranges: normalizeRanges(ranges) });
  }
  return out.sort((a, b) => a.ranges[0].startOffset - b.ranges[0].startOffset || b.ranges[0].endOffset - a.ranges[0].endOffset);
}

/**
 * The source blocks behind ranges reported by several processes: a range that a strictly smaller
 * range shares its start with is two blocks merged, so it is replaced by that smaller range and
 * the rest (a block no process reported alone). No V8 block starts where a block nested in it
 * does (ends can meet: the `else` of `a ? b : c ? d : e` ends where `e` does).
 */
function rebuildBlocks(ranges: Array<{ startOffset: number; endOffset: number }>): Array<{ startOffset: number; endOffset: number }> {
  const byKey = new Map(ranges.map((r) => [`${r.startOffset}:${r.endOffset}`, r]));
  for (let changed = true; changed; ) {
    changed = false;
    const all = [...byKey.values()];
    for (const r of all) {
      const inner = all.find((c) => c !== r && c.startOffset === r.startOffset && c.endOffset < r.endOffset);
      if (!inner) continue;
      byKey.delete(`${r.startOffset}:${r.endOffset}`);
      const rest = { startOffset: inner.endOffset, endOffset: r.endOffset };
      if (rest.endOffset > rest.startOffset) byKey.set(`${rest.startOffset}:${rest.endOffset}`, rest);
      changed = true;
      break;
    }
  }
  return [...byKey.values()];
}

/** Count of `r` in one process's ranges of the function: the innermost range containing it. */
function innermost(ranges: Profiler.CoverageRange[], r: { startOffset: number; endOffset: number }): number {
  let best: Profiler.CoverageRange | undefined;
  for (const c of ranges) {
    if (c.startOffset <= r.startOffset && r.endOffset <= c.endOffset && (!best || c.endOffset - c.startOffset <= best.endOffset - best.startOffset)) best = c;
  }
  return best ? best.count : 0;
}

type Range = Profiler.CoverageRange;
interface Tree {
  r: Range;
  kids: Tree[];
}

/**
 * V8's normal form of one function's ranges (pre-order, the first is the function): a range
 * its children tile exactly decides nothing and goes (the merge leaves such ranges where one
 * process had one range and another two), adjacent siblings with equal counts merge, a child
 * with its parent's count goes (its children move up), and uncovered ranges inside an
 * uncovered parent go — what V8 does to its own output, so merged takes convert like one run's.
 */
export function normalizeRanges(input: Range[]): Range[] {
  const ranges = [...input].sort((a, b) => a.startOffset - b.startOffset || b.endOffset - a.endOffset);
  const root: Tree = { r: ranges[0], kids: [] };
  const stack = [root];
  for (const r of ranges.slice(1)) {
    while (stack.length > 1 && stack[stack.length - 1].r.endOffset < r.endOffset) stack.pop();
    const node = { r, kids: [] };
    stack[stack.length - 1].kids.push(node);
    stack.push(node);
  }
  const fix = (t: Tree): void => {
    t.kids.forEach(fix);
    let changed = true;
    while (changed) {
      changed = false;
      const kids: Tree[] = [];
      for (const k of t.kids) {
        const tiled = k.kids.length > 0 && k.kids[0].r.startOffset === k.r.startOffset && k.kids[k.kids.length - 1].r.endOffset === k.r.endOffset &&
          k.kids.every((c, i) => i === 0 || k.kids[i - 1].r.endOffset === c.r.startOffset);
        if (tiled || k.r.count === t.r.count || (k.r.count === 0 && t.r.count === 0)) {
          if (k.r.count !== 0 || t.r.count !== 0 || tiled) kids.push(...k.kids);
          changed = true;
          continue;
        }
        const prev = kids[kids.length - 1];
        if (prev && prev.r.endOffset === k.r.startOffset && prev.r.count === k.r.count) {
          prev.r = { ...prev.r, endOffset: k.r.endOffset };
          prev.kids.push(...k.kids);
          changed = true;
          continue;
        }
        kids.push(k);
      }
      t.kids = kids;
    }
  };
  fix(root);
  const out: Range[] = [];
  const walk = (t: Tree) => {
    out.push(t.r);
    t.kids.forEach(walk);
  };
  walk(root);
  return out;
}

function rebasePath(p: string, from: string, to: string): string {
  return p === from || p.startsWith(from + path.sep) ? path.join(to, path.relative(from, p)) : p;
}

const rebaseId = (id: string, from: string, to: string) => {
  const [file, ...titles] = id.split('\u001f');
  return [rebasePath(file, from, to), ...titles].join('\u001f');
};

function rebaseRecord(r: ShardRecord, root: string): ShardRecord {
  if (r.root === root) return r;
  const p = (f: string) => rebasePath(f, r.root, root);
  const keys = <T>(o: Record<string, T>, f: (k: string) => string) => Object.fromEntries(Object.entries(o).map(([k, v]) => [f(k), v]));
  const raw = r.result.raw;
  return {
    ...r,
    root,
    files: r.files.map(p),
    result: {
      ...r.result,
      loadErrors: r.result.loadErrors.map((l) => ({ ...l, file: p(l.file) })),
      testTitles: keys(r.result.testTitles, (k) => rebaseId(k, r.root, root)),
      ...(raw ? {
        raw: {
          sourceFiles: raw.sourceFiles.map(p), compiled: keys(raw.compiled, p), take: keys(raw.take, p), probes: keys(raw.probes, p),
          touched: keys(raw.touched, (k) => rebaseId(k, r.root, root)),
        },
      } : {}),
    },
  };
}

/** Shift a take's and a probe table's offsets when the first line (tsx's `__filename=` prologue) differs in length. */
function align(code: string, other: string): number | undefined {
  const a = code.indexOf('\n');
  const b = other.indexOf('\n');
  if (a < 0 || b < 0 || code.slice(a) !== other.slice(b)) return undefined;
  return a - b;
}

const shifted = (fns: Fns, d: number): Fns => (d ? fns.map((f) => ({ ...f, ranges: f.ranges.map((r) => ({ ...r, startOffset: r.startOffset + d, endOffset: r.endOffset + d })) })) : fns);

/** Merge shard records (all n of one split) into one run result. */
export async function mergeShards(shards: ShardRecord[], config: ResolvedConfig): Promise<RunResult> {
  const records = shards.map((s) => rebaseRecord(s, config.root));
  const stats = { total: 0, passed: 0, failed: 0, skipped: 0, durationMs: 0 };
  const result: RunResult = { stats, cancelled: false, timedOut: false, loadErrors: [], coverage: {}, testTitles: {} };
  const errors: string[] = [];
  for (const r of records) {
    const s = r.result.stats;
    stats.total += s.total;
    stats.passed += s.passed;
    stats.failed += s.failed;
    stats.skipped += s.skipped;
    stats.durationMs = Math.max(stats.durationMs, s.durationMs);
    result.cancelled ||= r.result.cancelled;
    result.timedOut ||= r.result.timedOut;
    if (r.result.error) errors.push(`shard ${r.k}/${r.n}: ${r.result.error}`);
    result.loadErrors.push(...r.result.loadErrors);
    Object.assign(result.testTitles, r.result.testTitles);
  }
  if (errors.length) result.error = errors.join('\n');
  const raws = records.map((r) => r.result.raw).filter((x): x is RawCoverage => !!x);
  if (!raws.length) return result;
  // One compiled code per file (the first shard's); the other shards' takes aligned to it.
  const compiled = new Map<string, string>();
  const lists = new Map<string, Fns[]>();
  const probeShift: Array<Map<string, number>> = raws.map(() => new Map());
  raws.forEach((raw, i) => {
    for (const [file, code] of Object.entries(raw.compiled)) {
      const mine = compiled.get(file);
      if (mine === undefined) compiled.set(file, code);
      const d = mine === undefined ? 0 : align(mine, code);
      if (d === undefined) throw new Error(`shard ${records[i].k}/${records[i].n} compiled ${file} differently (another version of the file or of the tools?)`);
      probeShift[i].set(file, d);
      const fns = raw.take[file];
      if (fns) (lists.get(file) ?? lists.set(file, []).get(file)!).push(shifted(fns, d));
    }
  });
  const total = { scripts: new Map<string, Fns>() };
  for (const [file, l] of lists) total.scripts.set(file, mergeFunctions(l));
  const prepared = new Map<string, Promise<Prepared | undefined>>();
  for (const [file, code] of compiled) prepared.set(file, Promise.resolve(prepare(file, code)));
  const { coverage } = await convert([total], compiled, false, prepared);
  // Per-test: each shard's probes against the merged take (probe tables aligned like the takes).
  const perTest: Record<string, TestCoverage> = {};
  for (const [i, raw] of raws.entries()) {
    const probes = new Map(Object.entries(raw.probes).map(([file, p]) => {
      const d = probeShift[i].get(file) ?? 0;
      return [file, d ? { base: p.base, blocks: p.blocks.map((v, j) => (j % 3 === 2 ? v : v + d)) } : p];
    }));
    Object.assign(perTest, await perTestFromProbes(coverage as Record<string, FileCoverageData>, prepared, probes, new Map(Object.entries(raw.touched))));
  }
  const sourceFiles = [...new Set(raws.flatMap((r) => r.sourceFiles))].sort();
  result.coverage = completeCoverage(coverage, sourceFiles);
  if (raws.some((r) => Object.keys(r.touched).length)) result.perTest = perTest;
  return result;
}
export const mergeFunctionsForTest = mergeFunctions;
