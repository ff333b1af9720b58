/**
 * The extension in a real VS Code extension host, with this repository as the workspace:
 * activation, discovery of the embedded governance suite, a run through the command, results in
 * the test items, native coverage, gap decorations on the proposal service and the hover hint.
 */
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { activated, describeIf, flatten, restoreText, type RunSummary, trusted, state, unrelatedTestFile, workspaceRoot } from './helpers';

const SEP = '\u001f';

/** What `governanceCoverage._coverageDetails` returns. */
interface Details {
  counts: { statements: [number, number]; branches?: [number, number]; declarations?: [number, number] };
  includesTests: string[];
  details: { statements: number; uncoveredStatementLines: number[]; branches: number; branchesNotTaken: string[]; declarations: number; uncalled: string[] };
}

/** Tab labels once one matches `re` (re-checked on every tab change), or the labels at the timeout. */
function untilTab(re: RegExp, timeoutMs: number): Promise<string[]> {
  const labels = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs.map((t) => t.label));
  if (labels().some((l) => re.test(l))) return Promise.resolve(labels());
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      sub.dispose();
      resolve(labels());
    };
    const timer = setTimeout(done, timeoutMs);
    const sub = vscode.window.tabGroups.onDidChangeTabs(() => {
      if (labels().some((l) => re.test(l))) done();
    });
  });
}

/** Applies an edit and resolves once the document-change event reached the extension host. */
async function applied(doc: vscode.TextDocument, edit: vscode.WorkspaceEdit): Promise<void> {
  const changed = new Promise<void>((resolve) => {
    const sub = vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.document.uri.toString() === doc.uri.toString()) {
        sub.dispose();
        resolve();
      }
    });
  });
  assert.ok(await vscode.workspace.applyEdit(edit));
  await changed;
}

