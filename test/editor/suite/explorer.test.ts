/**
 * Test Explorer behaviour with real files: the tree follows create/change/delete, failures carry
 * a diff and the failing line, a file that fails to load is an errored item, and cancelling a run
 * stops the test process at once. Probe files are written under test/governance/unit (so the
 * watcher's globs see them) and always removed.
 */
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { activated, describeIf, restoreText, type RunSummary, trusted, state, untilTree, workspaceRoot } from './helpers';

const SEP = '\u001f';

describeIf(trusted, 'Test Explorer: live tree, failures, load errors, cancellation', function () {
  let probe: string;
  let broken: string;
  let probeDir: string;
  const settings = () => vscode.workspace.getConfiguration('governanceCoverage');

  // Probe files live in .tmp/ (git-ignored, outside the governance suite's globs, so a
  // concurrent or later governance run never sees them); a testGlobs setting adds that folder.
  before(async () => {
    await activated();
    const root = workspaceRoot();
    const rel = `.tmp/editor-probe-${process.pid}`;
    probeDir = path.join(root, rel);
    fs.mkdirSync(probeDir, { recursive: true });
    probe = path.join(probeDir, 'probe.test.ts');
    broken = path.join(probeDir, 'broken.test.ts');
    await settings().update('testGlobs', [`${rel}/**/*.test.ts`, 'test/governance/**/*.test.ts'], vscode.ConfigurationTarget.Global);
    await untilTree((s) => !!s.config?.testGlobs.includes(`${rel}/**/*.test.ts`) && s.treeReady);
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await settings().update('testGlobs', undefined, vscode.ConfigurationTarget.Global);
    fs.rmSync(probeDir, { recursive: true, force: true });
    await untilTree((s) => !!s.config?.embedded);
  });

  const probeSource = [
    "import { strict as assert } from 'assert';",
    "describe('editor probe', () => {",
    "  it('passes', () => assert.equal(1 + 1, 2));",
    "  it('fails with a diff', () => {",
    "    assert.deepStrictEqual({ votes: 3 }, { votes: 4 });",
    '  });',
    '});',
    '',
  ];
  const failingLine = 4; // 0-based line of the assertion above

  it('adds a created test file to the tree without running it', async () => {
    fs.writeFileSync(probe, probeSource.join('\n'));
    const s = await untilTree((st) => st.testIds.includes(`${probe}${SEP}editor probe${SEP}fails with a diff`));
    assert.ok(s.testIds.includes(`${probe}${SEP}editor probe${SEP}passes`));
    assert.equal(s.results[`${probe}${SEP}editor probe${SEP}passes`], undefined, 'discovery ran nothing');
  });

  it('runs the file: a pass, and a failure shown as a diff at the failing line', async () => {
    const summary = (await vscode.commands.executeCommand('governanceCoverage.runTests', { files: [probe] })) as RunSummary;
    assert.deepEqual([summary.stats.passed, summary.stats.failed], [1, 1]);
    const failed = summary.results[`${probe}${SEP}editor probe${SEP}fails with a diff`];
    assert.equal(failed.state, 'failed');
    assert.equal(failed.diff, true, 'expected/actual → TestMessage.diff');
    assert.deepEqual(failed.location, { file: probe, line: failingLine });
    assert.equal(summary.results[`${probe}${SEP}editor probe${SEP}passes`].state, 'passed');
  });

  it('runs a single test node, and a suite node, by its tree id', async () => {
    const passId = `${probe}${SEP}editor probe${SEP}passes`;
    const one = (await vscode.commands.executeCommand('governanceCoverage.runTests', { tests: [passId] })) as RunSummary;
    assert.deepEqual(Object.keys(one.results), [passId]);
    assert.equal(one.results[passId].state, 'passed');
    assert.deepEqual([one.stats.passed, one.stats.failed], [1, 0], 'the other test of the file did not run');
    const suite = (await vscode.commands.executeCommand('governanceCoverage.runTests', { tests: [`${probe}${SEP}editor probe`] })) as RunSummary;
    assert.deepEqual(Object.keys(suite.results).sort(), [passId, `${probe}${SEP}editor probe${SEP}fails with a diff`].sort());
  });

  it('follows a change on disk', async () => {
    fs.writeFileSync(probe, probeSource.join('\n').replace("describe('editor probe', () => {", "describe('editor probe', () => {\n  it('added later', () => {});"));
    await untilTree((st) => st.testIds.includes(`${probe}${SEP}editor probe${SEP}added later`));
  });

  it('follows unsaved edits of an open test file', async () => {
    const doc = await vscode.workspace.openTextDocument(probe);
    await vscode.window.showTextDocument(doc);
    const original = doc.getText();
    const typed = `${probe}${SEP}editor probe${SEP}typed in the editor`;
    try {
      const edit = new vscode.WorkspaceEdit();
      edit.insert(doc.uri, new vscode.Position(2, 0), "  it('typed in the editor', () => {});\n");
      assert.ok(await vscode.workspace.applyEdit(edit));
      await untilTree((st) => st.testIds.includes(typed));
    } finally {
      await restoreText(doc, original);
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    }
    await untilTree((st) => !st.testIds.includes(typed));
    assert.equal(fs.readFileSync(probe, 'utf8'), original);
  });

  it('shows a file that fails to load as an errored item with the error', async () => {
    fs.writeFileSync(broken, "throw new Error('broken at load time');\ndescribe('never', () => { it('runs', () => {}); });\n");
    await untilTree((st) => st.testIds.includes(broken));
    const summary = (await vscode.commands.executeCommand('governanceCoverage.runTests', { files: [broken] })) as RunSummary;
    assert.equal(summary.results[broken]?.state, 'errored');
    assert.match(summary.results[broken]?.message ?? '', /broken at load time/);
    const s = await state();
    const item = s.tree.find((n) => n.id === broken);
    assert.match(item?.error ?? '', /broken at load time/);
  });

  it('drops deleted files from the tree', async () => {
    fs.rmSync(probe);
    fs.rmSync(broken);
    const s = await untilTree((st) => !st.testIds.some((id) => id.startsWith(probe) || id.startsWith(broken)));
    assert.ok(s.tree.length > 0);
  });

  it('streams results into the run while it is still going', async () => {
    const pending = vscode.commands.executeCommand('governanceCoverage.runTests') as Thenable<RunSummary>;
    const mid = (await vscode.commands.executeCommand('governanceCoverage._waitFor', { event: 'progress', count: 3, timeoutMs: 60_000 })) as { running: boolean; liveFinished: number };
    assert.equal(mid.running, true, 'the run had not ended yet');
    assert.ok(mid.liveFinished >= 3);
    const summary = await pending;
    assert.ok(summary.stats.total > mid.liveFinished, 'more results arrived after the first ones');
  });

  it('cancels a running run at once', async () => {
    const pending = vscode.commands.executeCommand('governanceCoverage.runTestsWithCoverage') as Thenable<RunSummary>;
    await vscode.commands.executeCommand('governanceCoverage._waitFor', { event: 'running', timeoutMs: 30_000 });
    const cancelled = (await vscode.commands.executeCommand('governanceCoverage._cancelRuns')) as number;
    assert.equal(cancelled, 1);
    const summary = await pending;
    assert.equal(summary.cancelled, true);
    assert.deepEqual(summary.coverageFiles, [], 'no coverage is reported for a cancelled run');
    const s = await state();
    assert.equal(s.running, false);
  });
});

