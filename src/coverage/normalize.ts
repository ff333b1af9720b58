/**
 * Post-processing of the istanbul data v8-to-istanbul produced, so that functions and branches
 * mean what an engineer reads in the TypeScript source.
 *
 * ## Differences from c8 (same V8 data, same converter)
 * - **Lines and statements: one known difference.** Every line of the TypeScript file counts,
 *   as in c8 (v8-to-istanbul starts each line covered and zeroes the lines a never-run range
 *   spans), so line figures equal c8's — except that esbuild appends
 *   `0 && (module.exports = {...})` to every module, a range that never runs; tsx's source map
 *   sends it to the export names or, for a file ending in a class or function, onto the final
 *   lone `}`, which c8 then counts as an uncovered line. We drop that range (v8.ts
 *   `stripHelpers`), so such a file reads one line higher than in c8: measured on the
 *   governance suite (`npx tsx bench/c8-compare.ts`), `audit.ts` is 100% here and 99.06% in c8
 *   (line 107, its closing `}`), every other file is equal (≤ 0.01 point, c8 rounds to two
 *   decimals). The difference is at most 1/(lines in the file), under 1 point for any file of
 *   more than 100 lines.
 * - **Files never loaded** by any test are added with every line that holds code at zero
 *   (comments, blank lines and type-only declarations are not counted: nothing of the file ran,
 *   so there is no V8 data whose line rule to follow). c8 only adds such files with `--all`,
 *   which plain `npx c8` does not use: c8 leaves them out, so there is nothing to agree with.
 * - **Functions**: V8 also reports functions that are not in the TypeScript source: esbuild's
 *   module helpers (`__export`, `__copyProps`, `__name`, ...), the getters of `export` bindings,
 *   class `<static_initializer>`s and field initialisers. tsx's source map puts them on the
 *   file's first line, so c8 counts them (always "covered" once the file loads). We keep only
 *   entries that start at a function-like node of the TypeScript AST and give them the
 *   qualified name (`ProposalService.executeBrowserAction`).
 * - **Branches**: V8 block ranges. We drop the same helper ranges, the whole-file (module)
 *   range, and ranges with no code (e.g. the `0 && (module.exports = ...)` esbuild appends, which
 *   maps onto the final `}` and is never "taken"). A function that was never called has no block
 *   ranges in V8's data, so its body would be invisible to the branch metric; we add its body as
 *   one branch that was never taken (c8 counts nothing there). Branch percentages therefore
 *   differ from c8's, in the direction of the code actually written.
 */
import * as fs from 'fs';
import * as ts from 'typescript';
import type { CoverageMapData, FileCoverageData } from 'istanbul-lib-coverage';
import { parseSource, type ParsedSource } from './ast';
import type { Range, TestCoverage } from './model';

const locKey = (l: Range) => `${l.start.line}:${l.start.column}-${l.end.line}:${l.end.column}`;

