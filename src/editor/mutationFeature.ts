/**
 * "Governance: Check test strength": a StrykerJS run through the mutation engine (src/mutation,
 * loaded lazily), with a cancellable progress notification (cancel ends StrykerJS's whole process
 * group), the mutation score in its own status bar item beside the coverage one, then the
 * survivors as decorations, hovers and Information diagnostics (mutationDecorations.ts), the
 * reports under `<reportDir>/mutation/` and the plan's "Test strength" section.
 * Runs execute workspace code, so they are refused in an untrusted workspace.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { ResolvedConfig } from '../coverage/model';
import type { MutationAnalysis, MutationHandle, MutationOptions, MutationReport, MutationRunResult } from '../mutation/model';
import { MutationDecorations } from './mutationDecorations';
import { mutationStatusInfo, type MutationStatusInfo } from './mutationView';

/** The mutation engine as the editor uses it (src/mutation/index.ts). */
interface MutationEngine {
  startMutation(options: MutationOptions): MutationHandle;
  analyzeMutation(report: MutationReport, config: ResolvedConfig): MutationAnalysis;
  writeStrengthSection(analysis: MutationAnalysis, config: ResolvedConfig): Promise<string[]>;
}

export const MUTATION_COMMANDS = {
  check: 'governanceCoverage.checkTestStrength',
  cancel: 'governanceCoverage.cancelTestStrength',
} as const;

/** Arguments of the check command (the palette passes none: the config's mutation targets, incremental). */
export interface CheckStrengthArgs {
  /** Files or globs (relative to the root, or absolute) to mutate. */
  files?: string[];
  /** Reuse earlier results for unchanged code (default true). */
  incremental?: boolean;
}

export interface MutationHost {
  log: vscode.LogOutputChannel;
  /** Resolves once the configuration (re)load in progress is done. */
  ready(): Promise<unknown>;
  /** The active config (undefined before discovery). */
  config(): ResolvedConfig | undefined;
  notify(kind: 'info' | 'warning' | 'error', message: string, ...actions: string[]): Thenable<string | undefined>;
  changed(): void;
}

export class MutationFeature implements vscode.Disposable {
  readonly decorations: MutationDecorations;
  private readonly item = vscode.window.createStatusBarItem('governanceCoverage.mutationStatus', vscode.StatusBarAlignment.Left, 49);
  private readonly disposables: vscode.Disposable[] = [];
  private engine: MutationEngine | undefined;
  private handle: MutationHandle | undefined;
  private progress: { done: number; total: number } | undefined;
  analysis: MutationAnalysis | undefined;
  last: (Omit<MutationRunResult, 'report'> & { files: string[] }) | undefined;
  completed = 0;
  status: MutationStatusInfo = mutationStatusInfo(undefined);

  constructor(private readonly host: MutationHost, mediaDir: vscode.Uri) {
    this.decorations = new MutationDecorations(mediaDir);
    this.item.name = 'Governance Test Strength';
    this.render();
    this.item.show();
    this.disposables.push(this.item, this.decorations,
      this.decorations.onDidChange(() => host.changed()),
      vscode.languages.registerHoverProvider({ scheme: 'file' }, this.decorations),
      vscode.commands.registerCommand(MUTATION_COMMANDS.check, (args?: CheckStrengthArgs) => this.check(args)),
      vscode.commands.registerCommand(MUTATION_COMMANDS.cancel, () => this.cancel()));
  }

  get running(): boolean {
    return this.handle !== undefined;
  }

  cancel(): void {
    this.handle?.cancel();
  }

  dispose(): void {
    this.handle?.cancel();
    this.disposables.forEach((d) => d.dispose());
  }

