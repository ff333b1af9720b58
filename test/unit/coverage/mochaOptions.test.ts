/**
 * `retries`, `bail` and `ignore` from the project's own mocha setup (issue 10): fixture
 * `mocha-options` has a `.mocharc.json` with all three. Each test runs the fixture as it is, and
 * the effect is shown against the same setup with that one option taken away. Bare mocha on the
 * fixture: "1 passing, 1 failing" (the flaky test passes on its third attempt; the run bails at
 * the first failure; the ignored file, which throws when loaded, is never loaded).
 */
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as path from 'path';
import { findTestFiles, loadConfig, startRun } from '../../../src/coverage/index';
import type { ResolvedConfig, RunEvent, RunResult } from '../../../src/coverage/model';
import { listTestFiles, testFileMatcher } from '../../../src/coverage/discovery';
import { fixture } from './helpers';
import { cliArgs } from '../cliArgs';

const repo = path.resolve(__dirname, '..', '..', '..');
const root = fixture('mocha-options');

/** Runs the config without coverage; returns the result and one "kind: title" line per test event. */
async function run(config: ResolvedConfig): Promise<{ result: RunResult; tests: string[] }> {
  const handle = startRun({ config, coverage: false });
  const tests: string[] = [];
  const title = (e: { titlePath: string[] }) => e.titlePath.join(' › ');
  handle.onEvent((e: RunEvent) => {
    if (e.type === 'testPass') tests.push(`pass: ${title(e)}`);
    if (e.type === 'testFail') tests.push(`fail: ${title(e)}`);
    if (e.type === 'fileError') tests.push(`load error: ${path.relative(root, e.file)}`);
  });
  return { result: await handle.result, tests };
}

const without = (config: ResolvedConfig, option: 'retries' | 'bail'): ResolvedConfig => ({ ...config, mocha: { ...config.mocha, [option]: undefined } });

describe('mocha setup options: retries, bail, ignore', function () {
  this.timeout(120_000);
  let config: ResolvedConfig;

  before(async () => {
    config = await loadConfig(root);
  });

  it('reads retries, bail and ignore from .mocharc.json', () => {
    assert.deepEqual(
      [config.mocha.retries, config.mocha.bail, config.mocha.ignore, config.testGlobs, config.source],
      [2, true, ['test/broken.spec.js'], ['test/*.spec.js'], '.mocharc.json, npm script "test"'],
    );
  });

  it('as bare mocha: the flaky test passes once, the run stops at the first failure, the ignored file is never loaded', async () => {
    const { result, tests } = await run(config);
    assert.deepEqual(tests, ['pass: options › flaky: passes on the third attempt', 'fail: options › always fails']);
    assert.deepEqual([result.stats.passed, result.stats.failed, result.loadErrors.length], [1, 1, 0]);
  });

  it('retries: 2 — the flaky test is retried and counted once; without retries it fails', async () => {
    const { result, tests } = await run(without(config, 'bail'));
    assert.deepEqual(tests.filter((t) => t.includes('flaky')), ['pass: options › flaky: passes on the third attempt']);
    // Three attempts, one test: 4 tests in the two files, 3 passed, 1 failed.
    assert.deepEqual([result.stats.total, result.stats.passed, result.stats.failed], [4, 3, 1]);
    const noRetries = await run(without(without(config, 'bail'), 'retries'));
    assert.deepEqual(noRetries.tests.filter((t) => t.includes('flaky')), ['fail: options › flaky: passes on the third attempt']);
  });

  it('bail: true — the tests after the first failure (in its file and in later files) do not run; without bail they do', async () => {
    const { tests } = await run(without(config, 'bail'));
    assert.deepEqual(tests, [
      'pass: options › flaky: passes on the third attempt',
      'fail: options › always fails',
      'pass: options › after the failure',
      'pass: later file › counts from one',
    ]);
  });

  it('ignore: the matching spec file is neither listed (run or Test Explorer) nor loaded; without ignore it loads and fails', async () => {
    assert.deepEqual((await findTestFiles(config)).map((f) => path.relative(root, f)), ['test/a.spec.js', 'test/b.spec.js']);
    // The Test Explorer's discovery (listing and file events) leaves it out too.
    assert.deepEqual((await listTestFiles(root, config.testGlobs, config.testIgnore)).map((f) => path.relative(root, f)), ['test/a.spec.js', 'test/b.spec.js']);
    const isTestFile = testFileMatcher(root, config.testGlobs, config.testIgnore);
    assert.deepEqual(['a', 'broken'].map((n) => isTestFile(path.join(root, 'test', `${n}.spec.js`))), [true, false]);
    const unignored = { ...without(config, 'bail'), mocha: { ...without(config, 'bail').mocha, ignore: [] }, testIgnore: [] };
    const { tests } = await run(unignored);
    assert.deepEqual(tests.filter((t) => t.startsWith('load error')), ['load error: test/broken.spec.js']);
  });

  it('CLI: the run exits 1 with "1 passed, 1 failed" — nothing after the failure, nothing from the ignored file', () => {
    const r = spawnSync(process.execPath, [...cliArgs(), 'run', '--root', root, '--json'], { encoding: 'utf8', cwd: repo });
    assert.equal(r.status, 1);
    const doc = JSON.parse(r.stdout);
    assert.deepEqual([doc.summary.passed, doc.summary.failed], [1, 1]);
  });
});
