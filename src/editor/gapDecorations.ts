/**
 * Gap hints on the code: decorations on uncovered lines of files below target (created once,
 * theme colours from `contributes.colors`) and a hover with the gap-closure hint. Ranges follow
 * edits (pure `shiftRanges`) and turn "stale" (dimmed) after an edit until the next coverage run.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import type { Analysis, FileReport, Gap } from '../coverage/model';
import { buildHover, filesBelowTarget, gapRangesForFile, HINT_COMMANDS, hoverParagraphs, inlineHintText, type GapRange } from './hints';
import { shiftRanges, toLineChange } from './rangeShift';

interface FileHints {
  report: FileReport;
  ranges: GapRange[];
  stale: boolean;
  /** The root whose analysis the hints come from. */
  root: string;
}

/** Plain view of one file's decorations (test-state command). */
export interface DecorationSnapshot {
  stale: boolean;
  ranges: Array<{ startLine: number; endLine: number; gapId: string; reason: string }>;
  /** Lines actually decorated in visible editors right now (0-based), or undefined if not visible. */
  applied?: number[];
}

export type HintDetail = 'full' | 'compact';

export class GapDecorations implements vscode.Disposable, vscode.HoverProvider {
  private readonly fresh: vscode.TextEditorDecorationType;
  private readonly stale: vscode.TextEditorDecorationType;
  private readonly files = new Map<string, FileHints>();
  private readonly applied = new Map<string, number[]>();
  private readonly disposables: vscode.Disposable[] = [];
  /** The latest analysis of each root. */
  private readonly analyses = new Map<string, Analysis>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  enabled: boolean;
  detail: HintDetail;

  /** `mediaDir` holds the gutter icons (`gap.svg`, `gap-stale.svg`). */
  constructor(enabled: boolean, detail: HintDetail, mediaDir: vscode.Uri) {
    this.enabled = enabled;
    this.detail = detail;
    this.fresh = vscode.window.createTextEditorDecorationType({
      isWholeLine: true,
      gutterIconPath: vscode.Uri.joinPath(mediaDir, 'gap.svg'),
      gutterIconSize: 'contain',
      backgroundColor: new vscode.ThemeColor('governanceCoverage.gapBackground'),
      borderColor: new vscode.ThemeColor('governanceCoverage.gapBorder'),
      borderStyle: 'solid',
      borderWidth: '0 0 0 3px',
      overviewRulerColor: new vscode.ThemeColor('governanceCoverage.gapOverviewRuler'),
      overviewRulerLane: vscode.OverviewRulerLane.Left,
      after: { color: new vscode.ThemeColor('governanceCoverage.hintForeground'), margin: '0 0 0 2em', fontStyle: 'italic' },
    });
    this.stale = vscode.window.createTextEditorDecorationType({
      isWholeLine: true,
      gutterIconPath: vscode.Uri.joinPath(mediaDir, 'gap-stale.svg'),
      gutterIconSize: 'contain',
      backgroundColor: new vscode.ThemeColor('governanceCoverage.staleGapBackground'),
      borderColor: new vscode.ThemeColor('governanceCoverage.staleGapBorder'),
      borderStyle: 'dashed',
      borderWidth: '0 0 0 3px',
      opacity: '0.6',
      after: { color: new vscode.ThemeColor('governanceCoverage.staleHintForeground'), margin: '0 0 0 2em', fontStyle: 'italic' },
    });
    this.disposables.push(
      this.fresh,
      this.stale,
      this.changed,
      vscode.window.onDidChangeVisibleTextEditors(() => this.applyAll()),
      vscode.workspace.onDidChangeTextDocument((e) => this.onEdit(e)),
    );
  }

  /** Replaces the hints of `root` from its fresh analysis (they become fresh again); other roots' stay. */
  setAnalysis(analysis: Analysis, root: string): void {
    this.analyses.set(root, analysis);
    for (const [file, hints] of this.files) if (hints.root === root) this.files.delete(file);
    for (const report of filesBelowTarget(analysis)) {
      this.files.set(path.resolve(report.file), { report, ranges: gapRangesForFile(report), stale: false, root });
    }
    this.applyAll();
  }

  /** Shows or hides the decorations (hover follows). */
  setEnabled(enabled: boolean): void {
    this.enabled = enabled;
    this.applyAll();
  }

  setDetail(detail: HintDetail): void {
    this.detail = detail;
    this.applyAll();
  }

  /** The gap with this id, if any. */
  gap(id: string): Gap | undefined {
    for (const f of this.files.values()) {
      const g = f.report.gaps.find((x) => x.id === id);
      if (g) return g;
    }
    return [...this.analyses.values()].flatMap((a) => a.files.flatMap((f) => f.gaps)).find((g) => g.id === id);
  }

