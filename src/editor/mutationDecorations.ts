/**
 * Surviving and uncovered mutants on the code: their own decorations (a dotted purple underline
 * on the mutated code with a gutter mark; distinct from the red whole-line marks of uncovered
 * lines), the hover (the mutant's diff, the tests that let it live, the hint) built with
 * `MarkdownString.appendText` / `appendCodeblock` for every piece of workspace text, and the
 * Problems panel entries (Information). Ranges follow edits and turn stale until the next run.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import type { MutationAnalysis } from '../mutation/model';
import { hoverPlainText, mutantHover, mutantProblems, mutantRanges, type HoverPart, type MutantRange } from './mutationView';
import { shiftRanges, toLineChange } from './rangeShift';

export class MutationDecorations implements vscode.Disposable, vscode.HoverProvider {
  private readonly survived: vscode.TextEditorDecorationType;
  private readonly uncovered: vscode.TextEditorDecorationType;
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('governance-mutation');
  private readonly disposables: vscode.Disposable[] = [];
  private readonly files = new Map<string, { ranges: MutantRange[]; stale: boolean }>();
  private readonly applied = new Map<string, number[]>();
  private analysis: MutationAnalysis | undefined;
  private root = '';
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(mediaDir: vscode.Uri) {
    const common: vscode.DecorationRenderOptions = {
      overviewRulerLane: vscode.OverviewRulerLane.Right,
      gutterIconSize: 'contain',
      borderStyle: 'none none dotted none',
      borderWidth: '0 0 2px 0',
    };
    this.survived = vscode.window.createTextEditorDecorationType({
      ...common,
      gutterIconPath: vscode.Uri.joinPath(mediaDir, 'mutant.svg'),
      borderColor: new vscode.ThemeColor('governanceCoverage.mutantBorder'),
      backgroundColor: new vscode.ThemeColor('governanceCoverage.mutantBackground'),
      overviewRulerColor: new vscode.ThemeColor('governanceCoverage.mutantBorder'),
    });
    this.uncovered = vscode.window.createTextEditorDecorationType({
      ...common,
      gutterIconPath: vscode.Uri.joinPath(mediaDir, 'mutant-uncovered.svg'),
      borderColor: new vscode.ThemeColor('governanceCoverage.uncoveredMutantBorder'),
      overviewRulerColor: new vscode.ThemeColor('governanceCoverage.uncoveredMutantBorder'),
    });
    this.disposables.push(this.survived, this.uncovered, this.diagnostics, this.changed,
      vscode.window.onDidChangeVisibleTextEditors(() => this.applyAll()),
      vscode.workspace.onDidChangeTextDocument((e) => this.onEdit(e)));
  }

  /** Replaces everything with a fresh analysis. */
  setAnalysis(analysis: MutationAnalysis, root: string): void {
    this.analysis = analysis;
    this.root = root;
    this.files.clear();
    for (const [file, ranges] of mutantRanges(analysis)) this.files.set(file, { ranges, stale: false });
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const p of mutantProblems(analysis)) {
      const d = new vscode.Diagnostic(new vscode.Range(p.range.startLine, p.range.startColumn, p.range.endLine, p.range.endColumn), p.message, vscode.DiagnosticSeverity.Information);
      d.source = 'Governance test strength';
      d.code = p.code;
      byFile.set(p.file, [...(byFile.get(p.file) ?? []), d]);
    }
    this.diagnostics.clear();
    for (const [file, list] of byFile) this.diagnostics.set(vscode.Uri.file(file), list);
    this.applyAll();
  }

  /** The hover parts at a 0-based position, or undefined. */
  hoverParts(file: string, line: number, character?: number): HoverPart[] | undefined {
    const hints = this.files.get(path.resolve(file));
    if (!hints || !this.analysis) return undefined;
    const onLine = hints.ranges.filter((r) => line >= r.startLine && line <= r.endLine);
    const r = onLine.find((x) => character === undefined || ((line > x.startLine || character >= x.startColumn) && (line < x.endLine || character <= x.endColumn))) ?? onLine[0];
    if (!r) return undefined;
    const report = this.analysis.files.find((f) => path.resolve(f.file) === path.resolve(file));
    const gap = report?.gaps.find((g) => g.id === r.gapId);
    const mutant = gap?.mutants.find((m) => m.id === r.mutantId);
    if (!report || !gap || !mutant) return undefined;
    return mutantHover(gap, mutant, { pct: report.score.pct, target: report.target }, this.root, hints.stale);
  }

  /** Plain text of the hover (test state). */
  hoverText(file: string, line: number): string | undefined {
    const parts = this.hoverParts(file, line);
    return parts && hoverPlainText(parts);
  }

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const parts = this.hoverParts(document.uri.fsPath, position.line, position.character);
    if (!parts) return undefined;
    const md = new vscode.MarkdownString();
    md.supportHtml = false;
    for (const p of parts) {
      if (p.kind === 'label') md.appendMarkdown(p.value);
      else if (p.kind === 'text') md.appendText(p.value);
      else if (p.kind === 'code') md.appendCodeblock(p.value, p.language);
      else md.appendMarkdown('\n\n');
    }
    return new vscode.Hover(md);
  }

  /** Plain view for the test-state command. */
  snapshot(): Record<string, { stale: boolean; ranges: MutantRange[]; applied?: number[] }> {
    const out: Record<string, { stale: boolean; ranges: MutantRange[]; applied?: number[] }> = {};
    for (const [file, h] of this.files) out[file] = { stale: h.stale, ranges: h.ranges, ...(this.applied.has(file) ? { applied: this.applied.get(file) } : {}) };
    return out;
  }

  dispose(): void {
    this.disposables.forEach((d) => d.dispose());
  }

  private onEdit(e: vscode.TextDocumentChangeEvent): void {
    if (e.contentChanges.length === 0 || e.document.uri.scheme !== 'file') return;
    const hints = this.files.get(path.resolve(e.document.uri.fsPath));
    if (!hints) return;
    const shifted = shiftRanges(hints.ranges, e.contentChanges.map(toLineChange));
    hints.ranges = shifted.map((r) => ({ ...r, endColumn: r.endLine === r.startLine ? Math.max(r.endColumn, r.startColumn) : r.endColumn }));
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
    const hints = this.files.get(file);
    const survived: vscode.DecorationOptions[] = [];
    const uncovered: vscode.DecorationOptions[] = [];
    for (const r of hints?.ranges ?? []) {
      const range = editor.document.validateRange(new vscode.Range(r.startLine, r.startColumn, r.endLine, r.endColumn));
      (r.status === 'Survived' ? survived : uncovered).push({ range });
    }
    editor.setDecorations(this.survived, survived);
    editor.setDecorations(this.uncovered, uncovered);
    if (hints) this.applied.set(file, [...new Set(hints.ranges.map((r) => r.startLine))]);
  }
}