/** Normalise one file's coverage in place (see the module doc). Returns the dropped ids. */
export function normalizeFile(data: FileCoverageData, parsed: ParsedSource): { fns: Set<string>; branches: Set<string> } {
  const droppedFns = new Set<string>();
  const droppedBranches = new Set<string>();
  const droppedLocs = new Set<string>();
  const matched = new Map<string, string>(); // fn id -> qualified name
  const text = parsed.text;
  for (const [id, fn] of Object.entries(data.fnMap)) {
    const off = parsed.offsetOf(fn.loc.start);
    const target = parsed.functions.find((f) => off >= f.start && off <= f.bodyStart);
    if (!target) {
      droppedFns.add(id);
      droppedLocs.add(locKey(fn.loc));
      continue;
    }
    fn.name = target.name;
    matched.set(id, target.name);
  }
  for (const id of droppedFns) {
    delete data.fnMap[id];
    delete data.f[id];
  }
  const lastCode = text.trimEnd().length;
  const firstCode = text.length - text.trimStart().length;
  for (const [id, br] of Object.entries(data.branchMap)) {
    const loc = br.loc ?? br.locations[0];
    const s = parsed.offsetOf(loc.start);
    const e = parsed.offsetOf(loc.end);
    const body = text.slice(s, e);
    const wholeFile = s <= firstCode && e >= lastCode;
    if (droppedLocs.has(locKey(loc)) || wholeFile || !/[A-Za-z0-9_$'"`]/.test(body)) droppedBranches.add(id);
  }
  for (const id of droppedBranches) {
    delete data.branchMap[id];
    delete data.b[id];
  }
  // Never-called functions: their body as one untaken branch.
  const branchLocs = new Set(Object.values(data.branchMap).map((b) => locKey(b.loc ?? b.locations[0])));
  let next = Math.max(-1, ...Object.keys(data.branchMap).map(Number)) + 1;
  for (const [id, fn] of Object.entries(data.fnMap)) {
    if (data.f[id] > 0 || branchLocs.has(locKey(fn.loc))) continue;
    const key = String(next++);
    data.branchMap[key] = { loc: fn.loc, type: 'branch', locations: [fn.loc], line: fn.loc.start.line } as FileCoverageData['branchMap'][string];
    data.b[key] = [0];
  }
  return { fns: droppedFns, branches: droppedBranches };
}

/** Type-only declarations: no code runs for them, in a loaded module or not. */
function typeOnly(node: ts.Node): boolean {
  if (ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node)) return true;
  if (ts.isImportDeclaration(node)) return !!node.importClause?.isTypeOnly;
  if (ts.isExportDeclaration(node)) return node.isTypeOnly;
  if (ts.isImportEqualsDeclaration(node)) return node.isTypeOnly;
  const mods = ts.canHaveModifiers(node) ? ts.getModifiers(node) : undefined;
  return !!mods?.some((m) => m.kind === ts.SyntaxKind.DeclareKeyword);
}

/**
 * The 1-based lines of a file that hold code: the first and last line of every syntax node
 * (so a lone `}` or `);` counts) and every line a string or template literal spans, outside
 * type-only declarations. Blank lines and comment-only lines hold none.
 */
export function codeLines(parsed: ParsedSource): number[] {
  const { sf } = parsed;
  const lines = new Set<number>();
  const lineOf = (offset: number) => sf.getLineAndCharacterOfPosition(offset).line + 1;
  const visit = (node: ts.Node): void => {
    if (typeOnly(node) || node.kind === ts.SyntaxKind.EndOfFileToken) return;
    const first = lineOf(node.getStart(sf));
    const last = lineOf(Math.max(node.getStart(sf), node.getEnd() - 1));
    lines.add(first);
    lines.add(last);
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateLiteralToken(node)) {
      for (let l = first + 1; l < last; l++) lines.add(l);
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(sf, visit);
  return [...lines].sort((a, b) => a - b);
}

/**
 * Zero coverage for a source file no test loaded: every line that holds code (see
 * {@link codeLines}; comments, blank lines and type-only declarations are not counted), every
 * function (+ its body as a branch). The gap analysis then groups the lines by enclosing
 * function like any other file's, and only genuine top-level statements stay `(top level)`.
 */
export function emptyCoverage(file: string, parsed: ParsedSource): FileCoverageData {
  const data: FileCoverageData = { path: file, statementMap: {}, s: {}, fnMap: {}, f: {}, branchMap: {}, b: {} };
  const starts = parsed.sf.getLineStarts();
  codeLines(parsed).forEach((line, i) => {
    const start = starts[line - 1];
    const end = line < starts.length ? starts[line] : parsed.text.length;
    const len = parsed.text.slice(start, end).replace(/\r?\n$/u, '').length;
    data.statementMap[String(i)] = { start: { line, column: 0 }, end: { line, column: len } };
    data.s[String(i)] = 0;
  });
  parsed.functions.forEach((f, i) => {
    data.fnMap[String(i)] = { name: f.name, decl: f.range, loc: f.range, line: f.range.start.line };
    data.f[String(i)] = 0;
    data.branchMap[String(i)] = { loc: f.range, type: 'branch', locations: [f.range], line: f.range.start.line } as FileCoverageData['branchMap'][string];
    data.b[String(i)] = [0];
  });
  return data;
}

/**
 * Normalise every file of a V8-derived coverage map, drop dropped ids from the per-test data,
 * keep only the given source files and add the ones never loaded with zero coverage.
 */
export function completeCoverage(
  coverage: CoverageMapData,
  sourceFiles: string[],
  perTest?: Record<string, TestCoverage>,
): CoverageMapData {
  const out: CoverageMapData = {};
  for (const file of sourceFiles) {
    const data = coverage[file] as FileCoverageData | undefined;
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    const parsed = parseSource(file, text);
    if (!data) {
      out[file] = emptyCoverage(file, parsed);
      continue;
    }
    const dropped = normalizeFile(data, parsed);
    out[file] = data;
    if (!perTest || (!dropped.fns.size && !dropped.branches.size)) continue;
    for (const tc of Object.values(perTest)) {
      const entry = tc[file];
      if (!entry) continue;
      entry.f = entry.f.filter((id) => !dropped.fns.has(String(id)));
      entry.b = entry.b.filter(([id]) => !dropped.branches.has(String(id)));
    }
  }
  return out;
}
