/**
 * Executes test run requests through the engine's child process (the extension host never runs
 * tests itself): streams events into the `TestRun`, supports debug attach, cancellation that kills
 * the child at once, and coverage reporting followed by the gap analysis.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import type { Analysis, ResolvedConfig, RunEvent, RunHandle, RunResult } from '../coverage/model';
import { testId } from '../coverage/model';
import type { Engine } from './engine';
import { eventLogLine, eventToUpdate, type MessageData } from './results';
import type { CoverageReporter } from './coverageReport';
import type { TestTree } from './testTree';
import { hasPerTestCoverageApi } from './coverageReport';

export type RunKind = 'run' | 'debug' | 'coverage';

/** A run other than the engine's plain one: its handle (events) and the result to report (the merged picture). */
export type CustomRun = (config: ResolvedConfig, last: RunResult | undefined) => { handle: RunHandle; picture: Promise<RunResult> } | undefined;

export type ResultState = 'queued' | 'started' | 'passed' | 'failed' | 'skipped' | 'errored';

/** Last known outcome of one test item. */
export interface ResultRecord {
  state: ResultState;
  durationMs?: number;
  message?: string;
  /** The failure was reported as a diff (expected/actual). */
  diff?: boolean;
  /** Where the failure message points (0-based line). */
  location?: { file: string; line: number };
}

/** Plain outcome of one run (returned by the commands and the test-state command). */
export interface RunSummary {
  kind: RunKind;
  stats: RunResult['stats'];
  cancelled: boolean;
  timedOut: boolean;
  error?: string;
  loadErrors: Array<{ file: string; message: string }>;
  results: Record<string, ResultRecord>;
  coverageFiles: string[];
  /** Files whose coverage listed the tests that executed them (per-test coverage, VS Code 1.93+). */
  perTestFiles: number;
  reports: string[];
}

export interface RunServiceDeps {
  engine: Engine;
  /** The test trees, one per root. */
  trees(): TestTree[];
  /** The Node.js for the test process (`governanceCoverage.nodePath`), undefined = the engine's default. */
  nodePath(): string | undefined;
  controller: vscode.TestController;
  log: vscode.LogOutputChannel;
  coverage: CoverageReporter;
  /** Called after a coverage run with its analysis. */
  onAnalysis(analysis: Analysis, config: ResolvedConfig, result: RunResult): void;
  /** Called when a run starts/ends (status bar). */
  onRunning(running: boolean): void;
  /** Called after every streamed result (completion signals for the editor tests). */
  onProgress(): void;
  /** Reports an error as a notification with a "Show log" action. */
  notifyError(message: string): void;
}

