/**
 * Roots (issue 10): this repository opened as the workspace is one root running the governance
 * suite from the workspace's own files; a second workspace folder that has only a `.mocharc.json`
 * becomes a second root showing its own tests (never the governance suite), runs with coverage on
 * its own; a folder with nothing to run is listed with the ways forward. The folders are written
 * outside the repository and always removed.
 */
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { activated, describeIf, flatten, type RunSummary, state, trusted, untilTree, workspaceRoot, type TestState } from './helpers';

const SEP = '\u001f';
const ROOT_ITEM = 'governanceCoverage.root\u001f';

interface RootInfo {
  root: string;
  folder: string;
  source: string | null;
  embedded: boolean | null;
  mocha: { version: string; projectMocha: boolean; sources: string[] } | null;
  item: string | null;
}
type RootsState = TestState & { roots: RootInfo[]; noSetup: Array<{ folder: string; message: string }> };

/** Adds a workspace folder and resolves once VS Code reports the change. */
async function addFolder(dir: string): Promise<void> {
  const changed = new Promise<void>((resolve) => {
    const sub = vscode.workspace.onDidChangeWorkspaceFolders(() => {
      sub.dispose();
      resolve();
    });
  });
  const at = vscode.workspace.workspaceFolders?.length ?? 0;
  assert.ok(vscode.workspace.updateWorkspaceFolders(at, 0, { uri: vscode.Uri.file(dir) }), 'the folder can be added');
  await changed;
}

async function removeFolder(dir: string): Promise<void> {
  const index = (vscode.workspace.workspaceFolders ?? []).findIndex((f) => f.uri.fsPath === dir);
  if (index < 0) return;
  const changed = new Promise<void>((resolve) => {
    const sub = vscode.workspace.onDidChangeWorkspaceFolders(() => {
      sub.dispose();
      resolve();
    });
  });
  vscode.workspace.updateWorkspaceFolders(index, 1);
  await changed;
}

/** A project with only a .mocharc.json: one source file, one spec file with two tests. */
function writeMocharcProject(dir: string): void {
  fs.mkdirSync(path.join(dir, 'lib'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'test'), { recursive: true });
  fs.writeFileSync(path.join(dir, '.mocharc.json'), JSON.stringify({ spec: 'test/*.spec.js' }));
  fs.writeFileSync(path.join(dir, 'lib', 'half.js'), "'use strict';\nexports.half = (n) => {\n  if (n % 2) {\n    return (n - 1) / 2;\n  }\n  return n / 2;\n};\n");
  fs.writeFileSync(
    path.join(dir, 'test', 'half.spec.js'),
    "'use strict';\nconst assert = require('assert');\nconst { half } = require('../lib/half');\ndescribe('half', () => {\n  it('halves even numbers', () => assert.equal(half(4), 2));\n  it('rounds odd numbers down', () => assert.equal(half(5), 2));\n});\n",
  );
}

describeIf(trusted, 'Roots: this repository, a .mocharc-only folder, a folder with nothing', function () {
  let mocharcDir: string;
  let emptyDir: string;

  before(async () => {
    await activated();
    const base = fs.realpathSync(os.tmpdir());
    mocharcDir = fs.mkdtempSync(path.join(base, 'govcov-mocharc-'));
    emptyDir = fs.mkdtempSync(path.join(base, 'govcov-nothing-'));
    writeMocharcProject(mocharcDir);
    fs.writeFileSync(path.join(emptyDir, 'README.md'), 'no tests here\n');
  });

  after(async () => {
    await removeFolder(mocharcDir);
    await removeFolder(emptyDir);
    await untilTree((s) => (s as RootsState).roots.length === 1 && s.treeReady, 60_000).catch(() => undefined);
    fs.rmSync(mocharcDir, { recursive: true, force: true });
    fs.rmSync(emptyDir, { recursive: true, force: true });
  });

  it('this repository as the workspace: one root, the governance suite from the workspace\'s own files', async () => {
    const s = (await state()) as RootsState;
    assert.equal(s.roots.length, 1);
    assert.equal(s.roots[0].root, fs.realpathSync(workspaceRoot()));
    assert.equal(s.roots[0].embedded, true);
    assert.equal(s.roots[0].item, null, 'a single root has no grouping item');
    assert.ok(s.tree.every((n) => n.id.startsWith(fs.realpathSync(workspaceRoot()))), 'every test file is a file of the workspace');
  });

  it('a second folder with only a .mocharc.json: a second root with its own tests, grouped by root', async () => {
    await addFolder(mocharcDir);
    const s = (await untilTree((x) => (x as RootsState).roots.length === 2 && x.treeReady, 90_000)) as RootsState;
    assert.deepEqual(s.roots.map((r) => [r.root, r.source, r.embedded]), [
      [fs.realpathSync(workspaceRoot()), 'embedded', true],
      [mocharcDir, '.mocharc.json', false],
    ]);
    assert.deepEqual(s.tree.map((n) => n.id), [`${ROOT_ITEM}${fs.realpathSync(workspaceRoot())}`, `${ROOT_ITEM}${mocharcDir}`]);
    const own = s.tree[1];
    assert.equal(own.label, path.basename(mocharcDir));
    const spec = path.join(mocharcDir, 'test', 'half.spec.js');
    assert.deepEqual(flatten(own.children).map((n) => n.id), [spec, `${spec}${SEP}half`, `${spec}${SEP}half${SEP}halves even numbers`, `${spec}${SEP}half${SEP}rounds odd numbers down`]);
    assert.ok(!flatten(own.children).some((n) => n.id.includes('test/governance')), 'not the governance suite');
    assert.ok(s.tree[0].children.some((n) => n.label.startsWith('test/governance/')), 'the first root keeps its suite');
  });

  it('runs the .mocharc root alone, with coverage of its own sources', async () => {
    const summary = (await vscode.commands.executeCommand('governanceCoverage.runTestsWithCoverage', { tests: [`${ROOT_ITEM}${mocharcDir}`] })) as RunSummary;
    assert.equal(summary.error, undefined);
    assert.deepEqual([summary.stats.passed, summary.stats.failed], [2, 0]);
    assert.deepEqual(summary.coverageFiles, [path.join(mocharcDir, 'lib', 'half.js')]);
    assert.ok(summary.reports.every((r) => r.startsWith(path.join(mocharcDir, 'coverage'))), summary.reports.join('\n'));
  });

  it('a folder with nothing to run is listed with the ways forward, never given the governance suite', async () => {
    await addFolder(emptyDir);
    const s = (await untilTree((x) => (x as RootsState).noSetup.some((n) => n.folder === emptyDir) && x.treeReady, 90_000)) as RootsState;
    assert.deepEqual(s.roots.map((r) => r.root), [fs.realpathSync(workspaceRoot()), mocharcDir]);
    const entry = s.noSetup.find((n) => n.folder === emptyDir);
    assert.match(entry?.message ?? '', /No mocha setup and no governance-coverage config in .*govcov-nothing-.*\. Ways forward:/);
    assert.match(entry?.message ?? '', /Open the governance demo/);
  });
});
