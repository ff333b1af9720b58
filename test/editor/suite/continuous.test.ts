/**
 * Continuous run in the Test Explorer (issue 14): turned on with VS Code's own command (the
 * coverage profile is the only one supporting it), a full coverage run first, then a save of a
 * one-function edit in src/governance/graduationService.ts reruns only the tests that executed
 * that function (in the warm test process, src/warm) and the gap marks follow: an uncovered
 * block added to the function puts the file below its target with marks on the block.
 * (Saving the original back reruns nothing — no test ran the removed lines — so the picture,
 * and its marks, stay until the next run: a known limit of continuous runs.)
 */
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { activated, describeIf, restoreText, state, trusted, workspaceRoot, type TestState } from './helpers';

const waitForRun = async (count: number): Promise<TestState> =>
  (await vscode.commands.executeCommand('governanceCoverage._waitFor', { event: 'run', count, timeoutMs: 400_000 })) as TestState;

/** The continuous-run state the test-state command reports. */
const continuous = async () => ((await state()) as unknown as { continuous: { active: boolean; affectedRuns: number } }).continuous;

/** The test files (relative) of a run summary's results. */
const filesOf = (s: TestState) => [...new Set(Object.keys(s.lastRun?.results ?? {}).map((id) => path.relative(workspaceRoot(), id.split('\u001f')[0]).split(path.sep).join('/')))].sort();

describeIf(trusted, 'continuous run (Test Explorer)', function () {
  this.timeout(600_000);

  it('on save of a one-function edit, only the tests that ran the function rerun and the gap marks follow', async () => {
    const before = await activated();
    const file = path.join(workspaceRoot(), 'src', 'governance', 'graduationService.ts');
    const original = fs.readFileSync(file, 'utf8');
    const doc = await vscode.workspace.openTextDocument(file);
    await vscode.commands.executeCommand('testing.startContinuousRun');
    try {
      const full = await waitForRun(before.completedRuns + 1);
      assert.equal(full.lastRun?.kind, 'coverage');
      assert.equal(full.lastRun?.stats.failed, 0);
      assert.ok((full.lastRun?.perTestFiles ?? 0) > 0, 'the full run recorded per-test coverage');
      const allTests = full.lastRun!.stats.total;
      assert.equal(full.decorations[file], undefined, 'graduationService.ts meets its target: no marks');
      // Continuous run listens for saves once the full run's picture is in.
      for (let i = 0; i < 300 && !(await continuous()).active; i++) await new Promise((r) => setTimeout(r, 100));
      assert.equal((await continuous()).active, true);

      // An uncovered block of 22 lines at the top of GraduationService.recommend's body.
      const at = doc.positionAt(original.indexOf('switch (check.name)', original.indexOf('recommend(check')));
      const block = ["if (check.name === ('not a criterion' as string)) {", ...Array.from({ length: 20 }, (_, i) => `      void ${i};`), "      return 'never';", '    }', '    '].join('\n');
      const edit = new vscode.WorkspaceEdit();
      edit.insert(doc.uri, at, block);
      assert.ok(await vscode.workspace.applyEdit(edit));
      assert.ok(await doc.save());
      const rerun = await waitForRun(full.completedRuns + 1);
      assert.equal((await continuous()).affectedRuns, 1);
      assert.equal(rerun.lastRun?.kind, 'coverage');
      // The run's results are the rerun tests' (its figures are the merged picture's).
      const rerunCount = Object.keys(rerun.lastRun!.results).length;
      assert.ok(rerunCount > 0 && rerunCount < allTests / 10, `${rerunCount} of ${allTests} tests rerun`);
      assert.deepEqual(filesOf(rerun), [
        'test/governance/integration/acrossServices.test.ts',
        'test/governance/integration/graduationExams.test.ts',
        'test/governance/unit/graduationService.test.ts',
      ]);
      const marks = rerun.decorations[file];
      assert.ok(marks && !marks.stale, 'graduationService.ts has fresh gap marks');
      const first = at.line + 2; // 1-based line of the block's first `void`
      assert.ok(marks.ranges.some((r) => r.startLine <= first + 10 && r.endLine >= first), JSON.stringify(marks.ranges));
    } finally {
      await vscode.commands.executeCommand('testing.stopContinuousRun');
      await restoreText(doc, original);
      // Leave the next tests a picture of the file as it is on disk again.
      await vscode.commands.executeCommand('governanceCoverage.runTestsWithCoverage');
    }
  });
});

