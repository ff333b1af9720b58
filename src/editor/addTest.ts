/**
 * "Add suggested test": a quick fix on a gap mark (and a link in the gap hover) that inserts the
 * gap's suggested test into the right test file and `describe` as a pending mocha test
 * (`it('…');`, outline as comments above it), saves it so the Test Explorer shows it, and opens
 * it at the new test. Where and what to insert is decided by the pure suggestedTest.ts.
 */
import * as fs from 'fs';
import * as vscode from 'vscode';
import { COMMANDS } from './commands';
import type { GapDecorations } from './gapDecorations';
import { insertionFor, newFileFor } from './suggestedTest';

/** Quick fix "Add suggested test: <title>" on lines marked as a gap. */
export class SuggestedTestActions implements vscode.CodeActionProvider {
  constructor(private readonly decorations: GapDecorations) {}

  provideCodeActions(document: vscode.TextDocument, range: vscode.Range | vscode.Selection): vscode.CodeAction[] {
    const gap = this.decorations.gapAt(document.uri.fsPath, range.start.line);
    if (!gap) return [];
    const action = new vscode.CodeAction(`Add suggested test: ${gap.hint.suggestedTest.title}`, vscode.CodeActionKind.QuickFix);
    action.command = { command: COMMANDS.addSuggestedTest, title: action.title, arguments: [{ gapId: gap.id }] };
    return [action];
  }
}

/** Insert the gap's suggested test (pending) and reveal it; returns the test file. */
export async function addSuggestedTest(decorations: GapDecorations, gapId: string | undefined): Promise<string> {
  const gap = gapId ? decorations.gap(gapId) : undefined;
  if (!gap) throw new Error('That gap is no longer in the latest analysis; re-run with coverage.');
  const file = gap.hint.suggestedTest.file;
  const uri = vscode.Uri.file(file);
  const exists = fs.existsSync(file);
  const edit = new vscode.WorkspaceEdit();
  let itOffset: number;
  if (exists) {
    const doc = await vscode.workspace.openTextDocument(uri);
    const ins = insertionFor(gap, file, doc.getText());
    for (const e of ins.edits) edit.insert(uri, doc.positionAt(e.offset), e.text);
    itOffset = ins.itOffset;
  } else {
    const ins = newFileFor(gap, file);
    edit.createFile(uri, { ignoreIfExists: true });
    edit.insert(uri, new vscode.Position(0, 0), ins.edits[0].text);
    itOffset = ins.itOffset;
  }
  if (!(await vscode.workspace.applyEdit(edit))) throw new Error(`Could not edit ${file}.`);
  const doc = await vscode.workspace.openTextDocument(uri);
  await doc.save();
  const at = doc.positionAt(itOffset);
  await vscode.window.showTextDocument(doc, { selection: new vscode.Range(at, at) });
  return file;
}
