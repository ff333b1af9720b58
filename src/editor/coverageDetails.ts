/**
 * Pure mapping from istanbul file coverage (1-based lines) to VS Code-shaped coverage details
 * (0-based lines) as plain data: statements with their branches attached, declarations, and
 * the counts for `FileCoverage`. Optional per-test filter narrows it to what one test executed.
 */
import type { FileCoverageData, TestCoverage } from '../coverage/model';

/** 0-based lines and columns. */
export interface PlainRange {
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
}

export interface PlainBranch {
  executed: number;
  range?: PlainRange;
  /** Used by VS Code as "the ${label} branch was not taken". */
  label: string;
}

export interface PlainStatement {
  executed: number;
  range: PlainRange;
  branches: PlainBranch[];
}

export interface PlainDeclaration {
  name: string;
  executed: number;
  range: PlainRange;
}

export interface Count {
  covered: number;
  total: number;
}

export interface PlainFileCoverage {
  file: string;
  statements: PlainStatement[];
  declarations: PlainDeclaration[];
  counts: { statements: Count; branches: Count; declarations: Count };
}

interface IstanbulLoc {
  start: { line: number; column: number | null };
  end: { line: number; column: number | null };
}

/** Column used when istanbul leaves an end column open (to the end of the line). */
const OPEN_END_COLUMN = 10000;

function toRange(loc: IstanbulLoc | undefined): PlainRange | undefined {
  if (!loc || !loc.start || !loc.end || typeof loc.start.line !== 'number' || typeof loc.end.line !== 'number') {
    return undefined;
  }
  const col = (c: number | null | undefined, fallback: number) =>
    typeof c === 'number' && Number.isFinite(c) && c >= 0 ? c : fallback;
  return {
    startLine: Math.max(0, loc.start.line - 1),
    startColumn: col(loc.start.column, 0),
    endLine: Math.max(0, loc.end.line - 1),
    endColumn: col(loc.end.column, OPEN_END_COLUMN),
  };
}

function contains(outer: PlainRange, inner: PlainRange): boolean {
  const before = (l1: number, c1: number, l2: number, c2: number) => l1 < l2 || (l1 === l2 && c1 <= c2);
  return (
    before(outer.startLine, outer.startColumn, inner.startLine, inner.startColumn) &&
    before(inner.startLine, inner.startColumn, outer.endLine, outer.endColumn)
  );
}

function size(r: PlainRange): number {
  return (r.endLine - r.startLine) * 100000 + (r.endColumn - r.startColumn);
}

/** Human label for one side of an istanbul branch. */
export function branchSideLabel(type: string, index: number, count: number): string {
  switch (type) {
    case 'if':
    case 'cond-expr':
      return index === 0 ? 'true' : 'false';
    case 'binary-expr':
    case 'logical-expr':
      return `operand ${index + 1} of ${count}`;
    case 'switch':
      return `case ${index + 1} of ${count}`;
    case 'default-arg':
      return 'default value';
    default:
      return `${type} ${index + 1} of ${count}`;
  }
}

/**
 * Maps one file's istanbul data to plain details. With `only` (per-test data for this file),
 * a statement/branch/function counts as executed only if that test executed it.
 */
export function toPlainCoverage(data: FileCoverageData, only?: TestCoverage[string]): PlainFileCoverage {
  const sOnly = only ? new Set(only.s.map(String)) : undefined;
  const fOnly = only ? new Set(only.f.map(String)) : undefined;
  const bOnly = only ? new Set(only.b.map(([id, side]) => `${id}:${side}`)) : undefined;

  const statements: PlainStatement[] = [];
  let sCovered = 0;
  for (const [id, loc] of Object.entries(data.statementMap ?? {})) {
    const range = toRange(loc as IstanbulLoc);
    if (!range) continue;
    const hits = sOnly ? (sOnly.has(id) ? 1 : 0) : Number(data.s?.[id] ?? 0);
    if (hits > 0) sCovered++;
    statements.push({ executed: hits, range, branches: [] });
  }
  const sTotal = statements.length;

  let bCovered = 0;
  let bTotal = 0;
  for (const [id, branch] of Object.entries(data.branchMap ?? {})) {
    const counts: number[] = (data.b?.[id] as number[] | undefined) ?? [];
    const whole = toRange(branch.loc as IstanbulLoc);
    const sides: PlainBranch[] = branch.locations.map((loc, i) => {
      const hits = bOnly ? (bOnly.has(`${id}:${i}`) ? 1 : 0) : Number(counts[i] ?? 0);
      return {
        executed: hits,
        range: toRange(loc as IstanbulLoc) ?? whole,
        label: branchSideLabel(branch.type, i, branch.locations.length),
      };
    });
    bTotal += sides.length;
    bCovered += sides.filter((s) => s.executed > 0).length;
    const anchor = whole ?? sides.find((s) => s.range)?.range;
    if (!anchor) continue;
    let owner: PlainStatement | undefined;
    for (const st of statements) {
      if (contains(st.range, anchor) && (!owner || size(st.range) < size(owner.range))) owner = st;
    }
    if (!owner) {
      owner = { executed: sides.reduce((n, s) => n + s.executed, 0), range: anchor, branches: [] };
      statements.push(owner);
    }
    owner.branches.push(...sides);
  }

  const declarations: PlainDeclaration[] = [];
  let fCovered = 0;
  for (const [id, fn] of Object.entries(data.fnMap ?? {})) {
    const range = toRange((fn.decl ?? fn.loc) as IstanbulLoc);
    if (!range) continue;
    const hits = fOnly ? (fOnly.has(id) ? 1 : 0) : Number(data.f?.[id] ?? 0);
    if (hits > 0) fCovered++;
    declarations.push({ name: fn.name || '(anonymous)', executed: hits, range });
  }

  statements.sort((a, b) => a.range.startLine - b.range.startLine || a.range.startColumn - b.range.startColumn);
  return {
    file: data.path,
    statements,
    declarations,
    counts: {
      statements: { covered: sCovered, total: sTotal },
      branches: { covered: bCovered, total: bTotal },
      declarations: { covered: fCovered, total: declarations.length },
    },
  };
}

/** Test ids whose per-test data touched `file` (for `FileCoverage.includesTests`). */
export function testsTouchingFile(perTest: Record<string, TestCoverage> | undefined, file: string): string[] {
  if (!perTest) return [];
  return Object.entries(perTest)
    .filter(([, cov]) => {
      const entry = cov[file];
      return !!entry && (entry.s.length > 0 || entry.f.length > 0 || entry.b.length > 0);
    })
    .map(([id]) => id);
}