describeIf(trusted, 'Debug profile', function () {
  it('starts the test process under the inspector and attaches the JavaScript debugger', async () => {
    await activated();
    const { unrelatedTestFile } = await import('./helpers');
    const sessions: string[] = [];
    const sub = vscode.debug.onDidStartDebugSession((s) => sessions.push(`${s.type}:${s.name}`));
    try {
      const summary = (await vscode.commands.executeCommand('governanceCoverage.debugTests', { files: [unrelatedTestFile(workspaceRoot())] })) as RunSummary;
      assert.ok(summary, 'the debug run returns a summary');
      assert.equal(summary.error, undefined);
      assert.ok(summary.stats.passed > 0, `passed under the debugger: ${summary.stats.passed}`);
      assert.ok(sessions.some((s) => /Governance tests \(port \d+\)/.test(s)), `sessions: ${sessions.join(', ')}`);
    } finally {
      sub.dispose();
    }
  });
});

describeIf(trusted, 'Configuration errors', function () {
  it('show as an error item naming the field, and the tree comes back once fixed', async () => {
    await activated();
    const settings = vscode.workspace.getConfiguration('governanceCoverage');
    const before = await state();
    try {
      await settings.update('targets', [{ glob: 'src/governance/**/*.ts', lines: 150 }], vscode.ConfigurationTarget.Global);
      const broken = await untilTree((s) => s.configError !== null);
      assert.match(broken.configError ?? '', /targets\[0\]\.lines/);
      assert.deepEqual(broken.tree.map((n) => n.id), ['governanceCoverage.configError']);
      assert.match(broken.tree[0].error ?? '', /percentage between 0 and 100/);
    } finally {
      await settings.update('targets', undefined, vscode.ConfigurationTarget.Global);
    }
    const fixed = await untilTree((s) => s.configError === null && s.tree.length === before.tree.length);
    assert.deepEqual(fixed.tree.map((n) => n.id), before.tree.map((n) => n.id));
  });
});
