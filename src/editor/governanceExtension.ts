/**
 * The editor side composed: test controller + profiles, tree, runs, native coverage, gap
 * decorations and hover, status bar, log, commands, workspace trust, and the test-only state.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { Analysis, ResolvedConfig, RunResult } from '../coverage/model';
import { COMMANDS, SECTION, type RunCommandArgs, type TestStateArgs, type WaitForArgs } from './commands';
import { CoverageReporter } from './coverageReport';
import { ContinuousRuns } from './continuousRun';
import { loadEngine, type Engine, type SettingsConfig } from './engine';
import { GapDecorations, type HintDetail } from './gapDecorations';
import { MutationFeature } from './mutationFeature';
import { suggestedTestSnippet } from './hints';
import { addSuggestedTest, SuggestedTestActions } from './addTest';
import { RunService, type RunKind, type RunSummary } from './runner';
import { CoverageStatusBar } from './statusBar';
import { buildTestState, whenTrue } from './testState';
import { RootSet } from './roots';
import { createStrengthProfile } from './strengthProfile';
import { checkedNodePath, createMocharc, loadCoverageReport, openDemo, reportConfigError, sayNothingToRun, type Notifier } from './workspaceSetup';

/** What `activate` returns: tests await `onDidChange`/`waitFor` instead of sleeping. */
export interface GovernanceApi {
  onDidChange: vscode.Event<void>;
  state(args?: TestStateArgs): Record<string, unknown>;
  waitFor(args: WaitForArgs): Promise<Record<string, unknown>>;
}

export class GovernanceExtension implements vscode.Disposable {
  readonly log = vscode.window.createOutputChannel('Governance Coverage', { log: true });
  private readonly controller = vscode.tests.createTestController('governanceCoverage', 'Governance');
  private readonly decorations: GapDecorations;
  private readonly status = new CoverageStatusBar(COMMANDS.showPlan);
  private readonly mutation: MutationFeature;
  private readonly runs: RunService;
  private readonly coverage: CoverageReporter;
  private continuous: ContinuousRuns | undefined;
  private readonly profiles: Record<RunKind, vscode.TestRunProfile>;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly changed = new vscode.EventEmitter<void>();
  private engineCache: Engine | undefined;
  private readonly roots: RootSet;
  private analysis: Analysis | undefined;
  private analysisConfig: ResolvedConfig | undefined;
  private nodePath: string | undefined;
  private readonly notices: Array<{ kind: string; message: string; actions: string[] }> = [];
  private loading: Promise<void> = Promise.resolve();

