/**
 * Gaps of one file: uncovered lines and untaken branch sides grouped by enclosing named function
 * (qualified name), with the tests that reach the function but miss the gap (per-test data),
 * each gap's gain and its hint, in the greedy order that reaches the target fastest.
 *
 * One test, one task: a function that never ran and is only called from another gap's untested
 * code is merged into that gap (the test that closes the caller's gap runs it too).
 */
import libCoverage from 'istanbul-lib-coverage';
import * as ts from 'typescript';
import type { FunctionInfo, ParsedSource } from './ast';
import { describeSide } from './branches';
import type { Edge } from './callPaths';
import { codeSpan, conditionInWords } from './conditions';
import { effectOf, pathTo, type Effect } from './effects';
import { buildHint, conditionWords, findFixtures, type Fixture } from './hints';
import { layoutOf, type Layout } from './layout';
import type { BranchGap, FileCoverageData, Gap, ResolvedConfig, RunResult, TestCoverage } from './model';
import { callGraph, wayIn } from './ways';

const TOP_LEVEL = '(top level)';

/** What every file's gaps need, computed once per analysis. */
export interface GapContext {
  config: ResolvedConfig;
  result: RunResult;
  layout: Layout;
  incoming: Map<string, Edge[]>;
  fixtures: Fixture[];
}

export function gapContext(config: ResolvedConfig, result: RunResult, sourceFiles: string[]): GapContext {
  return { config, result, layout: layoutOf(config, sourceFiles), incoming: callGraph(sourceFiles), fixtures: findFixtures(config) };
}

interface Group {
  name: string;
  fn?: FunctionInfo;
  lines: number[];
  branches: BranchGap[];
  branchIds: string[];
  /** [start, end) offsets of the branch sides' code, for the effect */
  regions: Array<[number, number]>;
  /** its own uncovered lines (before merging others in), sorted */
  own: number[];
}

function mergeRanges(lines: number[]): Array<{ startLine: number; endLine: number }> {
  const out: Array<{ startLine: number; endLine: number }> = [];
  for (const l of lines) {
    const last = out[out.length - 1];
    if (last && l === last.endLine + 1) last.endLine = l;
    else out.push({ startLine: l, endLine: l });
  }
  return out;
}

/** The code an untaken side stands for: an `if` without `else` skipped its consequent, so the code after it. */
function sideRegion(parsed: ParsedSource, kind: string, side: string, start: number, end: number): [number, number] {
  if (kind !== 'if' || side !== 'false') return [start, end];
  let node: ts.Node | undefined;
  const find = (n: ts.Node): void => {
    if (ts.isIfStatement(n) && n.getStart(parsed.sf) === start) node = n;
    else if (n.getStart(parsed.sf) <= start && n.getEnd() >= end) ts.forEachChild(n, find);
  };
  find(parsed.sf);
  const ifs = node as ts.IfStatement | undefined;
  if (!ifs || ifs.elseStatement) return [start, end];
  return [ifs.getEnd(), ifs.parent.getEnd()];
}

function groupsOf(data: FileCoverageData, parsed: ParsedSource): Map<string, Group> {
  const named = new Map(parsed.functions.filter((f) => f.named).map((f) => [f.name, f]));
  const groups = new Map<string, Group>();
  const groupOf = (offset: number): Group => {
    const inner = parsed.groupAt(offset);
    const name = inner ? inner.groupName : TOP_LEVEL;
    let g = groups.get(name);
    if (!g) groups.set(name, (g = { name, fn: named.get(name), lines: [], branches: [], branchIds: [], regions: [], own: [] }));
    return g;
  };
  const srcLines = parsed.text.split('\n');
  for (const [lineStr, count] of Object.entries(libCoverage.createFileCoverage(data).getLineCoverage())) {
    if (count > 0) continue;
    const line = Number(lineStr);
    const lineText = srcLines[line - 1] ?? '';
    const indent = lineText.length - lineText.trimStart().length;
    groupOf(parsed.offsetOf({ line, column: lineText.trim() ? indent : 0 })).lines.push(line);
  }
  for (const [id, br] of Object.entries(data.branchMap)) {
    (data.b[id] ?? []).forEach((count, index) => {
      if (count > 0) return;
      const side = describeSide(parsed, br, index);
      const g = groupOf(side.start);
      g.branchIds.push(`${id}:${index}`);
      // A logical expression's first operand never ran: its statement never ran (a line gap).
      if (br.type === 'binary-expr' && index === 0) return;
      g.regions.push(sideRegion(parsed, side.kind, side.sideNotTaken, side.start, side.end));
      g.branches.push({
        line: parsed.positionOf(side.start).line,
        range: { start: parsed.positionOf(side.start), end: parsed.positionOf(side.end) },
        kind: side.kind,
        conditionText: side.conditionText,
        sideNotTaken: side.sideNotTaken,
        when: side.when,
        description: side.description,
      });
    });
  }
  return groups;
}

