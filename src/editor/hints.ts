/**
 * Pure presentation of an analysis in the editor: which lines of which files get a gap
 * decoration (0-based), the hover markdown for a gap, and the status bar text. No vscode runtime.
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
  return `command:${command}?${encodeURIComponent(JSON.stringify(args))}`;
}

/**
 * Engine texts are markdown-lite (they use `code spans`): keep those as they are, and outside them
 * neutralise what could inject links or HTML into the trusted hover, using entities (the hover
 * renders them as the plain characters; backslash escapes would show to the reader).
 */
function escapeMd(text: string): string {
  return text
    .split(/(`[^`]*`)/)
    .map((part, i) =>
      i % 2 === 1
        ? part
        : part.replace(/&(?=[#\w]+;)/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\[/g, '&#91;').replace(/\]/g, '&#93;'),
    )
    .join('');
}

function code(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.includes('`') ? `\`\` ${t} \`\`` : `\`${t}\``;
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

/** The hover's markdown for one gap (trusted: it carries command links). */
export function renderHoverMarkdown(report: FileReport, gap: Gap, root: string, stale = false): string {
  const lines: string[] = [];
  const target = report.target?.lines !== undefined ? ` / target ${report.target.lines}%` : '';
  lines.push(`**Gap-closure hint** — ${code(gap.qualifiedName)}`);
  lines.push('');
  lines.push(`*${escapeMd(report.relative)}: lines ${pct(report.figures.lines.pct)}${target}, branches ${pct(report.figures.branches.pct)}*`);
  if (stale) {
    lines.push('');
    lines.push('⚠ *The file changed since the last run; re-run with coverage to refresh this hint.*');
  }
  lines.push('');
  lines.push(`**Untested:** ${escapeMd(gap.hint.summary)}`);
  lines.push('');
  lines.push(`**Why it matters:** ${escapeMd(gap.hint.why)}`);
  if (gap.uncoveredRanges.length) {
    const spans = gap.uncoveredRanges.map((r) => (r.startLine === r.endLine ? `${r.startLine}` : `${r.startLine}–${r.endLine}`));
    lines.push('');
    lines.push(`**Never run:** line${gap.uncoveredLines.length === 1 ? '' : 's'} ${spans.join(', ')}${gap.functionCalled ? '' : ' (the function was never called)'}`);
  }
  if (gap.branches.length) {
    lines.push('');
    lines.push('**Branches never taken:**');
    for (const b of gap.branches) {
      lines.push(`- line ${b.line}: ${code(b.conditionText)} — side ${code(b.sideNotTaken)} never ran`);
    }
  }
  lines.push('');
  if (gap.closestTests.length) {
    lines.push('**Closest tests** (reach the function, miss the gap):');
    for (const t of gap.closestTests.slice(0, 3)) lines.push(`- ${escapeMd(t)}`);
  } else {
    lines.push('**Closest tests:** none reach this code');
  }
  lines.push('');
  lines.push(
    `**Still needed for the target:** ${neededText(report)}; closing this gap adds ${gap.gain.lines} line${gap.gain.lines === 1 ? '' : 's'}` +
      ` and ${gap.gain.branches} branch${gap.gain.branches === 1 ? '' : 'es'}`,
  );
  const st = gap.hint.suggestedTest;
  lines.push('');
  lines.push(`**Suggested test** in ${code(path.relative(root, st.file).split(path.sep).join('/'))}: ${escapeMd(st.title)}`);
  lines.push('');
  lines.push('```ts');
  lines.push(...st.outline);
  lines.push('```');
  lines.push('');
  lines.push(
    [
      `[$(play) Run this file's tests](${commandUri(HINT_COMMANDS.runFileTests, { source: report.file })})`,
      `[$(book) Open the gap-closure plan](${commandUri(HINT_COMMANDS.showPlan)})`,
      `[$(add) Add the suggested test](${commandUri(HINT_COMMANDS.addTest, { gapId: gap.id })})`,
      `[$(copy) Copy the suggested test outline](${commandUri(HINT_COMMANDS.copyOutline, { gapId: gap.id })})`,
    ].join(' · '),
  );
  return lines.join('\n');
}

/**
 * The compact hover (`governanceCoverage.hintDetail: compact`): header, figures, stale warning,
 * what is untested, what the target still needs, and the action links.
 */
export function compactHover(fullMarkdown: string): string {
  return fullMarkdown
    .split('\n\n')
    .filter((p) => /^\*\*Gap-closure hint|^\*[^*]|^⚠|^\*\*Untested|^\*\*Still needed|^\[/.test(p))
    .join('\n\n');
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
