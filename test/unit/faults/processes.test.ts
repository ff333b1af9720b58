/**
 * Fault suite, issue 11 "Hangs and leaks" and "Lost results": the run ends on the test process's
 * exit and takes every process it started with it; a crafted hint glob cannot stall the analysis;
 * results survive a test that exits the process or writes garbage on the message pipe.
 */
import { strict as assert } from 'assert';
import { assertNoLeftovers, runCli, scenario } from './harness';

describe('faults: hangs, leaks and lost results', function () {
  this.timeout(400_000);

  for (const [name, how] of [
    ['inherit-grandchild', "with stdio: 'inherit'"],
    ['piped-grandchild', "with piped stdio"],
    ['detached-grandchild', 'detached, in its own session'],
  ] as const) {
    it(`a test that leaves a process running (${how}): the CLI ends with the tests, the process is ended`, async () => {
      const dir = scenario(name);
      const r = await runCli(['run', '--root', dir], { limitMs: 150_000 });
      assert.equal(r.killed, false, 'the CLI ended by itself (the leftover lives 300 s)');
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.equal(r.stdout.trimEnd().split('\n').pop(), '3 passed, 0 failed');
      await assertNoLeftovers(r);
    });
  }

  it('a hint glob of 22 "*a" and a "b" against a 40-letter function name: the analysis answers (it backtracked for years)', async () => {
    const dir = scenario('hint-glob');
    const r = await runCli(['run', '--root', dir, '--json'], { limitMs: 150_000 });
    assert.equal(r.killed, false, 'the CLI ended by itself');
    assert.equal(r.code, 1, r.stderr);
    const names = JSON.parse(r.stdout).files.find((f: { file: string }) => f.file === 'src/names.ts');
    assert.deepEqual(names.gaps.map((g: { qualifiedName: string; hint: { labelSource: string } }) => [g.qualifiedName, g.hint.labelSource]), [['a'.repeat(40), 'generic']]);
    await assertNoLeftovers(r);
  });

  it('process.exit() inside a test: that test is named as failed, every earlier pass is kept, exit 1', async () => {
    const dir = scenario('process-exit');
    const r = await runCli(['run', '--root', dir, '--json']);
    assert.equal(r.code, 1, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.deepEqual([doc.summary.passed, doc.summary.failed, doc.summary.complete], [3, 1, false]);
    const message = 'process.exit(3) was called in test "a test that exits calls process.exit" (test/z-exit.test.ts): the test process ended there, later tests did not run';
    assert.equal(doc.summary.error, message);
    assert.deepEqual(doc.failures.map((f: { title: string; failure: { message: string } }) => [f.title, f.failure.message]), [['a test that exits calls process.exit', message]]);
    await assertNoLeftovers(r);
  });

  it('a garbage line and a message of unknown shape on the message pipe: both reported and skipped, every later event kept', async () => {
    const dir = scenario('garbage-channel');
    const r = await runCli(['run', '--root', dir]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(r.stdout.trimEnd().split('\n').pop(), '5 passed, 0 failed');
    assert.equal(
      r.stderr,
      'warning: skipped a malformed line from the test process (Unexpected token \'g\', "garbage, not JSON" is not valid JSON): garbage, not JSON\n' +
        'warning: skipped a message of unknown shape from the test process: {"t":"nonsense"}\n',
    );
    await assertNoLeftovers(r);
  });
});
