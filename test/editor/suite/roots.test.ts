/**
 * Roots (issue 10). With this repository as the only folder: one root running the governance
 * suite from the workspace's own files. In the multi-root pass (test/editor/offline/multiRoot.test.ts
 * opens a `.code-workspace` of this repository, a folder with only a `.mocharc.json` and a
 * JavaScript folder with nothing to run): the second folder is a second root showing its own
 * tests (never the governance suite) and running with coverage on its own, the Test Explorer
 * groups by root, and the third folder is listed with the ways forward; the fourth, a monorepo
 * of two packages each with its own mocha setup, gives one root per package, and the status bar
 * follows the root of the active editor.
 */
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { activated, describeIf, flatten, type RunSummary, state, trusted, workspaceRoot, type TestState, type TreeNode } from './helpers';

const SEP = '\u001f';
const ROOT_ITEM = 'governanceCoverage.root\u001f';

interface RootInfo {
  root: string;
  folder: string;
  source: string | null;
  embedded: boolean | null;
  item: string | null;
}
type RootsState = TestState & { roots: RootInfo[]; noSetup: Array<{ folder: string; message: string }> };

const folders = () => (vscode.workspace.workspaceFolders ?? []).map((f) => fs.realpathSync(f.uri.fsPath));

describeIf(trusted && folders().length === 1, 'Roots: this repository as the workspace', function () {
  it('one root, the governance suite from the workspace\'s own files', async () => {
    await activated();
    const s = (await state()) as RootsState;
    assert.equal(s.roots.length, 1);
    assert.equal(s.roots[0].root, fs.realpathSync(workspaceRoot()));
    assert.equal(s.roots[0].embedded, true);
    assert.equal(s.roots[0].item, null, 'a single root has no grouping item');
    assert.ok(s.tree.every((n) => n.id.startsWith(fs.realpathSync(workspaceRoot()))), 'every test file is a file of the workspace');
  });

  it('"Load coverage report": coverage made elsewhere gives the analysis, gutter marks and status without a run', async () => {
    const root = fs.realpathSync(workspaceRoot());
    const dir = path.join(root, '.tmp', `editor-lcov-${process.pid}`);
    const target = path.join(root, 'src', 'governance', 'proposalService.ts');
    fs.mkdirSync(dir, { recursive: true });
    try {
      // An lcov tracefile as c8 or a CI job writes it: lines 20-29 ran, 30-39 never did.
      const da = Array.from({ length: 20 }, (_, i) => `DA:${20 + i},${i < 10 ? 3 : 0}`).join('\n');
      const file = path.join(dir, 'lcov.info');
      fs.writeFileSync(file, `TN:\nSF:${path.relative(root, target)}\n${da}\nLF:20\nLH:10\nend_of_record\n`);
      const runsBefore = (await state()).completedRuns;
      const loaded = (await vscode.commands.executeCommand('governanceCoverage.loadCoverageReport', { file })) as { files: string[]; allTargetsMet: boolean };
      assert.deepEqual(loaded, { file, files: ['src/governance/proposalService.ts'], allTargetsMet: false });
      const s = await state();
      assert.equal(s.completedRuns, runsBefore, 'nothing ran');
      const marks = s.decorations[target]?.ranges ?? [];
      assert.ok(marks.some((r) => r.startLine <= 33 && r.endLine >= 33), JSON.stringify(marks));
      assert.match(s.status.text, /^Gov 50% \/ 95%$/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Polls the test state (the status bar follows editor events the test cannot await) until `pred` holds. */
async function stateWhen(what: string, pred: (s: TestState) => boolean, timeoutMs = 15_000): Promise<TestState> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await state();
    if (pred(s)) return s;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; status is ${JSON.stringify(s.status.text)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describeIf(trusted && folders().length === 4, 'Roots: a multi-root workspace', function () {
  let repo: string;
  let mocharcDir: string;
  let emptyDir: string;
  let alpha: string;
  let beta: string;

  before(async () => {
    let mono: string;
    [repo, mocharcDir, emptyDir, mono] = folders();
    [alpha, beta] = ['alpha', 'beta'].map((p) => path.join(mono, 'packages', p));
    await activated();
  });

  it('one root per folder with something to run, grouped by root; the .mocharc folder shows its own tests', async () => {
    const s = (await state()) as RootsState;
    assert.deepEqual(s.roots.map((r) => [r.root, r.source, r.embedded]), [
      [repo, 'embedded', true],
      [mocharcDir, '.mocharc.json', false],
      [alpha, '.mocharc.json', false],
      [beta, 'package.json#mocha', false],
    ]);
    assert.deepEqual(s.tree.map((n) => n.id), [repo, mocharcDir, alpha, beta].map((r) => `${ROOT_ITEM}${r}`));
    const own = s.tree[1];
    assert.equal(own.label, path.basename(mocharcDir));
    const spec = path.join(mocharcDir, 'test', 'half.spec.js');
    assert.deepEqual(flatten(own.children).map((n) => n.id), [spec, `${spec}${SEP}half`, `${spec}${SEP}half${SEP}halves even numbers`, `${spec}${SEP}half${SEP}rounds odd numbers down`]);
    assert.ok(!flatten(own.children).some((n) => n.id.includes('test/governance')), 'not the governance suite');
    assert.ok(s.tree[0].children.some((n) => n.label.startsWith('test/governance/')), 'the first root keeps its suite');
  });

  it('runs the .mocharc root alone, with coverage of its own sources and reports in its own folder', async () => {
    const summary = (await vscode.commands.executeCommand('governanceCoverage.runTestsWithCoverage', { tests: [`${ROOT_ITEM}${mocharcDir}`] })) as RunSummary;
    assert.equal(summary.error, undefined);
    assert.deepEqual([summary.stats.passed, summary.stats.failed], [2, 0]);
    assert.deepEqual(summary.coverageFiles, [path.join(mocharcDir, 'lib', 'half.js')]);
    assert.ok(summary.reports.length > 0 && summary.reports.every((r) => r.startsWith(path.join(mocharcDir, 'coverage'))), summary.reports.join('\n'));
  });

  it('the folder with nothing to run is listed with the ways forward, never given the governance suite', async () => {
    const s = (await state()) as RootsState;
    const entry = s.noSetup.find((n) => n.folder === emptyDir);
    assert.match(entry?.message ?? '', /No mocha setup and no governance-coverage config in .*\. Ways forward:/);
    assert.match(entry?.message ?? '', /Open the governance demo/);
  });

  it('a monorepo folder: each package with its own mocha setup is a root of its own in the Test Explorer', async () => {
    const s = (await state()) as RootsState;
    const [a, b] = s.tree.slice(2);
    assert.deepEqual([a.label, b.label], ['monorepo/packages/alpha', 'monorepo/packages/beta']);
    const ids = (n: TreeNode) => flatten(n.children).map((c) => c.id.split(SEP).map((part, i) => (i === 0 ? path.relative(n.id.slice(ROOT_ITEM.length), part) : part)).join(' › '));
    assert.deepEqual(ids(a), ['test/inc.test.js', 'test/inc.test.js › inc', 'test/inc.test.js › inc › adds one']);
    assert.deepEqual(ids(b), ['test/sign.test.js', 'test/sign.test.js › sign', 'test/sign.test.js › sign › is 1 for a positive number']);
    assert.ok(!s.noSetup.some((n) => n.folder.startsWith(path.dirname(path.dirname(alpha)))), 'the monorepo folder itself is not listed as having nothing to run');
  });

  it('the status bar follows the active editor\'s root: each package\'s figure, none for a root not yet run', async () => {
    for (const root of [alpha, beta]) {
      const summary = (await vscode.commands.executeCommand('governanceCoverage.runTestsWithCoverage', { tests: [`${ROOT_ITEM}${root}`] })) as RunSummary;
      assert.deepEqual([summary.error, summary.stats.passed, summary.stats.failed], [undefined, 1, 0]);
    }
    // Lines as istanbul counts them (lines that hold a statement; 'use strict' is a directive, not one):
    // alpha's lib/inc.js 1 of 1 (100%), beta's lib/sign.js 3 of 4 (75%: `return -1` never runs); no targets in either.
    assert.equal((await state()).status.text, 'Gov 75%', 'after the runs: the last run\'s root');
    await vscode.window.showTextDocument(vscode.Uri.file(path.join(alpha, 'lib', 'inc.js')));
    await stateWhen('alpha\'s figure', (s) => s.status.text === 'Gov 100%');
    await vscode.window.showTextDocument(vscode.Uri.file(path.join(beta, 'test', 'sign.test.js')));
    await stateWhen('beta\'s figure', (s) => s.status.text === 'Gov 75%');
    await vscode.window.showTextDocument(vscode.Uri.file(path.join(repo, 'src', 'governance', 'audit.ts')));
    await stateWhen('no figure for this repository\'s root (not run in this workspace)', (s) => s.status.text === '$(beaker) Gov –');
    await vscode.window.showTextDocument(vscode.Uri.file(path.join(alpha, 'test', 'inc.test.js')));
    await stateWhen('alpha\'s figure again', (s) => s.status.text === 'Gov 100%');
  });
});
