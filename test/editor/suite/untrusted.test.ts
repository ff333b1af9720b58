/**
 * Restricted mode: in an untrusted workspace the extension still shows the parsed tree (parsing
 * runs no workspace code) but refuses to run tests, with a message whose button opens the trust
 * editor. Declared only when the host's workspace is untrusted (see `describeIf`).
 */
import { strict as assert } from 'assert';
import * as vscode from 'vscode';
import { activated, describeIf, state, trusted } from './helpers';

describeIf(!trusted, 'Untrusted workspace (restricted mode)', function () {
  it('activates and discovers the tree by parsing', async () => {
    const s = await activated();
    assert.equal(s.trusted, false);
    assert.ok(s.testIds.length > 0, 'tests are listed');
  });

  it('refuses to run, with a message offering to manage workspace trust', async () => {
    const before = await state();
    const summary = await vscode.commands.executeCommand('governanceCoverage.runTestsWithCoverage');
    assert.equal(summary, undefined, 'nothing ran');
    const after = (await state()) as unknown as { completedRuns: number; notices: Array<{ kind: string; message: string; actions: string[] }> };
    assert.equal(after.completedRuns, (before as unknown as { completedRuns: number }).completedRuns);
    const notice = after.notices[after.notices.length - 1];
    assert.equal(notice.kind, 'warning');
    assert.match(notice.message, /only run in a trusted workspace/);
    assert.deepEqual(notice.actions, ['Manage Workspace Trust']);
  });
});
