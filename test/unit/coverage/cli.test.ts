import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as path from 'path';
import { fixture } from './helpers';
import { cliArgs } from '../cliArgs';

const run = (...args: string[]) => spawnSync(process.execPath, [...cliArgs(), ...args], { encoding: 'utf8' });

describe('governance-coverage CLI', function () {
  this.timeout(60000);

  it('exits 0 when every test passes and every target is met, closing with the counts line', () => {
    const r = run('run', '--root', fixture('passing'));
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines[lines.length - 1], '2 passed, 0 failed');
    assert.equal(lines[0], 'File          Lines  Branches  Functions  Target          Status  Lines needed');
    assert.equal(lines[2], 'src/sign.ts  100.0%    100.0%     100.0%  L100 B100 F100  ok                 0');
  });

  it('exits 1 on failures or below target and prints --json as one document', () => {
    const r = run('run', '--root', fixture('basic'), '--json', '--per-test');
    assert.equal(r.status, 1, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(doc), ['summary', 'files', 'loadErrors', 'failures', 'reports']);
    assert.deepEqual([doc.summary.passed, doc.summary.failed, doc.summary.skipped, doc.summary.total, doc.summary.allTargetsMet], [4, 1, 1, 6, false]);
    assert.deepEqual(doc.files.map((f: { file: string }) => f.file), ['src/ledger.ts', 'src/unused.ts']);
    const ledger = doc.files[0];
    assert.deepEqual(ledger.target, { lines: 90, branches: 80 });
    assert.deepEqual(ledger.failing, ['lines', 'branches']);
    assert.deepEqual(ledger.gaps.map((g: { qualifiedName: string }) => g.qualifiedName), ['Ledger.describe', 'Ledger.deposit', 'Ledger.withdraw', 'fee']);
    assert.deepEqual(Object.keys(ledger.gaps[0].hint), ['summary', 'why', 'labelSource', 'suggestedTest', 'text']);
    assert.deepEqual(doc.failures.map((f: { title: string }) => f.title), ['Ledger reports a wrong balance']);
    assert.equal(doc.failures[0].failure.expected, '99');
  });

  it('prints the closing line with skipped tests in text mode', () => {
    const r = run('run', '--root', fixture('basic'), '--hints', '1');
    assert.equal(r.status, 1);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines[lines.length - 1], '4 passed, 1 failed, 1 skipped');
    assert.ok(lines.includes('Top 1 gap:'));
    assert.ok(lines.includes('FAIL Ledger reports a wrong balance (test/ledger.test.ts:18)'));
  });

  it('exits 2 on usage and configuration errors', () => {
    const usage = run('run', '--bogus');
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /^governance-coverage: unknown option "--bogus"\n\nUsage: governance-coverage run/);
    assert.equal(usage.stdout, '');
    const missing = run();
    assert.equal(missing.status, 2);
    const bad = run('run', '--root', fixture('bad-config'));
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /invalid configuration\n.*governance-coverage\.config\.json: field "colour"/);
  });
});
