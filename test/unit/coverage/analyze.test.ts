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
    // istanbul's branches: the default `values = [1, 2]` reads as taken once `sum` ran (V8 keeps no
    // range for a parameter default); the loop body and the `catch` are lines, not branches.
    assert.deepEqual(file.gaps.map(gapRow), [
      ['Gate.check', [8], [[4, 'binary-expr', "name ?? 'anonymous'", 'right operand'], [5, 'if', 'level > 5', 'false']], { lines: 1, branches: 2 }],
      ['Gate.mode', [31], [[30, 'if', 'on', 'false']], { lines: 1, branches: 1 }],
      ['outer.inner', [49], [[46, 'if', 'flag', 'false']], { lines: 1, branches: 1 }],
      ['Gate.parse', [15], [], { lines: 1, branches: 0 }],
      ['Gate.sum', [22], [], { lines: 1, branches: 0 }],
      ['helpers.pick', [], [[38, 'binary-expr', 'a || b', 'right operand']], { lines: 0, branches: 1 }],
      ['twice', [], [[42, 'cond-expr', 'n > 0', 'false']], { lines: 0, branches: 1 }],
    ]);
    // Each side as behaviour: the condition in words, then what runs on that side.
    assert.deepEqual(file.gaps.flatMap((g) => g.branches.map((br) => `${g.qualifiedName}: ${br.description}`)), [
      "Gate.check: no test ran the case where `name` is null or undefined (which falls back to `'anonymous'`)",
      'Gate.check: no test ran the case where `level` is at most 5 (the code after the `if`)',
      'Gate.mode: no test ran the case where `on` is falsy (the `else` branch)',
      'outer.inner: no test ran the case where `flag` is falsy (the code after the `if`)',
      'helpers.pick: no test ran the case where `a` is falsy (which falls back to `b`)',
      'twice: no test ran the case where `n` is at most 0 (which gives `0`)',
    ]);
    const check = file.gaps.find((g) => g.qualifiedName === 'Gate.check')!;
    assert.deepEqual(check.functionRange, { start: { line: 3, column: 2 }, end: { line: 9, column: 3 } });
  });

  it('holds figures against the merged target and counts what is still needed', () => {
    const [file] = branches.analysis.files;
    assert.deepEqual(file.target, { lines: 100, branches: 100, functions: 100 });
    assert.deepEqual(file.failing, ['lines', 'branches']);
    assert.equal(file.needed.lines, file.figures.lines.total - file.figures.lines.covered);
    assert.equal(file.needed.lines, 5);
    assert.equal(file.needed.branches, 6);
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
    assert.equal(withdraw.hint.suggestedTest.title, 'withdraw throws Error when amount is greater than this.balance()');
    assert.deepEqual(withdraw.hint.suggestedTest.outline, [
      "Arrange: import { Ledger } from '../src/ledger';",
      'Arrange: freshLedger(initial) from test/fixtures.ts',
      'Act: call `new Ledger().withdraw(amount)` when `amount` is greater than `this.balance()`',
      'Assert: `assert.throws(() => new Ledger().withdraw(amount), Error)` and that nothing changed',
    ]);
    const rules = branches.analysis.files[0].gaps[0];
    assert.deepEqual([rules.hint.labelSource, rules.hint.why], ['config', 'rule evaluation decides who may act']);
    const unused = basic.analysis.files.find((f) => f.relative === 'src/unused.ts')!;
    assert.deepEqual(unused.gaps.map((g) => [g.qualifiedName, g.functionCalled, g.hint.labelSource, g.hint.summary]), [
      ['neverLoaded', false, 'generic', '⚠ `neverLoaded` never ran: no test calls it (lines 3-4, 6)'],
    ]);
    // The path to `return -x` passes the `if (x > 0) return x;` untaken: the title says so.
    assert.equal(unused.gaps[0].hint.suggestedTest.title, 'neverLoaded returns -x when x is at most 0');
    assert.equal(unused.gaps[0].hint.suggestedTest.file, path.join(fixture('basic'), 'test', 'unused.test.ts'));
  });

  it('groups a never-loaded file by function, with the same denominators as once loaded', async () => {
    const { result } = await runFixture('unloaded');
    const analysis = await analyze(result, await loadConfig(fixture('unloaded')));
    const registry = analysis.files.find((f) => f.relative === 'src/registry.ts')!;
    // istanbul's statements of the file: 15 on 11 lines; 6 functions; 6 branch sides.
    assert.deepEqual([registry.figures.statements.total, registry.figures.lines.total, registry.figures.lines.covered, registry.figures.functions.total, registry.figures.branches.total], [15, 11, 0, 6, 6]);
    assert.deepEqual(registry.gaps.map((g) => [g.qualifiedName, g.uncoveredLines, g.gain, g.functionCalled]), [
      ['createRegistry', [34, 35, 36, 37], { lines: 4, branches: 2 }, false],
      ['Registry.add', [21, 22, 24], { lines: 3, branches: 2 }, false],
      ['(top level)', [14, 17], { lines: 2, branches: 0 }, true],
      ['Registry.run', [28, 29], { lines: 2, branches: 2 }, false],
    ]);
    const used = analysis.files.find((f) => f.relative === 'src/used.ts')!;
    assert.deepEqual([used.figures.lines.pct, used.gaps], [100, []]);
  });

  it('orders gaps greedily by gain on the failing metrics', () => {
    const ledger = basic.analysis.files.find((f) => f.relative === 'src/ledger.ts')!;
    assert.deepEqual(ledger.gaps.map((g) => [g.qualifiedName, g.gain.lines + g.gain.branches]), [
      ['Ledger.describe', 4],
      ['Ledger.deposit', 2],
      ['Ledger.withdraw', 2],
      ['fee', 1],
    ]);
  });

  it('renders the table and the hints as plain text', () => {
    assert.deepEqual(renderTable(basic.analysis).split('\n'), [
      'File           Lines  Branches  Functions  Target   Status                   Lines needed',
      '-------------  -----  --------  ---------  -------  -----------------------  ------------',
      'src/ledger.ts  78.6%     50.0%      85.7%  L90 B80  BELOW (lines, branches)             2',
      'src/unused.ts   0.0%      0.0%       0.0%  L90 B80  BELOW (lines, branches)             3',
      '-------------  -----  --------  ---------  -------  -----------------------  ------------',
      'All files      64.7%     42.9%      75.0%  L90      BELOW                               5',
    ]);
    const hints = renderHints(basic.analysis, 2).split('\n');
    assert.equal(hints[0], 'Top 2 gaps:');
    assert.equal(hints[2], '1. neverLoaded — src/unused.ts:3-4, 6');
  });
});
