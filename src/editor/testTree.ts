/**
 * The Test Explorer tree: file → suites → tests, discovered by parsing (never running) the test
 * files, kept in step with file create/change/delete and unsaved edits.
 *
 * File-watcher events are the fast path, not the source of truth: they can arrive late or not at
 * all (see treeReconcile.ts), so the tree also reconciles with the disk — on a paced timer, when
 * a test file is saved or opened, and when the window regains focus — by comparing the stamps of
 * the files it parsed with a fresh listing of the test globs.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { DiscoveredNode, ResolvedConfig } from '../coverage/model';
import { testId } from '../coverage/model';
import { discoverTestFile, listTestFiles, testFileMatcher } from '../coverage/discovery';
import { DEFAULT_PACING, diffStamps, nextReconcileDelay, stampOf, statStamps, type FileStamp, type ReconcilePacing } from './treeReconcile';

/** Id of the item that shows a configuration error instead of the tree. */
export const CONFIG_ERROR_ID = 'governanceCoverage.configError';

/** Plain snapshot of one tree node (for the test-state command). */
export interface TreeSnapshot {
  id: string;
  label: string;
  error?: string;
  children: TreeSnapshot[];
}

export class TestTree implements vscode.Disposable {
  private config: ResolvedConfig | undefined;
  private isTestFile: (file: string) => boolean = () => false;
  private watchers: vscode.Disposable[] = [];
  private readonly disposables: vscode.Disposable[] = [];
  private readonly pending = new Map<string, NodeJS.Timeout>();
  /** Stamp of every test file as last parsed from disk (the reconcile baseline). */
  private stamps = new Map<string, FileStamp>();
  private reconciling: Promise<number> | undefined;
  private reconcileAgain = false;
  private reconcileTimer: NodeJS.Timeout | undefined;
  private disposed = false;
  private lastScanMs = 0;
  /** Files the reconciler found that the watcher had not reported (for the log and the test state). */
  reconciledFiles = 0;
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires after every change of the tree. */
  readonly onDidChange = this.changed.event;
  /** Increments on every change (tests wait for it instead of sleeping). */
  generation = 0;
  ready = false;

  /**
   * `parent`: the root's item when the workspace has several roots (the tree's files go under
   * it); without it, the files are the controller's top-level items.
   */
  constructor(
    readonly controller: vscode.TestController,
    private readonly log: vscode.LogOutputChannel,
    private readonly pacing: ReconcilePacing = DEFAULT_PACING,
    readonly parent?: vscode.TestItem,
  ) {
    const testDoc = (doc: vscode.TextDocument): string | undefined => {
      if (doc.uri.scheme !== 'file') return undefined;
      const file = path.resolve(doc.uri.fsPath);
      return this.isTestFile(file) ? file : undefined;
    };
    this.disposables.push(
      vscode.workspace.onDidChangeTextDocument((e) => {
        const file = e.contentChanges.length ? testDoc(e.document) : undefined;
        if (file) this.schedule(file, () => this.updateFile(file, e.document.getText()));
      }),
      // A save or an open is a moment the disk is known to matter: do not wait for the watcher.
      vscode.workspace.onDidSaveTextDocument((doc) => {
        const file = testDoc(doc);
        if (file) this.schedule(file, () => this.updateFileFromDisk(file));
      }),
      vscode.workspace.onDidOpenTextDocument((doc) => {
        if (testDoc(doc)) void this.reconcile('a test file was opened');
      }),
      vscode.window.onDidChangeWindowState((w) => {
        if (w.focused) void this.reconcile('the window regained focus');
      }),
      this.changed,
    );
  }

  /** Where this tree's file items live. */
  private get items(): vscode.TestItemCollection {
    return this.parent ? this.parent.children : this.controller.items;
  }

  /** True when `file` is (or would be) one of this tree's test files. */
  owns(file: string): boolean {
    return this.isTestFile(path.resolve(file)) || !!this.items.get(testId(path.resolve(file), []));
  }

  /** The config the tree was discovered with. */
  get current(): ResolvedConfig | undefined {
    return this.config;
  }