  /** The gap marked on a file's 0-based line (hints shown), if any. */
  gapAt(file: string, line: number): Gap | undefined {
    if (!this.enabled) return undefined;
    const hints = this.files.get(path.resolve(file));
    const range = hints?.ranges.find((r) => line >= r.startLine && line <= r.endLine);
    return range && hints!.report.gaps.find((g) => g.id === range.gapId);
  }

  /**
   * The hover for a file and 0-based line, or undefined when no gap is there: a MarkdownString
   * built with its own API (workspace text through `appendText` or literal code spans), trusted
   * for our three commands only.
   */
  hoverMarkdown(file: string, line: number): vscode.MarkdownString | undefined {
    if (!this.enabled) return undefined;
    const hints = this.files.get(path.resolve(file));
    if (!hints) return undefined;
    const range = hints.ranges.find((r) => line >= r.startLine && line <= r.endLine);
    const gap = range && hints.report.gaps.find((g) => g.id === range.gapId);
    if (!gap) return undefined;
    const md = new vscode.MarkdownString('', true); // theme icons on: appendText escapes `$(…)` in workspace text
    buildHover(hoverParagraphs(hints.report, gap, hints.root, hints.stale), md, this.detail !== 'full');
    md.isTrusted = { enabledCommands: Object.values(HINT_COMMANDS) };
    return md;
  }

  /** The hover's markdown source (for the test-state command). */
  hoverText(file: string, line: number): string | undefined {
    return this.hoverMarkdown(file, line)?.value;
  }

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const md = this.hoverMarkdown(document.uri.fsPath, position.line);
    return md && new vscode.Hover(md);
  }

  /** Plain view for the test-state command. */
  snapshot(): Record<string, DecorationSnapshot> {
    const out: Record<string, DecorationSnapshot> = {};
    for (const [file, h] of this.files) {
      out[file] = {
        stale: h.stale,
        ranges: h.ranges.map((r) => ({ startLine: r.startLine, endLine: r.endLine, gapId: r.gapId, reason: r.reason })),
        ...(this.applied.has(file) ? { applied: this.applied.get(file) } : {}),
      };
    }
    return out;
  }

  dispose(): void {
    this.disposables.forEach((d) => d.dispose());
  }

  private onEdit(e: vscode.TextDocumentChangeEvent): void {
    if (e.contentChanges.length === 0 || e.document.uri.scheme !== 'file') return;
    const file = path.resolve(e.document.uri.fsPath);
    const hints = this.files.get(file);
    if (!hints) return;
    hints.ranges = shiftRanges(hints.ranges, e.contentChanges.map(toLineChange));
    hints.stale = true;
    this.applyAll();
  }

  private applyAll(): void {
    this.applied.clear();
    for (const editor of vscode.window.visibleTextEditors) this.apply(editor);
    this.changed.fire();
  }

  private apply(editor: vscode.TextEditor): void {
    if (editor.document.uri.scheme !== 'file') return;
    const file = path.resolve(editor.document.uri.fsPath);
    const hints = this.enabled ? this.files.get(file) : undefined;
    if (!hints) {
      editor.setDecorations(this.fresh, []);
      editor.setDecorations(this.stale, []);
      return;
    }
    const lastLine = Math.max(0, editor.document.lineCount - 1);
    const seenGap = new Set<string>();
    const options: vscode.DecorationOptions[] = [];
    const lines: number[] = [];
    for (const r of hints.ranges) {
      const start = Math.min(r.startLine, lastLine);
      const end = Math.min(r.endLine, lastLine);
      const gap = hints.report.gaps.find((g) => g.id === r.gapId);
      const first = !seenGap.has(r.gapId);
      seenGap.add(r.gapId);
      const contentText = this.detail === 'full' && first && gap
        ? (hints.stale ? '◂ gap (stale: re-run with coverage)' : inlineHintText(gap))
        : undefined;
      if (contentText) {
        // the note goes after the first line of the gap; the rest of the range is plain
        options.push({ range: new vscode.Range(start, 0, start, 0), renderOptions: { after: { contentText } } });
        if (end > start) options.push({ range: new vscode.Range(start + 1, 0, end, 0) });
      } else {
        options.push({ range: new vscode.Range(start, 0, end, 0) });
      }
      for (let l = start; l <= end; l++) lines.push(l);
    }
    editor.setDecorations(hints.stale ? this.fresh : this.stale, []);
    editor.setDecorations(hints.stale ? this.stale : this.fresh, options);
    this.applied.set(file, lines);
  }
}
