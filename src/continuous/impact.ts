/**
 * Test impact selection for continuous runs: which tests a saved change can affect, from the
 * last run's per-test coverage (probes, see probes.ts).
 *
 * - A changed test file: all its tests.
 * - A changed source file: the changed lines (one region per change: the lines between the
 *   common prefix and suffix of the old and the new text, in the old file; an insertion counts
 *   the lines around it). A test is affected when it executed a statement on those lines or a
 *   function declared on them. A change outside every function (module top level: imports,
 *   constants) runs while test files load, in no test: everything reruns.
 * - A source file with no per-test data (never loaded, or a run without coverage): everything.
 */
import type { FileCoverageData, RunResult } from '../coverage/model';

/** A saved file: its text in the last run and now. */
export interface Change {
  file: string;
  before: string;
  after: string;
}

/** The changed region of a file: old lines `[start, end]` (1-based) and the line count delta. */
export interface LineEdit {
  start: number;
  end: number;
  delta: number;
}

/** The one region where `before` and `after` differ (common prefix and suffix of lines). */
export function lineEdit(before: string, after: string): LineEdit | undefined {
  if (before === after) return undefined;
  const a = before.split('\n');
  const b = after.split('\n');
  let p = 0;
  while (p < a.length && p < b.length && a[p] === b[p]) p++;
  let s = 0;
  while (s < a.length - p && s < b.length - p && a[a.length - 1 - s] === b[b.length - 1 - s]) s++;
  // Old lines p+1 .. a.length-s changed; a pure insertion has none: take the lines around it.
  const start = p + 1;
  const end = a.length - s;
  return end >= start ? { start, end, delta: b.length - a.length } : { start: Math.max(1, p), end: p + 1, delta: b.length - a.length };
}

/** What to rerun: test ids, or everything (`all`) with the reason. */
export interface Selection {
  all: boolean;
  reason?: string;
  tests: string[];
  /** Test files that changed (rerun whole). */
  testFiles: string[];
}

const overlaps = (loc: { start: { line: number }; end: { line: number } }, e: LineEdit) => loc.start.line <= e.end && loc.end.line >= e.start;

/** Tests to rerun after `changes`, from the `previous` run (with per-test coverage). */
export function selectTests(previous: RunResult, changes: Change[], isTestFile: (file: string) => boolean): Selection {
  const tests = new Set<string>();
  const testFiles: string[] = [];
  const everything = (reason: string): Selection => ({ all: true, reason, tests: [], testFiles });
  for (const change of changes) {
    const edit = lineEdit(change.before, change.after);
    if (!edit) continue;
    if (isTestFile(change.file)) {
      testFiles.push(change.file);
      continue;
    }
    const data = previous.coverage[change.file] as FileCoverageData | undefined;
    if (!data || !previous.perTest) return everything(`no per-test coverage of ${change.file}`);
    const fns = Object.entries(data.fnMap);
    const inFunction = (line: number) => fns.some(([, f]) => f.loc.start.line <= line && line <= f.loc.end.line && f.name !== '(top level)');
    for (let line = edit.start; line <= edit.end; line++) if (!inFunction(line)) return everything(`${change.file}:${line} is outside every function (module top level)`);
    const lines = new Set(Object.entries(data.statementMap).filter(([, l]) => overlaps(l, edit)).map(([id]) => Number(id)));
    const declared = new Set(fns.filter(([, f]) => f.decl.start.line >= edit.start && f.decl.start.line <= edit.end).map(([id]) => Number(id)));
    for (const [test, cov] of Object.entries(previous.perTest)) {
      const e = cov[change.file];
      if (e && (e.s.some((s) => lines.has(s)) || e.f.some((f) => declared.has(f)))) tests.add(test);
    }
  }
  return { all: false, tests: [...tests].sort(), testFiles: testFiles.sort() };
}