  /** Runs StrykerJS with progress; resolves when the run and its analysis are done. */
  async check(args?: CheckStrengthArgs): Promise<MutationStatusInfo | undefined> {
    if (!vscode.workspace.isTrusted) {
      this.host.notify('warning', 'Checking test strength runs the workspace tests, so it only runs in a trusted workspace.', 'Manage Workspace Trust')
        .then((c) => c && vscode.commands.executeCommand('workbench.trust.manage'), () => undefined);
      return undefined;
    }
    await this.host.ready(); // a command right after activation waits for the config
    const config = this.host.config();
    if (!config) throw new Error('No governance configuration is loaded: open a folder with a governance-coverage config or a mocha setup.');
    if (this.handle) throw new Error('Test strength is already being checked; cancel it first.');
    this.engine ??= require('../mutation/index') as MutationEngine;
    const handle = this.engine.startMutation({ config, files: args?.files, incremental: args?.incremental ?? true });
    this.handle = handle;
    this.progress = { done: 0, total: 0 };
    this.render();
    const started = Date.now();
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Governance: checking test strength', cancellable: true },
      async (report, token) => {
        token.onCancellationRequested(() => handle.cancel());
        handle.onEvent((e) => {
          if (e.type === 'output') this.host.log.trace(`stryker: ${e.text}`);
          else if (e.type === 'dryRun') report.report({ message: `initial test run: ${e.tests} tests` });
          else if (e.type === 'plan') {
            this.progress = { done: e.early, total: e.total };
            report.report({ message: `${e.total} mutants, ${e.run} to test` });
          } else if (e.type === 'mutant') {
            this.progress = { done: e.done, total: e.total };
            report.report({ message: `${e.done}/${e.total} mutants`, increment: e.total ? 100 / e.total : 0 });
            this.render();
            this.host.changed();
          }
        });
        return handle.result;
      },
    );
    this.handle = undefined;
    this.progress = undefined;
    const { report, ...rest } = result;
    this.last = { ...rest, files: Object.keys(report?.files ?? {}) };
    this.host.log.info(`test strength: ${result.cancelled ? 'cancelled' : result.error ? `failed: ${result.error}` : 'done'} in ${Date.now() - started} ms (tested ${result.tested}, earlier results ${result.early})`);
    if (report) {
      this.analysis = this.engine.analyzeMutation(report, config);
      this.engine.writeStrengthSection(this.analysis, config).catch((e: Error) => this.host.log.error(`test strength: the plan's section was not written: ${e.message}`));
      this.decorations.setAnalysis(this.analysis, config.root);
    } else if (result.error) {
      this.host.notify('error', `Checking test strength failed: ${result.error.split('\n')[0]}`, 'Show log').then((c) => c && this.host.log.show(), () => undefined);
    }
    this.completed++;
    this.render();
    this.host.changed();
    return this.status;
  }

  /** Test-state view. */
  snapshot(file?: string, line?: number): Record<string, unknown> {
    const config = this.host.config();
    const html = config ? path.resolve(config.root, config.reportDir, 'mutation', 'mutation.html') : undefined;
    return {
      running: this.running,
      progress: this.progress ?? null,
      completed: this.completed,
      last: this.last ?? null,
      status: this.status,
      totals: this.analysis?.totals ?? null,
      allTargetsMet: this.analysis?.allTargetsMet ?? null,
      decorations: this.decorations.snapshot(),
      diagnostics: vscode.languages.getDiagnostics().flatMap(([uri, list]) => list.filter((d) => d.source === 'Governance test strength')
        .map((d) => ({ file: uri.fsPath, line: d.range.start.line, severity: vscode.DiagnosticSeverity[d.severity], message: d.message }))),
      hover: file !== undefined && line !== undefined ? this.decorations.hoverText(file, line) ?? null : null,
      htmlReport: html && fs.existsSync(html) ? html : null,
    };
  }

  private render(): void {
    this.status = mutationStatusInfo(this.analysis, this.progress);
    this.item.text = this.status.text;
    this.item.tooltip = this.status.tooltip;
    this.item.command = this.progress ? MUTATION_COMMANDS.cancel : MUTATION_COMMANDS.check;
    this.item.backgroundColor = this.status.belowTarget ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
  }
}
