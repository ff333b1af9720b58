/**
 * Pure presentation of a mutation analysis in the editor (no vscode runtime): the mutant ranges
 * to decorate (0-based), the hover as a list of parts — `label` parts are our own fixed markdown,
 * every piece of workspace text (source, test titles, names) is a `text` or `code` part that the
 * editor adds with `MarkdownString.appendText` / `appendCodeblock`, never as markdown — the
 * Problems-panel entries and the status bar text.
 */
import * as path from 'path';
import type { TestCoverage } from '../coverage/model';
import type { MutantGap, MutationAnalysis, MutationGap } from '../mutation/model';

/** A decorated mutant: 0-based lines and columns. */
export interface MutantRange {
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
  gapId: string;
  mutantId: string;
  status: MutantGap['status'];
}

/** Mutant ranges per file (absolute path), survivors and uncovered mutants of every analysed file. */
export function mutantRanges(analysis: MutationAnalysis): Map<string, MutantRange[]> {
  const out = new Map<string, MutantRange[]>();
  for (const f of analysis.files) {
    const ranges = f.gaps.flatMap((g) => g.mutants.map((m) => ({
      startLine: m.range.start.line - 1, startColumn: m.range.start.column, endLine: m.range.end.line - 1, endColumn: m.range.end.column,
      gapId: g.id, mutantId: m.id, status: m.status,
    })));
    if (ranges.length) out.set(path.resolve(f.file), ranges.sort((a, b) => a.startLine - b.startLine || a.startColumn - b.startColumn));
  }
  return out;
}

/** One piece of the hover: our own markdown (`label`), workspace text (`text`) or a code block. */
export type HoverPart = { kind: 'label'; value: string } | { kind: 'text'; value: string } | { kind: 'code'; value: string; language: string } | { kind: 'break' };

/** The hover of one mutant. */
export function mutantHover(gap: MutationGap, m: MutantGap, fileScore: { pct: number; target?: number }, root: string, stale: boolean): HoverPart[] {
  const parts: HoverPart[] = [];
  const br = () => parts.push({ kind: 'break' });
  parts.push({ kind: 'label', value: m.status === 'Survived' ? '**Surviving mutant** — ' : '**Mutant no test runs** — ' }, { kind: 'text', value: `${m.mutatorName} in ${m.subject}` });
  br();
  parts.push({ kind: 'label', value: '*Mutation score* ' }, { kind: 'text', value: `${Math.floor(fileScore.pct * 10) / 10}%${fileScore.target !== undefined ? ` / target ${fileScore.target}%` : ''}` });
  if (stale) {
    br();
    parts.push({ kind: 'label', value: '⚠ *The file changed since the last mutation run; check test strength again to refresh.*' });
  }
  parts.push({ kind: 'code', value: m.diff, language: 'diff' });
  parts.push({ kind: 'label', value: '**Untested:** ' }, { kind: 'text', value: m.sentence });
  br();
  if (m.ranBy.length) {
    parts.push({ kind: 'label', value: `**Tests that ran it and still passed** (${m.testsRan}): ` }, { kind: 'text', value: m.ranBy.slice(0, 4).join(' · ') + (m.ranBy.length > 4 ? ` (+${m.ranBy.length - 4} more)` : '') });
  } else {
    parts.push({ kind: 'label', value: '**Tests that ran it:** none' });
  }
  br();
  parts.push({ kind: 'label', value: '**Assert:** ' }, { kind: 'text', value: m.advice });
  br();
  const st = gap.hint.suggestedTest;
  parts.push({ kind: 'label', value: '**Where:** ' }, { kind: 'text', value: `${path.relative(root, st.file).split(path.sep).join('/')} — it(${JSON.stringify(st.title)})` });
  return parts;
}

/** The hover as plain text (test state, logs). */
export function hoverPlainText(parts: HoverPart[]): string {
  return parts.map((p) => (p.kind === 'break' ? '\n' : p.kind === 'code' ? `\n${p.value}\n` : p.value.replace(/\*\*|\*/g, ''))).join('').replace(/\n{3,}/g, '\n\n').trim();
}

/** A Problems-panel entry: 0-based range and the message. */
export interface MutantProblem {
  file: string;
  range: Omit<MutantRange, 'gapId' | 'mutantId' | 'status'>;
  message: string;
  code: string;
}

export function mutantProblems(analysis: MutationAnalysis): MutantProblem[] {
  return analysis.files.flatMap((f) => f.gaps.flatMap((g) => g.mutants.map((m) => ({
    file: path.resolve(f.file),
    range: { startLine: m.range.start.line - 1, startColumn: m.range.start.column, endLine: m.range.end.line - 1, endColumn: m.range.end.column },
    message: `${m.status === 'Survived' ? 'Surviving mutant' : 'Mutant not covered'}: ${m.sentence}. Assert ${m.advice}.`,
    code: m.mutatorName,
  }))));
}

export interface MutationStatusInfo {
  text: string;
  tooltip: string;
  belowTarget: boolean;
}

/** e.g. `Mut 88% / 95%`, floored so a miss never reads as the target; progress while running. */
export function mutationStatusInfo(analysis: MutationAnalysis | undefined, progress?: { done: number; total: number }): MutationStatusInfo {
  if (progress) return { text: `$(sync~spin) Mut ${progress.done}/${progress.total || '…'}`, tooltip: 'Checking test strength (StrykerJS): click to cancel', belowTarget: false };
  if (!analysis) return { text: '$(beaker) Mut –', tooltip: 'Test strength: run "Governance: Check test strength"', belowTarget: false };
  const t = analysis.totals;
  const target = analysis.overallTarget;
  const below = analysis.files.filter((f) => !f.meetsTarget).length;
  return {
    text: `Mut ${Math.floor(t.pct)}%${target !== undefined ? ` / ${target}%` : ''}`,
    tooltip: `Mutation score ${Math.floor(t.pct * 10) / 10}%: ${t.detected} of ${t.valid} mutants killed, ${t.survived} survived, ${t.noCoverage} not covered; ` +
      `${below} file${below === 1 ? '' : 's'} below the mutation target. Click to check test strength again.`,
    belowTarget: !analysis.allTargetsMet,
  };
}

/**
 * Source files that the tests with these ids executed (per-test coverage of the last coverage run),
 * sorted; undefined when there is no per-test data for any of them.
 */
export function filesRunBy(testIds: readonly string[], perTest: Record<string, TestCoverage> | undefined): string[] | undefined {
  if (!perTest) return undefined;
  const files = new Set<string>();
  for (const id of testIds) {
    for (const [file, c] of Object.entries(perTest[id] ?? {})) if (c.s.length || c.f.length) files.add(path.resolve(file));
  }
  return files.size ? [...files].sort() : undefined;
}

/** Surviving mutants by the full title of each test that ran them and still passed (StrykerJS names tests by mocha's full title). */
export function survivorsByTest(analysis: MutationAnalysis): Map<string, Array<{ file: string; mutant: MutantGap }>> {
  const byTitle = new Map<string, Array<{ file: string; mutant: MutantGap }>>();
  for (const f of analysis.files) {
    for (const m of f.gaps.flatMap((g) => g.mutants)) {
      if (m.status !== 'Survived') continue;
      for (const title of m.ranBy) byTitle.set(title, [...(byTitle.get(title) ?? []), { file: f.file, mutant: m }]);
    }
  }
  return byTitle;
}