/** Lines in a `catch` whose `try` never threw: the condition is that the `try`'s first call (returned) throws. */
function catchCall(parsed: ParsedSource, fn: FunctionInfo, line: number): string | undefined {
  const offset = parsed.offsetOf({ line, column: Infinity }) - 1;
  let found: ts.CatchClause | undefined;
  const visit = (n: ts.Node): void => {
    if (ts.isCatchClause(n) && n.getStart(parsed.sf) <= offset && offset < n.getEnd()) found = n;
    ts.forEachChild(n, visit);
  };
  visit(fn.node);
  const tryStmt = found?.parent;
  const first = tryStmt && ts.isTryStatement(tryStmt) ? tryStmt.tryBlock.statements[0] : undefined;
  if (!first) return undefined;
  let call: ts.CallExpression | undefined;
  const findCall = (n: ts.Node): void => {
    if (!call && ts.isCallExpression(n)) call = n;
    if (!call) ts.forEachChild(n, findCall);
  };
  findCall(first);
  return call?.getText(parsed.sf).replace(/\s+/g, ' ');
}

/**
 * The condition that takes the test to the gap, for the Act line and (brief, plain) the title:
 * the first untaken branch side; in a `catch`, that the `try`'s first call throws; in a function
 * that never ran, the conditions on the way to what it does (effects.ts `pathTo`).
 */
function conditionFor(parsed: ParsedSource, g: Group, called: boolean, fn: FunctionInfo | undefined, effect: Effect): { act: string; title: string } | undefined {
  if (called) {
    if (g.branches[0]) return { act: conditionWords(g.branches[0]), title: conditionWords(g.branches[0], { brief: true }) };
    const call = g.fn && g.own.length ? catchCall(parsed, g.fn, g.own[0]) : undefined;
    return call ? { act: `when ${codeSpan(call)} throws`, title: `when ${call} throws` } : undefined;
  }
  if (!fn || effect.at === undefined) return undefined;
  const path = pathTo(fn.node, effect.at, parsed.sf);
  if (!path.length) return undefined;
  const words = (brief: boolean) => `when ${path.map((p) => conditionInWords(p.test, p.holds, { brief })).join(' and ')}`;
  return { act: words(false), title: words(true) };
}

/** What the gap's untested code does. */
function effectFor(parsed: ParsedSource, g: Group, called: boolean): Effect {
  const fn = g.fn;
  if (!fn) return { kind: 'runs' };
  if (!called) {
    const body = (fn.node as ts.FunctionLikeDeclaration).body;
    const last = body && ts.isBlock(body) ? body.statements[body.statements.length - 1] : body;
    if (last) return effectOf(fn.node, last.getStart(parsed.sf), fn.end, parsed.sf);
  }
  const [start, end] = g.regions[0] ?? (() => {
    const r = mergeRanges(g.own)[0];
    return [parsed.offsetOf({ line: r.startLine, column: 0 }), parsed.offsetOf({ line: r.endLine, column: Infinity })] as [number, number];
  })();
  const own = effectOf(fn.node, start, end, parsed.sf);
  // Nothing observable in the side itself: what the path does after it, to the function's end.
  return own.kind === 'runs' ? effectOf(fn.node, end, fn.end, parsed.sf) : own;
}

function closestOf(data: FileCoverageData, g: Group, fnId: string | undefined, fileTests: Array<[string, TestCoverage[string]]> | undefined, result: RunResult) {
  const closest: Array<{ id: string; score: number }> = [];
  if (fileTests && fnId !== undefined && g.fn) {
    const [from, to] = [g.fn.range.start.line, g.fn.range.end.line];
    for (const [tid, entry] of fileTests) {
      if (!entry.f.includes(Number(fnId))) continue;
      const score = entry.s.filter((sid) => {
        const l = data.statementMap[sid]?.start.line ?? 0;
        return l >= from && l <= to;
      }).length;
      closest.push({ id: tid, score });
    }
    closest.sort((a, b) => b.score - a.score || a.id.localeCompare(b.id));
  }
  return { titles: closest.slice(0, 5).map((c) => result.testTitles[c.id] ?? c.id.split('\u001f').slice(1).join(' ')), file: closest[0]?.id.split('\u001f')[0] };
}

/**
 * Merge a never-run function into the gap whose untested code holds every call to it (in this
 * file): one test closes both.
 */
function mergeInto(groups: Map<string, Group>, called: (g: Group) => boolean, ctx: GapContext, parsed: ParsedSource): Map<string, string[]> {
  const merged = new Map<string, string[]>();
  const file = parsed.file;
  for (const g of [...groups.values()]) {
    if (!g.fn || called(g) || !groups.has(g.name)) continue;
    const callers = (ctx.incoming.get(`${file}#${g.fn.name}`) ?? []).filter((e) => e.via !== 'nested');
    if (!callers.length || callers.some((e) => e.from.file !== file)) continue;
    // Every call site in another gap's untested lines: the test closing that gap runs this too.
    const hosts = callers.map((e) => groups.get(e.from.fn.groupName));
    const inUntested = callers.every((e, i) => hosts[i] && hosts[i] !== g && hosts[i]!.lines.includes(parsed.positionOf(e.at).line));
    if (!inUntested) continue;
    const host = hosts.sort((a, b) => b!.lines.length - a!.lines.length)[0]!;
    host.lines.push(...g.lines);
    host.branches.push(...g.branches);
    host.branchIds.push(...g.branchIds);
    merged.set(host.name, [...(merged.get(host.name) ?? []), g.name, ...(merged.get(g.name) ?? [])]);
    groups.delete(g.name);
  }
  return merged;
}

