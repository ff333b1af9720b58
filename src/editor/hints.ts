/**
 * Pure presentation of an analysis in the editor: which lines of which files get a gap
 * decoration (0-based), the hover for a gap, and the status bar text. No vscode runtime: the hover
 * is data (paragraphs of pieces) that {@link buildHover} appends to a `vscode.MarkdownString`
 * (gapDecorations.ts) — workspace text through `appendText` or literal code spans, never
 * concatenated into markdown.
 */
import * as path from 'path';
import type { Analysis, FileReport, Gap } from '../coverage/model';
import type { LineRange } from './rangeShift';

/** A decorated line range tied to the gap it belongs to. */
export interface GapRange extends LineRange {
  gapId: string;
  /** 'lines' for never-run lines, 'branch' for a line whose branch side never ran. */
  reason: 'lines' | 'branch';
}

/** Command ids the hover links to (enabled in the trusted markdown). */
export const HINT_COMMANDS = {
  runFileTests: 'governanceCoverage.runTestsForFile',
  showPlan: 'governanceCoverage.showPlan',
  copyOutline: 'governanceCoverage.copyTestOutline',
  addTest: 'governanceCoverage.addSuggestedTest',
} as const;

/** Files that get decorations: below target and with gaps. */
export function filesBelowTarget(analysis: Analysis): FileReport[] {
  return analysis.files.filter((f) => !f.meetsTarget && f.gaps.length > 0);
}

/** 0-based decoration ranges for one file: uncovered line runs plus lines of untaken branches. */
export function gapRangesForFile(report: FileReport): GapRange[] {
  const out: GapRange[] = [];
  const covered = new Set<number>();
  for (const gap of report.gaps) {
    for (const r of gap.uncoveredRanges) {
      out.push({ startLine: r.startLine - 1, endLine: r.endLine - 1, gapId: gap.id, reason: 'lines' });
      for (let l = r.startLine; l <= r.endLine; l++) covered.add(l);
    }
  }
  for (const gap of report.gaps) {
    for (const b of gap.branches) {
      if (covered.has(b.line)) continue;
      covered.add(b.line);
      out.push({ startLine: b.line - 1, endLine: b.line - 1, gapId: gap.id, reason: 'branch' });
    }
  }
  return out.sort((a, b) => a.startLine - b.startLine);
}

/** A `command:` link with JSON arguments, as VS Code's trusted markdown expects. */
export function commandUri(command: string, ...args: unknown[]): string {
  // encodeURIComponent leaves `(` `)` as they are: encoded too, so a path cannot end the link.
  return `command:${command}?${encodeURIComponent(JSON.stringify(args)).replace(/\(/g, '%28').replace(/\)/g, '%29')}`;
}

/**
 * A piece of the hover: `md` is markdown this module writes itself (constant markup, figures,
 * command links); `text` and `code` come from the workspace (titles, names, conditions, paths)
 * and are only ever added as text (`MarkdownString.appendText`, which escapes markdown and theme
 * icons) or inside a code span / code block whose fence is longer than any backtick run in them.
 */
export type HoverPiece = { md: string } | { text: string } | { code: string } | { codeblock: string; lang: string };

/** A paragraph of the hover; `compact` ones make the compact hover (`hintDetail: compact`). */
export interface HoverParagraph {
  pieces: HoverPiece[];
  compact: boolean;
}

/** What the hover is built with: the part of `vscode.MarkdownString` it uses. */
export interface MarkdownBuilder {
  appendMarkdown(value: string): unknown;
  appendText(value: string): unknown;
}

