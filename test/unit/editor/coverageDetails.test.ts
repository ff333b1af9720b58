import { strict as assert } from 'assert';
import * as vm from 'vm';
import { createInstrumenter } from 'istanbul-lib-instrument';
import type { FileCoverageData } from 'istanbul-lib-coverage';
import { branchSideLabel, testsTouchingFile, toPlainCoverage } from '../../../src/editor/coverageDetails';

/** Real istanbul data: instrument a snippet, run it, read the counters back. */
function covered(code: string, file = '/ws/src/x.js'): FileCoverageData {
  const instrumenter = createInstrumenter({ coverageVariable: '__cov', esModules: false, produceSourceMap: false });
  const out = instrumenter.instrumentSync(code, file);
  const ctx: Record<string, unknown> = {};
  vm.runInNewContext(out, ctx);
  return (ctx.__cov as Record<string, FileCoverageData>)[file];
}

const code = [
  'function pick(x) {', //            line 1
  '  if (x > 0) {', //                 line 2
  '    return "pos";', //              line 3
  '  }', //                            line 4
  '  return "neg";', //                line 5
  '}', //                              line 6
  'function never() { return 1; }', // line 7
  'pick(1);', //                       line 8
].join('\n');

describe('editor/coverageDetails: istanbul → VS Code-shaped details', () => {
  const data = covered(code);
  const plain = toPlainCoverage(data);

  it('counts statements, branch sides and declarations like istanbul', () => {
    assert.deepEqual(plain.counts.declarations, { covered: 1, total: 2 });
    assert.deepEqual(plain.counts.branches, { covered: 1, total: 2 });
    const total = Object.keys(data.statementMap).length;
    const hit = Object.values(data.s).filter((n) => n > 0).length;
    assert.deepEqual(plain.counts.statements, { covered: hit, total });
  });

  it('uses 0-based lines: `return "neg"` (line 5) and `never`’s body (line 7) are uncovered', () => {
    const uncovered = plain.statements.filter((s) => s.executed === 0).map((s) => s.range.startLine);
    assert.deepEqual(uncovered.sort(), [4, 6]);
    const ret = plain.statements.find((s) => s.range.startLine === 2);
    assert.equal(ret?.executed, 1);
  });

  it('attaches the if-branch sides to the if statement with true/false labels', () => {
    const ifStmt = plain.statements.find((s) => s.branches.length > 0);
    assert.ok(ifStmt);
    assert.equal(ifStmt.range.startLine, 1);
    assert.deepEqual(ifStmt.branches.map((b) => [b.label, b.executed]), [['true', 1], ['false', 0]]);
  });

  it('names declarations and marks the one never called', () => {
    assert.deepEqual(plain.declarations.map((d) => [d.name, d.executed > 0, d.range.startLine]), [
      ['pick', true, 0],
      ['never', false, 6],
    ]);
  });

  it('narrows to one test with per-test data', () => {
    const fnNever = Object.entries(data.fnMap).find(([, f]) => f.name === 'never')![0];
    const only = toPlainCoverage(data, { s: [], b: [], f: [Number(fnNever)] });
    assert.deepEqual(only.counts.declarations, { covered: 1, total: 2 });
    assert.equal(only.counts.statements.covered, 0);
    assert.equal(only.declarations.find((d) => d.name === 'never')?.executed, 1);
  });

  it('lists the tests whose per-test data touched a file', () => {
    const per = { t1: { '/ws/src/x.js': { s: [1], b: [], f: [] } }, t2: { '/ws/src/y.js': { s: [1], b: [], f: [] } }, t3: { '/ws/src/x.js': { s: [], b: [], f: [] } } };
    assert.deepEqual(testsTouchingFile(per, '/ws/src/x.js'), ['t1']);
    assert.deepEqual(testsTouchingFile(undefined, '/ws/src/x.js'), []);
  });

  it('labels other branch kinds readably', () => {
    assert.equal(branchSideLabel('binary-expr', 1, 2), 'operand 2 of 2');
    assert.equal(branchSideLabel('switch', 0, 3), 'case 1 of 3');
    assert.equal(branchSideLabel('default-arg', 0, 1), 'default value');
  });
});
