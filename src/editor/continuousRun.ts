/**
 * Continuous run in the Test Explorer (the Testing API's `supportsContinuousRun` on the coverage
 * profile; a request with `continuous: true` lasts until cancelled): a full coverage run first
 * when there is no picture with per-test coverage yet, then on every save of a test or source
 * file, only the affected tests (src/continuous/impact.ts) run, and their coverage is merged into
 * the last picture (picture.ts); results, native coverage, gap marks and the status bar update
 * as after any coverage run. The reruns run in one test process kept warm while continuous run
 * is on (src/warm/warmRunner.ts: started when it turns on, ended when it turns off; a fresh one
 * replaces it whenever its state cannot be trusted).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { Change } from '../continuous/continuous';
import type { Engine, WarmRunnerLike } from './engine';
import type { RunService } from './runner';
import type { RootSet } from './roots';

export interface ContinuousDeps {
  runs: RunService;
  engine: Engine;
  roots: RootSet;
  log: vscode.LogOutputChannel;
  profile: vscode.TestRunProfile;
}

export class ContinuousRuns {
  /** Saved text of each file as the picture knows it. */
  private readonly known = new Map<string, string>();
  private pending = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  /** Continuous runs started (the editor tests wait on it). */
  affectedRuns = 0;
  active = false;
  private warm: WarmRunnerLike | undefined;

  constructor(private readonly deps: ContinuousDeps) {}

  /** Serve a continuous request until `token` is cancelled. */
  async serve(request: vscode.TestRunRequest, token: vscode.CancellationToken): Promise<void> {
    const { runs, log } = this.deps;
    if (!runs.lastResult?.perTest) {
      log.info('continuous run: a full coverage run first (no per-test picture yet)');
      await runs.execute(new vscode.TestRunRequest(request.include, request.exclude, this.deps.profile), 'coverage', token);
    }
    if (token.isCancellationRequested) return;
    this.snapshot();
    this.active = true;
    // The reruns go through one test process kept warm while continuous run is on (src/warm).
    this.warm = this.deps.engine.warmRunner?.();
    const config = this.deps.roots.trees().find((t) => runs.lastResult && Object.keys(runs.lastResult.testTitles).some((id) => t.owns(id.split('\u001f')[0])))?.current;
    if (config) this.warm?.prepare({ config, perTest: true });
    log.info(`continuous run: on${this.warm ? ' (warm test process)' : ''}`);
    const sub = vscode.workspace.onDidSaveTextDocument((doc) => this.onSave(doc, token));
    await new Promise<void>((resolve) => token.onCancellationRequested(() => resolve()));
    sub.dispose();
    this.warm?.dispose();
    this.warm = undefined;
    this.active = false;
    if (this.timer) clearTimeout(this.timer);
    log.info('continuous run: off');
  }

  private snapshot(): void {
    const files = new Set([...Object.keys(this.deps.runs.lastResult?.coverage ?? {}), ...this.deps.roots.files()]);
    for (const f of files) {
      try {
        this.known.set(path.resolve(f), fs.readFileSync(f, 'utf8'));
      } catch {
        /* gone: a later save reruns everything it touched */
      }
    }
  }

  private onSave(doc: vscode.TextDocument, token: vscode.CancellationToken): void {
    const file = path.resolve(doc.uri.fsPath);
    if (!this.known.has(file) && !this.deps.roots.files().includes(file)) return;
    this.pending.set(file, doc.getText());
    if (this.timer) clearTimeout(this.timer);
    // Saves in one go (save all) make one continuous run.
    this.timer = setTimeout(() => this.flush(token), 30);
  }

  /** The root of a saved file: the tree that lists it (a test file), else the innermost root holding it (a source file). */
  private ownerOf(file: string) {
    const trees = this.deps.roots.trees();
    const inside = (root: string) => !path.relative(root, file).startsWith('..') && !path.isAbsolute(path.relative(root, file));
    return trees.find((t) => t.owns(file)) ?? trees.filter((t) => t.current && inside(t.current.root)).sort((a, b) => b.current!.root.length - a.current!.root.length)[0];
  }

  private flush(token: vscode.CancellationToken): void {
    const { runs, engine, roots, log, profile } = this.deps;
    // The last picture is one root's (the last run's): continuous runs serve that root.
    const last = runs.lastResult;
    const first = [...this.pending.keys()][0];
    const config = this.ownerOf(first)?.current;
    if (!config || !last || token.isCancellationRequested || !engine.selectAffected || !engine.startAffected) return;
    const changes: Change[] = [...this.pending].map(([file, after]) => ({ file, before: this.known.get(file) ?? '', after }));
    this.pending = new Map();
    const selection = engine.selectAffected(config, last, changes);
    if (!selection.all && !selection.tests.length && !selection.testFiles.length) {
      log.info(`continuous run: no test executed the changed lines of ${changes.map((c) => path.basename(c.file)).join(', ')}`);
      for (const c of changes) this.known.set(c.file, c.after);
      return;
    }
    const include = selection.all ? undefined : [...selection.testFiles.map((f) => roots.ensure(f, [])), ...selection.tests.map((id) => roots.find(id)).filter((i): i is vscode.TestItem => !!i)];
    log.info(`continuous run: ${selection.all ? `everything (${selection.reason})` : `${selection.tests.length} test(s)${selection.testFiles.length ? ` + ${selection.testFiles.length} changed test file(s)` : ''}`}`);
    this.affectedRuns++;
    void runs.execute(new vscode.TestRunRequest(include, undefined, profile), 'coverage', token, (cfg, previous) => {
      if (!previous) return undefined;
      const warm = this.warm;
      const started = engine.startAffected!(cfg, previous, changes, (o) => (warm ? warm.start(o) : engine.startRun(o)));
      if (!started.handle) return undefined;
      return {
        handle: started.handle,
        picture: started.result.then((r) => {
          for (const c of changes) this.known.set(c.file, c.after);
          return r.picture;
        }),
      };
    });
  }
}