const longestTickRun = (text: string) => Math.max(0, ...(text.match(/`+/g) ?? []).map((r) => r.length));

/** An inline code span showing `text` literally: whitespace folded, a fence no backtick run in it can close. */
export function codeSpan(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  const fence = '`'.repeat(longestTickRun(t) + 1);
  return /^`|`$|^$/.test(t) || fence.length > 1 ? `${fence} ${t} ${fence}` : `${fence}${t}${fence}`;
}

/** A fenced code block showing `code` literally (its fence is longer than any backtick run in it). */
export function codeBlock(code: string, lang: string): string {
  const fence = '`'.repeat(Math.max(3, longestTickRun(code) + 1));
  return `${fence}${lang.replace(/[^\w-]/g, '')}\n${code}\n${fence}`;
}

/** Append paragraphs to a markdown string: our markup as markdown, workspace text as text or code. */
export function buildHover(paragraphs: HoverParagraph[], md: MarkdownBuilder, compact = false): void {
  paragraphs
    .filter((p) => !compact || p.compact)
    .forEach((p, i) => {
      if (i) md.appendMarkdown('\n\n');
      for (const piece of p.pieces) {
        if ('md' in piece) md.appendMarkdown(piece.md);
        else if ('text' in piece) md.appendText(piece.text);
        else if ('code' in piece) md.appendMarkdown(codeSpan(piece.code));
        else md.appendMarkdown(codeBlock(piece.codeblock, piece.lang));
      }
    });
}

function pct(n: number): string {
  return `${Math.floor(n * 10) / 10}%`;
}

/** Short "what is still needed" text for a file, e.g. `6 more lines, 2 more branches`. */
export function neededText(report: FileReport): string {
  const parts: string[] = [];
  const n = report.needed;
  if (n.lines > 0) parts.push(`${n.lines} more line${n.lines === 1 ? '' : 's'}`);
  if (n.branches > 0) parts.push(`${n.branches} more branch${n.branches === 1 ? '' : 'es'}`);
  if (n.functions > 0) parts.push(`${n.functions} more function${n.functions === 1 ? '' : 's'}`);
  if (n.statements > 0) parts.push(`${n.statements} more statement${n.statements === 1 ? '' : 's'}`);
  return parts.length ? parts.join(', ') : 'nothing (target met)';
}

/** Inline after-text on the first line of a gap, e.g. `◂ gap: executeBrowserAction never ran`. */
export function inlineHintText(gap: Gap): string {
  return `◂ gap: ${gap.hint.summary}`;
}

/** The hover for one gap, as paragraphs (see {@link buildHover}); the markdown is trusted: it carries command links. */
export function hoverParagraphs(report: FileReport, gap: Gap, root: string, stale = false): HoverParagraph[] {
  const out: HoverParagraph[] = [];
  const para = (compact: boolean, ...pieces: HoverPiece[]) => out.push({ compact, pieces });
  const md = (v: string): HoverPiece => ({ md: v });
  const text = (v: string): HoverPiece => ({ text: v });
  const target = report.target?.lines !== undefined ? ` / target ${report.target.lines}%` : '';
  para(true, md('**Gap-closure hint** — '), { code: gap.qualifiedName });
  para(true, md('*'), text(report.relative), md(`: lines ${pct(report.figures.lines.pct)}${target}, branches ${pct(report.figures.branches.pct)}*`));
  if (stale) para(true, md('⚠ *The file changed since the last run; re-run with coverage to refresh this hint.*'));
  para(true, md('**Untested:** '), text(gap.hint.summary));
  para(false, md('**Why it matters:** '), text(gap.hint.why));
  if (gap.uncoveredRanges.length) {
    const spans = gap.uncoveredRanges.map((r) => (r.startLine === r.endLine ? `${r.startLine}` : `${r.startLine}–${r.endLine}`));
    para(false, md(`**Never run:** line${gap.uncoveredLines.length === 1 ? '' : 's'} ${spans.join(', ')}${gap.functionCalled ? '' : ' (the function was never called)'}`));
  }
  if (gap.branches.length) {
    const items = gap.branches.flatMap((b): HoverPiece[] => [md(`\n- line ${b.line}: `), text(b.description)]);
    para(false, md('**Branches never taken:**'), ...items);
  }
  if (gap.closestTests.length) {
    para(false, md('**Closest tests** (reach the function, miss the gap):'), ...gap.closestTests.slice(0, 3).flatMap((t) => [md('\n- '), text(t)]));
  } else para(false, md('**Closest tests:** none reach this code'));
  para(true, md(
    `**Still needed for the target:** ${neededText(report)}; closing this gap adds ${gap.gain.lines} line${gap.gain.lines === 1 ? '' : 's'}` +
      ` and ${gap.gain.branches} branch${gap.gain.branches === 1 ? '' : 'es'}`,
  ));
  const st = gap.hint.suggestedTest;
  para(false, md('**Suggested test** in '), { code: path.relative(root, st.file).split(path.sep).join('/') }, md(': '), text(st.title));
  para(false, { codeblock: st.outline.join('\n'), lang: 'ts' });
  para(true, md([
    `[$(play) Run this file's tests](${commandUri(HINT_COMMANDS.runFileTests, { source: report.file })})`,
    `[$(book) Open the gap-closure plan](${commandUri(HINT_COMMANDS.showPlan)})`,
    `[$(add) Add the suggested test](${commandUri(HINT_COMMANDS.addTest, { gapId: gap.id })})`,
    `[$(copy) Copy the suggested test outline](${commandUri(HINT_COMMANDS.copyOutline, { gapId: gap.id })})`,
  ].join(' · ')));
  return out;
}

/** The suggested test as text to paste: an `it(...)` block with the outline as comments. */
export function suggestedTestSnippet(gap: Gap): string {
  const st = gap.hint.suggestedTest;
  const body = st.outline.map((l) => `  ${l.startsWith('//') ? l : `// ${l}`}`);
  return [`it(${JSON.stringify(st.title)}, async () => {`, ...body, '});', ''].join('\n');
}

/** Status bar text and whether it is below target. */
export interface StatusInfo {
  text: string;
  tooltip: string;
  belowTarget: boolean;
}

/** e.g. `Gov 86% / 90%`; floors the percentage so a miss never displays as the target. */
export function statusInfo(analysis: Analysis | undefined, running = false): StatusInfo {
  if (running) return { text: '$(sync~spin) Gov …', tooltip: 'Governance tests running', belowTarget: false };
  if (!analysis) {
    return { text: '$(beaker) Gov –', tooltip: 'Governance coverage: run the tests with coverage', belowTarget: false };
  }
  const lines = Math.floor(analysis.totals.lines.pct);
  const target = analysis.overallTarget;
  const below = target !== undefined ? analysis.totals.lines.pct < target : !analysis.allTargetsMet;
  const failing = analysis.files.filter((f) => !f.meetsTarget).length;
  return {
    text: `Gov ${lines}%${target !== undefined ? ` / ${target}%` : ''}`,
    tooltip:
      `Governed sources: lines ${pct(analysis.totals.lines.pct)}, branches ${pct(analysis.totals.branches.pct)}, ` +
      `functions ${pct(analysis.totals.functions.pct)}` +
      `${target !== undefined ? ` (target ${target}%)` : ''}; ${failing} file${failing === 1 ? '' : 's'} below target. ` +
      'Click to open the gap-closure plan.',
    belowTarget: below,
  };
}
