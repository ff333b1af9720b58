/**
 * Plain-text renderings for the CLI: the per-file table against targets, and the top hints.
 */
import type { Analysis, FileReport, Gap, RunStats, Thresholds } from './model';

const pct = (n: number) => `${n.toFixed(1)}%`;

/** `lines 95 / branches 90 / ...` for a target; `-` when none applies. */
export function targetText(t: Thresholds | undefined): string {
  if (!t) return '-';
  const parts: string[] = [];
  if (t.lines !== undefined) parts.push(`L${t.lines}`);
  if (t.branches !== undefined) parts.push(`B${t.branches}`);
  if (t.functions !== undefined) parts.push(`F${t.functions}`);
  if (t.statements !== undefined) parts.push(`S${t.statements}`);
  return parts.join(' ');
}

function status(f: FileReport): string {
  if (!f.target) return 'no target';
  return f.meetsTarget ? 'ok' : `BELOW (${f.failing.join(', ')})`;
}

/** The table: file, lines %, branches %, functions %, target, status, lines still needed. */
export function renderTable(analysis: Analysis): string {
  const header = ['File', 'Lines', 'Branches', 'Functions', 'Target', 'Status', 'Lines needed'];
  const rows = analysis.files.map((f) => [
    f.relative,
    pct(f.figures.lines.pct),
    pct(f.figures.branches.pct),
    pct(f.figures.functions.pct),
    targetText(f.target),
    status(f),
    String(f.needed.lines),
  ]);
  const t = analysis.totals;
  rows.push(['All files', pct(t.lines.pct), pct(t.branches.pct), pct(t.functions.pct), analysis.overallTarget !== undefined ? `L${analysis.overallTarget}` : '-',
    analysis.allTargetsMet ? 'ok' : 'BELOW', String(analysis.files.reduce((s, f) => s + f.needed.lines, 0))]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 || i === 4 || i === 5 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  const sep = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(header), sep, ...rows.slice(0, -1).map(line), sep, line(rows[rows.length - 1])].join('\n');
}

/** The gaps to work on first: files below target, each in greedy order, interleaved by gain. */
export function topGaps(analysis: Analysis, max: number): Gap[] {
  const below = analysis.files.filter((f) => !f.meetsTarget);
  const pool = (below.length ? below : analysis.files).flatMap((f) => f.gaps);
  return pool
    .map((g, i) => ({ g, i, w: g.gain.lines + g.gain.branches }))
    .sort((a, b) => b.w - a.w || a.i - b.i)
    .slice(0, max)
    .map((x) => x.g);
}

/** The top `max` gaps with their hints, as plain text. */
export function renderHints(analysis: Analysis, max: number): string {
  const gaps = topGaps(analysis, max);
  if (!gaps.length) return 'No coverage gaps.';
  return [`Top ${gaps.length} gap${gaps.length === 1 ? '' : 's'}:`, '', ...gaps.map((g, i) => `${i + 1}. ${g.hint.text}`).join('\n\n').split('\n')].join('\n');
}

/** The closing line CI reads: `N passed, N failed` (and `, N skipped`). */
export function closingLine(stats: RunStats): string {
  return `${stats.passed} passed, ${stats.failed} failed${stats.skipped ? `, ${stats.skipped} skipped` : ''}`;
}
