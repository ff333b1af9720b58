/**
 * Ways forward for a workspace with nothing to run, and coverage made elsewhere:
 * - "Governance: Open the governance demo" opens this extension's own folder (which holds the
 *   embedded governance suite) as a workspace in a new window — the only way the embedded suite
 *   runs outside this project;
 * - "Create .mocharc.json" writes a starting mocha setup in the first folder and opens it;
 * - "Governance: Load coverage report" reads an lcov / coverage-final.json / Cobertura report of
 *   the root that holds it (c8, nyc, a CI job) and gives the same analysis, gutter marks and
 *   status as a coverage run, without running anything.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { Analysis, ResolvedConfig, RunResult } from '../coverage/model';
import { SECTION } from './commands';
import { isConfigError, type Engine } from './engine';
import type { RootSet } from './roots';

/** How these helpers talk to the user: the extension's log and remembered notifications. */
export interface Notifier {
  log: vscode.LogOutputChannel;
  notify(kind: 'info' | 'warning' | 'error', message: string, ...actions: string[]): Thenable<string | undefined>;
}

/** The checked `governanceCoverage.nodePath`; an unusable one is reported (with Open Settings) and the default used. */
export async function checkedNodePath(engine: Engine, n: Notifier): Promise<string | undefined> {
  const requested = vscode.workspace.getConfiguration(SECTION).get<string>('nodePath') || undefined;
  try {
    return (await engine.resolveNode(requested)).path;
  } catch (err) {
    n.notify('error', (err as Error).message, 'Open Settings').then(
      (c) => c && vscode.commands.executeCommand('workbench.action.openSettings', `${SECTION}.nodePath`),
      () => undefined,
    );
    return undefined;
  }
}

/** The message of a workspace with nothing to run, with the ways forward as buttons. */
export function sayNothingToRun(first: { folder: string; message: string } | undefined, n: Notifier): void {
  n.log.info(`no mocha setup and no config in ${first ? `${first.folder}:\n${first.message}` : 'this window (no folder is open)'}`);
  const actions = welcomeActions(!!first);
  const where = first ? path.basename(first.folder) : 'this window';
  n.notify('info', `Governance Coverage: no mocha setup in ${where}. Add a .mocharc.json or a governance-coverage.config.json, or open the governance demo.`, ...actions.map((a) => a.label)).then(
    (choice) => actions.find((a) => a.label === choice)?.run(),
    () => undefined,
  );
}

/** A config that cannot be used: the first line, with Open config (the file at fault) and Show log. */
export function reportConfigError(err: unknown, n: Notifier): void {
  const message = (err as Error).message ?? String(err);
  const actions = isConfigError(err) ? ['Open config', 'Show log'] : ['Show log'];
  n.notify('error', `Governance coverage: ${isConfigError(err) ? 'invalid configuration' : 'cannot load'} — ${message.split('\n')[0]}`, ...actions).then(
    (choice) => {
      if (choice === 'Show log') n.log.show();
      const file = isConfigError(err) ? err.problems[0]?.file : undefined;
      if (choice === 'Open config' && file) vscode.window.showTextDocument(vscode.Uri.file(file.replace(/#.*$/, '')));
    },
    () => undefined,
  );
}

/** Opens the extension's folder (the governance demo) in a new window. */
export async function openDemo(extensionUri: vscode.Uri): Promise<string> {
  await vscode.commands.executeCommand('vscode.openFolder', extensionUri, { forceNewWindow: true });
  return extensionUri.fsPath;
}

/** Writes a starting `.mocharc.json` in the first folder (never over an existing one) and opens it. */
export async function createMocharc(): Promise<string | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) return undefined;
  const file = path.join(folder.uri.fsPath, '.mocharc.json');
  if (!fs.existsSync(file)) fs.writeFileSync(file, `${JSON.stringify({ spec: ['test/**/*.test.{js,mjs,cjs}'] }, null, 2)}\n`);
  await vscode.window.showTextDocument(vscode.Uri.file(file));
  return file;
}

/** The buttons of the "nothing to run" message. */
export function welcomeActions(hasFolder: boolean): Array<{ label: string; run(): unknown }> {
  const demo = { label: 'Open the governance demo', run: () => vscode.commands.executeCommand('governanceCoverage.openDemo') };
  if (!hasFolder) return [demo];
  return [{ label: 'Create .mocharc.json', run: createMocharc }, demo];
}

/** Reads a coverage report (asking for it when `file` is not given) into the analysis of its root. */
export async function loadCoverageReport(
  engine: Engine,
  roots: RootSet,
  file?: string,
): Promise<{ file: string; config: ResolvedConfig; analysis: Analysis; result: RunResult } | undefined> {
  if (!file) {
    const picked = await vscode.window.showOpenDialog({
      canSelectMany: false,
      openLabel: 'Load coverage report',
      filters: { 'Coverage reports': ['info', 'json', 'xml'] },
      defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
    });
    if (!picked?.[0]) return undefined;
    file = picked[0].fsPath;
  }
  const owner = roots.rootOf(file) ?? roots.roots[0];
  const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file))?.uri.fsPath ?? path.dirname(file);
  const config = owner?.config ?? (await engine.resolveConfig(folder, {}, 'coverage report'));
  const result = engine.reportResult(engine.readCoverageReport(file, config.root));
  return { file, config, analysis: await engine.analyze(result, config), result };
}