  /** Replaces the whole tree for `config` and (re)creates the file watchers. */
  async load(config: ResolvedConfig): Promise<void> {
    // Not ready until this discovery is in: waiters on the tree see the new config's files, not a
    // half-loaded state whose listing may predate a file written meanwhile.
    this.ready = false;
    this.config = config;
    this.isTestFile = testFileMatcher(config.root, config.testGlobs, config.testIgnore);
    this.watchers.forEach((w) => w.dispose());
    this.watchers = config.testGlobs.map((glob) => {
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(config.root), glob));
      const refresh = (uri: vscode.Uri) => {
        const file = path.resolve(uri.fsPath);
        this.schedule(file, () => this.updateFileFromDisk(file));
      };
      watcher.onDidCreate(refresh);
      watcher.onDidChange(refresh);
      watcher.onDidDelete((uri) => {
        const file = path.resolve(uri.fsPath);
        this.cancelScheduled(file);
        this.removeFile(file);
      });
      return watcher;
    });
    const started = Date.now();
    const files = await listTestFiles(config.root, config.testGlobs, config.testIgnore);
    // Stamps before reading: a write in between shows up as a changed stamp at the next reconcile.
    const stamps = await statStamps(files);
    const nodes = await Promise.all(
      files.map(async (file) => {
        try {
          return discoverTestFile(file, await this.readText(file), config.root);
        } catch (err) {
          stamps.delete(file);
          const node = discoverTestFile(file, '', config.root);
          node.error = `Cannot read ${node.label}: ${(err as Error).message}`;
          return node;
        }
      }),
    );
    if (config !== this.config) return; // a newer load replaced this one meanwhile
    this.stamps = stamps;
    this.items.replace(nodes.map((n) => this.toItem(n)));
    this.ready = true;
    const tests = nodes.reduce((n, f) => n + countTests(f), 0);
    this.log.info(`discovered ${tests} test(s) in ${nodes.length} file(s) under ${config.root} in ${Date.now() - started} ms`);
    this.bump();
    this.armReconcile();
  }

  /**
   * Brings the tree in line with the disk: files the watcher did not report as created, changed or
   * deleted are re-parsed or dropped. Single-flight (a request during a scan runs one more scan
   * after it); resolves to the number of files that needed it.
   */
  reconcile(reason: string): Promise<number> {
    if (this.reconciling) {
      this.reconcileAgain = true;
      return this.reconciling;
    }
    const run = async (): Promise<number> => {
      let fixed = 0;
      do {
        this.reconcileAgain = false;
        fixed += await this.reconcileOnce(reason);
      } while (this.reconcileAgain && !this.disposed);
      return fixed;
    };
    this.reconciling = run()
      .catch((err) => {
        this.log.warn(`reconciling the test tree failed: ${(err as Error).message}`);
        return 0;
      })
      .finally(() => {
        this.reconciling = undefined;
      });
    return this.reconciling;
  }

  /** Shows a configuration error as the only item. */
  showConfigError(message: string): void {
    const item = this.controller.createTestItem(this.parent ? `${CONFIG_ERROR_ID}\u001f${this.parent.id}` : CONFIG_ERROR_ID, 'Governance coverage: configuration error');
    item.error = new vscode.MarkdownString(message.split('\n').map((l) => `- ${l}`).join('\n'));
    this.items.replace([item]);
    this.ready = true;
    this.bump();
  }

  /** Re-parses one file from the given text (open-document edits). */
  updateFile(file: string, text: string): void {
    if (!this.config) return;
    const node = discoverTestFile(file, text, this.config.root);
    this.items.add(this.toItem(node));
    this.bump();
  }

  /** Drops a deleted file's item. */
  removeFile(file: string): void {
    this.stamps.delete(file);
    this.items.delete(testId(file, []));
    this.bump();
  }

  /** The item for an id, searching the whole tree. */
  find(id: string): vscode.TestItem | undefined {
    const walk = (items: vscode.TestItemCollection): vscode.TestItem | undefined => {
      let found: vscode.TestItem | undefined;
      items.forEach((item) => {
        if (found) return;
        if (item.id === id) found = item;
        else if (id.startsWith(item.id)) found = walk(item.children);
      });
      return found;
    };
    return walk(this.items);
  }

  /** The item for a runtime test, created (with its suites) when discovery could not see it. */
  ensure(file: string, titlePath: readonly string[]): vscode.TestItem {
    const existing = this.find(testId(file, titlePath));
    if (existing) return existing;
    let parent = this.find(testId(file, []));
    if (!parent) {
      parent = this.controller.createTestItem(testId(file, []), this.relative(file), vscode.Uri.file(file));
      this.items.add(parent);
    }
    for (let i = 0; i < titlePath.length; i++) {
      const id = testId(file, titlePath.slice(0, i + 1));
      let child: vscode.TestItem | undefined = parent.children.get(id);
      if (!child) {
        child = this.controller.createTestItem(id, titlePath[i], vscode.Uri.file(file));
        parent.children.add(child);
      }
      parent = child;
    }
    this.bump();
    return parent;
  }

  /** All leaf tests under the given items (everything when `include` is undefined). */
  leaves(include?: readonly vscode.TestItem[], exclude: readonly vscode.TestItem[] = []): vscode.TestItem[] {
    const excluded = new Set(exclude.map((i) => i.id));
    const out: vscode.TestItem[] = [];
    const walk = (item: vscode.TestItem) => {
      if (excluded.has(item.id) || item.id.startsWith(CONFIG_ERROR_ID)) return;
      if (item.children.size === 0) {
        if (item.id !== item.uri?.fsPath) out.push(item);
        return;
      }
      item.children.forEach(walk);
    };
    if (include) include.forEach((i) => (i === this.parent ? i.children.forEach(walk) : walk(i)));
    else this.items.forEach(walk);
    return out;
  }

  /** Plain snapshot of the tree. */
  snapshot(): TreeSnapshot[] {
    return snapshotItems(this.items);
  }

  /** Test files in the tree (absolute). */
  files(): string[] {
    const out: string[] = [];
    this.items.forEach((i) => {
      if (i.uri && i.id === testId(path.resolve(i.uri.fsPath), [])) out.push(i.id);
    });
    return out.sort();
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.reconcileTimer);
    this.watchers.forEach((w) => w.dispose());
    this.disposables.forEach((d) => d.dispose());
    this.pending.forEach((t) => clearTimeout(t));
  }

  /** One scan: list the globs, stat, and apply the difference to the tree. */
  private async reconcileOnce(reason: string): Promise<number> {
    const config = this.config;
    if (!config || this.disposed) return 0;
    const started = Date.now();
    const current = await statStamps(await listTestFiles(config.root, config.testGlobs, config.testIgnore));
    // The pacing budget is for the scan itself (listing + stats), not for re-parsing what it found.
    this.lastScanMs = Date.now() - started;
    if (config !== this.config || this.disposed) return 0;
    const diff = diffStamps(this.stamps, current);
    // A file created after the listing (and already added by the watcher) is not "removed".
    const removed = diff.removed.filter((f) => !fs.existsSync(f));
    const stale = [...diff.added, ...diff.changed];
    const fixed = removed.length + stale.length;
    this.reconciledFiles += fixed; // counted before the tree changes, so a waiter woken by them sees it
    for (const file of removed) {
      this.cancelScheduled(file);
      this.removeFile(file);
    }
    for (const file of stale) {
      this.cancelScheduled(file);
      await this.updateFileFromDisk(file);
    }
    if (fixed > 0) {
      const names = [...diff.added.map((f) => `+${this.relative(f)}`), ...diff.changed.map((f) => `~${this.relative(f)}`), ...removed.map((f) => `-${this.relative(f)}`)];
      this.log.info(`test tree reconciled with the disk (${reason}); not reported by the file watcher: ${names.join(', ')}`);
    }
    return fixed;
  }

  /** (Re)starts the paced reconcile timer; each tick re-arms itself from the last scan's cost. */
  private armReconcile(): void {
    clearTimeout(this.reconcileTimer);
    if (this.disposed) return;
    this.lastScanMs = 0; // the first check comes after the shortest period; later ones pace by the scan's cost
    const tick = () => {
      this.reconcileTimer = setTimeout(() => {
        void this.reconcile('periodic check').then(() => {
          if (!this.disposed) tick();
        });
      }, nextReconcileDelay(this.lastScanMs, this.pacing));
    };
    tick();
  }

  private cancelScheduled(file: string): void {
    const prev = this.pending.get(file);
    if (prev) clearTimeout(prev);
    this.pending.delete(file);
  }

  /** Re-parses a file from disk (or its unsaved editor text) and records its stamp. */
  private async updateFileFromDisk(file: string): Promise<void> {
    try {
      const stamp = stampOf(await fs.promises.stat(file));
      this.updateFile(file, await this.readText(file));
      this.stamps.set(file, stamp);
    } catch (err) {
      this.log.warn(`cannot read ${file}: ${(err as Error).message}`);
    }
  }

  /** Unsaved editor text wins over the disk; a saved open document is read from disk (it may lag). */
  private async readText(file: string): Promise<string> {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && path.resolve(d.uri.fsPath) === file);
    if (open?.isDirty) return open.getText();
    return Buffer.from(await vscode.workspace.fs.readFile(vscode.Uri.file(file))).toString('utf8');
  }

  private schedule(file: string, fn: () => unknown): void {
    this.cancelScheduled(file);
    this.pending.set(
      file,
      setTimeout(() => {
        this.pending.delete(file);
        Promise.resolve(fn()).catch((err) => this.log.error(`tree update failed for ${file}: ${(err as Error).message}`));
      }, 200),
    );
  }

  private relative(file: string): string {
    return this.config ? path.relative(this.config.root, file).split(path.sep).join('/') : path.basename(file);
  }

  private toItem(node: DiscoveredNode): vscode.TestItem {
    const item = this.controller.createTestItem(node.id, node.label, vscode.Uri.file(node.file));
    if (node.range) {
      item.range = new vscode.Range(node.range.start.line - 1, node.range.start.column, node.range.end.line - 1, node.range.end.column);
    }
    if (node.error) item.error = node.error;
    if (node.skipped) item.description = 'skipped';
    item.children.replace(node.children.map((c) => this.toItem(c)));
    return item;
  }

  private bump(): void {
    this.generation++;
    this.changed.fire();
  }
}

function countTests(node: DiscoveredNode): number {
  return node.kind === 'test' ? 1 : node.children.reduce((n, c) => n + countTests(c), 0);
}

/** Plain snapshot (id, label, error, children) of a collection of test items and their descendants. */
export function snapshotItems(items: vscode.TestItemCollection): TreeSnapshot[] {
  const out: TreeSnapshot[] = [];
  items.forEach((item) => {
    const error = typeof item.error === 'string' ? item.error : item.error?.value;
    out.push({ id: item.id, label: item.label, ...(error ? { error } : {}), children: snapshotItems(item.children) });
  });
  return out;
}
