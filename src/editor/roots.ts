/**
 * The workspace's test roots in the editor: one per workspace folder and per nested package with
 * a mocha setup or our config (the engine's `findRoots`), each with its own config, test tree,
 * analysis and reports. With one root the files are the Test Explorer's top-level items; with
 * several, each root is a top-level item holding its files. A folder with nothing to run is
 * listed in `noSetup` with the engine's message (the ways forward).
 */
import * as path from 'path';
import * as vscode from 'vscode';
import type { Analysis, ResolvedConfig } from '../coverage/model';
import { chooseConfig, type Engine, type SettingsConfig } from './engine';
import { snapshotItems, TestTree, type TreeSnapshot } from './testTree';

/** Id prefix of a root's item (multi-root). */
export const ROOT_ITEM_PREFIX = 'governanceCoverage.root\u001f';

export interface RootState {
  root: string;
  folder: vscode.WorkspaceFolder;
  tree: TestTree;
  config?: ResolvedConfig;
  configError?: string;
  notes: string[];
  analysis?: Analysis;
}

export interface RootSetDeps {
  controller: vscode.TestController;
  log: vscode.LogOutputChannel;
  engine: Engine;
  settings(folder: vscode.WorkspaceFolder): SettingsConfig;
  /** The resolved Node.js for the mocha option loading (undefined = engine default). */
  node(): Promise<string | undefined>;
  /** A config that cannot be used (shown as the root's error item; the caller notifies). */
  onConfigError(err: unknown, root: string): void;
  onChange(): void;
}

export class RootSet implements vscode.Disposable {
  roots: RootState[] = [];
  /** Folders with no mocha setup and no config: the engine's message with the ways forward. */
  noSetup: Array<{ folder: string; message: string }> = [];
  generation = 0;
  loading = false;
  private subs: vscode.Disposable[] = [];

  constructor(private readonly deps: RootSetDeps) {}

  /** Every root's tree is discovered (and no reload is in progress). */
  get ready(): boolean {
    return !this.loading && this.roots.every((r) => r.tree.ready || !r.config);
  }

  get reconciledFiles(): number {
    return this.roots.reduce((n, r) => n + r.tree.reconciledFiles, 0);
  }

  /** The first root's config (what a single-root workspace runs). */
  get current(): ResolvedConfig | undefined {
    return this.roots.find((r) => r.config)?.config;
  }

  trees(): TestTree[] {
    return this.roots.map((r) => r.tree);
  }

  /** The root holding `file` (the deepest one), if any. */
  rootOf(file: string): RootState | undefined {
    const abs = path.resolve(file);
    const inside = this.roots.filter((r) => abs === r.root || abs.startsWith(r.root + path.sep));
    return inside.sort((a, b) => b.root.length - a.root.length)[0];
  }

  find(id: string): vscode.TestItem | undefined {
    for (const r of this.roots) {
      if (r.tree.parent?.id === id) return r.tree.parent;
      const item = r.tree.find(id);
      if (item) return item;
    }
    return undefined;
  }

  /** The item of a test (created when discovery could not see it) in the tree that owns its file. */
  ensure(file: string, titlePath: readonly string[]): vscode.TestItem {
    const owner = this.roots.find((r) => r.tree.owns(file)) ?? this.rootOf(file) ?? this.roots[0];
    if (!owner) throw new Error(`No test root holds ${file}.`);
    return owner.tree.ensure(file, titlePath);
  }

  files(): string[] {
    return this.roots.flatMap((r) => r.tree.files()).sort();
  }

  snapshot(): TreeSnapshot[] {
    return snapshotItems(this.deps.controller.items);
  }

  /** Finds the roots of every workspace folder, reads their configs and discovers their tests. */
  async reload(): Promise<void> {
    this.loading = true;
    this.bump();
    try {
      const found = await this.findAll();
      this.replaceRoots(found);
      await Promise.all(this.roots.map((r) => this.loadRoot(r)));
    } finally {
      this.loading = false;
      this.bump();
    }
  }

  dispose(): void {
    this.roots.forEach((r) => r.tree.dispose());
    this.subs.forEach((s) => s.dispose());
  }

  private async findAll(): Promise<Array<{ root: string; folder: vscode.WorkspaceFolder }>> {
    const out: Array<{ root: string; folder: vscode.WorkspaceFolder }> = [];
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      let roots = await this.deps.engine.findRoots(folder.uri.fsPath).catch(() => [] as string[]);
      // Explicit settings make a folder a root even without a mocha setup.
      if (!roots.length && Object.values(this.deps.settings(folder)).some((v) => v !== undefined)) roots = [folder.uri.fsPath];
      if (!roots.length) roots = [folder.uri.fsPath]; // loadRoot records the ways forward
      out.push(...roots.map((root) => ({ root, folder })));
    }
    return out;
  }

  private replaceRoots(found: Array<{ root: string; folder: vscode.WorkspaceFolder }>): void {
    const { controller, log } = this.deps;
    this.roots.forEach((r) => r.tree.dispose());
    this.subs.forEach((s) => s.dispose());
    controller.items.replace([]);
    const multi = found.length > 1;
    this.roots = found.map(({ root, folder }) => {
      let parent: vscode.TestItem | undefined;
      if (multi) {
        const rel = path.relative(folder.uri.fsPath, root).split(path.sep).join('/');
        parent = controller.createTestItem(`${ROOT_ITEM_PREFIX}${root}`, rel ? `${folder.name}/${rel}` : folder.name, vscode.Uri.file(root));
        controller.items.add(parent);
      }
      const tree = new TestTree(controller, log, undefined, parent);
      return { root, folder, tree, notes: [] };
    });
    this.subs = this.roots.map((r) => r.tree.onDidChange(() => this.bump()));
    this.noSetup = [];
  }

  private async loadRoot(r: RootState): Promise<void> {
    try {
      const node = await this.deps.node();
      const choice = await chooseConfig(this.deps.engine, r.root, this.deps.settings(r.folder), { node, trusted: vscode.workspace.isTrusted });
      r.notes = choice.notes;
      choice.notes.forEach((n) => this.deps.log.info(n));
      if (!choice.config) {
        this.noSetup.push({ folder: r.root, message: choice.noSetup ?? '' });
        this.dropRoot(r);
        return;
      }
      r.config = choice.config;
      this.deps.log.info(`config: ${r.config.source} (root ${r.config.root}, mocha ${r.config.mocha.mochaVersion}${r.config.mocha.projectMocha ? ', the project\'s own' : ''})`);
      await r.tree.load(r.config);
    } catch (err) {
      r.configError = (err as Error).message ?? String(err);
      r.tree.showConfigError(r.configError);
      this.deps.log.error(`configuration problem in ${r.root}: ${r.configError}`);
      this.deps.onConfigError(err, r.root);
    }
  }

  /** A root with nothing to run leaves the tree (its item too). */
  private dropRoot(r: RootState): void {
    if (r.tree.parent) this.deps.controller.items.delete(r.tree.parent.id);
    r.tree.dispose();
    this.roots = this.roots.filter((x) => x !== r);
  }

  private bump(): void {
    this.generation++;
    this.deps.onChange();
  }
}