/** The merged function `fn` returns (`return function textParser …`), if any. */
function returnedChild(ctx: GapContext, file: string, fn: FunctionInfo, merged: string[]): FunctionInfo | undefined {
  for (const name of merged) {
    const edge = (ctx.incoming.get(`${file}#${name}`) ?? []).find((e) => e.via === 'returned' && e.from.fn === fn);
    if (edge) return edge.to.fn;
  }
  return undefined;
}

/** The gaps of one file, greedy order (biggest gain on the failing metrics first). */
export function gapsOf(
  ctx: GapContext,
  file: string,
  relative: string,
  data: FileCoverageData,
  parsed: ParsedSource,
  failing: Set<string>,
  fileTests: Array<[string, TestCoverage[string]]> | undefined,
): Gap[] {
  const groups = groupsOf(data, parsed);
  const fnIdByName = new Map<string, string>();
  for (const [id, f] of Object.entries(data.fnMap)) if (!fnIdByName.has(f.name)) fnIdByName.set(f.name, id);
  const called = (g: Group) => {
    const fnId = fnIdByName.get(g.name);
    return fnId !== undefined ? data.f[fnId] > 0 : g.name === TOP_LEVEL || g.fn === undefined ? true : g.lines.length === 0;
  };
  const calledBefore = new Map([...groups.values()].map((g) => [g.name, called(g)]));
  for (const g of groups.values()) g.own = [...g.lines].sort((a, b) => a - b);
  const merged = mergeInto(groups, called, ctx, parsed);
  const gaps: Gap[] = [];
  for (const [name, g] of groups) {
    if (!g.lines.length && !g.branchIds.length) continue;
    g.lines.sort((a, b) => a - b);
    g.branches.sort((a, b) => a.line - b.line);
    const functionCalled = calledBefore.get(name)!;
    const closest = closestOf(data, g, fnIdByName.get(name), fileTests, ctx.result);
    const uncoveredRanges = mergeRanges(g.lines);
    const functionRange = g.fn?.range ?? { start: { line: g.lines[0] ?? 1, column: 0 }, end: { line: g.lines[g.lines.length - 1] ?? 1, column: 0 } };
    let way = g.fn ? wayIn({ file, fn: g.fn }, ctx.incoming, ctx.layout) : undefined;
    // A never-run function that returns a merged never-run function (a factory): the test calls what it returns.
    const child = !functionCalled && g.fn ? returnedChild(ctx, file, g.fn, merged.get(name) ?? []) : undefined;
    if (way && child) way = { ...way, call: `${way.call}(${(child.node as ts.FunctionLikeDeclaration).parameters.map((p) => p.name.getText(parsed.sf)).join(', ')})`, callsReturned: true };
    const effectGroup = child ? { ...g, fn: child, regions: [] } : g;
    const effect = effectFor(parsed, effectGroup, functionCalled);
    const condition = conditionFor(parsed, g, functionCalled, effectGroup.fn, effect);
    const hint = buildHint({
      config: ctx.config, layout: ctx.layout, file, relative, qualifiedName: name, functionCalled, uncoveredRanges, branches: g.branches,
      closestTests: closest.titles, closestTestFile: closest.file ?? (way ? ctx.layout.testFileFor(way.entry.file) : undefined), gapTag: g.fn?.gapLabel, docSummary: g.fn?.summary, fixtures: ctx.fixtures,
      functionText: g.fn ? parsed.text.slice(g.fn.start, g.fn.end) : undefined, ...(way ? { way } : {}), effect,
      ...(condition ? { condition: condition.act, titleCondition: condition.title } : {}), ...(merged.get(name) ? { alsoCovers: merged.get(name) } : {}),
    });
    gaps.push({
      id: `${file}#${name}`, file, qualifiedName: name, functionRange, uncoveredLines: g.lines, uncoveredRanges,
      branches: g.branches, functionCalled, closestTests: closest.titles, gain: { lines: g.lines.length, branches: g.branchIds.length }, hint,
    });
  }
  const weight = (g: Gap) =>
    (failing.has('lines') || failing.has('statements') || !failing.size ? g.gain.lines : 0) +
    (failing.has('branches') || !failing.size ? g.gain.branches : 0) + (failing.has('functions') && !g.functionCalled ? 1 : 0);
  return gaps.sort((a, b) => weight(b) - weight(a) || a.functionRange.start.line - b.functionRange.start.line);
}