function addStats(into: RunResult['stats'], add: RunResult['stats']): void {
  into.total += add.total;
  into.passed += add.passed;
  into.failed += add.failed;
  into.skipped += add.skipped;
  into.durationMs += add.durationMs;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function toMessage(m: MessageData): vscode.TestMessage {
  const msg =
    m.expected !== undefined && m.actual !== undefined
      ? vscode.TestMessage.diff(m.message, m.expected, m.actual)
      : new vscode.TestMessage(m.message);
  if (m.location) {
    msg.location = new vscode.Location(vscode.Uri.file(m.location.file), new vscode.Position(m.location.line, m.location.column));
  }
  return msg;
}

export class RunService {
  private queue: Promise<unknown> = Promise.resolve();
  /** Outcome of the most recent run. */
  last: RunSummary | undefined;
  /** Last result per test id, across runs. */
  readonly results = new Map<string, ResultRecord>();
  /** The most recent raw engine result (for per-file test selection). */
  lastResult: RunResult | undefined;
  running = 0;
  completedRuns = 0;
  /** Results finished so far in the current (or last) run, counted as they stream in. */
  liveFinished = 0;
  private readonly ended = new vscode.EventEmitter<RunSummary>();
  /** Fires when a run has fully finished (results, coverage and analysis in place). */
  readonly onDidEnd = this.ended.event;

  private readonly active = new Set<{ cancel(): void }>();

  constructor(private readonly deps: RunServiceDeps) {}

  /** Cancels every running run now (their results resolve with `cancelled: true`). */
  cancelAll(): number {
    const n = this.active.size;
    this.active.forEach((h) => h.cancel());
    return n;
  }

  /** Kills every running test process (deactivation). */
  dispose(): void {
    this.active.forEach((h) => h.cancel());
    this.active.clear();
    this.ended.dispose();
  }

  /**
   * Queues a run (runs never overlap: they share the report folder). `custom` replaces the
   * engine's plain run (a continuous run: the affected tests, their coverage merged into the
   * last picture, see continuousRun.ts).
   */
  execute(request: vscode.TestRunRequest, kind: RunKind, token: vscode.CancellationToken, custom?: CustomRun): Promise<RunSummary | undefined> {
    const next = this.queue.then(() => this.executeNow(request, kind, token, custom));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** The trees a request touches, each with its share of the included items (undefined = all of it). */
  private groups(request: vscode.TestRunRequest): Array<{ tree: TestTree; include?: vscode.TestItem[] }> {
    const trees = this.deps.trees().filter((t) => t.current);
    const include = request.include?.filter((i) => !i.id.startsWith('governanceCoverage.configError'));
    if (!include?.length) return trees.map((tree) => ({ tree }));
    const out: Array<{ tree: TestTree; include?: vscode.TestItem[] }> = [];
    for (const tree of trees) {
      if (tree.parent && include.includes(tree.parent)) {
        out.push({ tree });
        continue;
      }
      const mine = include.filter((i) => i.uri && tree.owns(i.uri.fsPath) && tree.find(i.id) === i);
      if (mine.length) out.push({ tree, include: mine });
    }
    return out;
  }

  private async executeNow(request: vscode.TestRunRequest, kind: RunKind, token: vscode.CancellationToken, custom?: CustomRun): Promise<RunSummary | undefined> {
    const groups = this.groups(request);
    if (!groups.length) {
      this.deps.notifyError('Governance tests cannot run: no test root is configured (see the Test Explorer).');
      return undefined;
    }
    if (token.isCancellationRequested) return undefined;
    const run = this.deps.controller.createTestRun(request, `Governance (${kind})`, true);
    const summary: RunSummary = {
      kind, stats: { total: 0, passed: 0, failed: 0, skipped: 0, durationMs: 0 }, cancelled: false, timedOut: false,
      loadErrors: [], results: {}, coverageFiles: [], perTestFiles: 0, reports: [],
    };
    this.liveFinished = 0;
    const record = (id: string, r: ResultRecord) => {
      summary.results[id] = r;
      this.results.set(id, r);
      if (r.state !== 'queued' && r.state !== 'started') {
        this.liveFinished++;
        this.deps.onProgress();
      }
    };
    const enqueued = groups.flatMap((g) => g.tree.leaves(g.include, request.exclude ?? []));
    for (const item of enqueued) {
      run.enqueued(item);
      record(item.id, { state: 'queued' });
    }
    this.running++;
    this.deps.onRunning(true);
    const started = Date.now();
    try {
      for (const g of groups) {
        if (token.isCancellationRequested) break;
        await this.runRoot(g.tree, g.include, kind, token, run, record, summary, enqueued, custom);
      }
    } finally {
      run.end();
      this.running--;
      this.completedRuns++;
      this.deps.onRunning(this.running > 0);
      this.deps.log.info(`${kind} run finished in ${Date.now() - started} ms`);
      this.last = summary;
      this.ended.fire(summary);
    }
    return summary;
  }

  /** One root's part of a run: the engine's child for its config, events into the shared `TestRun`. */
  private async runRoot(
    tree: TestTree,
    include: vscode.TestItem[] | undefined,
    kind: RunKind,
    token: vscode.CancellationToken,
    run: vscode.TestRun,
    record: (id: string, r: ResultRecord) => void,
    summary: RunSummary,
    enqueued: vscode.TestItem[],
    custom?: CustomRun,
  ): Promise<void> {
    const { log, engine } = this.deps;
    const config = tree.current!;
    const selection = this.selection(include);
    let debugSession: vscode.DebugSession | undefined;
    try {
      log.info(`${kind} run in ${config.root}: ${selection.files ? `${selection.files.length} file(s)` : 'all test files'}${selection.grep ? `, grep /${selection.grep}/` : ''}`);
      const started = custom?.(config, this.lastResult);
      const handle = started?.handle ?? engine.startRun({
        config,
        files: selection.files,
        grep: selection.grep,
        coverage: kind === 'coverage',
        perTest: kind === 'coverage' && hasPerTestCoverageApi(),
        debugPort: kind === 'debug' ? 0 : undefined,
        node: this.deps.nodePath(),
      });
      this.active.add(handle);
      const cancelSub = token.onCancellationRequested(() => {
        log.info('run cancelled: stopping the test process');
        handle.cancel();
      });
      const unsubscribe = handle.onEvent((event) => this.onEvent(tree, event, run, record, summary));
      if (kind === 'debug' && handle.debugPort) {
        debugSession = await this.attachDebugger(await handle.debugPort, config, handle.cancel.bind(handle));
      }
      const result = started ? await started.picture : await handle.result;
      this.active.delete(handle);
      unsubscribe();
      cancelSub.dispose();
      this.lastResult = result;
      addStats(summary.stats, result.stats);
      summary.cancelled ||= result.cancelled;
      summary.timedOut ||= result.timedOut;
      if (result.error) summary.error = summary.error ? `${summary.error}\n${result.error}` : result.error;
      for (const e of result.loadErrors) {
        if (!summary.loadErrors.some((l) => l.file === e.file)) summary.loadErrors.push({ file: e.file, message: e.error.message });
        if (summary.results[e.file]?.state !== 'errored') this.markFileError(tree, run, e.file, e.error.message, record);
      }
      if (result.error && !result.cancelled) {
        run.appendOutput(`\r\n${result.error.replace(/\n/g, '\r\n')}\r\n`);
        for (const item of enqueued) {
          const st = summary.results[item.id]?.state;
          if ((st === 'queued' || st === 'started') && tree.find(item.id) === item) {
            run.errored(item, new vscode.TestMessage(`Not completed: ${result.error}`));
            record(item.id, { state: 'errored', message: result.error });
          }
        }
        this.deps.notifyError(`Governance test run failed: ${result.error}`);
      }
      if (kind === 'coverage' && !result.cancelled) await this.reportCoverage(tree, run, result, config, summary);
    } catch (err) {
      log.error(`run failed: ${(err as Error).stack ?? err}`);
      summary.error = (err as Error).message;
      this.deps.notifyError(`Governance test run failed: ${(err as Error).message}`);
    } finally {
      if (debugSession) await vscode.debug.stopDebugging(debugSession).then(undefined, () => undefined);
    }
  }

  /** Files + grep for the engine from the requested items (undefined = everything). */
  private selection(include: readonly vscode.TestItem[] | undefined): { files?: string[]; grep?: string } {
    if (!include || include.length === 0) return {};
    const files = new Set<string>();
    const patterns: string[] = [];
    let wholeFile = false;
    for (const item of include) {
      const file = item.uri ? path.resolve(item.uri.fsPath) : undefined;
      if (!file) continue;
      files.add(file);
      if (item.id === testId(file, [])) {
        wholeFile = true;
        continue;
      }
      const titles = item.id.split('\u001f').slice(1).join(' ');
      patterns.push(item.children.size > 0 ? `^${escapeRegex(titles)} ` : `^${escapeRegex(titles)}$`);
    }
    return { files: [...files].sort(), grep: wholeFile || patterns.length === 0 ? undefined : patterns.join('|') };
  }

  private onEvent(
    tree: TestTree,
    event: RunEvent,
    run: vscode.TestRun,
    record: (id: string, r: ResultRecord) => void,
    summary: RunSummary,
  ): void {
    const { log } = this.deps;
    if (event.type === 'output') {
      run.appendOutput(event.text.replace(/\r?\n/g, '\r\n') + (event.text.endsWith('\n') ? '' : '\r\n'));
      if (event.stream === 'stderr') log.info(`[test process] ${event.text.trimEnd()}`);
      return;
    }
    const line = eventLogLine(event);
    if (line) log.info(line);
    if (event.type === 'fileLoaded') {
      const item = tree.find(testId(event.file, []));
      if (item && item.error) item.error = undefined;
      return;
    }
    if (event.type === 'fileError') {
      summary.loadErrors.push({ file: event.file, message: event.error.message });
    }
    const update = eventToUpdate(event);
    if (!update) return;
    if (update.kind === 'errored') {
      this.markFileError(tree, run, update.file, update.message.message, record, update.message);
      return;
    }
    const item = tree.ensure(update.file, update.titlePath);
    switch (update.kind) {
      case 'started':
        run.started(item);
        record(item.id, { state: 'started' });
        break;
      case 'passed':
        run.passed(item, update.durationMs);
        record(item.id, { state: 'passed', durationMs: update.durationMs });
        break;
      case 'failed':
        run.failed(item, toMessage(update.message), update.durationMs);
        record(item.id, {
          state: 'failed',
          durationMs: update.durationMs,
          message: update.message.message,
          diff: update.message.expected !== undefined,
          ...(update.message.location ? { location: { file: update.message.location.file, line: update.message.location.line } } : {}),
        });
        break;
      case 'skipped':
        run.skipped(item);
        record(item.id, { state: 'skipped' });
        break;
    }
  }

  private markFileError(
    tree: TestTree,
    run: vscode.TestRun,
    file: string,
    message: string,
    record: (id: string, r: ResultRecord) => void,
    data?: MessageData,
  ): void {
    const item = tree.ensure(file, []);
    item.error = message;
    run.errored(item, toMessage(data ?? { message }));
    record(item.id, { state: 'errored', message });
  }

  private async attachDebugger(port: number, config: ResolvedConfig, cancel: () => void): Promise<vscode.DebugSession | undefined> {
    const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(config.root)) ?? vscode.workspace.workspaceFolders?.[0];
    const name = `Governance tests (port ${port})`;
    let session: vscode.DebugSession | undefined;
    const sub = vscode.debug.onDidStartDebugSession((s) => {
      if (s.name === name) session = s;
    });
    try {
      const ok = await vscode.debug.startDebugging(folder, {
        type: 'node', request: 'attach', name, port, continueOnAttach: true, skipFiles: ['<node_internals>/**'],
      });
      if (!ok) {
        cancel();
        this.deps.notifyError(`Could not attach the debugger to the test process on port ${port}.`);
      }
    } finally {
      sub.dispose();
    }
    return session;
  }

  private async reportCoverage(tree: TestTree, run: vscode.TestRun, result: RunResult, config: ResolvedConfig, summary: RunSummary): Promise<void> {
    const { engine, coverage, log } = this.deps;
    const t0 = Date.now();
    const { files, perTestFiles } = coverage.report(run, result, (id) => tree.find(id));
    summary.coverageFiles = [...summary.coverageFiles, ...files.map((f) => f.file)].sort();
    summary.perTestFiles += perTestFiles;
    const analysis = await engine.analyze(result, config);
    try {
      summary.reports.push(...(await engine.writeReports(result, analysis, config)));
    } catch (err) {
      // Reports that cannot be written (a ReportWriteError names the folder and the cause) must not cost the results.
      log.error(`reports: ${(err as Error).message}`);
      this.deps.notifyError(`Governance coverage: ${(err as Error).message}`);
    }
    log.info(`coverage: ${files.length} file(s) reported, analysis ${analysis.durationMs} ms, reports in ${Date.now() - t0} ms`);
    this.deps.onAnalysis(analysis, config, result);
  }
}