  constructor(private readonly context: vscode.ExtensionContext) {
    const settings = vscode.workspace.getConfiguration(SECTION);
    this.decorations = new GapDecorations(settings.get('showGutterHints', true), settings.get<HintDetail>('hintDetail', 'full'), vscode.Uri.joinPath(context.extensionUri, 'src', 'editor', 'media'));
    this.mutation = new MutationFeature(
      { log: this.log, ready: () => this.loading, config: () => this.activeConfig(), notify: (k, m, ...a) => this.notify(k, m, ...a), changed: () => this.changed.fire() },
      vscode.Uri.joinPath(context.extensionUri, 'src', 'editor', 'media'),
    );
    const handler = (kind: RunKind) => (request: vscode.TestRunRequest, token: vscode.CancellationToken) =>
      request.continuous && this.continuous && vscode.workspace.isTrusted
        ? this.continuous.serve(request, token)
        : this.guardedRun(request, kind, token).then(() => undefined);
    this.profiles = {
      run: this.controller.createRunProfile('Run', vscode.TestRunProfileKind.Run, handler('run'), true),
      debug: this.controller.createRunProfile('Debug', vscode.TestRunProfileKind.Debug, handler('debug'), true),
      coverage: this.controller.createRunProfile('Coverage', vscode.TestRunProfileKind.Coverage, handler('coverage'), true),
    };
    // Continuous run (on save, the affected tests only): src/editor/continuousRun.ts.
    this.profiles.coverage.supportsContinuousRun = true;
    const coverage = (this.coverage = new CoverageReporter(this.profiles.coverage));
    this.roots = new RootSet({
      controller: this.controller,
      log: this.log,
      engine: this.lazyEngine(),
      settings: (folder) => this.settingsConfig(folder),
      node: () => this.resolveNodePath(),
      onConfigError: (err) => this.onConfigError(err),
      onChange: () => this.changed.fire(),
    });
    this.runs = new RunService({
      engine: this.lazyEngine(),
      trees: () => this.roots.trees(),
      nodePath: () => this.nodePath,
      controller: this.controller,
      log: this.log,
      coverage,
      onAnalysis: (a, c, r) => this.onAnalysis(a, c, r),
      onProgress: () => this.changed.fire(),
      onRunning: (running) => {
        this.status.setRunning(running);
        this.changed.fire();
      },
      notifyError: (m) => this.notifyError(m),
    });
    this.continuous = new ContinuousRuns({ runs: this.runs, engine: this.lazyEngine(), roots: this.roots, log: this.log, profile: this.profiles.coverage });
    this.controller.refreshHandler = () => this.reload();
    this.disposables.push(
      this.controller, this.roots, this.decorations, this.runs, this.status, this.mutation, this.log, this.changed,
      ...Object.values(this.profiles),
      createStrengthProfile(this.controller, this.mutation, { perTest: () => this.runs.lastResult?.perTest, log: this.log, notifyError: (m) => this.notifyError(m) }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.reload()),
      vscode.window.onDidChangeActiveTextEditor(() => this.showStatusForActiveRoot()),
      this.decorations.onDidChange(() => this.changed.fire()),
      this.runs.onDidEnd(() => this.changed.fire()),
      vscode.languages.registerHoverProvider({ scheme: 'file' }, this.decorations),
      vscode.languages.registerCodeActionsProvider({ scheme: 'file' }, new SuggestedTestActions(this.decorations), { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration(SECTION)) return;
        const s = vscode.workspace.getConfiguration(SECTION);
        this.decorations.setEnabled(s.get('showGutterHints', true));
        this.decorations.setDetail(s.get<HintDetail>('hintDetail', 'full'));
        if (['testGlobs', 'sourceGlobs', 'targets', 'timeout', 'nodePath'].some((k) => e.affectsConfiguration(`${SECTION}.${k}`))) this.reload();
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.reload()),
      ...this.registerCommands(),
    );
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const pattern = new vscode.RelativePattern(folder, '**/{governance-coverage.config.json,package.json,.mocharc.*}');
      const cfgWatcher = vscode.workspace.createFileSystemWatcher(pattern);
      const onConfigFile = (uri: vscode.Uri) => {
        // not in node_modules nor in a dot folder (StrykerJS's sandbox copies in .stryker-tmp, .git, …)
        const folders = path.relative(folder.uri.fsPath, path.dirname(uri.fsPath)).split(path.sep);
        if (!folders.some((f) => f === 'node_modules' || (f.startsWith('.') && f !== '.'))) this.reload();
      };
      cfgWatcher.onDidCreate(onConfigFile);
      cfgWatcher.onDidChange(onConfigFile);
      cfgWatcher.onDidDelete(onConfigFile);
      this.disposables.push(cfgWatcher);
    }
    vscode.commands.executeCommand('setContext', 'governanceCoverage.hintsEnabled', this.decorations.enabled);
  }

  /** Loads the config and discovers the tree (called once at activation, then on changes). */
  reload(): Promise<void> {
    this.loading = this.loading.then(() => this.doReload());
    return this.loading;
  }

  /** The API returned from `activate`. */
  api(): GovernanceApi {
    return {
      onDidChange: this.changed.event,
      state: (args) => this.state(args),
      waitFor: (args) => this.waitFor(args),
    };
  }

  dispose(): void {
    this.disposables.forEach((d) => d.dispose());
  }

  private lazyEngine(): Engine {
    const get = () => (this.engineCache ??= loadEngine());
    return {
      loadConfig: (r, o) => get().loadConfig(r, o),
      resolveConfig: (r, u, s) => get().resolveConfig(r, u, s),
      embeddedConfig: (r) => get().embeddedConfig(r),
      findRoots: (f) => get().findRoots(f),
      resolveNode: (n) => get().resolveNode(n),
      readCoverageReport: (f, r) => get().readCoverageReport(f, r),
      reportResult: (c) => get().reportResult(c),
      renderTable: (a) => get().renderTable(a),
      startRun: (o) => get().startRun(o),
      analyze: (r, c) => get().analyze(r, c),
      writeReports: (r, a, c) => get().writeReports(r, a, c),
      renderPlan: (a, c) => get().renderPlan(a, c),
      startAffected: (c, p, ch, st, x) => get().startAffected!(c, p, ch, st, x),
      selectAffected: (c, p, ch) => get().selectAffected!(c, p, ch),
      warmRunner: () => get().warmRunner!(),
    };
  }

  private settingsConfig(folder?: vscode.WorkspaceFolder): SettingsConfig {
    const s = vscode.workspace.getConfiguration(SECTION, folder);
    const explicit = <T>(key: string): T | undefined => {
      const i = s.inspect<T>(key);
      return i?.workspaceFolderValue ?? i?.workspaceValue ?? i?.globalValue;
    };
    return {
      testGlobs: explicit<string[]>('testGlobs'),
      sourceGlobs: explicit<string[]>('sourceGlobs'),
      targets: explicit('targets'),
      timeout: explicit<number>('timeout'),
    };
  }

  private async doReload(): Promise<void> {
    await this.roots.reload();
    const none = this.roots.roots.length === 0;
    void vscode.commands.executeCommand('setContext', 'governanceCoverage.noRoots', none);
    if (none) this.welcome();
  }

  /** The Node.js of `governanceCoverage.nodePath` (checked), or undefined for the engine's default. */
  private async resolveNodePath(): Promise<string | undefined> {
    this.nodePath = await checkedNodePath(this.lazyEngine(), this.notifier());
    return this.nodePath;
  }

  /** No root anywhere: say so once, with the ways forward (the Testing view shows the same). */
  private welcome(): void {
    sayNothingToRun(this.roots.noSetup[0], this.notifier());
  }

  private onConfigError(err: unknown): void {
    reportConfigError(err, this.notifier());
  }

  private notifier(): Notifier {
    return { log: this.log, notify: (k, m, ...a) => this.notify(k, m, ...a) };
  }

  /** Trust gate, then the queued run; never throws. */
  private async guardedRun(request: vscode.TestRunRequest, kind: RunKind, token: vscode.CancellationToken): Promise<RunSummary | undefined> {
    if (!vscode.workspace.isTrusted) {
      this.log.warn('run refused: the workspace is not trusted');
      this
        .notify(
          'warning',
          'Governance tests execute workspace code, so they only run in a trusted workspace. Trust this folder to run them.',
          'Manage Workspace Trust',
        )
        .then((c) => c && vscode.commands.executeCommand('workbench.trust.manage'), () => undefined);
      return undefined;
    }
    try {
      await this.loading;
      return await this.runs.execute(request, kind, token);
    } catch (err) {
      this.notifyError(`Governance test run failed: ${(err as Error).message}`);
      return undefined;
    }
  }

  private runFromCommand(kind: RunKind, args?: RunCommandArgs): Promise<RunSummary | undefined> {
    let include: vscode.TestItem[] | undefined;
    if (args?.files?.length || args?.tests?.length) {
      include = (args.files ?? []).map((f) => this.roots.ensure(path.resolve(f), []));
      for (const id of args.tests ?? []) {
        const item = this.roots.find(id);
        if (!item) throw new Error(`No test item with id ${JSON.stringify(id)} in the Test Explorer.`);
        include.push(item);
      }
    }
    const source = new vscode.CancellationTokenSource();
    const request = new vscode.TestRunRequest(include, undefined, this.profiles[kind]);
    return this.guardedRun(request, kind, source.token).finally(() => source.dispose());
  }

  private registerCommands(): vscode.Disposable[] {
    const safe = <A extends unknown[], R>(fn: (...args: A) => R | Promise<R>) => async (...args: A): Promise<R | undefined> => {
      try {
        return await fn(...args);
      } catch (err) {
        this.notifyError((err as Error).message);
        return undefined;
      }
    };
    const reg = vscode.commands.registerCommand;
    return [
      reg(COMMANDS.run, safe((args?: RunCommandArgs) => this.runFromCommand('run', args))),
      reg(COMMANDS.runWithCoverage, safe((args?: RunCommandArgs) => this.runFromCommand('coverage', args))),
      reg(COMMANDS.debug, safe((args?: RunCommandArgs) => this.runFromCommand('debug', args))),
      reg(COMMANDS.showPlan, safe(() => this.showPlan())),
      reg(COMMANDS.toggleHints, safe(() => {
        this.decorations.setEnabled(!this.decorations.enabled);
        vscode.commands.executeCommand('setContext', 'governanceCoverage.hintsEnabled', this.decorations.enabled);
        vscode.window.setStatusBarMessage(`Governance coverage hints ${this.decorations.enabled ? 'shown' : 'hidden'}`, 3000);
        return this.decorations.enabled;
      })),
      reg(COMMANDS.runTestsForFile, safe((args?: { source?: string }) => this.runTestsForFile(args?.source))),
      reg(COMMANDS.copyTestOutline, safe(async (args?: { gapId?: string }) => {
        const gap = args?.gapId ? this.decorations.gap(args.gapId) : undefined;
        if (!gap) throw new Error('That gap is no longer in the latest analysis; re-run with coverage.');
        const text = suggestedTestSnippet(gap);
        await vscode.env.clipboard.writeText(text);
        this.notify('info', `Suggested test copied: ${gap.hint.suggestedTest.title}`);
        return text;
      })),
      reg(COMMANDS.addSuggestedTest, safe((args?: { gapId?: string }) => addSuggestedTest(this.decorations, args?.gapId))),
      reg(COMMANDS.showLog, () => this.log.show()),
      reg(COMMANDS.refresh, safe(() => this.reload())),
      reg(COMMANDS.testState, (args?: TestStateArgs) => this.state(args)),
      reg(COMMANDS.cancelRuns, () => this.runs.cancelAll()),
      reg(COMMANDS.coverageDetails, async (args: { file: string; testId?: string }) => {
        const source = new vscode.CancellationTokenSource();
        try {
          const test = args.testId ? this.roots.find(args.testId) : undefined;
          return await this.coverage.loadForTest(path.resolve(args.file), test, source.token);
        } finally {
          source.dispose();
        }
      }),
      reg(COMMANDS.waitFor, (args: WaitForArgs) => this.waitFor(args)),
      reg(COMMANDS.openDemo, safe(() => openDemo(this.context.extensionUri))),
      reg(COMMANDS.createMocharc, safe(() => createMocharc())),
      reg(COMMANDS.loadCoverageReport, safe((args?: { file?: string }) => this.loadReport(args?.file))),
    ];
  }

  /** Runs, with coverage, the tests that exercise `source` (per-test data, the suggested test files, a name match, else all). */
  private runTestsForFile(source: string | undefined): Promise<RunSummary | undefined> {
    if (!source) return this.runFromCommand('coverage');
    const abs = path.resolve(source);
    const files = new Set<string>();
    const perTest = this.runs.lastResult?.perTest;
    if (perTest) {
      for (const [id, cov] of Object.entries(perTest)) if (cov[abs]) files.add(id.split('\u001f')[0]);
    }
    if (files.size === 0) {
      const report = this.analysis?.files.find((f) => path.resolve(f.file) === abs);
      for (const g of report?.gaps ?? []) if (fs.existsSync(g.hint.suggestedTest.file)) files.add(path.resolve(g.hint.suggestedTest.file));
    }
    if (files.size === 0) {
      const base = path.basename(abs).replace(/\.[^.]+$/, '');
      for (const f of this.roots.files()) if (path.basename(f).startsWith(`${base}.`)) files.add(f);
    }
    this.log.info(`tests for ${abs}: ${files.size ? [...files].join(', ') : 'all (no better selection)'}`);
    return this.runFromCommand('coverage', files.size ? { files: [...files] } : undefined);
  }

  private planPath(): string | undefined {
    const config = this.analysisConfig ?? this.roots.current;
    return config ? path.resolve(config.root, config.reportDir, 'gap-closure-plan.md') : undefined;
  }

  private async showPlan(): Promise<string | undefined> {
    const file = this.planPath();
    if (file && fs.existsSync(file)) {
      await vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.file(file));
      return file;
    }
    if (this.analysis && this.analysisConfig) {
      const doc = await vscode.workspace.openTextDocument({ content: this.lazyEngine().renderPlan(this.analysis, this.analysisConfig), language: 'markdown' });
      await vscode.window.showTextDocument(doc);
      return undefined;
    }
    const choice = await this.notify(
      'info',
      'No gap-closure plan yet: run the governance tests with coverage first.',
      'Run with coverage',
    );
    if (choice) await vscode.commands.executeCommand(COMMANDS.runWithCoverage);
    return undefined;
  }

  private onAnalysis(analysis: Analysis, config: ResolvedConfig, _result: RunResult): void {
    this.analysis = analysis;
    this.analysisConfig = config;
    const root = this.roots.roots.find((r) => r.config?.root === config.root);
    if (root) root.analysis = analysis;
    this.decorations.setAnalysis(analysis, config.root);
    this.status.setAnalysis(analysis);
  }

  /** The config of the active editor's root, else the first root's. */
  private activeConfig(): ResolvedConfig | undefined {
    const file = vscode.window.activeTextEditor?.document.uri;
    return (file?.scheme === 'file' ? this.roots.rootOf(file.fsPath)?.config : undefined) ?? this.roots.current;
  }

  /** The status bar follows the root of the active editor's file (multi-root): its figures, or none yet. */
  private showStatusForActiveRoot(): void {
    const file = vscode.window.activeTextEditor?.document.uri;
    const root = file?.scheme === 'file' ? this.roots.rootOf(file.fsPath) : undefined;
    if (root && root.analysis !== this.status.current) this.status.setAnalysis(root.analysis);
  }

  /** "Load coverage report": coverage made elsewhere → analysis, marks, status and the table in the log. */
  private async loadReport(file?: string): Promise<Record<string, unknown> | undefined> {
    const loaded = await loadCoverageReport(this.lazyEngine(), this.roots, file);
    if (!loaded) return undefined;
    this.onAnalysis(loaded.analysis, loaded.config, loaded.result);
    this.log.info(`coverage report ${loaded.file}:\n${this.lazyEngine().renderTable(loaded.analysis)}`);
    const below = loaded.analysis.files.filter((f) => !f.meetsTarget).length;
    this.notify('info', `Coverage report loaded: ${loaded.analysis.files.length} file(s), ${below} below target.`, 'Show gap-closure plan').then(
      (c) => c && this.showPlan(),
      () => undefined,
    );
    return { file: loaded.file, files: loaded.analysis.files.map((f) => f.relative), allTargetsMet: loaded.analysis.allTargetsMet };
  }

  private notifyError(message: string): void {
    this.log.error(message);
    this.notify('error', message, 'Show log').then((c) => c && this.log.show(), () => undefined);
  }

  /** Shows a notification and remembers it (the last few are part of the test state). */
  private notify(kind: 'info' | 'warning' | 'error', message: string, ...actions: string[]): Thenable<string | undefined> {
    this.notices.push({ kind, message, actions });
    if (this.notices.length > 10) this.notices.shift();
    this.changed.fire();
    const show =
      kind === 'error' ? vscode.window.showErrorMessage : kind === 'warning' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    return show(message, ...actions);
  }

  private state(args?: TestStateArgs): Record<string, unknown> {
    const state = buildTestState(
      {
        version: vscode.version,
        trusted: vscode.workspace.isTrusted,
        tree: this.roots,
        runs: this.runs,
        decorations: this.decorations,
        status: this.status.info,
        analysis: this.analysis,
        configError: this.roots.roots.find((r) => r.configError)?.configError,
        notes: this.roots.roots.flatMap((r) => r.notes),
        planPath: this.planPath(),
        notices: this.notices,
      },
      args,
    );
    const continuous = { active: this.continuous?.active ?? false, affectedRuns: this.continuous?.affectedRuns ?? 0 };
    return { ...state, mutation: this.mutation.snapshot(args?.file, args?.line), continuous };
  }

  private async waitFor(args: WaitForArgs): Promise<Record<string, unknown>> {
    const target = args.event === 'run' ? args.count ?? this.runs.completedRuns + 1 : 0;
    const done = () => {
      if (args.event === 'tree') return this.roots.ready && this.roots.generation >= (args.count ?? 0);
      if (args.event === 'running') return this.runs.running > 0;
      if (args.event === 'progress') return this.runs.running > 0 && this.runs.liveFinished >= (args.count ?? 1);
      return this.runs.completedRuns >= target;
    };
    await whenTrue(this.changed.event, done, args.timeoutMs ?? 300_000, args.event);
    return this.state();
  }
}
