import { strict as assert } from 'assert';
import * as path from 'path';
import { analyze, loadConfig, renderHints, renderTable } from '../../../src/coverage/index';
import type { Analysis, Gap, RunResult } from '../../../src/coverage/model';
import { fixture, runFixture } from './helpers';

const gapRow = (g: Gap) => [g.qualifiedName, g.uncoveredLines, g.branches.map((b) => [b.line, b.kind, b.conditionText, b.sideNotTaken]), g.gain];

describe('coverage analysis', function () {
  this.timeout(30000);
  let branches: { result: RunResult; analysis: Analysis };
  let basic: { result: RunResult; analysis: Analysis };

  before(async () => {
    for (const name of ['branches', 'basic'] as const) {
      const { result } = await runFixture(name, { perTest: true });
      const analysis = await analyze(result, await loadConfig(fixture(name)));
      if (name === 'branches') branches = { result, analysis };
      else basic = { result, analysis };
    }
  });

  it('groups gaps by qualified function name and names the branch side never taken', () => {
    const [file] = branches.analysis.files;
    assert.equal(file.relative, 'src/rules.ts');
    assert.deepEqual(file.gaps.map(gapRow), [
      ['Gate.parse', [15, 16], [[14, 'catch', 'try', 'catch']], { lines: 2, branches: 1 }],
      ['Gate.sum', [22, 23], [[21, 'loop', 'for (const v of values)', 'body']], { lines: 2, branches: 1 }],
      ['Gate.mode', [31, 32], [[30, 'if', 'on', 'false']], { lines: 2, branches: 1 }],
      ['Gate.check', [], [[4, 'binary-expr', "name ?? 'anonymous'", 'right operand'], [8, 'if', 'level > 5', 'false']], { lines: 0, branches: 2 }],
      ['helpers.pick', [], [[38, 'binary-expr', 'a || b', 'right operand']], { lines: 0, branches: 1 }],
      ['twice', [], [[42, 'cond-expr', 'n > 0', 'false']], { lines: 0, branches: 1 }],
      ['outer.inner', [], [[49, 'if', 'flag', 'false']], { lines: 0, branches: 1 }],
    ]);
    const check = file.gaps.find((g) => g.qualifiedName === 'Gate.check')!;
    assert.deepEqual(check.branches.map((b) => b.description), [
      "`name` was never null or undefined, so `'anonymous'` never ran",
      '`level > 5` was never false (the code after the `if` never ran)',
    ]);
    assert.deepEqual(check.functionRange, { start: { line: 3, column: 2 }, end: { line: 9, column: 3 } });
  });

  it('holds figures against the merged target and counts what is still needed', () => {
    const [file] = branches.analysis.files;
    assert.deepEqual(file.target, { lines: 100, branches: 100, functions: 100 });
    assert.deepEqual(file.failing, ['lines', 'branches']);
    assert.equal(file.needed.lines, file.figures.lines.total - file.figures.lines.covered);
    assert.equal(file.needed.lines, 6);
    assert.equal(file.needed.branches, 8);
    assert.equal(file.meetsTarget, false);
    assert.equal(branches.analysis.allTargetsMet, false);
    assert.equal(branches.analysis.overallTarget, 100);
  });

  it('finds the closest tests from per-test data and labels from @gap tags and config hints', () => {
    const ledger = basic.analysis.files.find((f) => f.relative === 'src/ledger.ts')!;
    const withdraw = ledger.gaps.find((g) => g.qualifiedName === 'Ledger.withdraw')!;
    assert.deepEqual(withdraw.closestTests, ['Ledger withdraws']);
    assert.equal(withdraw.hint.labelSource, 'gap-tag');
    assert.equal(withdraw.hint.why, 'overdraft protection: a withdrawal may never exceed the balance');
    assert.equal(withdraw.hint.suggestedTest.file, path.join(fixture('basic'), 'test', 'ledger.test.ts'));
    assert.equal(withdraw.hint.suggestedTest.title, 'Ledger.withdraw when amount > this.balance()');
    assert.deepEqual(withdraw.hint.suggestedTest.outline, [
      'Arrange: freshLedger(initial) from test/fixtures.ts',
      'Arrange: construct a Ledger with those fixtures (inject fakes only for external executors)',
      'Act: call withdraw(…) so that `amount > this.balance()` is now true',
      'Assert: the returned value and the rows / state it changed',
    ]);
    const rules = branches.analysis.files[0].gaps[0];
    assert.deepEqual([rules.hint.labelSource, rules.hint.why], ['config', 'rule evaluation decides who may act']);
    const unused = basic.analysis.files.find((f) => f.relative === 'src/unused.ts')!;
    assert.deepEqual(unused.gaps.map((g) => [g.qualifiedName, g.functionCalled, g.hint.labelSource, g.hint.summary]), [
      ['neverLoaded', false, 'generic', '`neverLoaded` is never called by any test (lines 2-7)'],
    ]);
    assert.equal(unused.gaps[0].hint.suggestedTest.title, 'neverLoaded: absolute value, written the long way');
    assert.equal(unused.gaps[0].hint.suggestedTest.file, path.join(fixture('basic'), 'test', 'unused.test.ts'));
  });

  it('groups a never-loaded file by function, counting only lines that hold code', async () => {
    const { result } = await runFixture('unloaded');
    const analysis = await analyze(result, await loadConfig(fixture('unloaded')));
    const registry = analysis.files.find((f) => f.relative === 'src/registry.ts')!;
    // Lines 1-3, 13, 19, 33 are comments; 5, 10, 12, 15, 18, 26, 32, 39 are blank; 6-11 type-only.
    assert.deepEqual([registry.figures.lines.total, registry.figures.lines.covered, registry.figures.functions.total], [21, 0, 6]);
    assert.deepEqual(registry.gaps.map((g) => [g.qualifiedName, g.uncoveredLines, g.gain, g.functionCalled]), [
      ['(top level)', [4, 14, 16, 17, 31, 40], { lines: 6, branches: 0 }, true],
      ['Registry.add', [20, 21, 22, 23, 24, 25], { lines: 6, branches: 2 }, false],
      ['createRegistry', [34, 35, 36, 37, 38], { lines: 5, branches: 1 }, false],
      ['Registry.run', [27, 28, 29, 30], { lines: 4, branches: 2 }, false],
      ['createRegistry.run', [], { lines: 0, branches: 1 }, false],
    ]);
    const used = analysis.files.find((f) => f.relative === 'src/used.ts')!;
    assert.deepEqual([used.figures.lines.pct, used.gaps], [100, []]);
  });

  it('orders gaps greedily by gain on the failing metrics', () => {
    const ledger = basic.analysis.files.find((f) => f.relative === 'src/ledger.ts')!;
    assert.deepEqual(ledger.gaps.map((g) => [g.qualifiedName, g.gain.lines + g.gain.branches]), [
      ['Ledger.deposit', 3],
      ['Ledger.withdraw', 3],
      ['Ledger.describe', 3],
      ['fee', 1],
    ]);
  });

  it('renders the table and the hints as plain text', () => {
    assert.deepEqual(renderTable(basic.analysis).split('\n'), [
      'File           Lines  Branches  Functions  Target   Status                   Lines needed',
      '-------------  -----  --------  ---------  -------  -----------------------  ------------',
      'src/ledger.ts  88.4%     54.5%      85.7%  L90 B80  BELOW (lines, branches)             1',
      'src/unused.ts   0.0%      0.0%       0.0%  L90 B80  BELOW (lines, branches)             6',
      '-------------  -----  --------  ---------  -------  -----------------------  ------------',
      'All files      77.6%     50.0%      75.0%  L90      BELOW                               7',
    ]);
    const hints = renderHints(basic.analysis, 2).split('\n');
    assert.equal(hints[0], 'Top 2 gaps:');
    assert.equal(hints[2], '1. neverLoaded — src/unused.ts:2-7');
  });
});
