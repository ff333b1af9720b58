/**
 * The Test Explorer tree: file → suites → tests, discovered by parsing (never running) the test
 * files, kept in step with file create/change/delete and unsaved edits.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import type { DiscoveredNode, ResolvedConfig } from '../coverage/model';
import { testId } from '../coverage/model';
import { discoverTestFile, discoverTests, testFileMatcher } from '../coverage/discovery';

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
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires after every change of the tree. */
  readonly onDidChange = this.changed.event;
  /** Increments on every change (tests wait for it instead of sleeping). */
  generation = 0;
  ready = false;

  constructor(
    readonly controller: vscode.TestController,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.disposables.push(
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length === 0 || e.document.uri.scheme !== 'file') return;
        const file = path.resolve(e.document.uri.fsPath);
        if (!this.isTestFile(file)) return;
        this.schedule(file, () => this.updateFile(file, e.document.getText()));
      }),
      this.changed,
    );
  }

  /** The config the tree was discovered with. */
  get current(): ResolvedConfig | undefined {
    return this.config;
  }

  /** Replaces the whole tree for `config` and (re)creates the file watchers. */
  async load(config: ResolvedConfig): Promise<void> {
    this.config = config;
    this.isTestFile = testFileMatcher(config.root, config.testGlobs);
    this.watchers.forEach((w) => w.dispose());
    this.watchers = config.testGlobs.map((glob) => {
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(config.root), glob));
      const refresh = (uri: vscode.Uri) => {
        const file = path.resolve(uri.fsPath);
        this.schedule(file, () => this.updateFileFromDisk(file));
      };
      watcher.onDidCreate(refresh);
      watcher.onDidChange(refresh);
      watcher.onDidDelete((uri) => this.removeFile(path.resolve(uri.fsPath)));
      return watcher;
    });
    const started = Date.now();
    const nodes = await discoverTests(config.root, config.testGlobs, (f) => this.readText(f));
    this.controller.items.replace(nodes.map((n) => this.toItem(n)));
    this.ready = true;
    const tests = nodes.reduce((n, f) => n + countTests(f), 0);
    this.log.info(`discovered ${tests} test(s) in ${nodes.length} file(s) under ${config.root} in ${Date.now() - started} ms`);
    this.bump();
  }

  /** Shows a configuration error as the only item. */
  showConfigError(message: string): void {
    const item = this.controller.createTestItem(CONFIG_ERROR_ID, 'Governance coverage: configuration error');
    item.error = new vscode.MarkdownString(message.split('\n').map((l) => `- ${l}`).join('\n'));
    this.controller.items.replace([item]);
    this.ready = true;
    this.bump();
  }

  /** Re-parses one file from the given text (open-document edits). */
  updateFile(file: string, text: string): void {
    if (!this.config) return;
    const node = discoverTestFile(file, text, this.config.root);
    this.controller.items.add(this.toItem(node));
    this.bump();
  }

  /** Drops a deleted file's item. */
  removeFile(file: string): void {
    this.controller.items.delete(testId(file, []));
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
    return walk(this.controller.items);
  }

  /** The item for a runtime test, created (with its suites) when discovery could not see it. */
  ensure(file: string, titlePath: readonly string[]): vscode.TestItem {
    const existing = this.find(testId(file, titlePath));
    if (existing) return existing;
    let parent = this.find(testId(file, []));
    if (!parent) {
      parent = this.controller.createTestItem(testId(file, []), this.relative(file), vscode.Uri.file(file));
      this.controller.items.add(parent);
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
      if (excluded.has(item.id) || item.id === CONFIG_ERROR_ID) return;
      if (item.children.size === 0) {
        if (item.id !== item.uri?.fsPath) out.push(item);
        return;
      }
      item.children.forEach(walk);
    };
    if (include) include.forEach(walk);
    else this.controller.items.forEach(walk);
    return out;
  }

  /** Plain snapshot of the tree. */
  snapshot(): TreeSnapshot[] {
    const snap = (item: vscode.TestItem): TreeSnapshot => {
      const children: TreeSnapshot[] = [];
      item.children.forEach((c) => children.push(snap(c)));
      const error = typeof item.error === 'string' ? item.error : item.error?.value;
      return { id: item.id, label: item.label, ...(error ? { error } : {}), children };
    };
    const out: TreeSnapshot[] = [];
    this.controller.items.forEach((i) => out.push(snap(i)));
    return out;
  }

  /** Test files in the tree (absolute). */
  files(): string[] {
    const out: string[] = [];
    this.controller.items.forEach((i) => {
      if (i.uri && i.id === testId(path.resolve(i.uri.fsPath), [])) out.push(i.id);
    });
    return out.sort();
  }

  dispose(): void {
    this.watchers.forEach((w) => w.dispose());
    this.disposables.forEach((d) => d.dispose());
    this.pending.forEach((t) => clearTimeout(t));
  }

  private async updateFileFromDisk(file: string): Promise<void> {
    try {
      this.updateFile(file, await this.readText(file));
    } catch (err) {
      this.log.warn(`cannot read ${file}: ${(err as Error).message}`);
    }
  }

  /** Unsaved editor text wins over the disk. */
  private async readText(file: string): Promise<string> {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && path.resolve(d.uri.fsPath) === file);
    if (open) return open.getText();
    return Buffer.from(await vscode.workspace.fs.readFile(vscode.Uri.file(file))).toString('utf8');
  }

  private schedule(file: string, fn: () => unknown): void {
    const prev = this.pending.get(file);
    if (prev) clearTimeout(prev);
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
