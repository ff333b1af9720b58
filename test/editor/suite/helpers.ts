/** Helpers for the extension-host tests: the extension, its test-only state, and waits. */
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';

export const EXTENSION_ID = 'governance-coverage.governance-coverage';

/** The workspace root the tests run in (the repository itself). */
export function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the editor tests need the repository opened as the workspace folder');
  return folder.uri.fsPath;
}

/** Plain state returned by `governanceCoverage._testState`. */
export interface TestState {
  vscodeVersion: string;
  trusted: boolean;
  config: { root: string; source: string; embedded: boolean; testGlobs: string[]; sourceGlobs: string[]; reportDir: string } | null;
  configError: string | null;
  treeReady: boolean;
  treeGeneration: number;
  tree: Array<TreeNode>;
  testIds: string[];
  running: boolean;
  completedRuns: number;
  lastRun: RunSummary | null;
  results: Record<string, { state: string; durationMs?: number; message?: string; diff?: boolean; location?: { file: string; line: number } }>;
  hintsEnabled: boolean;
  decorations: Record<string, { stale: boolean; ranges: Array<{ startLine: number; endLine: number; gapId: string; reason: string }>; applied?: number[] }>;
  hover: string | null;
  status: { text: string; tooltip: string; belowTarget: boolean };
  analysis: { overallTarget: number | null; allTargetsMet: boolean; filesBelowTarget: string[] } | null;
  planPath: string | null;
}

export interface TreeNode {
  id: string;
  label: string;
  error?: string;
  children: TreeNode[];
}

export interface RunSummary {
  kind: string;
  stats: { total: number; passed: number; failed: number; skipped: number; durationMs: number };
  cancelled: boolean;
  error?: string;
  results: Record<string, { state: string; message?: string; diff?: boolean; location?: { file: string; line: number } }>;
  coverageFiles: string[];
  perTestFiles: number;
  reports: string[];
}

export async function state(args?: { file?: string; line?: number }): Promise<TestState> {
  return (await vscode.commands.executeCommand('governanceCoverage._testState', args)) as TestState;
}

/** Activates the extension and waits until the Test Explorer tree is discovered. */
export async function activated(): Promise<TestState> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} is not loaded`);
  await ext.activate();
  return (await vscode.commands.executeCommand('governanceCoverage._waitFor', { event: 'tree', timeoutMs: 60_000 })) as TestState;
}

/** A test file of the suite that is not about proposals (to leave the proposal service under-covered). */
export function unrelatedTestFile(root: string): string {
  const dir = path.join(root, 'test', 'governance', 'unit');
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.test.ts')).sort();
  const pick = files.find((f) => f.startsWith('database')) ?? files.find((f) => !/proposal/i.test(f));
  if (!pick) throw new Error(`no test file unrelated to proposals in ${dir}`);
  return path.join(dir, pick);
}

export function flatten(nodes: TreeNode[]): TreeNode[] {
  return nodes.flatMap((n) => [n, ...flatten(n.children)]);
}

/**
 * Waits, without sleeping, until `pred(state)` holds: re-checks after every tree change the
 * extension signals (bounded by `timeoutMs`).
 */
export async function untilTree(pred: (s: TestState) => boolean, timeoutMs = 30_000): Promise<TestState> {
  const deadline = Date.now() + timeoutMs;
  let s = await state();
  while (!pred(s)) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error('timed out waiting for the Test Explorer tree to change');
    const gen = s.treeGeneration;
    s = (await vscode.commands.executeCommand('governanceCoverage._waitFor', { event: 'tree', count: gen + 1, timeoutMs: left })) as TestState;
  }
  return s;
}

/**
 * Declares a suite only in the matching trust mode: the same compiled files serve a trusted host
 * (everything runs) and an untrusted one (only the restricted-mode checks), without skipped tests.
 */
export function describeIf(condition: boolean, title: string, fn: (this: Mocha.Suite) => void): void {
  if (condition) describe(title, fn);
}

/** True in a trusted workspace (the normal editor-test setup). */
export const trusted = vscode.workspace.isTrusted;

/**
 * Puts `original` back into `doc` by an edit and saves it. Used in `finally` blocks of tests
 * that edit workspace files: a revert could race the web host's auto-save, which may already
 * have written an intermediate state to disk.
 */
export async function restoreText(doc: vscode.TextDocument, original: string): Promise<void> {
  if (doc.getText() !== original) {
    const restore = new vscode.WorkspaceEdit();
    restore.replace(doc.uri, new vscode.Range(0, 0, doc.lineCount, 0), original);
    await vscode.workspace.applyEdit(restore);
  }
  if (doc.isDirty) await doc.save();
}
