/**
 * Extension entry point: wiring only. Everything lives in `src/editor`; the engine in
 * `src/coverage` runs tests in a child process, so the extension host never blocks on them.
 */
import type * as vscode from 'vscode';
import { GovernanceExtension, type GovernanceApi } from './editor/governanceExtension';

let instance: GovernanceExtension | undefined;

/** Creates the controller, commands, decorations and status bar; discovery starts at once. */
export function activate(context: vscode.ExtensionContext): GovernanceApi {
  instance = new GovernanceExtension(context);
  context.subscriptions.push(instance);
  void instance.reload();
  return instance.api();
}

/** Disposables are released through `context.subscriptions`; a running child is killed with its run. */
export function deactivate(): void {
  instance = undefined;
}
