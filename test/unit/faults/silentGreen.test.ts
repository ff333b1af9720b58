/**
 * Fault suite, issue 11 "Silent green CI": a run that checked nothing never exits 0.
 */
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { assertNoLeftovers, assertNoStack, REPO, runCli, scenario } from './harness';

describe('faults: silent green CI', function () {
  this.timeout(400_000);

  it('--root that does not exist: exit 2 naming it, the embedded suite never runs and nothing is written into the tool folder', async () => {
    const missing = path.join(os.tmpdir(), 'govcov-no-such-root', 'deeper');
    const toolReports = path.join(REPO, 'coverage');
    const before = fs.existsSync(toolReports) ? fs.statSync(toolReports).mtimeMs : undefined;
    const r = await runCli(['run', '--root', missing], { limitMs: 150_000 });
    assert.equal(r.killed, false, 'the CLI ended by itself');
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, `governance-coverage: --root ${missing}: no such folder\n`);
    assert.equal(fs.existsSync(toolReports) ? fs.statSync(toolReports).mtimeMs : undefined, before, "the tool's coverage/ is untouched");
    await assertNoLeftovers(r);
  });

  it('--config with a --root that does not exist: exit 2 at once instead of waiting for the watchdog and exiting 0', async () => {
    const dir = scenario('config-elsewhere');
    const missing = path.join(dir, 'missing');
    const r = await runCli(['run', '--config', path.join(dir, 'c.json'), '--root', missing], { limitMs: 150_000 });
    assert.equal(r.code, 2);
    assert.equal(r.stderr, `governance-coverage: --root ${missing}: no such folder\n`);
    await assertNoLeftovers(r);
  });

  it('a root without any configuration: exit 2 naming it, the embedded suite does not run there', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'govcov-fault-empty-'));
    const r = await runCli(['run', '--root', dir], { limitMs: 150_000 });
    assert.equal(r.code, 2);
    assert.ok(r.stderr.startsWith(`governance-coverage: No mocha setup and no governance-coverage config in ${fs.realpathSync(dir)}. Ways forward:\n`), r.stderr);
    assert.deepEqual(fs.readdirSync(dir), [], 'nothing written into the root');
    fs.rmdirSync(dir);
    await assertNoLeftovers(r);
  });

  it('testGlobs that match no file: exit 1 with a message, no "0 passed" green', async () => {
    const dir = scenario('no-test-files');
    const r = await runCli(['run', '--root', dir]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.ok(r.stdout.startsWith(`ERROR the run could not start: no test files match "test/**/*.spec.ts" under ${fs.realpathSync(dir)}\n`), r.stdout);
    assert.match(r.stdout, /\nReports: not written, the run did not complete \(the previous reports in coverage\/ are kept\)\n0 passed, 0 failed\n$/);
    await assertNoLeftovers(r);
  });

  it('test files that declare no test: exit 1 with a message', async () => {
    const dir = scenario('no-tests');
    const r = await runCli(['run', '--root', dir, '--json']);
    assert.equal(r.code, 1, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.summary.error, 'no tests were found in 1 test file(s): nothing ran (set "fail-zero": false in the mocha setup to allow an empty run)');
    assert.equal(doc.summary.allTargetsMet, false);
    await assertNoLeftovers(r);
  });

  it('sourceGlobs that match no file: exit 1 instead of "100%, targets met"', async () => {
    const dir = scenario('no-sources');
    const r = await runCli(['run', '--root', dir, '--json']);
    assert.equal(r.code, 1, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.summary.passed, 2);
    assert.equal(doc.summary.problem, `no coverage measured: sourceGlobs "lib/**/*.ts" matched no source file under ${fs.realpathSync(dir)}`);
    assert.equal(doc.summary.allTargetsMet, false);
    await assertNoLeftovers(r);
  });

  it('runTimeout 3000000000 (beyond what a timer holds, it overflowed to 1 ms): refused at validation, exit 2', async () => {
    const dir = scenario('run-timeout-overflow');
    const r = await runCli(['run', '--root', dir]);
    assert.equal(r.code, 2, r.stdout);
    assert.match(r.stderr, /invalid configuration\n.*governance-coverage\.config\.json: field "runTimeout" — expected a positive number of milliseconds, at most 2147483647 .*, got number 3000000000\n$/);
    assertNoStack(r.stderr);
    await assertNoLeftovers(r);
  });
});