describeIf(trusted, 'Governance Coverage in the extension host', function () {
  let root: string;
  let proposalService: string;

  before(async () => {
    root = workspaceRoot();
    proposalService = path.join(root, 'src', 'governance', 'proposalService.ts');
    await activated();
  });

  it('activates and registers the Governance commands', async () => {
    const all = await vscode.commands.getCommands(true);
    for (const id of [
      'governanceCoverage.runTests', 'governanceCoverage.runTestsWithCoverage',
      'governanceCoverage.showPlan', 'governanceCoverage.toggleHints', 'governanceCoverage._testState',
    ]) assert.ok(all.includes(id), `${id} is registered`);
    const s = await state();
    assert.equal(s.configError, null);
    assert.ok(s.config, 'a config is active');
  });

  it('discovers the governance suite by parsing: files → suites → tests with runtime ids', async () => {
    const s = await state();
    assert.ok(s.treeReady);
    const fileLabels = s.tree.map((n) => n.label);
    assert.ok(fileLabels.length > 0, 'at least one test file');
    assert.ok(fileLabels.every((l) => l.startsWith('test/governance/') && l.endsWith('.test.ts')), fileLabels.join(', '));
    const onDisk = s.tree.map((n) => n.id);
    for (const f of onDisk) assert.ok(fs.existsSync(f), `${f} exists`);
    const tests = flatten(s.tree).filter((n) => n.children.length === 0 && n.id.includes(SEP));
    assert.ok(tests.length >= 3, `found ${tests.length} tests`);
    for (const t of tests) assert.ok(onDisk.includes(t.id.split(SEP)[0]), 'test ids start with their file');
  });

  let subset: RunSummary;

  it('runs one unrelated test file with coverage through the command and reports results into the items', async () => {
    const file = unrelatedTestFile(root);
    subset = (await vscode.commands.executeCommand('governanceCoverage.runTestsWithCoverage', { files: [file] })) as RunSummary;
    assert.ok(subset, 'the command returns the run summary');
    assert.equal(subset.cancelled, false);
    assert.equal(subset.error, undefined);
    assert.ok(subset.stats.passed > 0, `passed: ${subset.stats.passed}`);
    const s = await state();
    const fileTests = s.testIds.filter((id) => id.startsWith(file + SEP));
    const passed = fileTests.filter((id) => s.results[id]?.state === 'passed');
    assert.ok(passed.length > 0, 'results landed on the discovered items');
    const otherFiles = Object.keys(s.lastRun?.results ?? {}).filter((id) => !id.startsWith(file));
    assert.deepEqual(otherFiles, [], 'only the chosen file ran');
  });

  it('reports native coverage for the governed sources, including the proposal service', () => {
    assert.ok(subset.coverageFiles.includes(proposalService), subset.coverageFiles.join('\n'));
    assert.ok(subset.coverageFiles.every((f) => f.startsWith(path.join(root, 'src', 'governance'))));
    assert.ok(subset.reports.some((r) => r.endsWith('gap-closure-plan.md')), 'the plan was written');
  });

  it('hands VS Code statement, branch and declaration details for the proposal service', async () => {
    const d = (await vscode.commands.executeCommand('governanceCoverage._coverageDetails', { file: proposalService })) as Details;
    assert.ok(d, 'the file is in the last coverage run');
    assert.ok(d.details.statements > 0 && d.details.branches > 0 && d.details.declarations > 0, JSON.stringify(d.details));
    const [covered, total] = d.counts.statements;
    assert.ok(covered < total, 'a file no test imports is not fully covered');
    assert.ok(d.details.uncoveredStatementLines.length > 0);
    assert.ok(d.details.uncalled.length > 0, 'functions never called are declarations with 0 hits');
    assert.equal(d.counts.declarations?.[1], d.details.declarations);
  });

  it('lists the tests behind each covered file where VS Code has per-test coverage (1.93+)', async () => {
    const [major, minor] = (await state()).vscodeVersion.split('.').map(Number);
    const perTestApi = major > 1 || minor >= 93;
    if (!perTestApi) {
      assert.equal(subset.perTestFiles, 0);
      return;
    }
    assert.ok(subset.perTestFiles > 0, 'includesTests set on the covered files');
    let checked = 0;
    for (const file of subset.coverageFiles) {
      const whole = (await vscode.commands.executeCommand('governanceCoverage._coverageDetails', { file })) as Details;
      if (whole.includesTests.length === 0) continue;
      const one = (await vscode.commands.executeCommand('governanceCoverage._coverageDetails', { file, testId: whole.includesTests[0] })) as Details;
      assert.equal(one.details.statements, whole.details.statements, 'same statements, narrowed hits');
      assert.ok(one.details.uncoveredStatementLines.length >= whole.details.uncoveredStatementLines.length);
      assert.ok(one.details.uncoveredStatementLines.length < one.details.statements, 'the test executed something here');
      checked++;
    }
    assert.ok(checked > 0);
  });

  it('decorates uncovered lines of the proposal service and shows the gap-closure hint on hover', async () => {
    const editor = await vscode.window.showTextDocument(vscode.Uri.file(proposalService));
    let s = await state();
    const deco = s.decorations[proposalService];
    assert.ok(deco && deco.ranges.length > 0, 'proposalService.ts has gap ranges');
    assert.equal(deco.stale, false);
    assert.ok(deco.applied && deco.applied.length > 0, 'decorations are applied in the visible editor');
    const line = deco.ranges[0].startLine;
    s = await state({ file: proposalService, line });
    assert.match(s.hover ?? '', /Gap-closure hint/);
    assert.match(s.hover ?? '', /Suggested test/);
    assert.match(s.hover ?? '', /Still needed for the target/);
    const hovers = (await vscode.commands.executeCommand('vscode.executeHoverProvider', editor.document.uri, new vscode.Position(line, 1))) as vscode.Hover[];
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /Gap-closure hint/, 'the real hover pipeline returns the hint');
    assert.match(text, /command:governanceCoverage\.runTestsForFile/);
  });

  it('shortens the hover with governanceCoverage.hintDetail = compact', async () => {
    const settings = vscode.workspace.getConfiguration('governanceCoverage');
    const line = (await state()).decorations[proposalService].ranges[0].startLine;
    try {
      await settings.update('hintDetail', 'compact', vscode.ConfigurationTarget.Global);
      const compact = (await state({ file: proposalService, line })).hover ?? '';
      assert.match(compact, /Gap-closure hint/);
      assert.match(compact, /Still needed for the target/);
      assert.doesNotMatch(compact, /Suggested test|Closest tests/);
    } finally {
      await settings.update('hintDetail', undefined, vscode.ConfigurationTarget.Global);
    }
    assert.match((await state({ file: proposalService, line })).hover ?? '', /Suggested test/);
  });

  it('moves decorations with inserted lines and marks them stale until the next run', async () => {
    const doc = await vscode.workspace.openTextDocument(proposalService);
    const original = doc.getText();
    try {
      const before = (await state()).decorations[proposalService].ranges.map((r) => r.startLine);
      const insert = new vscode.WorkspaceEdit();
      insert.insert(doc.uri, new vscode.Position(0, 0), '// a\n// b\n');
      await applied(doc, insert);
      const after = (await state()).decorations[proposalService];
      assert.deepEqual(after.ranges.map((r) => r.startLine), before.map((l) => l + 2));
      assert.equal(after.stale, true);
      const remove = new vscode.WorkspaceEdit();
      remove.delete(doc.uri, new vscode.Range(0, 0, 2, 0));
      await applied(doc, remove);
      assert.deepEqual((await state()).decorations[proposalService].ranges.map((r) => r.startLine), before);
    } finally {
      await restoreText(doc, original);
    }
    assert.equal(doc.getText(), original);
    assert.equal(fs.readFileSync(proposalService, 'utf8'), original);
  });

  it('shows governed coverage against the target in the status bar', async () => {
    const s = await state();
    assert.match(s.status.text, /^Gov \d+%( \/ \d+%)?$/);
    assert.ok(s.analysis);
    assert.equal(s.status.belowTarget, true, 'a single unrelated file cannot meet the governance targets');
    assert.ok(s.planPath && fs.existsSync(s.planPath));
  });

  it('opens the gap-closure plan as a markdown preview (the status bar item\'s command)', async () => {
    const opened = (await vscode.commands.executeCommand('governanceCoverage.showPlan')) as string;
    assert.equal(opened, (await state()).planPath);
    assert.match(fs.readFileSync(opened, 'utf8'), /proposalService/);
    const labels = await untilTab(/gap-closure-plan/, 20_000);
    assert.ok(labels.some((l) => /gap-closure-plan/.test(l)), `tabs: ${labels.join(', ')}`);
  });

  it('copies the suggested test outline of a gap (hover link)', async () => {
    const gapId = (await state()).decorations[proposalService].ranges[0].gapId;
    const text = (await vscode.commands.executeCommand('governanceCoverage.copyTestOutline', { gapId })) as string;
    assert.match(text, /^it\(".+", async \(\) => \{\n/);
    assert.equal(await vscode.env.clipboard.readText(), text);
  });

  it('runs everything from "Run governance tests" and puts a result on every discovered test', async () => {
    const summary = (await vscode.commands.executeCommand('governanceCoverage.runTests')) as RunSummary;
    assert.ok(summary && summary.stats.total > 0);
    const s = await state();
    const leaves = flatten(s.tree).filter((n) => n.children.length === 0 && n.id.includes(SEP));
    const missing = leaves.filter((n) => !['passed', 'failed', 'skipped'].includes(s.results[n.id]?.state ?? ''));
    assert.deepEqual(missing.map((n) => n.id.replace(/\u001f/g, ' › ')), []);
  });

  it('toggles the hints off and on', async () => {
    assert.equal(await vscode.commands.executeCommand('governanceCoverage.toggleHints'), false);
    const off = await state({ file: proposalService, line: 0 });
    assert.equal(off.hintsEnabled, false);
    assert.equal(await vscode.commands.executeCommand('governanceCoverage.toggleHints'), true);
  });

  it('"Run this file\'s tests" (hover link) runs the proposal service tests with coverage and the gaps shrink', async () => {
    const before = (await state()).decorations[proposalService]?.ranges.length ?? 0;
    const summary = (await vscode.commands.executeCommand('governanceCoverage.runTestsForFile', { source: proposalService })) as RunSummary;
    assert.ok(summary && summary.stats.passed > 0);
    const ran = Object.keys(summary.results).map((id) => path.basename(id.split(SEP)[0]));
    assert.ok(ran.length > 0 && ran.every((f) => /proposal/i.test(f)), `ran: ${[...new Set(ran)].join(', ')}`);
    const after = (await state()).decorations[proposalService]?.ranges.length ?? 0;
    assert.ok(after < before, `gap ranges ${before} → ${after}`);
  });
});
